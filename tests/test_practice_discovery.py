"""Practices found by what they are, not only where they usually sit; and examples, fixtures,
vendored and generated copies are not the repository's own.

Fixtures are shaped like what real repositories showed: alert rules generated from a monitoring
mixin into `examples/alerts/` (thanos-io/thanos), decision records in `docs/technical_decisions/`,
`docs/decision_records/api/API-001-*.md` and a package's `docs/using-codex/adrs/`
(mathewtrivett/postcode-checker, dapr/dapr, wikimedia/design-codex), runbook links of alert rules
that are GitHub URLs of the repository's own files."""
from __future__ import annotations

import pytest

from tests.checkrun import days_ago
from tests.cli_helpers import results_by_check, run_cli, scan_json
from tests.conftest import git
from tests.security_helpers import evaluate, lines


def rules(alert: str = "QueueBacklog", runbook: str | None = None, kind: str = "plain") -> str:
    annotation = f"\n          runbook_url: {runbook}" if runbook else ""
    body = (f"groups:\n  - name: service\n    rules:\n      - alert: {alert}\n        expr: queue_depth > 100\n"
            f"        for: 10m\n        annotations:\n          summary: backlog{annotation}\n")
    if kind == "operator":
        indented = "".join("  " + line + "\n" for line in body.splitlines())
        return f"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: svc\nspec:\n{indented}"
    return body


RUNBOOK = """\
# Queue backlog

## Overview
Orders wait in the queue.

## Symptoms
The queue grows.

## Diagnosis
Check the consumers' logs.

## Mitigation
Scale the consumers out.

## Escalation
Page the payments on-call.
"""


# ---- alert rules: by content; examples and declared globs left out --------------------------------
def test_alert_rules_are_found_by_content_not_by_name(make_repo) -> None:
    repo = make_repo({"deploy/payments.yaml": rules(kind="operator"), "ops/prometheus.rules": rules("Down")})
    outcome = evaluate(repo, "alerts.runbook_links")
    assert outcome.status == "fail" and "2 alerting rules" in outcome.message
    assert sorted(loc.path for loc in outcome.locations) == ["deploy/payments.yaml", "ops/prometheus.rules"]


def test_rule_files_beside_a_named_one_are_read_by_content(make_repo) -> None:
    repo = make_repo({"ops/alerts.yaml": rules("Named", "https://r.example/n"),
                      "ops/payments.yaml": rules("Sibling", kind="operator"), "ops/values.yaml": "replicas: 2\n"})
    outcome = evaluate(repo, "alerts.runbook_links")
    assert outcome.status == "fail" and "1 of 2 alerting rules" in outcome.message
    assert lines(outcome) == [("ops/payments.yaml", 9)]


def test_example_alerts_are_not_the_repositorys_own(make_repo) -> None:
    repo = make_repo({"examples/alerts/alerts.yaml": rules(), "mixin/alerts.libsonnet": "{}\n"})
    outcome = evaluate(repo, "alerts.runbook_links")
    assert outcome.status == "skip"
    assert "examples/alerts/alerts.yaml" in outcome.message and "of its own" in outcome.message


@pytest.mark.parametrize("folder", ["examples", "fixtures", "testdata", "test/data", "vendor/github.com/x",
                                    "third_party/chart", "node_modules/pkg", "generated"])
def test_builtin_excluded_folders(make_repo, folder) -> None:
    repo = make_repo({f"{folder}/rules/alerts.yaml": rules(), f"{folder}/runbooks/queue.md": RUNBOOK})
    assert evaluate(repo, "alerts.runbook_links").status == "skip"
    assert evaluate(repo, "runbook.present").status == "fail"


def test_exclude_globs_of_standards_yml(make_repo) -> None:
    files = {"alerts/own.yaml": rules("Own", "https://r.example/own"), "deploy/upstream/alerts.yaml": rules("Theirs"),
             "docs/runbooks/upstream/queue.md": RUNBOOK}
    before = evaluate(make_repo(files), "alerts.runbook_links")
    assert before.status == "fail"
    config = "exclude:\n  - deploy/upstream/**\n  - docs/runbooks/upstream/\n"
    after_repo = make_repo({**files, ".standards.yml": config})
    assert evaluate(after_repo, "alerts.runbook_links").status == "pass"
    assert evaluate(after_repo, "runbook.present").status == "fail"


def test_exclude_must_be_a_list_of_globs(make_repo) -> None:
    repo = make_repo({".standards.yml": "exclude: 3\n", "README.md": "x\n"})
    result = run_cli("scan", str(repo))
    assert result.exit_code == 2 and ".standards.yml" in result.output


# ---- runbooks: by what points at them and by what they say ----------------------------------------
def test_runbook_linked_by_an_alert_rule_is_found(make_repo) -> None:
    url = "https://github.com/acme/payments/blob/main/ops/guides/queue-backlog.md#mitigation"
    repo = make_repo({"alerts/queue.yaml": rules(runbook=url), "ops/guides/queue-backlog.md": RUNBOOK})
    git(repo, "remote", "add", "origin", "https://github.com/acme/payments.git")
    outcome = evaluate(repo, "runbook.present")
    assert outcome.status == "pass"
    assert "ops/guides/queue-backlog.md (linked from alert QueueBacklog (alerts/queue.yaml:4))" in outcome.message
    assert evaluate(repo, "runbook.sections").status == "pass"


def test_runbook_links_to_another_repository_are_not_ours(make_repo) -> None:
    url = "https://github.com/other/handbook/blob/main/ops/guides/queue-backlog.md"
    repo = make_repo({"alerts/queue.yaml": rules(runbook=url), "ops/guides/queue-backlog.md": "# notes\n\ntext\n"})
    git(repo, "remote", "add", "origin", "https://github.com/acme/payments.git")
    assert evaluate(repo, "runbook.present").status == "fail"


def test_relative_runbook_link_and_catalog_link(make_repo) -> None:
    relative = make_repo({"monitoring/rules.yaml": rules(runbook="../handbook/backlog.md"),
                          "handbook/backlog.md": RUNBOOK})
    assert evaluate(relative, "runbook.present").status == "pass"
    catalog = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay\n  links:\n"
               "    - url: https://github.com/acme/pay/tree/main/handbook/backlog.md\n      title: Runbook\n"
               "spec:\n  type: service\n  owner: team-a\n  lifecycle: production\n")
    linked = make_repo({"catalog-info.yaml": catalog, "handbook/backlog.md": RUNBOOK})
    git(linked, "remote", "add", "origin", "git@github.com:acme/pay.git")
    outcome = evaluate(linked, "runbook.present")
    assert outcome.status == "pass" and "handbook/backlog.md" in outcome.message
    assert lines(outcome) == [("handbook/backlog.md", None)]


def test_runbook_found_by_what_it_says(make_repo) -> None:
    playbook = RUNBOOK.replace("# Queue backlog", "# When the ledger lags").replace("## Escalation", "## Who to call")
    repo = make_repo({"handbook/operations/ledger-lag.md": playbook, "docs/design.md": "# Design\n\n## Context\n"})
    outcome = evaluate(repo, "runbook.present")
    assert outcome.status == "pass", outcome.message
    assert "handbook/operations/ledger-lag.md (content:" in outcome.message


def test_a_document_without_all_three_is_not_a_runbook(make_repo) -> None:
    notes = "# Notes\n\n## Debugging\nUse the logs.\n\n## Rollback\nRevert the deploy.\n"  # no escalation
    assert evaluate(make_repo({"docs/dev/notes.md": notes}), "runbook.present").status == "fail"


# ---- decision records: by structure, anywhere ---------------------------------------------------
def record(number: int, title: str, status: str = "Accepted") -> str:
    return (f"# {number}. {title}\n\nDate: 2024-0{number}-01\n\n## Status\n\n{status}\n\n## Context\n\n"
            f"Why {title}.\n\n## Decision\n\nWe will {title}.\n\n## Consequences\n\nSome.\n")


@pytest.mark.parametrize("files, directory", [
    pytest.param({"docs/technical_decisions/0000-template.md": "# NUMBER. TITLE\n\n## Status\n",
                  "docs/technical_decisions/0001-use-postgres.md": record(1, "use postgres")},
                 "docs/technical_decisions", id="one-record-beside-its-template"),
    pytest.param({"docs/decision_records/api/API-001-state-api.md": record(1, "shape the state api"),
                  "docs/decision_records/api/API-002-actor-api.md": record(2, "shape the actor api")},
                 "docs/decision_records/api", id="prefixed-numbers"),
    pytest.param({"packages/ui/docs/adrs/01-adr-tokens.md": record(1, "use tokens"),
                  "packages/ui/docs/adrs/02-adr-demo.md": record(2, "build a demo"),
                  "packages/ui/docs/adrs/overview.md": "# Overview\n"},
                 "packages/ui/docs/adrs", id="nested-package"),
    pytest.param({"design/2023-04-01-queues.md": record(1, "use queues"),
                  "design/2023-05-01-retries.md": record(2, "retry")}, "design", id="dated"),
])
def test_decision_records_found_by_structure(make_repo, files, directory) -> None:
    outcome = evaluate(make_repo(files), "adr.present")
    assert outcome.status == "pass", outcome.message
    assert f"{directory}/ was found by its structure" in outcome.message
    assert evaluate(make_repo(files), "adr.format").status == "pass"


def test_numbered_documents_that_are_not_decisions(make_repo) -> None:
    files = {"docs/tutorial/01-install.md": "# Install\n\n## Steps\n", "docs/tutorial/02-run.md": "# Run\n\n## Steps\n",
             "examples/adr/0001-x.md": record(1, "x"), "examples/adr/0002-y.md": record(2, "y")}
    assert evaluate(make_repo(files), "adr.present").status == "fail"


# ---- decision records at the repository root ----------------------------------------------------
# Some repositories keep their decision log at the top level (`0001-use-postgres.md` beside README.md).
# The root is found by the same structural evidence as any folder; README, CHANGELOG, tutorials and
# release notes there are not records.

MADR_ROOT = ("---\nstatus: accepted\ndate: 2024-03-01\n---\n# Use Kafka for events\n\n"
             "## Context and Problem Statement\n\nServices need events.\n\n## Considered Options\n\n* Kafka\n\n"
             "## Decision Outcome\n\nChosen option: Kafka.\n\n### Consequences\n\n* Good.\n")


def adr_results(repo, *args: str) -> dict:
    _, report = scan_json(repo, "--policy", "production-service", *args)
    return {check: result for check, result in results_by_check(report).items() if check.startswith("adr.")}


def paths_and_lines(result: dict) -> list[tuple[str, int | None]]:
    return [(loc["path"], loc.get("line")) for loc in result["locations"]]


def test_decision_records_at_the_root_are_found_by_structure(make_repo) -> None:
    repo = make_repo({"README.md": "# Service\n", "CHANGELOG.md": "# Changelog\n\n## 1.0.0\n",
                      "0001-use-postgres.md": record(1, "use postgres"),
                      "0002-use-kafka.md": record(2, "use kafka"),
                      "0003-drop-mysql.md": record(3, "drop mysql", status="Maybe"),
                      "docs/guide.md": "# Guide\n"}, date=days_ago(20))
    adr = adr_results(repo)
    present = adr["adr.present"]
    assert present["status"] == "pass", present["message"]
    assert present["message"].startswith("Found 3 decision records in the repository root (3)")
    assert ("the repository root was found by its structure: 3 numbered documents, 3 of 3 read have "
            "Status/Context/Decision sections") in present["message"]
    assert paths_and_lines(present) == [("0001-use-postgres.md", None), ("0002-use-kafka.md", None),
                                        ("0003-drop-mysql.md", None)]
    formats = adr["adr.format"]
    assert formats["status"] == "fail" and formats["score"] == round(2 / 3, 4)
    assert "0003-drop-mysql.md:7 has status 'Maybe'" in formats["message"]
    assert paths_and_lines(formats) == [("0003-drop-mysql.md", 7)]
    fresh = adr["adr.fresh"]
    assert fresh["status"] == "pass", fresh["message"]
    assert "changed 20 days ago" in fresh["message"]
    assert paths_and_lines(fresh)[0][0] in {"0001-use-postgres.md", "0002-use-kafka.md", "0003-drop-mysql.md"}
    for result in adr.values():
        assert all(not loc["path"].startswith(("/", "./")) and loc["path"] for loc in result["locations"])


def test_madr_records_at_the_root(make_repo) -> None:
    repo = make_repo({"0001-use-kafka.md": MADR_ROOT, "0002-use-postgres.md": MADR_ROOT.replace("Kafka", "Postgres"),
                      "0004-use-redis.md": MADR_ROOT.replace("Kafka", "Redis")})
    adr = adr_results(repo)
    assert adr["adr.present"]["status"] == "pass", adr["adr.present"]["message"]
    assert "the repository root was found by its structure: 3 numbered documents, 3 of 3 read have MADR sections" \
        in adr["adr.present"]["message"]
    assert adr["adr.format"]["status"] == "pass", adr["adr.format"]["message"]
    assert "number 3 is missing in the repository root" in adr["adr.format"]["message"]
    assert paths_and_lines(adr["adr.format"]) == [("0001-use-kafka.md", None), ("0002-use-postgres.md", None),
                                                  ("0004-use-redis.md", None)]


@pytest.mark.parametrize("files", [
    # `adr init .`: adr-tools' first record at the root (its directory, the root, is not followed as a
    # pointer, but must not hide the root's structure either)
    pytest.param({"0001-record-architecture-decisions.md": record(1, "record architecture decisions"),
                  "0002-use-postgres.md": record(2, "use postgres"), "SECURITY.md": "# Security\n"}, id="adr-init"),
    pytest.param({".log4brains.yml": "project:\n  name: x\n  adrFolder: .\n",
                  "0001-use-postgres.md": record(1, "use postgres"), "0002-use-kafka.md": record(2, "use kafka")},
                 id="log4brains-folder-is-the-root"),
])
def test_a_pointer_to_the_root_does_not_hide_its_records(make_repo, files) -> None:
    present = adr_results(make_repo(files))["adr.present"]
    assert present["status"] == "pass", present["message"]
    assert "Found 2 decision records in the repository root (2)" in present["message"]
    assert [loc["path"] for loc in present["locations"]] == sorted(p for p in files if p.startswith("000"))


def test_root_records_beside_a_folder_of_records(make_repo) -> None:
    repo = make_repo({"0001-use-postgres.md": record(1, "use postgres"), "0002-use-kafka.md": record(2, "use kafka"),
                      "docs/adr/0001-record-architecture-decisions.md": record(1, "record decisions")})
    present = adr_results(repo)["adr.present"]
    assert present["status"] == "pass", present["message"]
    assert "Found 3 decision records in " in present["message"]
    assert "docs/adr/ (1)" in present["message"] and "the repository root (2)" in present["message"]
    assert sorted(paths_and_lines(present)) == [("0001-use-postgres.md", None), ("0002-use-kafka.md", None),
                                                ("docs/adr", None)]


TUTORIAL = "# {title}\n\n## Prerequisites\n\nPython.\n\n## Steps\n\n1. Install.\n\n## Next\n\nRead on.\n"
RELEASE = "# Release {n}\n\n## Highlights\n\nFaster.\n\n## Breaking changes\n\nNone.\n\n## Upgrading\n\nPin it.\n"
STATUS_REPORT = "# {n}. Weekly status\n\n## Status\n\nGreen.\n\n## Context\n\nThe sprint.\n\n## Next steps\n\nShip.\n"


@pytest.mark.parametrize("files", [
    pytest.param({"CHANGELOG.md": "# Changelog\n\n## 2.0.0\n\n## Decision\n", "README.md": "# x\n"},
                 id="changelog"),
    pytest.param({"01-intro.md": TUTORIAL.format(title="Intro"), "02-setup.md": TUTORIAL.format(title="Setup"),
                  "03-deploy.md": TUTORIAL.format(title="Deploy")}, id="numbered-tutorial"),
    pytest.param({"2024-01-15-release.md": RELEASE.format(n="1.0"), "2024-06-01-release.md": RELEASE.format(n="1.1"),
                  "CHANGELOG.md": "# Changelog\n"}, id="dated-release-notes"),
    pytest.param({"0001-release-notes.md": RELEASE.format(n="1"), "0002-release-notes.md": RELEASE.format(n="2")},
                 id="numbered-release-notes"),
    # a Status and a Context but no Decision: not a decision record
    pytest.param({"001-week.md": STATUS_REPORT.format(n=1), "002-week.md": STATUS_REPORT.format(n=2)},
                 id="status-reports-without-a-decision"),
    # one record among many numbered non-decisions: less than half of those read
    pytest.param({"0001-use-postgres.md": record(1, "use postgres"),
                  **{f"000{n}-chapter.md": TUTORIAL.format(title=f"Chapter {n}") for n in range(2, 6)}},
                 id="one-record-among-chapters"),
    # a single numbered record at the root is not a log
    pytest.param({"0001-use-postgres.md": record(1, "use postgres"), "README.md": "# x\n"}, id="single-file"),
])
def test_numbered_documents_at_the_root_that_are_not_a_decision_log(make_repo, files) -> None:
    adr = adr_results(make_repo(files))
    assert adr["adr.present"]["status"] == "fail", adr["adr.present"]["message"]
    assert "No architecture decision records found" in adr["adr.present"]["message"]
    assert adr["adr.format"]["status"] == "skip" and adr["adr.fresh"]["status"] == "skip"


def test_root_records_a_team_excludes_are_not_counted(make_repo) -> None:
    files = {"0001-use-postgres.md": record(1, "use postgres"), "0002-use-kafka.md": record(2, "use kafka")}
    assert adr_results(make_repo(files))["adr.present"]["status"] == "pass"
    excluded = make_repo({**files, ".standards.yml": "exclude:\n  - '000*.md'\n"})
    assert adr_results(excluded)["adr.present"]["status"] == "fail"


# ---- SLOs: recognised by kind and fields when one detail is wrong -------------------------------
OPENSLO = """\
apiVersion: {api}
kind: {kind}
metadata:
  name: checkout-availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
  timeWindow:
    - duration: 28d
      isRolling: true
"""


@pytest.mark.parametrize("api, kind, line, words", [
    ("openslo.io/v1", "SLO", 1, "apiVersion 'openslo.io/v1' is not one OpenSLO reads"),
    ("openslo/v1", "Slo", 2, "kind 'Slo' is not one OpenSLO reads (expected 'SLO')"),
])
def test_an_slo_with_one_wrong_detail_is_found_and_reported(make_repo, api, kind, line, words) -> None:
    repo = make_repo({"slo/checkout.yaml": OPENSLO.format(api=api, kind=kind)})
    present = evaluate(repo, "slo.present")
    assert present.status == "pass" and "1 SLO" in present.message
    valid = evaluate(repo, "slo.valid")
    assert valid.status == "fail" and words in valid.message
    assert lines(valid) == [("slo/checkout.yaml", line)]


def test_slo_generator_and_sloth_near_misses(make_repo) -> None:
    generator = ("apiVersion: sre.google.com/v1\nkind: ServiceLevelObjective\nmetadata:\n  name: api\n"
                 "spec:\n  goal: 0.99\n  backend: prometheus\n  method: good_bad_ratio\n")
    sloth = "version: prometheus/v2\nservice: api\nslos:\n  - name: availability\n    objective: 99.9\n"
    repo = make_repo({"slos/generator.yaml": generator, "slos/sloth.yaml": sloth})
    valid = evaluate(repo, "slo.valid")
    assert valid.status == "fail" and "2 of 2 SLOs are invalid" in valid.message
    assert sorted(lines(valid)) == [("slos/generator.yaml", 1), ("slos/sloth.yaml", 1)]


def test_a_kind_without_the_fields_is_not_an_slo(make_repo) -> None:
    repo = make_repo({"slo/other.yaml": "apiVersion: x/v1\nkind: SLO\nmetadata:\n  name: n\nspec:\n  owner: me\n"})
    assert evaluate(repo, "slo.present").status == "fail"
