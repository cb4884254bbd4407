"""Renderers are pure functions of the Report: no module under render/ (nor the shared placement
module) may reach the filesystem, the repository config or the catalog. The engine puts what they
need into the Report (`Report.anchor`, `Report.docs`)."""
from __future__ import annotations

import ast
from pathlib import Path

import standards_check.placement
import standards_check.render

FORBIDDEN_MODULES = {"os", "pathlib", "shutil", "glob", "io", "yaml", "ruamel", "subprocess",
                     "standards_check.yamlio", "standards_check.catalog", "standards_check.resources",
                     "standards_check.repoconfig", "standards_check.snapshot", "standards_check.engine"}
FORBIDDEN_CALLS = {"open", "load_catalog", "data_dir", "read_text", "read_bytes", "is_file", "is_dir", "exists"}


def _modules() -> list[Path]:
    render_dir = Path(standards_check.render.__file__).parent
    return sorted(render_dir.glob("*.py")) + [Path(standards_check.placement.__file__)]


def _reaches(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found += [f"{path.name}:{node.lineno} imports {n}" for n in names
                  if n in FORBIDDEN_MODULES or n.split(".")[0] in FORBIDDEN_MODULES]
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in FORBIDDEN_CALLS:
                found.append(f"{path.name}:{node.lineno} calls {name}")
    return found


def test_renderers_read_only_the_report() -> None:
    modules = _modules()
    assert len(modules) >= 8  # the walk found the renderers
    problems = [p for m in modules for p in _reaches(m)]
    assert not problems, "\n".join(problems)


def test_the_guard_catches_a_reach(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom standards_check.catalog import load_catalog\n"
                   "def f(p):\n    return open(p).read() + str(load_catalog())\n")
    assert len(_reaches(bad)) == 4
