"""The wheel carries the catalog, the policies and the schemas: the installed tool works outside
the source tree."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (path,) = out.glob("standards_check-*.whl")
    return path


def test_wheel_ships_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "standards_check/_data/checks/readme.present.yaml" in names
    assert "standards_check/_data/policies/baseline/1.0.0.yaml" in names
    assert "standards_check/schemas/report.schema.json" in names
    assert "standards_check/schemas/policy.schema.json" in names


def test_installed_wheel_scans_outside_the_source_tree(wheel, tmp_path, make_repo):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    repo = make_repo({"README.md": "# x\n" * 40})
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import standards_check, sys; print(standards_check.__file__)"
    where = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where  # the installed copy, not the source tree
    proc = subprocess.run([sys.executable, "-m", "standards_check", "scan", str(repo), "--policy", "baseline@1"],
                          env=env, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert "against policy baseline 1.0.0" in proc.stdout
    listing = subprocess.run([sys.executable, "-m", "standards_check", "checks", "list"], env=env, cwd=tmp_path,
                             capture_output=True, text=True)
    assert "readme.present" in listing.stdout
