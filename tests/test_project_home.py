"""One setting names this project's home (pyproject `[tool.hatch.metadata.hooks.custom] home`).
Docs cannot be generated at run time, so this test reads every doc, example, the Action and the
catalog for an address of this project and fails on any that names another home."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from standards_check import links

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

# An address of this project: a GitHub repository or container image whose name mentions
# standards-check, or an Action reference (`uses: OWNER/REPO@REF`) to such a repository.
_ADDRESS = re.compile(
    r"(?:(?:https?://)?(?:github\.com|ghcr\.io)/|uses:\s*)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]*standards-check[A-Za-z0-9_.-]*)")
_TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".py", ".toml", ".txt", ".json", ".sh", ""}


def home() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["hatch"]["metadata"]["hooks"]["custom"]["home"]


def _owner_repo(url: str) -> tuple[str, str]:
    owner, repo = url.rstrip("/").split("/")[-2:]
    return owner, repo


def foreign_addresses(text: str, owner: str, repo: str) -> list[str]:
    return [m.group(0) for m in _ADDRESS.finditer(text)
            if (m.group("owner"), m.group("repo").removesuffix(".git")) != (owner, repo)]


def _project_files() -> list[Path]:
    top = [ROOT / name for name in ("README.md", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md",
                                    "action.yml", "Dockerfile", "pyproject.toml", "hatch_build.py")]
    trees = [p for d in ("docs", "examples", "checks", "policies", "src", "scripts")
             for p in sorted((ROOT / d).rglob("*"))]
    return [p for p in top + trees
            if p.is_file() and p.suffix in _TEXT_SUFFIXES and "__pycache__" not in p.parts]


def test_built_in_fallback_is_the_pyproject_home():
    assert links._BUILT_IN_HOME == home()


def test_links_derive_from_the_home():
    assert links.project_url() == home()
    assert links.check_doc_url("readme.present") == home() + "/blob/main/checks/readme.present.yaml"


def test_no_doc_example_or_action_names_another_home():
    owner, repo = _owner_repo(home())
    drift = {str(p.relative_to(ROOT)): found for p in _project_files()
             if (found := foreign_addresses(p.read_text(errors="replace"), owner, repo))}
    assert not drift, f"addresses that are not the home set in pyproject.toml ({home()}): {drift}"


def test_the_examples_use_the_action_at_the_home():
    owner, repo = _owner_repo(home())
    for example in ("pr-check.yml", "scheduled.yml"):
        assert f"uses: {owner}/{repo}@" in (ROOT / "examples" / example).read_text()


@pytest.mark.parametrize("text", [
    "uses: someone-else/standards-check@v0",
    "see https://github.com/standards-check/standards-check-fork/issues",
    "docker run ghcr.io/acme/standards-check:0.2.0 scan .",
])
def test_the_drift_check_sees_another_home(text):
    owner, repo = _owner_repo(home())
    assert len(foreign_addresses(text, owner, repo)) == 1


def test_the_drift_check_accepts_the_home():
    owner, repo = _owner_repo(home())
    text = (f"uses: {owner}/{repo}@v0\n{home()}/blob/main/checks/x.yaml\n"
            f"ghcr.io/{owner}/{repo}:0.2.0\n{home()}.git\n")
    assert foreign_addresses(text, owner, repo) == []
