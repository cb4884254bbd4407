"""Shared fixtures: real git repositories built in temporary directories."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, Mapping

import pytest

SHARED_SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:  # ISO 8601, e.g. "2026-01-31T12:00:00Z"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    proc = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def commit_all(repo: Path, message: str = "commit", date: str | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD").strip()


RepoFactory = Callable[..., Path]


@pytest.fixture(autouse=True)
def _own_scan_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets an empty secret-scan cache (the user's is never touched), which child
    processes inherit through the environment."""
    cache = tmp_path_factory.mktemp("scan-cache")
    monkeypatch.setenv("STANDARDS_CHECK_CACHE", str(cache))
    return cache


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    """make_repo({"README.md": "..."}, name="svc", commit=True) -> path of a new git repository."""
    counter = iter(range(1_000_000))

    def factory(files: Mapping[str, str | bytes] | None = None, name: str | None = None,
                commit: bool = True, date: str | None = None) -> Path:
        repo = tmp_path / (name or f"repo{next(counter)}")
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
        write_files(repo, files or {})
        if commit:
            commit_all(repo, "initial", date=date)
        return repo

    return factory


@pytest.fixture
def shared_schemas() -> Path:
    """The official schemas beside the project. CI always has them, so there a missing copy fails the
    run instead of silently skipping the cross-checks; elsewhere they are skipped."""
    if not SHARED_SCHEMAS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but the official schemas are missing at {SHARED_SCHEMAS}")
        pytest.skip("../shared/schemas is not present")
    return SHARED_SCHEMAS
