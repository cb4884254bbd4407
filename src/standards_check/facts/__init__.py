"""Facts: artefacts parsed once per snapshot and shared by many checks. Explicit registry."""
from __future__ import annotations

from typing import Any, Callable

PARSERS: dict[str, Callable[[Any], Any]] = {}
