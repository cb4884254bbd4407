"""Report warnings are typed: the commands that act on some of them (echo a policy repository's or a
skipped diff's warning at once, add a CI hint) match on the kind, so a warning whose text a
repository chose (a path) cannot pass for another kind. The JSON keeps the text only."""
from __future__ import annotations

import json
import os

from standards_check.engine import scan_path
from standards_check.report import NOT_READ, WAIVER
from tests.cli_helpers import run_cli

WORKFLOW = ("on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: make -C \"{directory}\" test\n")


def _repo_with_unreadable_makefile(make_repo, directory: str):
    """CI runs `make -C DIRECTORY`, whose Makefile is a link out of the repository: not read, and
    the warning's text starts with the directory's name."""
    repo = make_repo({".github/workflows/ci.yml": WORKFLOW.format(directory=directory),
                      ".standards.yml": "waivers:\n  - {check: no.such.check, reason: gone, expires: 2999-01-01}\n"},
                     commit=False)
    (repo / directory).mkdir()
    os.symlink("/etc/hostname", repo / directory / "Makefile")
    from tests.conftest import commit_all

    commit_all(repo)
    return repo


def test_warnings_carry_their_kind(make_repo) -> None:
    repo = _repo_with_unreadable_makefile(make_repo, "build")
    report = scan_path(repo)
    kinds = {w.text: w.kind for w in report.warnings}
    assert kinds["build/Makefile was not read: a link that points outside the repository"] == NOT_READ
    assert [k for t, k in kinds.items() if t.startswith("waiver for no.such.check")] == [WAIVER]


def test_a_path_cannot_pass_for_a_policy_repository_warning(make_repo) -> None:
    repo = _repo_with_unreadable_makefile(make_repo, "policy repository x")
    result = run_cli("scan", str(repo), "--format", "json")
    warning = "policy repository x/Makefile was not read: a link that points outside the repository"
    assert warning in json.loads(result.stdout)["warnings"]  # the JSON still says it, as text
    assert "warning:" not in result.stderr  # but not as the policy source's warning on stderr


def test_a_path_cannot_pass_for_a_skipped_diff(make_repo) -> None:
    repo = _repo_with_unreadable_makefile(make_repo, "Diff mode skipped")
    result = run_cli("scan", str(repo), "--base", "HEAD", "--format", "json")
    report = json.loads(result.stdout)
    assert report["diff"] is not None  # the base was found: nothing was skipped
    assert any(w.startswith("Diff mode skipped/Makefile was not read") for w in report["warnings"])
    assert "warning:" not in result.stderr
