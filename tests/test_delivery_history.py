"""release.changelog and the history checks on real git repositories with commits and tags at set dates."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.snapshot import open_snapshot

from tests.conftest import commit_all, git, write_files
from tests.test_delivery_ci import defaults

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def at(days: float) -> str:
    return (START + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(check_id: str, repo: Path, **params):
    with open_snapshot(repo) as snapshot:
        return REGISTRY[check_id](CheckContext(snapshot), {**defaults(check_id), **params})


def history(make_repo, events: list[tuple], name: str | None = None) -> Path:
    """events: ("commit", day, subject[, body]) or ("tag", day, name) — tags the last commit."""
    repo = make_repo({"README.md": "x"}, name=name, date=at(0))
    for event in events:
        if event[0] == "commit":
            _, day, subject, *body = event
            write_files(repo, {f"f{day}.txt": subject})
            message = subject + (f"\n\n{body[0]}" if body else "")
            commit_all(repo, message, date=at(day))
        else:
            _, day, tag = event
            git(repo, "tag", "-a", tag, "-m", tag, date=at(day))
    return repo


# --------------------------------------------------------------------------------------------
# delivery.release_cadence
# --------------------------------------------------------------------------------------------
def monthly_releases(count: int, every: int = 30) -> list[tuple]:
    events: list[tuple] = []
    for index in range(count):
        day = 10 + index * every
        events += [("commit", day, f"change {index}"), ("tag", day + 1, f"v1.{index}.0")]
    events.append(("commit", 10 + count * every, "last"))
    return events


def test_cadence_passes_with_monthly_releases(make_repo):
    repo = history(make_repo, monthly_releases(7))
    outcome = run("delivery.release_cadence", repo)
    assert outcome.status == "pass", outcome.message
    assert outcome.locations[0].path == "refs/tags/v1.6.0"


def test_cadence_partial_credit_when_releases_are_rare(make_repo):
    repo = history(make_repo, monthly_releases(3, every=60))
    outcome = run("delivery.release_cadence", repo)
    assert outcome.status == "fail" and 0.3 < outcome.score < 0.7, outcome.message


def test_cadence_ignores_tags_outside_the_pattern_and_window(make_repo):
    events = [("commit", 1, "a"), ("tag", 2, "v0.1.0"), ("commit", 300, "b"), ("tag", 301, "nightly-300"),
              ("tag", 302, "v2.0.0-rc1"), ("commit", 310, "c")]
    outcome = run("delivery.release_cadence", history(make_repo, events))
    assert outcome.status == "fail" and outcome.score == 0, outcome.message
    custom = run("delivery.release_cadence", history(make_repo, events), tag_pattern=r"^nightly-", min_per_30_days=0.1)
    assert custom.status == "pass", custom.message


def test_history_checks_skip_without_tags_shallow_or_plain_dir(make_repo, tmp_path):
    repo = history(make_repo, [("commit", d, f"c{d}") for d in range(1, 30)])
    assert run("delivery.release_cadence", repo).status == "skip"
    assert run("delivery.lead_time", repo).status == "skip"
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    for check in ("delivery.release_cadence", "delivery.lead_time", "delivery.revert_rate"):
        outcome = run(check, plain)
        assert outcome.status == "skip" and "not a git repository" in outcome.message
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "3", repo.as_uri(), str(shallow))
    for check in ("delivery.release_cadence", "delivery.lead_time", "delivery.revert_rate"):
        outcome = run(check, shallow)
        assert outcome.status == "skip" and "shallow" in outcome.message


def test_invalid_tag_pattern_is_an_error(make_repo):
    repo = history(make_repo, monthly_releases(2))
    assert run("delivery.release_cadence", repo, tag_pattern="v(").status == "error"


# --------------------------------------------------------------------------------------------
# delivery.lead_time
# --------------------------------------------------------------------------------------------
def test_lead_time_median_from_commit_to_first_tag(make_repo):
    # release 1 holds commits of days 100, 101, 102 (tag day 104): 4, 3, 2 days
    # release 2 holds commits of days 110, 111 (tag day 140): 30, 29 days -> median 4 days
    events = [("commit", 100, "a"), ("commit", 101, "b"), ("commit", 102, "c"), ("tag", 104, "v1.0.0"),
              ("commit", 110, "d"), ("commit", 111, "e"), ("tag", 140, "v1.1.0"), ("commit", 141, "f")]
    outcome = run("delivery.lead_time", history(make_repo, events), window_days=60)  # not the initial commit
    assert outcome.status == "pass", outcome.message
    assert "4.0 days" in outcome.message and "5 commit(s) in 2 release(s)" in outcome.message


def test_lead_time_fails_with_partial_credit_when_slow(make_repo):
    events = [("commit", 100, "a"), ("commit", 101, "b"), ("tag", 157, "v1.0.0"), ("commit", 158, "c")]
    outcome = run("delivery.lead_time", history(make_repo, events), window_days=60)
    assert outcome.status == "fail", outcome.message
    assert outcome.score == pytest.approx(14 / 56.5, abs=0.01)


def test_lead_time_counts_a_commit_only_for_its_first_release_across_branches(make_repo):
    repo = history(make_repo, [("commit", 100, "a"), ("tag", 101, "v1.0.0")])
    git(repo, "checkout", "-q", "-b", "maint")
    write_files(repo, {"fix.txt": "fix"})
    commit_all(repo, "fix on maint", date=at(102))
    git(repo, "tag", "-a", "v1.0.1", "-m", "v1.0.1", date=at(103))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "maint", "-m", "merge maint", date=at(104))
    write_files(repo, {"g.txt": "g"})
    commit_all(repo, "feature", date=at(105))
    git(repo, "tag", "-a", "v1.1.0", "-m", "v1.1.0", date=at(106))
    outcome = run("delivery.lead_time", repo, window_days=60)
    # a: 1 day (v1.0.0); fix: 1 day (v1.0.1, not again in v1.1.0); feature: 1 day
    assert "3 commit(s) in 3 release(s)" in outcome.message and "1.0 days" in outcome.message, outcome.message


# --------------------------------------------------------------------------------------------
# delivery.revert_rate
# --------------------------------------------------------------------------------------------
def test_revert_rate(make_repo):
    events = [("commit", d, f"feature {d}") for d in range(1, 19)]
    events += [("commit", 20, 'Revert "feature 3"', "This reverts commit abc."),
               ("commit", 21, "Undo the cache change", "This reverts commit def.")]
    outcome = run("delivery.revert_rate", history(make_repo, events))
    assert outcome.status == "fail", outcome.message
    assert "2 of 21 commits" in outcome.message  # plus the initial commit
    assert outcome.score == pytest.approx(0.05 / (2 / 21), abs=0.01)
    assert run("delivery.revert_rate", history(make_repo, events), max_rate=0.1).status == "pass"


def test_revert_rate_ignores_mentions_and_old_commits(make_repo):
    events = [("commit", 1, 'Revert "old"', "This reverts commit 1.")]
    events += [("commit", 300 + d, f"feature {d}", "Mentions Revert \"x\" in passing") for d in range(12)]
    outcome = run("delivery.revert_rate", history(make_repo, events))
    assert outcome.status == "pass" and "0 of 12" in outcome.message, outcome.message


def test_revert_rate_skips_with_too_few_commits(make_repo):
    outcome = run("delivery.revert_rate", history(make_repo, [("commit", 5, "one")]))
    assert outcome.status == "skip" and "at least 10" in outcome.message


# --------------------------------------------------------------------------------------------
# release.changelog
# --------------------------------------------------------------------------------------------
LONG = "# Changelog\n\n## 1.0.0\n- First release with the main features.\n"
CHANGELOG_CASES = [
    ({"CHANGELOG.md": LONG}, "pass", "CHANGELOG.md"),
    ({"Changes.rst": LONG}, "pass", "Changes.rst"),
    ({"HISTORY.md": LONG}, "pass", "HISTORY.md"),
    ({"NEWS": LONG}, "pass", "NEWS"),
    ({"docs/RELEASE_NOTES.md": LONG}, "pass", "docs/RELEASE_NOTES.md"),
    ({"changelog.d/123.fixed.md": "Fixed a crash."}, "pass", "changelog.d/123.fixed.md"),
    ({".changeset/config.json": "{}"}, "pass", ".changeset/config.json"),
    ({"release-please-config.json": "{}"}, "pass", "release-please-config.json"),
    ({".goreleaser.yaml": "builds: []"}, "pass", ".goreleaser.yaml"),
    ({"pyproject.toml": "[tool.towncrier]\ndirectory = 'news'\n"}, "pass", "pyproject.toml"),
    ({"CHANGELOG.md": "# Changelog\n"}, "fail", "CHANGELOG.md"),
    ({"packages/core/CHANGELOG.md": LONG}, "pass", "packages/core/CHANGELOG.md"),
    ({"docs/releases.md": "# How we release\n\nWe release every month from main after a freeze.\n"}, "fail", None),
    ({"RELEASES.md": LONG}, "pass", "RELEASES.md"),
    ({"changelog/README.md": "Add a file per change."}, "fail", None),
    ({"changelog/README.md": "x", "changelog/1234.bugfix.rst": "Fixed."}, "pass", "changelog/1234.bugfix.rst"),
    ({"vendor/lib/CHANGELOG.md": LONG}, "fail", None),
    ({"README.md": "x"}, "fail", None),
]


@pytest.mark.parametrize("files, status, location", CHANGELOG_CASES)
def test_changelog(make_repo, files, status, location):
    outcome = run("release.changelog", make_repo(files))
    assert outcome.status == status, outcome.message
    if location:
        assert outcome.locations[0].path == location


def test_empty_changelog_gets_partial_credit(make_repo):
    outcome = run("release.changelog", make_repo({"CHANGELOG.md": "# Changelog\n"}))
    assert outcome.score == pytest.approx(0.3) and "nearly empty" in outcome.message


def test_stale_changelog_gets_partial_credit(make_repo):
    repo = make_repo({"CHANGELOG.md": LONG}, date=at(0))
    for index, day in enumerate((10, 40, 70)):
        write_files(repo, {f"f{day}": "x"})
        commit_all(repo, f"change {day}", date=at(day))
        git(repo, "tag", "-a", f"v1.{index}.0", "-m", "r", date=at(day + 1))
    outcome = run("release.changelog", repo)
    assert outcome.status == "fail" and outcome.score == pytest.approx(0.6), outcome.message
    assert "stale" in outcome.message


def test_package_tags_do_not_make_a_root_changelog_stale(make_repo):
    """ripgrep-like: the root changelog follows `15.0.0` releases, crates tag `ignore-0.4.x`."""
    repo = make_repo({"CHANGELOG.md": LONG}, date=at(0))
    git(repo, "tag", "-a", "15.0.0", "-m", "r", date=at(1))
    for index, day in enumerate((10, 40, 70)):
        write_files(repo, {f"f{day}": "x"})
        commit_all(repo, f"change {day}", date=at(day))
        git(repo, "tag", "-a", f"ignore-0.4.{index}", "-m", "r", date=at(day + 1))
    outcome = run("release.changelog", repo)
    assert outcome.status == "pass", outcome.message


def test_tags_on_a_maintenance_branch_do_not_make_the_changelog_stale(make_repo):
    """libxml2-like: 2.15.x releases (and their NEWS entries) live on a maintenance branch."""
    repo = make_repo({"NEWS": LONG}, date=at(0))
    git(repo, "tag", "-a", "v2.14.0", "-m", "r", date=at(1))
    git(repo, "checkout", "-q", "-b", "v2.15")
    for index, day in enumerate((10, 40, 70)):
        write_files(repo, {f"f{day}": "x", "NEWS": LONG + f"## 2.15.{index}\n"})
        commit_all(repo, f"release {day}", date=at(day))
        git(repo, "tag", "-a", f"v2.15.{index}", "-m", "r", date=at(day + 1))
    git(repo, "checkout", "-q", "main")
    write_files(repo, {"main.c": "x"})
    commit_all(repo, "work on main", date=at(80))
    outcome = run("release.changelog", repo)
    assert outcome.status == "pass", outcome.message


def test_tags_on_the_same_commit_are_one_release(make_repo):
    events = []
    for index, day in enumerate((10, 40, 70, 100, 130, 160)):
        events += [("commit", day, f"change {day}"), ("tag", day + 1, f"v1.{index}.0"), ("tag", day + 1, f"api/v1.{index}.0")]
    events.append(("commit", 170, "last"))
    repo = history(make_repo, events)
    cadence = run("delivery.release_cadence", repo)
    assert cadence.message.startswith("6 release(s) in the last 180 days"), cadence.message
    lead = run("delivery.lead_time", repo, window_days=150)
    assert "in 5 release(s)" in lead.message, lead.message
