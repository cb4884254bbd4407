"""Hostile repositories against the pull-request gate and the fixes people act on: history dated
anywhere in time, huge or broken Dependabot files, repository policies that extend what they must
not, CODEOWNERS files with thousands of teams."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import commit_all, git, write_files
from tests.hostile.harness import assert_held, run_bounded

README = "# svc\n\nRuns the svc service; build with make, test with make test, ask #svc.\n" * 2
TEAM_POLICY = ("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: team, version: 1.0.0}\n"
               "extends: {parent}\nrules:\n  - {check: slo.present, level: 3}\n")


def _same_tree_pr(make_repo, base_date: str, head_date: str, tags: int = 8) -> Path:
    """A repository released `tags` times around `base_date`, and a change that touches no file."""
    repo = make_repo({"README.md": README}, date=base_date)
    for i in range(tags):
        write_files(repo, {"src/app.py": f"V = {i}\n"})
        commit_all(repo, f"release {i}", date=base_date)
        git(repo, "tag", f"v1.{i}.0")
    commit_all(repo, "no file change", date=head_date)
    return repo


@pytest.mark.hostile("repo", "diff-history-dated-far-future")
def test_history_dated_in_the_far_future(make_repo) -> None:
    repo = _same_tree_pr(make_repo, "2099-01-01T00:00:00Z", "2099-06-30T00:00:00Z")
    result = run_bounded("scan", repo, "--base", "HEAD~1", "--policy", "production-service", "--format", "json")
    assert_held(result)
    diff = json.loads(result.out)["diff"]
    assert diff["new_failures"] == [] and diff["fixed"] == [], diff


@pytest.mark.hostile("repo", "diff-history-dated-at-the-epoch")
def test_history_dated_at_the_epoch(make_repo) -> None:
    repo = _same_tree_pr(make_repo, "1970-01-02T00:00:00Z", "2026-01-01T00:00:00Z")
    result = run_bounded("scan", repo, "--base", "HEAD~1", "--policy", "production-service", "--format", "json")
    assert_held(result)
    diff = json.loads(result.out)["diff"]
    assert diff["new_failures"] == [] and diff["fixed"] == [], diff


@pytest.mark.hostile("repo", "diff-head-is-a-storm-of-reverts")
def test_a_change_made_of_reverts_is_history_not_a_new_failure(make_repo) -> None:
    repo = make_repo({"README.md": README}, date="2026-01-01T00:00:00Z")
    for i in range(12):
        commit_all(repo, f"change {i}", date=f"2026-01-{i + 2:02d}T00:00:00Z")
    base = git(repo, "rev-parse", "HEAD").strip()
    for i in range(40):  # the pull request: forty empty reverts, no file touched
        commit_all(repo, f'Revert "change {i}"', date="2026-02-01T00:00:00Z")
    result = run_bounded("scan", repo, "--base", base, "--policy", "production-service", "--format", "json")
    assert_held(result)
    report = json.loads(result.out)
    assert report["diff"]["new_failures"] == [], report["diff"]
    assert report["passed"] or report["gate"]["reasons"] and not any("new failures" in r for r in report["gate"]["reasons"])


@pytest.mark.hostile("repo", "dependabot-thousands-of-stale-entries")
def test_thousands_of_stale_dependabot_entries_give_a_bounded_fix(make_repo) -> None:
    entries = "".join(f"  - package-ecosystem: npm\n    directory: /gone-{i}\n    schedule: {{interval: daily}}\n"
                      for i in range(5000))
    good = "  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n"
    repo = make_repo({"README.md": README, "pyproject.toml": "", ".github/dependabot.yml": "version: 2\nupdates:\n" + good + entries})
    result = run_bounded("scan", repo, seconds=60)
    assert_held(result)
    assert "Dependabot is in place" in result.out
    assert len(result.out) < 20_000, f"{len(result.out)} characters of output"  # the fix names a few, then counts


@pytest.mark.hostile("repo", "repo-policy-extends-unknown-bundled")
def test_repository_policy_extending_an_unknown_bundled_policy(make_repo) -> None:
    repo = make_repo({"README.md": README, "policies/team.yaml": TEAM_POLICY.replace("{parent}", "no-such-policy@1"),
                      ".standards.yml": "policy: policies/team.yaml\n"})
    result = run_bounded("scan", repo)
    assert_held(result, (2,))
    assert "no-such-policy" in result.err and "policies/team.yaml" in result.err


@pytest.mark.hostile("repo", "repo-policy-extends-out-of-the-repository")
def test_repository_policy_extending_a_file_outside_the_repository(make_repo, tmp_path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(TEAM_POLICY.replace("{parent}", "baseline@1"))
    repo = make_repo({"README.md": README, "policies/team.yaml": TEAM_POLICY.replace("{parent}", "../../outside.yaml"),
                      ".standards.yml": "policy: policies/team.yaml\n"})
    result = run_bounded("scan", repo)
    assert_held(result, (2,))  # read through the repository only: the file outside is not found
    assert "policy file not found" in result.err


@pytest.mark.hostile("repo", "repo-policy-extends-itself-then-bundled")
def test_repository_policy_in_a_cycle(make_repo) -> None:
    repo = make_repo({"README.md": README, "policies/a.yaml": TEAM_POLICY.replace("{parent}", "./b.yaml"),
                      "policies/b.yaml": TEAM_POLICY.replace("{parent}", "./a.yaml"),
                      ".standards.yml": "policy: policies/a.yaml\n"})
    result = run_bounded("scan", repo, "--base", "HEAD")
    assert_held(result, (2,))
    assert "cycle" in result.err


@pytest.mark.hostile("repo", "codeowners-fifty-thousand-teams-in-a-sweep")
def test_a_sweep_picks_a_team_among_fifty_thousand(make_repo, tmp_path) -> None:
    lines = "* @alice\n" + "".join(f"/d{i}/ @acme/team-{i % 25000}\n" for i in range(50000))
    make_repo({"README.md": README, ".github/CODEOWNERS": lines}, name="clones/big")
    store = tmp_path / "s.db"
    result = run_bounded("sweep", "--dir", tmp_path / "clones", "--store", store, seconds=90)
    assert_held(result)
    from standards_check.sweep.store import Store

    with Store(store) as s:
        (row,) = s.results(s.latest_sweep().id)
    assert row["team"] == "@acme/team-0"  # the most rules (a tie: the first seen), not the person
