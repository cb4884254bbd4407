"""The Action's install: its venv is cached under a key of everything that goes into it, and a
restored venv is used as it is (nothing installed); a damaged one is rebuilt. The steps run here
as the runner runs them (tests/action_steps.py), against this checkout as the action's path."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.action_steps import ROOT, run_step, step


def _action_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "action"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__", "tests",
                                                              "*.egg-info", "dist", "build", "node_modules"))
    return copy


def _key(action: Path, temp: Path, python: str = sys.executable) -> str:
    run = run_step("cache-key", temp, {"steps.python.outputs.python-path": python}, action_path=action)
    assert run.returncode == 0, run.stderr
    return run.outputs["hash"]


def test_the_cache_key_follows_the_action_source_and_the_interpreter(tmp_path):
    action = _action_copy(tmp_path)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    first = _key(action, temp)
    assert len(first) == 20 and first == _key(action, temp)  # stable
    (action / "checks" / "readme.present.yaml").write_text(
        (action / "checks" / "readme.present.yaml").read_text() + "\n# changed\n")
    changed = _key(action, temp)
    assert changed != first  # a moved v0 tag with new content gets a new venv
    assert _key(action, temp, python="/opt/other/python3") != changed
    (action / "src" / "standards_check" / "__pycache__").mkdir(exist_ok=True)
    (action / "src" / "standards_check" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert _key(action, temp) == changed  # bytecode is not source


def test_the_cache_covers_the_venv_the_install_step_uses():
    cache = step("venv-cache")
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"] == "${{ runner.temp }}/standards-check-venv"
    assert "${{ steps.cache-key.outputs.hash }}" in cache["with"]["key"]
    assert "${{ steps.python.outputs.python-version }}" in cache["with"]["key"]
    install = step("install")
    assert install["env"]["CACHE_HIT"] == "${{ steps.venv-cache.outputs.cache-hit }}"
    assert '"$RUNNER_TEMP/standards-check-venv"' in install["run"]


def _install(temp: Path, hit: bool):
    return run_step("install", temp, {"steps.python.outputs.python-path": sys.executable,
                                      "steps.venv-cache.outputs.cache-hit": "true" if hit else ""})


@pytest.mark.slow
def test_a_miss_installs_a_hit_reuses_and_a_damaged_hit_reinstalls(tmp_path):
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    miss = _install(temp, hit=False)
    assert miss.returncode == 0, miss.stderr
    cli = Path(miss.outputs["bin"]) / "standards-check"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "standards-check" in version.stdout
    marker = Path(miss.outputs["bin"]) / "marker-from-the-first-install"
    marker.touch()

    hit = _install(temp, hit=True)
    assert hit.returncode == 0, hit.stderr
    assert "restored from the cache" in hit.stdout and marker.exists()  # used as it is
    assert hit.outputs["bin"] == miss.outputs["bin"]

    cli.unlink()  # a restored venv that no longer runs (e.g. its interpreter moved)
    damaged = _install(temp, hit=True)
    assert damaged.returncode == 0, damaged.stderr
    assert "restored from the cache" not in damaged.stdout and not marker.exists()  # rebuilt
    assert subprocess.run([str(cli), "--version"], capture_output=True).returncode == 0
