"""Hostile git repositories and file trees: configuration that runs programs, links into the git
directory, special files, deep nesting, corrupt or missing objects, refs that look like options.

Every case runs the real CLI in a bounded child process (`run_bounded`) and states what must hold:
no program of the repository's choosing ever runs (a marker file never appears), nothing under a
git directory is read as content, and damage is a clear error (exit 2 or a warning naming it),
never a traceback or a hang.
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import tempfile
import zlib
from hashlib import sha1
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import RepoFactory, commit_all, git, write_files
from tests.hostile.harness import Bounded, assert_held, run_bounded

FILES = {
    "README.md": "# svc\n\nRun `make test`.\n",
    "CODEOWNERS": "* @acme/team\n",
    "RUNBOOK.md": "# Runbook\n\n## Alerts\n\nRestart it.\n",
    "CHANGELOG.md": "# Changelog\n\n## 1.1\n\n- more\n",
    "docs/adr/0001-use-adrs.md": "# 1. Use ADRs\n\nStatus: accepted\n",
    "src/app.py": "print('hi')\n",
}


def _repo(make_repo: RepoFactory, name: str = "svc") -> Path:
    """A repository with two commits and two release tags, so history checks run git log."""
    repo = make_repo(FILES, name=name, date="2026-01-01T12:00:00Z")
    git(repo, "tag", "v1.0")
    write_files(repo, {"CHANGELOG.md": FILES["CHANGELOG.md"] + "\n## 1.2\n\n- again\n", "src/more.py": "x = 1\n"})
    commit_all(repo, "second", date="2026-02-01T12:00:00Z")
    git(repo, "tag", "v1.1")
    return repo


def _marker_script(tmp_path: Path, name: str = "evil") -> tuple[Path, Path]:
    """An executable that leaves a marker file when anything runs it."""
    marker = tmp_path / f"{name}.ran"
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{marker}'\nexit 0\n")
    script.chmod(0o755)
    return script, marker


def _every_check_policy(where: Path) -> Path:
    """A policy with every check, so the history checks run `git log`, `for-each-ref`, ..."""
    from standards_check.evaluators import FAMILIES

    rules = "".join(f"  - {{check: {c}, level: 1}}\n" for checks in FAMILIES.values() for c in checks)
    policy = where / "every-check.yml"
    policy.write_text("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: every, version: 1.0.0}\n"
                      "gate: {min_score: 0, min_level: 0}\nrules:\n" + rules)
    return policy


def _scans(repo: Path) -> list[Bounded]:
    """A work-tree scan, a scan at a ref and a diff scan of the repository, with every check."""
    policy = _every_check_policy(repo.parent)
    return [run_bounded("scan", repo, "--policy", policy, "--format", "json"),
            run_bounded("scan", repo, "--ref", "HEAD", "--policy", policy, "--format", "json"),
            run_bounded("scan", repo, "--base", "v1.0", "--policy", policy, "--format", "json")]


def _assert_no_program_ran(repo: Path, marker: Path) -> None:
    for result in _scans(repo):
        assert_held(result, (0, 1))
        assert not marker.exists(), f"a program from the repository's config ran: {marker.read_text()}"


def _report(result: Bounded) -> dict:
    return json.loads(result.out)


def _warnings(result: Bounded) -> str:
    return "\n".join(_report(result).get("warnings", []))


def _object_path(repo: Path, sha: str) -> Path:
    return repo / ".git" / "objects" / sha[:2] / sha[2:]


def _blob_of(repo: Path, rev_path: str) -> str:
    return git(repo, "rev-parse", rev_path).strip()


# ---- configuration that would run a program -------------------------------------------------
@pytest.mark.hostile("repo", "git-config-fsmonitor")
def test_core_fsmonitor_never_runs(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    git(repo, "config", "core.fsmonitor", str(script))
    _assert_no_program_ran(repo, marker)


@pytest.mark.hostile("repo", "git-config-hooks")
def test_hooks_never_run(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-index-change", "post-checkout", "pre-auto-gc",
                 "post-rewrite", "fsmonitor-watchman", "push-to-checkout", "pre-commit"):
        for where in (hooks, repo / ".git" / "hooks"):
            (where / name).write_text(script.read_text())
            (where / name).chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    _assert_no_program_ran(repo, marker)


@pytest.mark.hostile("repo", "git-config-filter-driver")
def test_filter_drivers_never_run(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    write_files(repo, {".gitattributes": "* filter=evil diff=evil merge=evil\n"})
    commit_all(repo, "attributes")
    for key in ("clean", "smudge", "process"):
        git(repo, "config", f"filter.evil.{key}", str(script))
    git(repo, "config", "filter.evil.required", "true")
    (repo / "README.md").touch()  # stat-dirty: an index refresh would run the clean filter
    (repo / "untracked.md").write_text("new\n")
    _assert_no_program_ran(repo, marker)


@pytest.mark.hostile("repo", "git-config-diff-driver")
def test_diff_drivers_never_run(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    write_files(repo, {".gitattributes": "* diff=evil\n"})
    commit_all(repo, "attributes")
    git(repo, "config", "diff.evil.textconv", str(script))
    git(repo, "config", "diff.evil.command", str(script))
    git(repo, "config", "diff.external", str(script))
    git(repo, "config", "core.pager", str(script))
    git(repo, "config", "pager.log", str(script))
    _assert_no_program_ran(repo, marker)


@pytest.mark.hostile("repo", "git-config-gpg-program")
def test_signature_verification_never_runs(make_repo: RepoFactory, tmp_path: Path) -> None:
    """A commit carrying a signature and `log.showSignature`: git log would run gpg.program."""
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    head = git(repo, "cat-file", "commit", "HEAD")
    headers, _, message = head.partition("\n\n")
    signed = (headers + "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n"
              " -----END PGP SIGNATURE-----\n\n" + message)
    proc_sha = git_stdin(repo, signed, "hash-object", "-t", "commit", "-w", "--stdin").strip()
    git(repo, "update-ref", "refs/heads/main", proc_sha)
    git(repo, "config", "log.showSignature", "true")
    for key in ("gpg.program", "gpg.openpgp.program", "gpg.ssh.program", "gpg.x509.program"):
        git(repo, "config", key, str(script))
    _assert_no_program_ran(repo, marker)


def git_stdin(repo: Path, text: str, *args: str) -> str:
    import subprocess

    from tests.conftest import GIT_ENV

    proc = subprocess.run(["git", "-C", str(repo), *args], input=text, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return proc.stdout


def _partial_clone_with_missing_blob(repo: Path, url: str) -> None:
    """Turn `repo` into what looks like a partial clone of `url`, with README.md's blob missing, so
    reading it makes git fetch the object from the promisor remote."""
    git(repo, "repack", "-adq")  # every object in a pack ...
    blob = _blob_of(repo, "HEAD:README.md")
    objects = git(repo, "rev-list", "--objects", "--all").split("\n")
    keep = "\n".join(line.split()[0] for line in objects if line and not line.startswith(blob)) + "\n"
    pack_dir = repo / ".git" / "objects" / "pack"
    old = list(pack_dir.iterdir())
    git_stdin(repo, keep, "pack-objects", "-q", str(pack_dir / "pack"))  # ... but the blob
    for path in old:
        path.unlink()
    assert git(repo, "cat-file", "-t", "HEAD:CODEOWNERS").strip() == "blob"
    git(repo, "config", "core.repositoryformatversion", "1")
    git(repo, "config", "extensions.partialClone", "origin")
    git(repo, "config", "remote.origin.url", url)
    git(repo, "config", "remote.origin.promisor", "true")
    git(repo, "config", "remote.origin.partialclonefilter", "blob:none")


@pytest.mark.hostile("repo", "git-config-promisor-ext-remote")
def test_lazy_fetch_through_ext_remote_never_runs(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    _partial_clone_with_missing_blob(repo, f"ext::{script}")
    git(repo, "config", "protocol.ext.allow", "always")
    git(repo, "config", "protocol.allow", "always")
    _assert_no_program_ran(repo, marker)


@pytest.mark.hostile("repo", "git-config-promisor-ssh-command")
def test_lazy_fetch_through_ssh_command_never_runs(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    script, marker = _marker_script(tmp_path)
    _partial_clone_with_missing_blob(repo, "ssh://git.invalid/acme/svc.git")
    git(repo, "config", "core.sshCommand", str(script))
    git(repo, "config", "remote.origin.uploadpack", str(script))
    git(repo, "config", "credential.helper", f"!{script}")
    _assert_no_program_ran(repo, marker)


# ---- links into a git directory -------------------------------------------------------------
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def _assert_not_read(result: Bounded, path: str = "CODEOWNERS") -> None:
    assert_held(result, (0, 1))
    assert TOKEN not in result.out and TOKEN not in result.err
    assert f"{path} was not read" in _warnings(result), result.describe()


@pytest.mark.hostile("repo", "link-into-git-dir")
def test_link_into_git_dir_reads_as_nothing(make_repo: RepoFactory) -> None:
    """actions/checkout persists its token in .git/config; a link must not expose it."""
    repo = _repo(make_repo)
    git(repo, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to(".git/config")
    _assert_not_read(run_bounded("scan", repo, "--format", "json"))
    commit_all(repo, "link")
    _assert_not_read(run_bounded("scan", repo, "--format", "json"))
    at_ref = run_bounded("scan", repo, "--ref", "HEAD", "--format", "json")  # the link, from objects
    assert_held(at_ref, (0, 1))
    assert TOKEN not in at_ref.out
    # a link through a directory link into .git, and one that climbs out and back in
    (repo / "meta").symlink_to(".git")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to("src/../meta/config")
    _assert_not_read(run_bounded("scan", repo, "--format", "json"))


@pytest.mark.hostile("repo", "link-into-separate-git-dir")
def test_link_into_a_git_dir_named_by_a_dotgit_file(make_repo: RepoFactory) -> None:
    """`.git` is a file (`gitdir: meta`) naming a git directory inside the work tree."""
    repo = _repo(make_repo)
    git(repo, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}")
    (repo / ".git").rename(repo / "meta")
    (repo / ".git").write_text("gitdir: meta\n")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to("meta/config")
    result = run_bounded("scan", repo, "--format", "json")
    _assert_not_read(result)
    assert not any(p.startswith("meta/") for p in _listed(repo)), "the git directory was listed as content"


def _listed(repo: Path) -> list[str]:
    from standards_check.snapshot import open_snapshot

    with open_snapshot(repo) as snapshot:
        return list(snapshot.paths)


@pytest.mark.hostile("repo", "link-into-embedded-repo-git-dir")
def test_link_into_an_embedded_repositorys_git_dir(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    inner = make_repo({"a.txt": "a\n"}, name="svc/vendor/inner")
    git(inner, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to("vendor/inner/.git/config")
    _assert_not_read(run_bounded("scan", repo, "--format", "json"))


@pytest.mark.hostile("repo", "git-dir-in-plain-directory")
def test_plain_directory_never_reads_a_git_dir(tmp_path: Path) -> None:
    """A directory git does not take for a repository (a broken `.git`) is scanned as a plain
    directory; what is under its `.git` is still never content."""
    root = tmp_path / "plain"
    write_files(root, {**FILES, ".git/config": f"[http]\n\textraheader = {TOKEN}\n"})
    (root / "CODEOWNERS").unlink()
    (root / "CODEOWNERS").symlink_to(".git/config")
    (root / ".GIT").symlink_to(".git")
    _assert_not_read(run_bounded("scan", root, "--format", "json"))


# ---- special files and shapes ---------------------------------------------------------------
@pytest.mark.hostile("repo", "fifo-in-tree")
def test_fifo_is_never_opened(make_repo: RepoFactory, tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: it must never be opened."""
    repo = _repo(make_repo)
    os.mkfifo(repo / "SECURITY.md")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to("SECURITY.md")
    plain = tmp_path / "plain"
    write_files(plain, FILES)
    os.mkfifo(plain / "SECURITY.md")
    for target in (repo, plain):
        result = run_bounded("scan", target, "--format", "json", seconds=30)
        assert_held(result, (0, 1))


@pytest.mark.hostile("repo", "symlink-loop")
def test_symlink_loops_read_as_nothing(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    (repo / "self").symlink_to("self")
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to("a")
    (repo / "docs" / "loop").symlink_to("..")
    for result in [run_bounded("scan", repo, "--format", "json")]:
        assert_held(result, (0, 1))
    commit_all(repo, "loops")
    for result in _scans(repo):
        assert_held(result, (0, 1))


@pytest.mark.hostile("repo", "sparse-huge-file")
def test_sparse_ten_gigabyte_file_is_skipped(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    with open(repo / "README.md", "r+b") as handle:
        handle.truncate(10 * 1024 ** 3)
    result = run_bounded("scan", repo, "--format", "json")
    assert_held(result, (0, 1))
    assert "README.md was not read: larger than" in _warnings(result)


@pytest.fixture
def deep_tmp() -> Iterator[Path]:
    """A scratch directory outside pytest's own: pytest's clean-up of old runs recurses and would
    fail on a tree thousands deep (in every later session), so this one goes with `rm -rf`."""
    path = Path(tempfile.mkdtemp(prefix="standards-check-deep-"))
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


def _factory(root: Path) -> RepoFactory:
    """make_repo's factory, building in `root`."""
    def factory(files: dict[str, str] | None = None, name: str = "svc", commit: bool = True,
                date: str | None = None) -> Path:
        repo = root / name
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
        write_files(repo, files or {})
        if commit:
            commit_all(repo, "initial", date=date)
        return repo
    return factory


def _deep_dirs(root: Path, depth: int, leaf: str = "README.md") -> None:
    """`d/d/d/.../README.md`, `depth` levels: deeper than PATH_MAX, so built with directory fds."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"# deep\n")
        os.close(out)
    finally:
        os.close(fd)


@pytest.mark.hostile("repo", "deep-plain-directory")
def test_plain_directory_thousands_deep(deep_tmp: Path) -> None:
    root = deep_tmp / "plain"
    write_files(root, FILES)
    _deep_dirs(root, 3000)
    result = run_bounded("scan", root, "--format", "json", seconds=60)
    assert_held(result, (0, 1))
    assert "RecursionError" not in result.err


@pytest.mark.hostile("repo", "deep-untracked-directory")
def test_work_tree_thousands_deep(deep_tmp: Path) -> None:
    repo = _repo(_factory(deep_tmp))
    _deep_dirs(repo, 3000)
    result = run_bounded("scan", repo, "--format", "json", seconds=60)
    assert_held(result, (0, 1))


def _write_object(repo: Path, kind: str, body: bytes) -> str:
    data = kind.encode() + b" " + str(len(body)).encode() + b"\0" + body
    sha = sha1(data).hexdigest()
    path = _object_path(repo, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(zlib.compress(data))
    return sha


@pytest.mark.hostile("repo", "deep-tree-in-commit")
def test_commit_with_a_tree_thousands_deep(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    tree = _write_object(repo, "tree", b"100644 README.md\0" + bytes.fromhex(_blob_of(repo, "HEAD:README.md")))
    for _ in range(3000):
        tree = _write_object(repo, "tree", b"40000 d\0" + bytes.fromhex(tree))
    top = git(repo, "cat-file", "-p", "HEAD^{tree}")
    entries = top + f"040000 tree {tree}\tdeep\n"
    top_tree = git_stdin(repo, entries, "mktree").strip()
    commit = git(repo, "commit-tree", top_tree, "-p", "HEAD", "-m", "deep").strip()
    git(repo, "branch", "deep", commit)
    result = run_bounded("scan", repo, "--ref", "deep", "--format", "json", seconds=60)
    assert_held(result, (0, 1))


# ---- corrupt and missing objects ------------------------------------------------------------
def _assert_clear_error(result: Bounded, *words: str) -> None:
    """Exit 2 with a one-line error, or a report whose warnings name the damage."""
    assert_held(result, (0, 1, 2))
    text = result.err if result.returncode == 2 else _warnings(result)
    assert any(w in text for w in words), result.describe()


@pytest.mark.hostile("repo", "corrupt-loose-blob")
def test_corrupt_blob(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    path = _object_path(repo, _blob_of(repo, "HEAD:README.md"))
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:8] + b"garbage" * 10)
    for result in (run_bounded("scan", repo, "--ref", "HEAD", "--format", "json"),
                   run_bounded("scan", repo, "--base", "v1.0", "--format", "json")):
        _assert_clear_error(result, "README.md", "corrupt")


@pytest.mark.hostile("repo", "missing-blob")
def test_missing_blob(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    _object_path(repo, _blob_of(repo, "HEAD:CODEOWNERS")).unlink()
    for result in (run_bounded("scan", repo, "--ref", "HEAD", "--format", "json"),
                   run_bounded("scan", repo, "--base", "v1.0", "--format", "json")):
        _assert_clear_error(result, "CODEOWNERS")


@pytest.mark.hostile("repo", "missing-tree")
def test_missing_tree(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    _object_path(repo, _blob_of(repo, "HEAD:docs")).unlink()
    for result in (run_bounded("scan", repo, "--ref", "HEAD", "--format", "json"),
                   run_bounded("scan", repo, "--base", "v1.0", "--format", "json")):
        _assert_clear_error(result, "tree", "broken repository")


@pytest.mark.hostile("repo", "corrupt-index")
def test_corrupt_index(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    (repo / ".git" / "index").write_bytes(b"DIRC\0\0\0\2" + b"\xff" * 64)
    _assert_clear_error(run_bounded("scan", repo, "--format", "json"), "index")


@pytest.mark.hostile("repo", "corrupt-packfile")
def test_corrupt_packfile(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    git(repo, "repack", "-adq")
    git(repo, "prune-packed")
    pack = next((repo / ".git" / "objects" / "pack").glob("*.pack"))
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    for i in range(len(data) // 3, len(data) - 20, 7):
        data[i] ^= 0x5A
    pack.write_bytes(bytes(data))
    for result in (run_bounded("scan", repo, "--ref", "HEAD", "--format", "json"),
                   run_bounded("scan", repo, "--base", "v1.0", "--format", "json")):
        _assert_clear_error(result, "corrupt", "broken repository", "was not read", "unknown git ref")


@pytest.mark.hostile("repo", "ref-to-missing-commit")
def test_ref_naming_a_missing_commit(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    (repo / ".git" / "refs" / "heads" / "broken").write_text("1" * 40 + "\n")
    result = run_bounded("scan", repo, "--ref", "broken")
    assert_held(result, (2,))
    assert "broken" in result.err
    result = run_bounded("scan", repo, "--base", "broken", "--format", "json")
    assert_held(result, (0, 1))
    assert "base broken cannot be found" in _warnings(result)


@pytest.mark.hostile("repo", "head-on-missing-commit")
def test_work_tree_whose_head_is_missing(make_repo: RepoFactory) -> None:
    repo = _repo(make_repo)
    (repo / ".git" / "refs" / "heads" / "main").write_text("2" * 40 + "\n")
    (repo / ".git" / "packed-refs").unlink(missing_ok=True)
    assert_held(run_bounded("scan", repo, "--format", "json"), (0, 1, 2))
    result = run_bounded("scan", repo, "--ref", "HEAD")
    assert_held(result, (2,))


@pytest.mark.hostile("repo", "ref-value-looks-like-option")
def test_ref_values_that_look_like_options(make_repo: RepoFactory, tmp_path: Path) -> None:
    """`--ref=--git-dir` once made rev-parse print `.git` and that was taken for a commit;
    `--output=FILE` would make git log write a file."""
    repo = _repo(make_repo)
    written = tmp_path / "written"
    for value in ("--git-dir", f"--output={written}", "--all", "-h", f"--exec-path={written}"):
        for flag in ("--ref", "--base"):
            result = run_bounded("scan", repo, f"{flag}={value}", "--format", "json")
            if flag == "--ref":
                assert_held(result, (2,))
                assert "unknown git ref" in result.err or "not a git ref" in result.err, result.describe()
            else:
                assert_held(result, (0, 1, 2))
            assert not written.exists()


@pytest.mark.hostile("repo", "hostile-ref-names")
def test_branch_and_tag_names_that_look_like_options(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    for name in ("--output=written", "-n1", "%(objectname)", "v9.9.9", "--exec=touch written"):
        (repo / ".git" / "refs" / "tags" / name).write_text(head + "\n")
    git(repo, "update-ref", "refs/heads/-q", head)
    for result in _scans(repo):
        assert_held(result, (0, 1))
    result = run_bounded("scan", repo, "--ref", "-q")
    assert_held(result, (2,))
    assert not (repo / "written").exists() and not (tmp_path / "written").exists()


@pytest.mark.hostile("repo", "sweep-dir-broken-repos")
def test_sweep_records_broken_repositories_as_errors(make_repo: RepoFactory, tmp_path: Path) -> None:
    """The sweep's per-repository worker turns damage into an `error` row, and goes on."""
    fleet = tmp_path / "fleet"
    good = _repo(make_repo, name="fleet/good")
    missing_tree = _repo(make_repo, name="fleet/missing-tree")
    _object_path(missing_tree, _blob_of(missing_tree, "HEAD:docs")).unlink()
    corrupt_blob = _repo(make_repo, name="fleet/corrupt-blob")
    path = _object_path(corrupt_blob, _blob_of(corrupt_blob, "HEAD:CODEOWNERS"))
    path.chmod(0o644)
    path.write_bytes(b"x\x9c garbage")
    bad_head = _repo(make_repo, name="fleet/bad-head")
    (bad_head / ".git" / "refs" / "heads" / "main").write_text("3" * 40 + "\n")
    store = tmp_path / "store.db"
    result = run_bounded("sweep", "--dir", fleet, "--store", store, "--no-progress", seconds=90)
    assert_held(result, (0,))
    with sqlite3.connect(store) as db:
        rows = dict(db.execute("SELECT repo, status || ': ' || coalesce(error, '') FROM results"))
    assert rows["good"].startswith("ok"), rows
    assert rows["missing-tree"].startswith("error"), rows
    assert "internal error" not in rows["missing-tree"], rows
    assert rows["bad-head"].startswith("error") and "internal error" not in rows["bad-head"], rows
    assert "internal error" not in rows["corrupt-blob"], rows
    assert good.exists() and stat.S_ISDIR(os.stat(fleet).st_mode)


@pytest.mark.hostile("repo", "fifo-as-gitignore")
@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc/PID/wchan")
def test_fifo_gitignore_or_exclude_file_is_an_error_not_a_hang(make_repo: RepoFactory, tmp_path: Path) -> None:
    """git opens .gitignore, .git/info/exclude and core.excludesFile with a blocking open."""
    repo = _repo(make_repo)
    os.mkfifo(repo / "docs" / ".gitignore")
    result = run_bounded("scan", repo, "--format", "json", seconds=30)
    assert_held(result, (2,))
    assert "FIFO" in result.err
    (repo / "docs" / ".gitignore").unlink()
    os.mkfifo(tmp_path / "excludes")
    git(repo, "config", "core.excludesFile", str(tmp_path / "excludes"))
    assert_held(run_bounded("scan", repo, "--format", "json", seconds=30), (2,))
    git(repo, "config", "core.excludesFile", "/dev/stdin")
    assert_held(run_bounded("scan", repo, "--format", "json", stdin=b"", seconds=30), (0, 1))


@pytest.mark.hostile("repo", "fifo-as-mailmap")
def test_fifo_mailmap_never_blocks_history(make_repo: RepoFactory) -> None:
    """`git log` reads .mailmap by default (log.mailmap); a FIFO there blocked every history check."""
    repo = _repo(make_repo)
    os.mkfifo(repo / ".mailmap")
    git(repo, "config", "mailmap.file", str(repo / ".mailmap"))
    for result in _scans(repo):
        assert_held(result, (0, 1), seconds=15)


@pytest.mark.hostile("repo", "git-config-core-worktree")
def test_core_worktree_pointing_elsewhere(make_repo: RepoFactory, tmp_path: Path) -> None:
    """`core.worktree` set to the directory above: nothing outside the scanned directory is read."""
    repo = _repo(make_repo)
    (tmp_path / "outside.md").write_text(f"token {TOKEN}\n")
    git(repo, "config", "core.worktree", str(tmp_path))
    for result in _scans(repo):
        assert_held(result, (0, 1, 2))
        assert TOKEN not in result.out and "outside.md" not in result.out


@pytest.mark.hostile("repo", "file-replaced-by-directory")
def test_tracked_paths_whose_type_changed_in_the_work_tree(make_repo: RepoFactory) -> None:
    """A tracked file that is now a directory, a tracked directory that is now a file, a tracked
    file that is now a dangling link: each reads as nothing."""
    repo = _repo(make_repo)
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").mkdir()
    (repo / "CODEOWNERS" / "x").write_text("* @someone\n")
    for path in (repo / "docs" / "adr").iterdir():
        path.unlink()
    (repo / "docs" / "adr").rmdir()
    (repo / "docs" / "adr").write_text("not a directory\n")
    (repo / "RUNBOOK.md").unlink()
    (repo / "RUNBOOK.md").symlink_to("missing/target.md")
    result = run_bounded("scan", repo, "--policy", _every_check_policy(repo.parent), "--format", "json")
    assert_held(result, (0, 1))
