"""Practice files are fetched in one round trip; code is never fetched."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check.snapshot import RefSnapshot
from standards_check.sweep.fetch import ensure_clone
from standards_check.sweep.prefetch import likely_paths, prefetch
from tests.conftest import git


@pytest.mark.parametrize("path, likely", [
    ("README.md", True), ("LICENSE", True), (".github/workflows/ci.yml", True),
    (".github/CODEOWNERS", True), ("docs/runbook.md", True), ("docs/adr/0001-use-x.md", True),
    ("services/api/catalog-info.yaml", True), ("docs/img/logo.png", False),
    ("src/app/main.py", False), ("src/app/README.md", False), ("tests/test_x.py", False),
])
def test_likely_paths(path: str, likely: bool) -> None:
    assert (likely_paths([path]) == [path]) is likely


def test_prefetch_brings_practice_files_and_leaves_code(make_repo, tmp_path: Path) -> None:
    upstream = make_repo({"README.md": "# x\n", ".github/workflows/ci.yml": "on: push\n",
                          "docs/runbook.md": "# Runbook\n", "src/big.py": "x = 1\n" * 1000})
    git(upstream, "config", "uploadpack.allowFilter", "true")
    clone = ensure_clone(upstream.as_uri(), tmp_path / "cache")
    with RefSnapshot(clone, "HEAD") as snapshot:
        assert prefetch(snapshot, clone) == 3
        assert prefetch(snapshot, clone) == 0  # already here: nothing asked the second time
    missing = [ln for ln in git(clone, "rev-list", "--objects", "--missing=print", "HEAD").splitlines()
               if ln.startswith("?")]
    assert len(missing) == 1  # src/big.py


def test_git_sends_the_token_only_to_the_forge_through_the_environment(monkeypatch) -> None:
    from standards_check.sweep.fetch import git_env

    monkeypatch.setenv("GITHUB_TOKEN", "s3cret")
    monkeypatch.delenv("STANDARDS_CHECK_GIT_AUTH_HOST", raising=False)
    assert not any(k.startswith("GIT_CONFIG_KEY") for k in git_env())
    monkeypatch.setenv("STANDARDS_CHECK_GIT_AUTH_HOST", "ghe.example.com")
    monkeypatch.setenv("GIT_NO_LAZY_FETCH", "1")
    env = git_env()
    assert env["GIT_CONFIG_KEY_0"] == "http.https://ghe.example.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_0"].startswith("AUTHORIZATION: basic ")
    assert "s3cret" not in env["GIT_CONFIG_VALUE_0"]  # base64, as git expects for basic auth
    assert "GIT_NO_LAZY_FETCH" not in env  # partial clones must fetch missing blobs
