"""Diff mode on real git repositories: base branch and PR head commits, read from git objects."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from standards_check.diff import scan_diff
from standards_check.report import DIFF_SCOPE, DIFF_SKIPPED
from standards_check.resources import schema_path
from tests.cli_helpers import run_cli
from tests.conftest import commit_all, git, write_files

README = "# payments\n\nCharges cards for checkout; build with make, test with make test, ask #payments.\n" * 2
LEGACY_POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: legacy, version: 1.0.0}
gate: {min_score: 90, min_level: 2, fail_on_new: true}
rules:
  - {check: readme.present, level: 1}
  - {check: license.present, level: 1}
  - {check: contributing.present, level: 2}
"""


def _pr(make_repo, base_files: dict, head_files: dict, remove: tuple[str, ...] = ()) -> tuple[Path, str, str]:
    """A repository whose main has base_files and whose checked-out branch `pr` changes them."""
    repo = make_repo(base_files)
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "pr")
    write_files(repo, head_files)
    for path in remove:
        (repo / path).unlink()
    head = commit_all(repo, "the change")
    return repo, base, head


def test_new_failures_fixed_and_delta(make_repo) -> None:
    repo, base, head = _pr(make_repo, {"README.md": README}, {"LICENSE": "MIT License\n" * 20},
                           remove=("README.md",))
    report = scan_diff(repo, "main")
    assert report.repository["commit"] == head
    d = report.diff
    assert d is not None and d.base_ref == "main" and d.base_commit == base
    assert d.new_failures == ("readme.present",)
    assert d.fixed == ("license.present",)
    base_only = scan_diff(repo, base, ref=base).diff
    assert base_only and base_only.score_delta == 0 and not base_only.new_failures
    assert d.score_delta == round(report.score - d.base_score, 1) and d.score_delta < 0


def test_fail_on_new_fails_only_on_regressions(make_repo, tmp_path) -> None:
    policy = tmp_path / "legacy.yaml"
    policy.write_text(LEGACY_POLICY)
    # A legacy repository far below the gate: a harmless change passes...
    repo, _, _ = _pr(make_repo, {"README.md": README}, {"src/app.py": "print('hi')\n"})
    harmless = scan_diff(repo, "main", policy_ref=str(policy))
    assert harmless.score < 90 and harmless.passed and harmless.gate.reasons == ()
    # ...and a change that breaks a passing rule fails, naming it.
    repo2, _, _ = _pr(make_repo, {"README.md": README}, {}, remove=("README.md",))
    broken = scan_diff(repo2, "main", policy_ref=str(policy))
    assert not broken.passed
    assert broken.gate.reasons == ("new failures since main: readme.present",)
    # Without --base the same policy judges the absolute score.
    assert run_cli("scan", str(repo), "--policy", str(policy)).exit_code == 1


def test_working_tree_is_never_touched(make_repo) -> None:
    repo, _, head = _pr(make_repo, {"README.md": README}, {"LICENSE": "MIT\n" * 50})
    (repo / "README.md").write_text("uncommitted edit")
    (repo / "scratch.txt").write_text("untracked")
    status = git(repo, "status", "--porcelain")
    report = scan_diff(repo, "main")
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "pr"
    # The head is the commit, not the edited working tree: the README still passes.
    assert {r.check: r.status for r in report.results}["readme.present"] == "pass"


def test_base_branch_found_as_origin_branch_in_a_ci_clone(make_repo, tmp_path) -> None:
    origin, base, head = _pr(make_repo, {"README.md": README}, {"LICENSE": "MIT\n" * 50})
    clone = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "pr", f"file://{origin}", str(clone))
    assert git(clone, "branch", "--list", "main") == ""  # only origin/main, as actions/checkout leaves it
    report = scan_diff(clone, "main")
    assert report.diff and report.diff.base_commit == base and report.diff.fixed == ("license.present",)


def test_shallow_clone_explains_and_falls_back_to_a_plain_scan(make_repo, tmp_path) -> None:
    origin, base, head = _pr(make_repo, {"README.md": README}, {"LICENSE": "MIT\n" * 50})
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "pr", f"file://{origin}", str(clone))
    report = scan_diff(clone, base)
    assert report.diff is None
    [warning] = [w.text for w in report.warnings if w.kind == DIFF_SKIPPED]
    assert "shallow" in warning and "fetch-depth: 0" in warning and "git fetch --deepen" in warning
    result = run_cli("scan", str(clone), "--base", base, "--format", "json")
    assert "fetch-depth: 0" in result.stderr
    assert json.loads(result.stdout)["diff"] is None


def test_cli_base_json_validates_against_the_report_schema(make_repo) -> None:
    repo, base, _ = _pr(make_repo, {"README.md": README}, {"LICENSE": "MIT\n" * 50})
    result = run_cli("scan", str(repo), "--base", "main", "--format", "json")
    report = json.loads(result.stdout)
    Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(report)
    assert report["diff"]["base_commit"] == base
    assert report["diff"]["fixed"] == ["license.present"]


def test_cli_base_on_a_plain_directory_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "README.md").write_text(README)
    result = run_cli("scan", str(tmp_path), "--base", "main")
    assert result.exit_code == 2 and "--base needs a git repository" in result.stderr


def test_subdirectory_in_diff_mode_says_it_covers_the_repository(make_repo) -> None:
    repo, _, _ = _pr(make_repo, {"README.md": README, "services/api/app.py": "x = 1\n"}, {"LICENSE": "MIT\n" * 50})
    report = scan_diff(repo / "services" / "api", "main")
    assert report.diff is not None
    assert [w.kind for w in report.warnings if "not only services/api/" in w.text] == [DIFF_SCOPE]
