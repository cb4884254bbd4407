"""Practice files are fetched in one round trip; code is never fetched."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check.sweep.fetch import ensure_clone
from standards_check.sweep.prefetch import PartialCloneSnapshot, likely_paths
from tests.conftest import git


@pytest.mark.parametrize("path, likely", [
    ("README.md", True), ("LICENSE", True), (".github/workflows/ci.yml", True),
    (".github/CODEOWNERS", True), ("docs/runbook.md", True), ("docs/adr/0001-use-x.md", True),
    ("services/api/catalog-info.yaml", True), ("docs/img/logo.png", False),
    ("src/app/main.py", False), ("src/app/README.md", False), ("tests/test_x.py", False),
])
def test_likely_paths(path: str, likely: bool) -> None:
    assert (likely_paths([path]) == [path]) is likely


def missing(clone: Path) -> int:
    return sum(ln.startswith("?") for ln in
               git(clone, "rev-list", "--objects", "--missing=print", "HEAD").splitlines())


def test_prefetch_fetches_missing_blobs_in_one_batch(make_repo, tmp_path: Path) -> None:
    files = {"README.md": "# x\n", ".github/workflows/ci.yml": "on: push\n", "docs/runbook.md": "# R\n"}
    files.update({f"src/m{i}.py": f"x = {i}\n" for i in range(20)})
    upstream = make_repo(files)
    git(upstream, "config", "uploadpack.allowFilter", "true")
    clone = ensure_clone(upstream.as_uri(), tmp_path / "cache")
    assert missing(clone) == 23  # blob-less: no file contents at all
    with PartialCloneSnapshot(clone) as snapshot:
        snapshot.prefetch(likely_paths(snapshot.paths))
        assert (snapshot.fetches, missing(clone)) == (1, 20)  # practice files only; code left
        snapshot.prefetch(likely_paths(snapshot.paths))
        assert snapshot.fetches == 1  # nothing missing: nothing asked
        code = [p for p in snapshot.paths if p.startswith("src/")]
        snapshot.prefetch(code)  # as secrets.committed does before reading every file
        assert (snapshot.fetches, missing(clone)) == (2, 0)
        assert snapshot.read_text("src/m7.py") == "x = 7\n"


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


def test_the_secret_scan_fetches_a_partial_clone_in_one_batch(make_repo, tmp_path: Path) -> None:
    """secrets.committed reads every candidate file: one batch, not one lazy fetch per blob
    (the sweep benchmark fell from about 1,000 to 21 repositories a minute without it)."""
    from standards_check import secretscan

    upstream = make_repo({f"src/m{i}.py": f"x = {i}\n" for i in range(30)})
    git(upstream, "config", "uploadpack.allowFilter", "true")
    clone = ensure_clone(upstream.as_uri(), tmp_path / "cache")
    with PartialCloneSnapshot(clone) as snapshot:
        result = secretscan.scan(snapshot, max_files=1000, max_file_bytes=1 << 20)
        assert result.files_scanned == 30
        assert snapshot.fetches == 1 and missing(clone) == 0
