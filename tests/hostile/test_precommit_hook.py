"""Hostile input to `standards-check hook`: the staged content and the repository's git configuration.

The hook writes the index as a tree and a scratch commit (`git write-tree`, `git commit-tree`),
the only standards-check commands that write to a repository; like every other git call they go
through gitcmd, so no program the repository's configuration names runs. Staged content is read
from git objects with the scanner's usual bounds.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RepoFactory, git, write_files
from tests.hostile.harness import assert_held, run_bounded
from tests.hostile.test_yaml import bomb

README = "# svc\n\nWhat it does.\n"


def _marker_script(tmp_path: Path) -> tuple[Path, Path]:
    """An executable that logs its run and the command line of the git that started it."""
    marker = tmp_path / "evil.ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $* from $(tr '\\\\0' ' ' < /proc/$PPID/cmdline)\" >> '{marker}'\nexit 0\n")
    script.chmod(0o755)
    return script, marker


@pytest.mark.hostile("repo", "hook-git-config-programs")
def test_the_hook_runs_no_program_of_the_repository(make_repo: RepoFactory, tmp_path: Path) -> None:
    repo = make_repo({"README.md": README, ".gitattributes": "* filter=evil\n"})
    script, marker = _marker_script(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-index-change", "pre-commit", "commit-msg", "post-commit",
                 "pre-auto-gc"):
        for where in (hooks, repo / ".git" / "hooks"):
            (where / name).write_text(script.read_text())
            (where / name).chmod(0o755)
    for key, value in (("core.hooksPath", str(hooks)), ("core.fsmonitor", str(script)),
                       ("filter.evil.clean", str(script)), ("filter.evil.smudge", str(script)),
                       ("filter.evil.required", "true"), ("gpg.program", str(script)),
                       ("commit.gpgSign", "true"), ("core.pager", str(script)), ("gc.auto", "1")):
        git(repo, "config", key, value)
    write_files(repo, {"src/app.py": "print(1)\n"})
    git(repo, "-c", "filter.evil.clean=cat", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
        "add", "src/app.py")
    marker.unlink(missing_ok=True)
    # the staged files were just written: "racily clean" entries, which an index write re-reads
    # through the clean filter (what `git write-tree` on the real index did before the fix)
    result = run_bounded("hook", repo)
    assert_held(result, (0,))
    assert not marker.exists(), f"a program from the repository's config ran: {marker.read_text()}"


@pytest.mark.hostile("repo", "hook-staged-yaml-bomb-config")
def test_a_staged_standards_yml_bomb_is_bad_input(make_repo: RepoFactory) -> None:
    repo = make_repo({"README.md": README})
    write_files(repo, {".standards.yml": "policy: baseline\n" + bomb()})
    git(repo, "add", ".standards.yml")
    result = run_bounded("hook", repo)
    assert_held(result, (2,))
    assert ".standards.yml" in result.err


@pytest.mark.hostile("repo", "hook-staged-secret-in-huge-file")
def test_a_huge_staged_file_is_bounded(make_repo: RepoFactory) -> None:
    """A 64 MB staged file: read within the snapshot's size limit, not whole into memory."""
    repo = make_repo({"README.md": README})
    (repo / "blob.txt").write_bytes(b"A" * (64 * 1024 * 1024))
    git(repo, "add", "blob.txt")
    result = run_bounded("hook", repo, seconds=60)
    assert_held(result, (0, 1))
    assert "standards-check:" in result.out
