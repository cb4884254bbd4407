"""Hostile repositories against the secret scan's bulk path (git grep, index blob ids, the cache).

Each case runs the CLI in a bounded child process and reads secrets.committed from the JSON report.
Secret-shaped values are assembled at run time (tests/test_secrets.py), so this file holds none.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import commit_all, git
from tests.hostile.harness import assert_held, run_bounded
from tests.test_secrets import SAMPLES

FILLER = {f"src/m{i}.py": f"x = {i}\n" for i in range(400)}  # enough files for the bulk path


def secrets_result(repo: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = run_bounded("scan", repo, "--policy", "baseline", "--format", "json", *args, env=env, seconds=60)
    assert_held(result, (0, 1))
    return next(r for r in json.loads(result.out)["results"] if r["check"] == "secrets.committed")


def locations(result: dict) -> list[tuple[str, int]]:
    return sorted((loc["path"], loc["line"]) for loc in result["locations"])


def marker_program(tmp_path: Path, marker: Path) -> str:
    program = tmp_path / "marker.sh"
    program.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat\n")
    program.chmod(0o755)
    return str(program)


@pytest.mark.hostile("repo", "secrets-config-runs-programs")
def test_repository_config_runs_nothing(make_repo, tmp_path: Path) -> None:
    """fsmonitor, textconv and external diff programs named by the scanned repository's config are
    never run by the scan's git calls, and the secret is still found."""
    marker = tmp_path / "ran"
    repo = make_repo({**FILLER, "keys/app.key": f"k = {SAMPLES['GitHub token']}\n",
                      ".gitattributes": "*.key diff=leak\n"})
    program = marker_program(tmp_path, marker)
    git(repo, "config", "diff.leak.textconv", program)
    git(repo, "config", "diff.external", program)
    git(repo, "config", "core.fsmonitor", program)
    for ref in ((), ("--ref", "HEAD")):
        found = secrets_result(repo, *ref)
        assert locations(found) == [("keys/app.key", 1)], found
    assert not marker.exists()


@pytest.mark.hostile("repo", "secrets-grep-config")
def test_grep_configuration_does_not_change_the_search(make_repo) -> None:
    """grep.* settings in the repository (perl or basic patterns, fallback to no-index, line numbers,
    a pager) cannot make git grep miss a file or print something else."""
    repo = make_repo({**FILLER, "deploy/env.txt": f"\n\nT={SAMPLES['npm token']}\n"})
    for key, value in (("grep.patternType", "perl"), ("grep.fallbackToNoIndex", "true"),
                       ("grep.lineNumber", "true"), ("grep.fullName", "true"), ("grep.column", "true"),
                       ("pager.grep", "false"), ("color.grep", "always"), ("grep.threads", "1")):
        git(repo, "config", key, value)
    for ref in ((), ("--ref", "HEAD")):
        assert locations(secrets_result(repo, *ref)) == [("deploy/env.txt", 3)]


@pytest.mark.hostile("repo", "secrets-attributes-mark-binary")
def test_attributes_cannot_hide_a_file(make_repo) -> None:
    """`* -diff binary -text` marks everything binary to git; the scan still reads the content."""
    repo = make_repo({**FILLER, ".gitattributes": "* -diff binary -text\n",
                      "config/prod.yaml": f"token: {SAMPLES['Slack token']}\n"})
    for ref in ((), ("--ref", "HEAD")):
        assert locations(secrets_result(repo, *ref)) == [("config/prod.yaml", 1)]


@pytest.mark.hostile("repo", "secrets-pathspec-magic-names")
def test_names_that_look_like_pathspecs(make_repo) -> None:
    """Files named like pathspec magic or globs, among enough changed files that git grep is given
    their names: each is searched as itself, none widens or narrows the search."""
    names = [":(exclude)*", ":!src", "*", "[a-z]*.txt", "-e", "--no-index", "a\\b"]
    repo = make_repo({**FILLER, "README.md": "x\n"})
    secrets_result(repo)  # the cache now knows the filler
    for i in range(0, 400, 2):
        (repo / f"src/m{i}.py").write_text(f"y = {i}\n")
    for name in names:
        (repo / "odd").mkdir(exist_ok=True)
        (repo / "odd" / name).write_text(f"T={SAMPLES['GitHub token']}\n")
    commit_all(repo, "odd names")
    expected = sorted((f"odd/{name}", 1) for name in names)
    assert locations(secrets_result(repo)) == expected
    assert locations(secrets_result(repo, "--ref", "HEAD")) == expected


@pytest.mark.hostile("repo", "secrets-index-lies")
def test_index_flags_cannot_hide_an_edit(make_repo) -> None:
    """A file flagged assume-unchanged or skip-worktree, then edited: its cached blob result is not
    trusted for the work tree's content."""
    repo = make_repo({**FILLER, "a.txt": "clean\n", "b.txt": "clean\n"})
    secrets_result(repo)  # cache the clean blobs
    git(repo, "update-index", "--assume-unchanged", "a.txt")
    git(repo, "update-index", "--skip-worktree", "b.txt")
    (repo / "a.txt").write_text(f"T={SAMPLES['GitHub token']}\n")
    (repo / "b.txt").write_text(f"T={SAMPLES['npm token']}\n")
    assert locations(secrets_result(repo)) == [("a.txt", 1), ("b.txt", 1)]


@pytest.mark.hostile("repo", "secrets-many-literal-hits")
def test_every_file_holding_a_literal(make_repo) -> None:
    """Every file holds a prefilter literal (sk-, AKIA in words): git grep lists all of them, and
    reading them all stays within the bounds."""
    files = {f"src/m{i}.py": "ask-me = 'AKIA' + 'sk-' + 'npm_'\n" * 50 for i in range(3000)}
    files["real.env"] = f"T={SAMPLES['GitHub token']}\n"
    repo = make_repo(files)
    assert locations(secrets_result(repo)) == [("real.env", 1)]


@pytest.mark.hostile("api", "secrets-cache-damaged")
def test_a_damaged_or_unwritable_cache_is_only_a_miss(make_repo, tmp_path: Path) -> None:
    """The cache directory holds garbage segments, a directory named like a segment, or cannot be
    written: the scan finds the same secret and exits normally."""
    repo = make_repo({**FILLER, "deploy/env.txt": f"T={SAMPLES['GitHub token']}\n"})
    cache = tmp_path / "cache"
    env = {"STANDARDS_CHECK_CACHE": str(cache)}
    assert locations(secrets_result(repo, env=env)) == [("deploy/env.txt", 1)]
    for segment in cache.rglob("*.blobs"):
        segment.write_bytes(os.urandom(4096))
        (segment.parent / ("dir" + segment.name)).mkdir()
    assert locations(secrets_result(repo, env=env)) == [("deploy/env.txt", 1)]
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be\n")
    assert locations(secrets_result(repo, env={"STANDARDS_CHECK_CACHE": str(blocked)})) == [("deploy/env.txt", 1)]
