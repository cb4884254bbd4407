"""Rules that start on a date (`effective`, `scan --as-of`) and waivers the policy governs
(`waivers: {max_days, require_approver}`), through the CLI on real git repositories."""
from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, run_cli, scan_json

REPORT_SCHEMA = Draft202012Validator(json.loads(schema_path("report.schema.json").read_text()))
README = "# svc\n\nWhat this service does, how to build it, test it and run it, and who to ask.\n" * 2

CAMPAIGN = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: campaign, version: 1.0.0}
gate: {min_score: 100, min_level: 1}
rules:
  - {check: readme.present, level: 1}
  - {check: license.present, level: 1, effective: "2027-01-01"}
"""


def _policy(tmp_path, text, name="policy.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_rule_before_its_effective_date_is_upcoming_and_not_gated(make_repo, tmp_path):
    repo = make_repo({"README.md": README})
    policy = _policy(tmp_path, CAMPAIGN)
    code, report = scan_json(repo, "--policy", policy, "--as-of", "2026-12-31")
    REPORT_SCHEMA.validate(report)
    lic = results_by_check(report)["license.present"]
    assert lic["status"] == "upcoming" and lic["effective"] == "2027-01-01"
    assert results_by_check(report)["readme.present"]["effective"] is None
    assert report["as_of"] == "2026-12-31"
    assert code == 0 and report["passed"] is True
    assert report["score"] == 100.0 and report["level"] == 5  # neither score nor level counts it


def test_from_its_effective_date_on_the_rule_counts(make_repo, tmp_path):
    repo = make_repo({"README.md": README})
    policy = _policy(tmp_path, CAMPAIGN)
    code, report = scan_json(repo, "--policy", policy, "--as-of", "2027-01-01")
    REPORT_SCHEMA.validate(report)
    lic = results_by_check(report)["license.present"]
    assert lic["status"] == "fail" and lic["effective"] == "2027-01-01"
    assert code == 1 and report["passed"] is False
    assert report["level"] == 0 and report["score"] == 50.0


def test_a_passing_upcoming_rule_is_a_plain_pass(make_repo, tmp_path):
    repo = make_repo({"README.md": README, "LICENSE": "MIT License\n\nPermission is hereby granted\n"})
    code, report = scan_json(repo, "--policy", _policy(tmp_path, CAMPAIGN), "--as-of", "2026-06-01")
    assert results_by_check(report)["license.present"]["status"] == "pass"
    assert code == 0


def test_text_and_markdown_say_required_from(make_repo, tmp_path):
    repo = make_repo({"README.md": README})
    policy = _policy(tmp_path, CAMPAIGN)
    text = run_cli("scan", str(repo), "--policy", policy, "--as-of", "2026-12-31")
    assert text.exit_code == 0
    line = next(x for x in text.stdout.splitlines() if x.startswith("» license.present"))
    assert "required from 2027-01-01" in line
    assert "1 upcoming" in text.stdout.splitlines()[-1]
    assert "✗ license.present" not in text.stdout
    md = run_cli("scan", str(repo), "--policy", policy, "--as-of", "2026-12-31", "--format", "markdown")
    assert "### Upcoming (not gated yet)" in md.stdout
    assert "| `license.present` | 1 | 2027-01-01 | required from 2027-01-01:" in md.stdout
    junit = run_cli("scan", str(repo), "--policy", policy, "--as-of", "2026-12-31", "--format", "junit")
    assert 'message="required from 2027-01-01' in junit.stdout


def test_upcoming_is_not_a_new_failure_in_diff_mode(make_repo, tmp_path):
    from tests.conftest import commit_all, write_files

    repo = make_repo({"README.md": README, "LICENSE": "MIT License\n"})
    (repo / "LICENSE").unlink()
    write_files(repo, {"notes.txt": "x"})
    commit_all(repo, "drop the licence")
    policy = _policy(tmp_path, CAMPAIGN.replace("gate: {min_score: 100, min_level: 1}",
                                                "gate: {fail_on_new: true}"))
    code, report = scan_json(repo, "--policy", policy, "--base", "HEAD~1", "--as-of", "2026-12-31")
    assert report["diff"]["new_failures"] == [] and code == 0
    code, report = scan_json(repo, "--policy", policy, "--base", "HEAD~1", "--as-of", "2027-02-01")
    assert report["diff"]["new_failures"] == ["license.present"] and code == 1


def test_as_of_moves_waiver_expiry(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: license.present, reason: legal review pending, expires: 2027-03-31,"
        " approved_by: '@acme/legal'}\n")})
    policy = _policy(tmp_path, CAMPAIGN.replace(', effective: "2027-01-01"', ""))
    code, before = scan_json(repo, "--policy", policy, "--as-of", "2027-03-31")
    assert results_by_check(before)["license.present"]["status"] == "waived" and code == 0
    assert before["expiring_waivers"] == [{"check": "license.present", "expires": "2027-03-31",
                                          "days_left": 0, "approved_by": "@acme/legal"}]
    code, after = scan_json(repo, "--policy", policy, "--as-of", "2027-04-01")
    lic = results_by_check(after)["license.present"]
    assert lic["status"] == "fail" and lic["waiver"]["state"] == "expired" and code == 1
    assert after["expiring_waivers"] == []


def test_expiring_waivers_are_listed_within_30_days_only(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n"
        "  - {check: license.present, reason: legal review pending, expires: 2027-01-31}\n"
        "  - {check: readme.present, reason: not applicable here, expires: 2027-06-30}\n")})
    policy = _policy(tmp_path, CAMPAIGN.replace(', effective: "2027-01-01"', ""))
    code, report = scan_json(repo, "--policy", policy, "--as-of", "2027-01-01")
    REPORT_SCHEMA.validate(report)
    assert [w["check"] for w in report["expiring_waivers"]] == ["license.present"]
    assert report["expiring_waivers"][0]["days_left"] == 30
    text = run_cli("scan", str(repo), "--policy", policy, "--as-of", "2027-01-01")
    assert "expiring: waiver for license.present expires in 30 days (2027-01-31)" in text.stdout
    md = run_cli("scan", str(repo), "--policy", policy, "--as-of", "2027-01-01", "--format", "markdown")
    assert "waiver for license.present expires in 30 days (2027-01-31)" in md.stdout


GOVERNED = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: governed, version: 1.0.0}
gate: {min_score: 100}
waivers: {max_days: 90, require_approver: true}
rules:
  - {check: readme.present}
  - {check: license.present}
  - {check: security.policy}
"""


def test_a_short_approved_waiver_applies_under_governance(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n"
        "  - {check: license.present, reason: legal review pending, expires: 2027-03-01, approved_by: '@legal'}\n"
        "  - {check: security.policy, reason: see the wiki instead, expires: 2027-02-01}\n")})
    policy = _policy(tmp_path, GOVERNED)
    code, report = scan_json(repo, "--policy", policy, "--as-of", "2027-01-01")
    REPORT_SCHEMA.validate(report)
    results = results_by_check(report)
    assert results["license.present"]["status"] == "waived"  # 59 days, approved: allowed
    assert results["security.policy"]["status"] == "fail"  # no approver: not applied
    assert results["security.policy"]["waiver"]["state"] == "invalid"
    assert code == 1


def test_waiver_longer_than_allowed_or_unapproved_is_reported_not_applied(make_repo, tmp_path):
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n"
        "  - {check: license.present, reason: legal review pending, expires: 2027-06-30, approved_by: '@legal'}\n"
        "  - {check: security.policy, reason: see the wiki instead, expires: 2027-02-01}\n")})
    policy = _policy(tmp_path, GOVERNED)
    code, report = scan_json(repo, "--policy", policy, "--as-of", "2027-01-01")
    REPORT_SCHEMA.validate(report)
    results = results_by_check(report)
    lic, sec = results["license.present"], results["security.policy"]
    assert lic["status"] == "fail" and lic["waiver"]["state"] == "invalid"
    assert "runs 180 days, longer than the 90 days policy governed allows" in lic["waiver"]["problem"]
    assert lic["waiver"]["problem"].startswith("waiver for license.present at .standards.yml:2 not applied")
    assert sec["status"] == "fail" and sec["waiver"]["state"] == "invalid"
    assert "no approved_by, which policy governed requires" in sec["waiver"]["problem"]
    assert sum("not applied" in w for w in report["warnings"]) == 2
    assert code == 1
    # The same waivers within the rules apply.
    code, later = scan_json(repo, "--policy", policy, "--as-of", "2027-04-15")
    assert results_by_check(later)["license.present"]["status"] == "waived"


def test_waiver_rules_are_inherited_and_overridable(make_repo, tmp_path):
    _policy(tmp_path, GOVERNED, "governed.yaml")
    child = _policy(tmp_path, "apiVersion: standards-check/v1\nkind: Policy\n"
                              "metadata: {name: child, version: 1.0.0}\nextends: governed.yaml\n"
                              "waivers: {require_approver: false}\n", "child.yaml")
    shown = run_cli("policy", "show", child)
    assert shown.exit_code == 0
    assert "waivers:\n  max_days: 90\n" in shown.stdout and "require_approver" not in shown.stdout
    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: security.policy, reason: see the wiki instead, expires: 2027-02-01}\n")})
    _, report = scan_json(repo, "--policy", child, "--as-of", "2027-01-01")
    assert results_by_check(report)["security.policy"]["status"] == "waived"


def test_policy_show_prints_effective_dates(tmp_path):
    shown = run_cli("policy", "show", _policy(tmp_path, CAMPAIGN))
    assert shown.exit_code == 0
    assert "- check: license.present\n" in shown.stdout and "  effective: '2027-01-01'\n" in shown.stdout


def test_effective_must_be_a_real_date(tmp_path):
    bad = _policy(tmp_path, CAMPAIGN.replace("2027-01-01", "2027-02-30"))
    result = run_cli("policy", "validate", bad)
    assert result.exit_code == 2
    assert "effective '2027-02-30' is not a real date" in result.stderr
    assert f"{bad}:7:" in result.stderr


def test_as_of_must_be_a_date(make_repo):
    repo = make_repo({"README.md": README})
    result = run_cli("scan", str(repo), "--as-of", "next tuesday")
    assert result.exit_code == 2 and "--as-of" in result.stderr


SWEEP_POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: campaign, version: 1.0.0}
gate: {min_score: 50}
rules:
  - {check: readme.present}
  - {check: license.present, effective: "2099-01-01"}
  - {check: security.policy}
"""


def test_scorecard_shows_campaigns_sweep_after_sweep_and_expiring_waivers(make_repo, tmp_path):
    import datetime as dt

    from tests.conftest import commit_all, write_files

    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    make_repo({"README.md": README, "LICENSE": "MIT\n"}, name="srv/alpha")
    beta = make_repo({"README.md": README, ".standards.yml": (
        f"waivers:\n  - {{check: security.policy, reason: policy on the wiki, expires: {soon}, approved_by: '@sec'}}\n")},
        name="srv/beta")
    make_repo({"README.md": README, ".standards.yml": (
        f"waivers:\n  - {{check: security.policy, reason: policy on the wiki, expires: {later}}}\n")},
        name="srv/gamma")
    policy = _policy(tmp_path, SWEEP_POLICY)
    store = tmp_path / "org.db"
    sweep = ["sweep", "--dir", str(tmp_path / "srv"), "--store", str(store), "--policy", policy, "--jobs", "1"]
    assert run_cli(*sweep).exit_code == 0
    write_files(beta, {"LICENSE": "MIT\n"})
    commit_all(beta, "licence")
    assert run_cli(*sweep).exit_code == 0
    html = tmp_path / "card.html"
    assert run_cli("report", "--store", str(store), "-o", str(html)).exit_code == 0
    page = html.read_text()
    campaigns = page[page.index('id="campaigns"'):page.index("</section>", page.index('id="campaigns"'))]
    assert "<code>license.present</code></td><td>2099-01-01</td>" in campaigns
    assert "2 of 3" in campaigns  # alpha and, since the second sweep, beta
    today = dt.date.today().isoformat()
    assert f"{today}: 1/3 · {today}: 2/3" in campaigns
    assert "security.policy" not in campaigns  # in effect already: not a campaign
    waivers = page[page.index('id="expiring-waivers"'):]
    waivers = waivers[:waivers.index("</section>")]
    assert f"<td>beta</td><td><code>security.policy</code></td><td>{soon}</td><td>@sec</td>" in waivers
    assert "gamma" not in waivers  # expires in 200 days


def test_pull_request_comment_names_upcoming_rules_and_expiring_waivers(make_repo, tmp_path):
    import datetime as dt

    from standards_check.engine import scan_path
    from standards_check.publish.summary import comment_body, summary_markdown

    repo = make_repo({"README.md": README, ".standards.yml": (
        "waivers:\n  - {check: readme.present, reason: being rewritten now, expires: 2026-12-20}\n")})
    policy = _policy(tmp_path, CAMPAIGN)
    report = scan_path(repo, policy_ref=policy, as_of=dt.date(2026, 12, 1))
    for body in (comment_body(report), summary_markdown(report)):
        assert "**Upcoming** (not gated yet): `license.present` required from 2027-01-01" in body
        assert "**Expiring waivers:** waiver for readme.present expires in 19 days (2026-12-20)" in body


def test_as_of_also_moves_the_checks_that_read_dates(make_repo, tmp_path):
    """`--as-of` is one day for everything: a runbook committed in January 2026 is fresh as of
    February 2026 and stale (over max_age_days) as of 2028."""
    repo = make_repo({"README.md": README, "docs/runbooks/payments.md": "# Payments\n\n## Diagnose\n\nx\n"},
                     date="2026-01-10T12:00:00Z")
    policy = _policy(tmp_path, """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: fresh, version: 1.0.0}
rules:
  - {check: runbook.present}
  - {check: runbook.fresh, params: {max_age_days: 90}}
""")
    _, early = scan_json(repo, "--policy", policy, "--as-of", "2026-02-01")
    _, late = scan_json(repo, "--policy", policy, "--as-of", "2028-02-01")
    assert results_by_check(early)["runbook.present"]["status"] == "pass"
    assert results_by_check(early)["runbook.fresh"]["status"] == "pass"
    assert results_by_check(late)["runbook.fresh"]["status"] == "fail"
    # diff mode judges both sides as of the same day
    _, diffed = scan_json(repo, "--policy", policy, "--base", "HEAD", "--as-of", "2026-02-01")
    assert results_by_check(diffed)["runbook.fresh"]["status"] == "pass"
