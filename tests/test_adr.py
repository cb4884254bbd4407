"""adr.present, adr.format, adr.fresh on small fixture trees shaped like real decision logs."""
from __future__ import annotations

import subprocess

import pytest

from standards_check.snapshot import DirectorySnapshot, open_snapshot
from tests.checkrun import days_ago, locations, run_check
from tests.conftest import commit_all, git, write_files


def nygard(number: int, title: str, status: str = "Accepted", extra: str = "") -> str:
    return (f"# {number}. {title}\n\nDate: 2026-01-12\n\n## Status\n\n{status}\n{extra}\n## Context\n\nWhy.\n\n"
            "## Decision\n\nWhat.\n\n## Consequences\n\nSo what.\n")


MADR4 = """---
status: accepted
date: 2026-02-01
decision-makers: [alice]
---
# Use PostgreSQL

## Context and Problem Statement

We need a database.

## Considered Options

* PostgreSQL
* MySQL

## Decision Outcome

Chosen option: "PostgreSQL", because it is boring.

### Consequences

* Good, because we know it.
"""

MADR_NO_STATUS = """---
parent: Decisions
nav_order: 2
---
# Do Not Use Numbers in Headings

## Context and Problem Statement

How to render titles?

## Considered Options

* numbers
* no numbers

## Decision Outcome

Chosen option: "no numbers".
"""

MADR2 = """# Use Markdown Architectural Decision Records

* Status: accepted
* Deciders: alice, bob
* Date: 2020-05-01

## Context and Problem Statement

Which format?

## Considered Options

* MADR
* Nygard

## Decision Outcome

Chosen option: "MADR".

### Positive Consequences

* Structured.
"""

ADR_TOOLS_SUPERSEDED = {
    "doc/adr/0001-record-architecture-decisions.md": nygard(1, "Record architecture decisions"),
    "doc/adr/0002-first-record.md": nygard(2, "First Record", "Superceded by [3. Second Record](0003-second-record.md)"),
    "doc/adr/0003-second-record.md": nygard(3, "Second Record", "Accepted",
                                            "\nSupercedes [2. First Record](0002-first-record.md)\n"),
}


# ---- adr.present ------------------------------------------------------------------------------------

@pytest.mark.parametrize("files, params, status, message", [
    ({"README.md": "# x\n"}, {}, "fail", "No architecture decision records found"),
    (ADR_TOOLS_SUPERSEDED, {}, "pass", "Found 3 decision records in doc/adr/ (3)"),
    ({"docs/decisions/0001-use-postgres.md": MADR4, "docs/decisions/adr-template.md": "# {short title}\n",
      "docs/decisions/README.md": "# Decisions\n"}, {}, "pass", "Found 1 decision record in docs/decisions/"),
    ({"docs/architecture/decisions/0000-TEMPLATE.md": "# 0. Template\n\n## Status\n"}, {}, "fail",
     "holds only a template (docs/architecture/decisions/0000-TEMPLATE.md)"),
    ({"docs/adr/README.md": "# ADRs\n"}, {}, "fail", "docs/adr exists but holds no Markdown decision record"),
    # adr-tools pointer file naming a custom directory
    ({".adr-dir": "architecture/records\n", "architecture/records/0001-x.md": nygard(1, "X")}, {}, "pass",
     "in architecture/records/"),
    # log4brains configuration
    ({".log4brains.yml": "project:\n  name: x\n  adrFolder: ./design/adr\n",
      "design/adr/20210101-use-log4brains.md": MADR4}, {}, "pass", "in design/adr/"),
    # a monorepo: adr-tools' first record in a nested service
    ({"services/billing/doc/adr/0001-record-architecture-decisions.md": nygard(1, "Record")}, {}, "pass",
     "in services/billing/doc/adr/"),
    # a directory only the policy knows
    ({"handbook/choices/0001-x.md": nygard(1, "X")}, {"dirs": ["handbook/choices"]}, "pass", "handbook/choices/"),
    ({"docs/adr/0001-x.md": nygard(1, "X")}, {"min_records": 3}, "fail", "the policy asks for at least 3"),
])
def test_adr_present(make_repo, files, params, status, message):
    outcome = run_check("adr.present", make_repo(files), **params)
    assert outcome.status == status, outcome.message
    assert message in outcome.message


# ---- adr.format -------------------------------------------------------------------------------------

@pytest.mark.parametrize("files, status, score, message, where", [
    (ADR_TOOLS_SUPERSEDED, "pass", 1.0, "All 3 decision records are well formed", []),
    ({"docs/decisions/0001-use-postgres.md": MADR4, "docs/decisions/0002-no-numbers.md": MADR_NO_STATUS,
      "docs/decisions/0003-madr.md": MADR2}, "pass", 1.0, "All 3 decision records", []),
    # Adyen-like: a missing Consequences section and a title numbered like the previous record
    ({"docs/adr/0006-a.md": "# 6. A\n\nDate: 2022-06-06\n\n## Status\n\nAccepted\n\n## Context\n\nx\n\n## Decision\n\ny\n",
      "docs/adr/0007-b.md": nygard(6, "B")},
     "fail", 0.0, "docs/adr/0006-a.md:1 lacks the Consequences section; docs/adr/0007-b.md:1 is titled number 6 "
     "but its file name says 7", ["docs/adr/0006-a.md:1", "docs/adr/0007-b.md:1"]),
    # unknown and empty statuses, with the line of the status
    ({"docs/adr/0001-a.md": nygard(1, "A", "Blocked"), "docs/adr/0002-b.md": nygard(2, "B", ""),
      "docs/adr/0003-c.md": nygard(3, "C", "[Approved](https://example.com/pr/1)")},
     "fail", 1 / 3, "docs/adr/0001-a.md:7 has status 'Blocked', not one of proposed, accepted",
     ["docs/adr/0001-a.md:7", "docs/adr/0002-b.md:5"]),
    # superseded, pointing nowhere / to a missing record
    ({"docs/adr/0001-a.md": nygard(1, "A", "Superseded"),
      "docs/adr/0002-b.md": nygard(2, "B", "Superseded by [9. Nine](0009-nine.md)")},
     "fail", 0.0, "docs/adr/0001-a.md:7 is superseded but does not name the record that supersedes it; "
     "docs/adr/0002-b.md:7 is superseded by '0009-nine.md', which does not exist",
     ["docs/adr/0001-a.md:7", "docs/adr/0002-b.md:7"]),
    # a record that supersedes one that is not there
    ({"docs/adr/0002-b.md": nygard(2, "B", "Accepted", "\nSupersedes [1. A](0001-a.md)\n")},
     "fail", 0.0, "docs/adr/0002-b.md:9 links to '0001-a.md', which does not exist", ["docs/adr/0002-b.md:9"]),
    # content-publisher-like: the reference sits on a line near the top, the Status section at the end
    ({"docs/adr/0006-tagging.md": "# Tagging\n\nSuperseded: 2019-12-19 by [ADR 14](0014-political.md)\n\n"
                                  "## Context\n\nx\n\n## Decision\n\ny\n\n## Consequences\n\nz\n\n## Status\n\nSuperseded\n",
      "docs/adr/0014-political.md": nygard(14, "Political")},
     "pass", 1.0, "All 2 decision records are well formed (numbers 7, 8, 9, 10, 11, 12, 13 are missing in docs/adr/)",
     []),
    # duplicate numbers, an unnumbered file in a numbered log
    ({"docs/adr/0001-a.md": nygard(1, "A"), "docs/adr/0001-b.md": nygard(1, "B"),
      "docs/adr/0002-c.md": nygard(2, "C"), "docs/adr/use-d.md": "# D\n\n## Status\n\nAccepted\n\n## Context\n\n"
                                                                  "x\n\n## Decision\n\ny\n\n## Consequences\n\nz\n"},
     "fail", 0.25, "docs/adr/0001-a.md shares number 1 with 0001-b.md",
     ["docs/adr/0001-a.md", "docs/adr/0001-b.md", "docs/adr/use-d.md"]),
    # headings inside code blocks and comments do not count
    ({"docs/adr/0001-a.md": "# 1. A\n\n## Status\n\nAccepted\n\n```\n## Context\n## Decision\n```\n\n"
                            "<!--\n## Consequences\n-->\n"},
     "fail", 0.0, "docs/adr/0001-a.md:1 lacks the Context, Decision and Consequences sections",
     ["docs/adr/0001-a.md:1"]),
    # actions/setup-python: a level-2 heading on the first line is the title; "Status:" on a line
    ({"docs/adrs/0000-caching.md": "## 0. Caching dependencies\n\nDate: 2021-10-01\n\nStatus: Accepted\n\n"
                                   "## Context\n\nx\n\n## Decision\n\ny\n"},
     "fail", 0.0, "docs/adrs/0000-caching.md:1 lacks the Consequences section", ["docs/adrs/0000-caching.md:1"]),
    # actions/checkout: "# ADR 0153: Checkout v2", "**Status**: Accepted"
    ({"adrs/0153-checkout-v2.md": "# ADR 0153: Checkout v2\n\n**Date**: 2019-10-21\n\n**Status**: Accepted\n\n"
                                  "## Context\n\nx\n\n## Decision\n\ny\n\n## Consequences\n\nz\n"},
     "pass", 1.0, "The decision record is well formed", []),
    # no title at all
    ({"docs/adr/0001-a.md": "## Status\n\nAccepted\n\n## Context\n\nx\n\n## Decision\n\ny\n\n## Consequences\n\nz\n"},
     "fail", 0.0, "docs/adr/0001-a.md:1 has no title", ["docs/adr/0001-a.md:1"]),
])
def test_adr_format(make_repo, files, status, score, message, where):
    outcome = run_check("adr.format", make_repo(files))
    assert outcome.status == status, outcome.message
    assert outcome.score == pytest.approx(score)
    assert message in outcome.message
    for location in where:
        assert location in locations(outcome)


def test_adr_format_params(make_repo):
    repo = make_repo({"docs/decisions/0001-x.md": MADR_NO_STATUS, "docs/decisions/0003-y.md": MADR4})
    assert run_check("adr.format", repo).status == "pass"
    strict = run_check("adr.format", repo, madr_optional_sections=[], allow_gaps=False)
    assert strict.status == "fail"
    assert "docs/decisions/0001-x.md:5 lacks the Status and Consequences sections" in strict.message
    assert "docs/decisions/0003-y.md follows a gap: number 2 is missing" in strict.message
    custom = run_check("adr.format", make_repo({"docs/adr/0001-a.md": nygard(1, "A", "Approved")}),
                       statuses=["accepted"], status_aliases={})
    assert custom.status == "fail" and "has status 'Approved', not one of accepted" in custom.message


def test_adr_format_skips_without_records(make_repo):
    outcome = run_check("adr.format", make_repo({"README.md": "x\n"}))
    assert outcome.status == "skip"


# ---- adr.fresh --------------------------------------------------------------------------------------

def test_adr_fresh_by_last_change(make_repo):
    repo = make_repo({"docs/adr/0001-a.md": nygard(1, "A")}, date=days_ago(800))
    old = run_check("adr.fresh", repo)
    assert old.status == "fail" and "docs/adr/0001-a.md, last changed 800 days ago" in old.message
    assert old.score == 0.0  # beyond twice the allowed age
    assert 0.0 < run_check("adr.fresh", repo, max_age_days=500).score < 1.0  # partial credit, decaying

    write_files(repo, {"docs/adr/0002-b.md": nygard(2, "B"), "src/app.py": "x = 1\n"})
    commit_all(repo, "ADR 2", date=days_ago(30))
    write_files(repo, {"src/app.py": "x = 2\n"})
    commit_all(repo, "code only", date=days_ago(1))  # a later commit that touches no record
    fresh = run_check("adr.fresh", repo)
    assert fresh.status == "pass", fresh.message
    assert "docs/adr/0002-b.md changed 30 days ago" in fresh.message
    assert locations(fresh) == ["docs/adr/0002-b.md"]


def test_adr_fresh_reads_the_scanned_ref(make_repo):
    repo = make_repo({"docs/adr/0001-a.md": nygard(1, "A")}, date=days_ago(900))
    git(repo, "checkout", "-q", "-b", "feature")
    write_files(repo, {"docs/adr/0001-a.md": nygard(1, "A", "Deprecated")})
    commit_all(repo, "deprecate", date=days_ago(2))
    git(repo, "checkout", "-q", "main")
    assert run_check("adr.fresh", repo).status == "fail"
    with open_snapshot(repo, ref="feature") as snap:
        assert run_check("adr.fresh", snap).status == "pass"


def test_adr_fresh_skips_without_history(tmp_path):
    write_files(tmp_path, {"docs/adr/0001-a.md": nygard(1, "A")})
    outcome = run_check("adr.fresh", DirectorySnapshot(tmp_path))
    assert outcome.status == "skip" and "Not a git repository" in outcome.message


def _shallow_clone(source, target):
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(target)], check=True)
    return target


def test_adr_fresh_in_a_shallow_clone(make_repo, tmp_path):
    # the record's real last change is 800 days old, but a depth-1 clone shows it added by HEAD (2 days)
    repo = make_repo({"docs/adr/0001-a.md": nygard(1, "A")}, date=days_ago(800))
    write_files(repo, {"src/x.py": "x = 1\n"})
    commit_all(repo, "code", date=days_ago(2))
    skipped = run_check("adr.fresh", _shallow_clone(repo, tmp_path / "shallow"))
    assert skipped.status == "skip" and "Shallow clone" in skipped.message

    # a boundary older than the limit is an upper bound: stale for sure
    old = make_repo({"docs/adr/0001-a.md": nygard(1, "A")}, date=days_ago(900))
    assert run_check("adr.fresh", _shallow_clone(old, tmp_path / "shallow-old")).status == "fail"


def test_adr_format_gap_runs(make_repo):
    repo = make_repo({f"docs/adr/{n:04d}-r.md": nygard(n, "R") for n in (1, 2, 6, 8)})
    assert "numbers 3, 4, 5, 7 are missing in docs/adr/" in run_check("adr.format", repo).message
    strict = run_check("adr.format", repo, allow_gaps=False)
    assert "docs/adr/0006-r.md follows a gap: numbers 3-5 are missing" in strict.message
    assert "docs/adr/0008-r.md follows a gap: number 7 is missing" in strict.message
    assert strict.score == 0.5


def test_adr_shapes_seen_in_real_logs(make_repo):
    # 1989v/msa: "ADR-0037-title.md", "# ADR-0037 — Title", a localised status bullet, "Trade-offs"
    msa = ("# ADR-0037 — Live trading\n\n- 상태: **Accepted** (2026-05-05)\n- 일자: 2026-05-05\n\n"
           "## Context\n\nx\n\n## Decision\n\ny\n\n## Trade-offs\n\nz\n")
    # MADR 3 with a strike-through status and "On hold" (adr/madr's own 0003)
    madr3 = "---\nstatus: on hold\n---\n# Provide own tools\n\n## Context and Problem Statement\n\nx\n\n" \
            "## Decision Outcome\n\ny\n"
    repo = make_repo({"docs/adr/ADR-0037-live-trading.md": msa, "docs/adr/ADR-0038-tools.md": madr3,
                      "docs/adr/ADR-0039-x.md": nygard(39, "X", "~~Proposed~~ Rejected")})
    outcome = run_check("adr.format", repo)
    assert outcome.status == "pass", outcome.message


def test_empty_runbook_sections_are_not_judged(make_repo):
    outcome = run_check("runbook.sections", make_repo({"docs/runbooks/payments.md": "# Overview\n# Alerts\n"}))
    assert outcome.status == "skip" and "holds no written steps yet" in outcome.message


def test_adr_records_in_other_languages_and_decorated_headings(make_repo):
    # SocialGouv/pass-emploi-api: MADR 2 in French, keeping the template's brackets around the title
    french = ("# [Harmonisation Domaine: Repository Service Factory]\n\n* Statut : proposé\n* Date : 2022-06-15\n\n"
              "## Contexte et définition du problème\n\nx\n\n## Facteurs de Décision\n\n* a\n\n"
              "## Résultat de la Décision\n\ny\n")
    # 1989v/msa: "## Decision (Proposed)", "## 배경 — subtitle", a Korean status
    decorated = ("# ADR-0002 — Rollout\n\n- **Status**: Accepted (2026-08-22)\n\n## 배경 — 왜 지금\n\nx\n\n"
                 "## Decision (Proposed)\n\ny\n\n## Consequences\n\nz\n")
    korean = "# ADR-0003 — 단일 호스트\n\n- 상태: 채택 (2026-08-09)\n\n## 맥락\n\nx\n\n## 결정\n\ny\n\n## 결과\n\nz\n"
    repo = make_repo({"docs/decisions/ADR-001-service.md": french, "docs/decisions/ADR-002-rollout.md": decorated,
                      "docs/decisions/ADR-003-host.md": korean,
                      "docs/decisions/adr-template.md": "# [short title of solved problem and solution]\n"})
    assert run_check("adr.present", repo).message.startswith("Found 3 decision records")
    outcome = run_check("adr.format", repo)
    assert outcome.status == "pass", outcome.message


def test_adr_directories_in_any_case(make_repo):
    repo = make_repo({"Docs/ADR/0001-a.md": nygard(1, "A"), "Docs/ADR/0002-b.md": nygard(2, "B"),
                      "docs-site/adr/0001-x.md": nygard(1, "X"), "docs/adrs.md": "# not a directory\n"})
    outcome = run_check("adr.present", repo)
    assert outcome.status == "pass" and "Found 2 decision records in Docs/ADR/ (2)" in outcome.message


def test_log4brains_records_are_madr(make_repo):
    # canonical/identity-team: log4brains, dated names, "- Status: proposed", no Consequences section
    record = ("# External Groups management\n\n- Status: proposed\n- Tags: [identity]\n\n## Context\n\nx\n\n"
              "## Decision\n\ny\n\n## Links <!-- optional -->\n\n- z\n")
    files = {".log4brains.yml": "project:\n  name: Identity\n  adrFolder: ./decisions\n",
             "decisions/20250909-external-groups.md": record, "decisions/template.md": "# [short title]\n",
             "decisions/index.md": "# Decisions\n", "decisions/README.md": "# ADRs\n"}
    repo = make_repo(files)
    assert run_check("adr.present", repo).message.startswith("Found 1 decision record in decisions/")
    assert run_check("adr.format", repo).status == "pass"
    del files[".log4brains.yml"]
    outside = make_repo({k.replace("decisions/", "docs/adr/"): v for k, v in files.items()})
    assert "lacks the Consequences section" in run_check("adr.format", outside).message


# ---- records at the repository root (found by their structure) --------------------------------------

def test_adr_checks_on_a_decision_log_at_the_root(make_repo):
    from tests.cli_helpers import results_by_check, scan_json

    repo = make_repo({"README.md": "# svc\n", "CHANGELOG.md": "# Changelog\n",
                      "0001-use-postgres.md": nygard(1, "Use Postgres"),
                      "0002-use-kafka.md": nygard(2, "Use Kafka"),
                      "0002-use-redis.md": nygard(2, "Use Redis"),
                      # below the root: not one of the root's records (the root holds its top-level files)
                      "db/0001-migrate.md": "# Migrate\n\nRun it.\n"}, date=days_ago(800))
    _, report = scan_json(repo, "--policy", "production-service")
    results = results_by_check(report)
    present = results["adr.present"]
    assert present["status"] == "pass" and "Found 3 decision records in the repository root (3)" in present["message"]
    formats = results["adr.format"]
    assert "1 of 3 decision records is well formed" in formats["message"]
    assert "0002-use-kafka.md shares number 2 with 0002-use-redis.md" in formats["message"]
    assert [loc["path"] for loc in formats["locations"]] == ["0002-use-kafka.md", "0002-use-redis.md"]
    fresh = results["adr.fresh"]
    assert fresh["status"] == "fail" and "last changed 800 days ago" in fresh["message"], fresh["message"]
    assert fresh["locations"][0]["path"] in {"0001-use-postgres.md", "0002-use-kafka.md", "0002-use-redis.md"}


def test_adr_present_min_records_names_the_root(make_repo):
    repo = make_repo({"0001-use-postgres.md": nygard(1, "Use Postgres"), "0002-use-kafka.md": nygard(2, "Use Kafka")})
    outcome = run_check("adr.present", repo, min_records=3)
    assert outcome.status == "fail", outcome.message
    assert "Found 2 decision records in the repository root; the policy asks for at least 3" in outcome.message
    assert locations(outcome) == ["0001-use-postgres.md", "0002-use-kafka.md"]
