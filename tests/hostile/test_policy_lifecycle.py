"""Hostile repositories against `policy diff` and the policy's waiver rules: broken and empty
clones, a malformed `.standards.yml`, names that try to steer a terminal or a Markdown table, and
waivers that try to slip past `max_days` and `require_approver`."""
from __future__ import annotations

import json
import re
from pathlib import Path

import cmarkgfm
import pytest

from tests.hostile.harness import assert_held, run_bounded

README = "# svc\n\n" + "What this service does, how to build it, test it and run it, and who to ask.\n" * 2
POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: governed, version: 1.0.0}
gate: {min_score: 60}
waivers: {max_days: 90, require_approver: true}
rules:
  - {check: readme.present}
  - {check: security.policy}
  - {check: license.present, effective: "2030-01-01"}
"""
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "governed.yaml"
    path.write_text(POLICY)
    return path


def _diff(tmp_path: Path, root: Path, fmt: str = "json"):
    policy = _policy(tmp_path)
    result = run_bounded("policy", "diff", "baseline", policy, "--dir", root, "--format", fmt)
    assert_held(result, (0,))
    return result


@pytest.mark.hostile("repo", "policy-diff-empty-and-corrupt-clones")
def test_policy_diff_reports_unreadable_clones_and_goes_on(make_repo, tmp_path):
    make_repo({"README.md": README}, name="srv/good")
    make_repo(name="srv/empty", commit=False)
    corrupt = make_repo({"README.md": README}, name="srv/corrupt")
    (corrupt / ".git" / "HEAD").write_text("ref: refs/heads/does-not-exist\n")
    result = _diff(tmp_path, tmp_path / "srv")
    repos = {r["name"]: r for r in json.loads(result.out)["repositories"]}
    assert repos["good"]["error"] is None and repos["good"]["new"] is not None
    assert repos["empty"]["error"] and repos["corrupt"]["error"]
    assert json.loads(result.out)["summary"]["errors"] == 2


@pytest.mark.hostile("repo", "policy-diff-malformed-standards-yml")
def test_policy_diff_survives_a_malformed_repository_config(make_repo, tmp_path):
    make_repo({"README.md": README, ".standards.yml": "waivers: [\n  - {check: \x00\n"}, name="srv/bad")
    make_repo({"README.md": README}, name="srv/good")
    result = _diff(tmp_path, tmp_path / "srv")
    repos = {r["name"]: r for r in json.loads(result.out)["repositories"]}
    assert repos["bad"]["error"] and ".standards.yml" in repos["bad"]["error"]
    assert repos["good"]["error"] is None


@pytest.mark.hostile("repo", "policy-diff-name-steers-terminal")
def test_policy_diff_text_carries_no_terminal_controls_from_names(make_repo, tmp_path):
    make_repo({"README.md": README}, name="srv/evil\x1b]52;c;ZWNobyBwd25lZA==\x07\u202e")
    result = _diff(tmp_path, tmp_path / "srv", "text")
    assert "evil" in result.out
    assert not CONTROLS.findall(result.out + result.err), result.describe()


@pytest.mark.hostile("repo", "policy-diff-name-breaks-markdown-table")
def test_policy_diff_markdown_keeps_names_inert(make_repo, tmp_path):
    make_repo({"README.md": README}, name="srv/a|b<img src=x onerror=alert(1)>[x](https:evil)")
    make_repo({"README.md": README}, name="srv/plain")
    result = _diff(tmp_path, tmp_path / "srv", "markdown")
    html = cmarkgfm.github_flavored_markdown_to_html(result.out)
    assert "<img" not in html and 'href="https:evil"' not in html
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    assert table.count("<tr>") == 2, html  # one row per repository
    first = table[:table.index("</tr>")]
    assert first.count("<td") == 6, html  # no cell split by the `|` of a name


@pytest.mark.hostile("repo", "waiver-whitespace-approver")
def test_a_blank_approver_does_not_satisfy_require_approver(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: security.policy, reason: the policy lives on the wiki, expires: 2027-02-01,"
        " approved_by: '   '}\n")})
    result = run_bounded("scan", repo, "--policy", _policy(tmp_path), "--as-of", "2027-01-01", "--format", "json")
    assert_held(result, (1,))
    res = {r["check"]: r for r in json.loads(result.out)["results"]}
    assert res["security.policy"]["status"] == "fail"
    assert res["security.policy"]["waiver"]["state"] == "invalid"


@pytest.mark.hostile("repo", "waiver-expiring-in-year-9999")
def test_a_waiver_to_the_end_of_time_is_refused_by_max_days(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: security.policy, reason: the policy lives on the wiki, expires: 9999-12-31,"
        " approved_by: '@sec'}\n")})
    result = run_bounded("scan", repo, "--policy", _policy(tmp_path), "--as-of", "2027-01-01", "--format", "json")
    assert_held(result, (1,))
    report = json.loads(result.out)
    res = {r["check"]: r for r in report["results"]}
    assert res["security.policy"]["waiver"]["state"] == "invalid"
    assert "longer than the 90 days" in res["security.policy"]["waiver"]["problem"]
    assert report["expiring_waivers"] == []


@pytest.mark.hostile("repo", "waiver-for-an-upcoming-rule-with-bad-date")
def test_a_waiver_with_an_impossible_date_on_an_upcoming_rule(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: license.present, reason: lawyers are on it, expires: 2027-02-30,"
        " approved_by: '@legal'}\n")})
    result = run_bounded("scan", repo, "--policy", _policy(tmp_path), "--as-of", "2027-01-01", "--format", "json")
    assert_held(result, (0, 1))
    res = {r["check"]: r for r in json.loads(result.out)["results"]}
    assert res["license.present"]["status"] == "upcoming"
    assert res["license.present"]["waiver"]["state"] == "invalid"
