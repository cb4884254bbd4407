"""The wheel carries the catalog, the policies and the schemas: the installed tool works outside
the source tree. The release's artefacts (wheel and sdist, built as docs/releasing.md builds them)
pass twine's check, and their metadata names the one home set in pyproject.toml."""
from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _build(source: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "-q", "--outdir", str(out), str(source)],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    pytest.importorskip("build", reason="the test extra's `build` builds the release artefacts")
    out = tmp_path_factory.mktemp("dist")
    _build(ROOT, out)
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (path,) = dist.glob("standards_check-*.whl")
    return path


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(zf.read(name))


def test_twine_accepts_the_wheel_and_sdist(dist):
    pytest.importorskip("twine", reason="the test extra's `twine` checks what PyPI will render")
    files = sorted(str(p) for p in dist.iterdir())
    assert any(f.endswith(".tar.gz") for f in files) and any(f.endswith(".whl") for f in files)
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metadata_names_the_home_and_describes_the_project(wheel):
    from tests.test_project_home import home
    meta = _metadata(wheel)
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues", "Source"}
    assert urls["Homepage"] == home() and all(u.startswith(home()) for u in urls.values())
    classifiers = meta.get_all("Classifier")
    assert "Topic :: Software Development :: Quality Assurance" in classifiers
    assert {f"Programming Language :: Python :: 3.{m}" for m in (10, 11, 12, 13)} <= set(classifiers)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Description-Content-Type"] == "text/markdown"
    description = meta.get_payload()
    assert "# standards-check" in description
    # PyPI has no repository to resolve README's relative links against: they point at the home
    assert f"]({home()}/blob/main/docs/github-action.md)" in description
    assert "](docs/" not in description and "](examples/" not in description
    from standards_check import __version__
    assert meta["Version"] == __version__  # one version, in __init__.py


def test_changing_the_home_is_one_edit(tmp_path):
    """Edit only pyproject's home, build, install: the SARIF helpUris follow."""
    src = tmp_path / "src-copy"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__",
                                                             "*.egg-info", "dist", "build", "tests"))
    pyproject = src / "pyproject.toml"
    from tests.test_project_home import home
    text = pyproject.read_text()
    assert text.count(home()) == 1  # the one setting
    pyproject.write_text(text.replace(home(), "https://git.example.test/acme/standards-check"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True)
    (new_wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(new_wheel)], check=True, capture_output=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# x\n")
    proc = subprocess.run([sys.executable, "-m", "standards_check", "scan", str(repo), "--policy", "baseline@1",
                           "--format", "sarif"], env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    run = json.loads(proc.stdout)["runs"][0]
    assert run["tool"]["driver"]["informationUri"] == "https://git.example.test/acme/standards-check"
    help_uris = {r["helpUri"] for r in run["tool"]["driver"]["rules"]}
    assert help_uris and all(u.startswith("https://git.example.test/acme/standards-check/blob/main/checks/")
                             for u in help_uris)


def test_wheel_ships_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "standards_check/_data/checks/readme.present.yaml" in names
    assert "standards_check/_data/policies/baseline/1.0.0.yaml" in names
    assert "standards_check/schemas/report.schema.json" in names
    assert "standards_check/schemas/policy.schema.json" in names
    assert "standards_check/render/templates/report.html.j2" in names
    assert "standards_check/render/templates/scorecard.html.j2" in names


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
    page = subprocess.run([sys.executable, "-m", "standards_check", "scan", str(repo), "--format", "html"],
                          env=env, cwd=tmp_path, capture_output=True, text=True)
    assert page.returncode in (0, 1) and f"<h1>{repo.name}</h1>" in page.stdout, page.stderr  # its template ships
    listing = subprocess.run([sys.executable, "-m", "standards_check", "checks", "list"], env=env, cwd=tmp_path,
                             capture_output=True, text=True)
    assert "readme.present" in listing.stdout
