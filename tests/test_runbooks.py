"""runbook.present, runbook.sections, runbook.fresh on small fixture trees shaped like real runbooks."""
from __future__ import annotations

import pytest

from standards_check.snapshot import DirectorySnapshot
from tests.checkrun import days_ago, locations, run_check
from tests.conftest import commit_all, write_files

FULL = """# payments-api runbook

## Overview
Charges cards.

## Alerts
PaymentsHighErrorRate fires when 2% of charges fail.

## Diagnosis
Check the gateway.

## Mitigation
Fail over.

## Escalation
Page #payments-oncall.
"""

# openshift/runbooks shape: Meaning / Impact / Diagnosis / Mitigation (no escalation)
OPENSHIFT = """# KubePodCrashLooping

## Meaning
A pod restarts repeatedly.

## Impact
Service degraded.

## Diagnosis
`oc describe pod`.

## Mitigation
Fix the configuration.
"""

# synonyms: Summary / Symptoms / Triage / Remediation / Contacts, setext title
SYNONYMS = """Database failover
=================

Summary
-------
The primary fails over.

### 1. Symptoms
Replication lag alerts.

### 2. Triage steps
Check lag.

### 3. Remediation
Promote the replica.

### 4. Contacts
DBA on-call.
"""

CATALOG_WITH_RUNBOOK_LINK = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  links:
    - url: https://wiki.example.com/payments
      title: Docs
    - url: https://wiki.example.com/payments/ops
      title: Payments Runbook
spec: {type: service, owner: group:payments, lifecycle: production}
"""


@pytest.mark.parametrize("files, params, status, message", [
    ({"README.md": "# svc\n"}, {}, "fail", "No runbook found"),
    ({"RUNBOOK.md": FULL}, {}, "pass", "Found 1 runbook: RUNBOOK.md"),
    ({"ops/Runbook.md": FULL}, {}, "pass", "ops/Runbook.md"),  # any case, anywhere
    ({"docs/runbooks/README.md": "# Index\n", "docs/runbooks/db.md": FULL, "docs/runbooks/api.md": FULL}, {},
     "pass", "Found 2 runbooks: docs/runbooks/api.md, docs/runbooks/db.md"),  # the index is not a runbook
    ({"runbooks/README.md": FULL}, {}, "pass", "runbooks/README.md"),  # an index alone is the runbook
    ({"Docs/Runbooks/Payments.md": FULL}, {}, "pass", "Docs/Runbooks/Payments.md"),  # any case
    ({"docs/payments-runbook.md": FULL}, {}, "pass", "docs/payments-runbook.md"),
    ({"catalog-info.yaml": CATALOG_WITH_RUNBOOK_LINK}, {}, "pass",
     "catalog-info.yaml links a runbook kept elsewhere: https://wiki.example.com/payments/ops"),
    ({"catalog-info.yaml": CATALOG_WITH_RUNBOOK_LINK}, {"allow_catalog_links": False}, "fail", "No runbook found"),
    ({"RUNBOOK.md": "# Runbook\n\n"}, {}, "fail", "RUNBOOK.md is empty"),
    # Azure Automation "runbooks" are scripts, not written runbooks
    ({"runbooks/Restart-Vm.ps1": "Restart-AzVM\n"}, {}, "fail", "runbooks holds automation scripts"),
    ({"ops-guide/alerts/HighLatency.md": FULL}, {"paths": ["ops-guide/alerts"]}, "pass", "HighLatency.md"),
    # a repository that is itself a runbook collection (openshift/runbooks, gitlab runbooks)
    ({"README.md": "# OpenShift Runbooks\n\nA collection.\n", "alerts/x/Alert.md": OPENSHIFT}, {}, "pass",
     "The repository is a runbook collection (README.md: 'OpenShift Runbooks')"),
])
def test_runbook_present(make_repo, files, params, status, message):
    outcome = run_check("runbook.present", make_repo(files), **params)
    assert outcome.status == status, outcome.message
    assert message in outcome.message


@pytest.mark.parametrize("files, params, status, score, message, where", [
    ({"RUNBOOK.md": FULL}, {}, "pass", 1.0, "The runbook has the sections", []),
    ({"docs/runbooks/db.md": SYNONYMS}, {}, "pass", 1.0, "overview, symptoms, diagnosis, mitigation, escalation", []),
    ({"docs/runbooks/a.md": FULL, "docs/runbooks/crash.md": OPENSHIFT}, {}, "fail", 0.9,
     "1 of 2 runbooks has every section (overview, symptoms, diagnosis, mitigation, escalation): "
     "docs/runbooks/crash.md lacks escalation", ["docs/runbooks/crash.md:1"]),
    ({"RUNBOOK.md": "# Runbook\n\nRestart it.\n"}, {}, "fail", 0.0,
     "RUNBOOK.md lacks overview, symptoms, diagnosis, mitigation, escalation", ["RUNBOOK.md:1"]),
    # the policy names its own sections, with its own words
    ({"RUNBOOK.md": OPENSHIFT}, {"sections": ["mitigation", "rollback|roll back|revert"]}, "fail", 0.5,
     "RUNBOOK.md lacks rollback", ["RUNBOOK.md:1"]),
    ({"RUNBOOK.md": OPENSHIFT + "\n## Roll back\nhelm rollback\n"}, {"sections": ["rollback|roll back"]},
     "pass", 1.0, "has the sections rollback", []),
    ({"catalog-info.yaml": CATALOG_WITH_RUNBOOK_LINK}, {}, "skip", 0.0, "kept outside the repository", []),
    # 2389-research/2389-agent-rust shape: the overview is prose under the title, not a heading
    ({"RUNBOOK.md": "# Agent Operations Runbook\n\n**Purpose**: day-to-day operations of the agent.\n\n---\n\n"
                    "## Monitoring & Alerts\nx\n## Troubleshooting\ny\n## Emergency Procedures\nz\n"
                    "### Emergency Contacts\nw\n"}, {}, "pass", 1.0, "has the sections", []),
    ({"RUNBOOK.md": "# Runbook\n\n---\n\n## Alerts\nx\n## Troubleshooting\ny\n## Rollback\nz\n## Contacts\nw\n"},
     {}, "fail", 0.8, "RUNBOOK.md lacks overview", ["RUNBOOK.md:1"]),
    ({"README.md": "# x\n"}, {}, "skip", 0.0, "No runbook to check", []),
])
def test_runbook_sections(make_repo, files, params, status, score, message, where):
    outcome = run_check("runbook.sections", make_repo(files), **params)
    assert outcome.status == status, outcome.message
    assert outcome.score == pytest.approx(score)
    assert message in outcome.message
    assert locations(outcome)[:len(where)] == where


def test_runbook_fresh(make_repo):
    repo = make_repo({"docs/runbooks/db.md": FULL, "docs/runbooks/api.md": FULL, "RUNBOOK.md": FULL},
                     date=days_ago(500))
    stale = run_check("runbook.fresh", repo)
    assert stale.status == "fail" and stale.score == 0.0
    assert "0 of 3 runbooks changed within 365 days" in stale.message
    assert "docs/runbooks/api.md last changed 500 days ago" in stale.message

    write_files(repo, {"docs/runbooks/db.md": FULL + "\nUpdated.\n"})
    commit_all(repo, "refresh db runbook", date=days_ago(10))
    partial = run_check("runbook.fresh", repo)
    assert partial.status == "fail" and partial.score == pytest.approx(1 / 3)
    assert locations(partial) == ["RUNBOOK.md", "docs/runbooks/api.md"]
    assert run_check("runbook.fresh", repo, min_fresh_share=0.3).status == "pass"
    assert run_check("runbook.fresh", repo, max_age_days=600).status == "pass"


def test_runbook_fresh_skips(make_repo, tmp_path):
    write_files(tmp_path / "plain", {"RUNBOOK.md": FULL})
    assert run_check("runbook.fresh", DirectorySnapshot(tmp_path / "plain")).status == "skip"
    assert run_check("runbook.fresh", make_repo({"README.md": "x\n"})).status == "skip"
    uncommitted = make_repo({"README.md": "x\n"})
    write_files(uncommitted, {"RUNBOOK.md": FULL})  # untracked: no date in git yet
    outcome = run_check("runbook.fresh", uncommitted)
    assert outcome.status == "skip" and "not in the available history" in outcome.message


def test_empty_runbooks_are_not_dated(make_repo):
    outcome = run_check("runbook.fresh", make_repo({"docs/runbooks/payments.md": "# Overview\n# Alerts\n"}))
    assert outcome.status == "skip" and "holds no written steps yet" in outcome.message
