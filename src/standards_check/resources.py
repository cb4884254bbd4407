"""Where the shipped data lives: inside the wheel, or the source tree in a development install."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory of shipped data `name` ("checks" or "policies")."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    source = _PACKAGE.parents[1] / name  # src/standards_check -> project root
    if source.is_dir():
        return source
    raise RuntimeError(f"standards-check is installed without its {name}/ data; reinstall the package")


def schema_path(name: str) -> Path:
    return _PACKAGE / "schemas" / name
