"""catalog.owner, oncall.defined, incident.postmortem_template, and the shared catalog_info fact."""
from __future__ import annotations

import pytest

from standards_check.facts.catalog_info import parse_catalog_info
from standards_check.snapshot import open_snapshot
from tests.checkrun import locations, run_check

COMPONENT = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    pagerduty.com/service-id: PX1234
  links:
    - url: https://runbooks.example.com/payments
      title: Runbook
spec:
  type: service
  lifecycle: production
  owner: group:payments
  system: checkout
"""

MULTI = """apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: checkout
spec:
  owner: group:payments
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-grpc
spec:
  type: grpc
  lifecycle: production
  definition: "..."
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  children: []
"""

# one-platform shape: a root Location whose targets hold the entities
LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets:
    - ./catalog/systems/*.yaml
    - ./catalog/db.yaml
    - https://github.com/example/other/blob/main/catalog-info.yaml
"""


def test_catalog_info_fact_reads_documents_with_lines(make_repo):
    repo = make_repo({"catalog-info.yaml": COMPONENT, "packages/b/catalog-info.yml": MULTI,
                      ".backstage/extra.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Resource\n"
                                               "metadata: {name: db}\nspec: {owner: dba, type: database}\n"})
    with open_snapshot(repo) as snap:
        info = parse_catalog_info(snap)
    assert info.files == [".backstage/extra.yaml", "catalog-info.yaml", "packages/b/catalog-info.yml"]
    by_name = {e.name: e for e in info.entities}
    payments = by_name["payments-api"]
    assert (payments.kind, payments.owner, payments.lifecycle, payments.system) == (
        "Component", "group:payments", "production", "checkout")
    assert payments.annotations == {"pagerduty.com/service-id": "PX1234"}
    assert payments.links[0].title == "Runbook" and payments.links[0].line == 8
    assert payments.line_of("spec", "owner") == 13
    api = by_name["payments-grpc"]
    assert (api.document, api.line, api.owner) == (1, 8, None)
    assert by_name["payments"].kind == "Group"


@pytest.mark.parametrize("files, params, status, score, message, where", [
    ({"README.md": "x\n"}, {}, "skip", 0.0, "No catalog-info.yaml", []),
    ({"README.md": "x\n"}, {"required": True}, "fail", 0.0, "No catalog-info.yaml", []),
    ({"catalog-info.yaml": COMPONENT}, {}, "pass", 1.0, "The catalog entity names an owner (group:payments)",
     ["catalog-info.yaml:13"]),
    # multi-document: the API has no owner; the Group is not a kind that needs one
    ({"catalog-info.yaml": MULTI}, {}, "fail", 0.5,
     "1 of 2 catalog entities names an owner: api:payments-grpc (catalog-info.yaml:11) has no spec.owner",
     ["catalog-info.yaml:11"]),
    ({"catalog-info.yaml": COMPONENT.replace("owner: group:payments", "owner: Payments Team!")}, {}, "fail", 0.0,
     "has owner 'Payments Team!', not an entity reference", ["catalog-info.yaml:13"]),
    ({"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [oops\n"}, {},
     "fail", 0.0, "catalog-info.yaml cannot be read: invalid YAML", ["catalog-info.yaml:5"]),
    ({"catalog-info.yaml": LOCATION,
      "catalog/systems/checkout.yaml": "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: checkout\n"
                                       "spec: {}\n",
      "catalog/db.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db}\n"
                         "spec: {owner: dba}\n"},
     {}, "fail", 0.5, "system:checkout (catalog/systems/checkout.yaml:4) has no spec.owner",
     ["catalog/systems/checkout.yaml:4"]),
    ({"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: t}\nspec: {type: team}\n"},
     {}, "skip", 0.0, "declares no entity of kind Component, API, Resource, System (kinds found: Group)", []),
])
def test_catalog_owner(make_repo, files, params, status, score, message, where):
    outcome = run_check("catalog.owner", make_repo(files), **params)
    assert outcome.status == status, outcome.message
    assert outcome.score == pytest.approx(score)
    assert message in outcome.message
    assert locations(outcome) == where


TWO_COMPONENTS = COMPONENT + "---\n" + COMPONENT.replace("payments-api", "refunds-api").replace(
    "    pagerduty.com/service-id: PX1234\n", "    github.com/project-slug: x/y\n")


@pytest.mark.parametrize("files, params, status, score, message", [
    ({"README.md": "x\n"}, {}, "fail", 0.0, "No on-call defined"),
    ({"catalog-info.yaml": COMPONENT}, {}, "pass", 1.0,
     "catalog-info.yaml routes pages for component:payments-api through pagerduty.com/service-id"),
    ({"catalog-info.yaml": COMPONENT.replace("pagerduty.com/service-id: PX1234", "opsgenie.com/team: payments")}, {},
     "pass", 1.0, "through opsgenie.com/team"),
    ({"catalog-info.yaml": COMPONENT.replace("PX1234", '""')}, {}, "fail", 0.0, "has an empty pagerduty.com/service-id"),
    # a library component has nobody on call: only the service counts
    ({"catalog-info.yaml": TWO_COMPONENTS.replace("type: service", "type: library", 2).replace(
        "type: library", "type: service", 1)}, {}, "pass", 1.0, "through pagerduty.com/service-id"),
    ({"catalog-info.yaml": TWO_COMPONENTS}, {}, "fail", 0.5,
     "1 of 2 catalog entities names an on-call service; component:refunds-api does not"),
    ({"ONCALL.md": "# On-call\n\nThe payments rotation is in PagerDuty: page `payments-primary`.\n"}, {}, "pass", 1.0,
     "On-call and escalation are written down in ONCALL.md"),
    ({"docs/escalation-policy.md": "# Escalation\n\n1. Primary on-call\n2. Engineering manager\n"}, {}, "pass", 1.0,
     "docs/escalation-policy.md"),
    ({"source/oncall/index.html.md.erb": "# On call\n\nThe rota and how to get paged.\n"}, {}, "pass", 1.0,
     "source/oncall/index.html.md.erb"),  # GOV.UK tech-docs sites (hmcts/ops-runbooks)
    ({"SUPPORT.md": "# Support\n\nAsk questions in the forum.\n"}, {}, "fail", 0.0, "No on-call defined"),
    ({"SUPPORT.md": "# Support\n\nProduction issues: page the on-call engineer.\n"}, {}, "pass", 1.0, "SUPPORT.md"),
    ({"ONCALL.md": ""}, {}, "fail", 0.25, "ONCALL.md says nothing about on-call or escalation"),
    ({"ops/who.md": "Page the payments rotation.\n"}, {"documents": ["ops/who.md"]}, "pass", 1.0, "ops/who.md"),
])
def test_oncall_defined(make_repo, files, params, status, score, message):
    outcome = run_check("oncall.defined", make_repo(files), **params)
    assert outcome.status == status, outcome.message
    assert outcome.score == pytest.approx(score)
    assert message in outcome.message


@pytest.mark.parametrize("files, status, score, message", [
    ({"README.md": "x\n"}, "fail", 0.0, "No post-mortem template found"),
    ({"docs/postmortems/template.md": "# Post-mortem\n## Impact\n"}, "pass", 1.0, "docs/postmortems/template.md"),
    ({"postmortem-template.md": "# Post-mortem\n"}, "pass", 1.0, "postmortem-template.md"),
    ({".github/ISSUE_TEMPLATE/incident_report.yml": "name: Incident\n"}, "pass", 1.0, "incident_report.yml"),
    ({".github/ISSUE_TEMPLATE/Postmortem.md": "---\nname: Post-mortem\n---\n"}, "pass", 1.0, "Postmortem.md"),
    ({"docs/incidents/0000-template.md": "# Incident {title}\n"}, "pass", 1.0, "docs/incidents/0000-template.md"),
    ({"docs/postmortems/2026-01-02-outage.md": "# Outage\n"}, "fail", 0.5,
     "Post-mortems are kept in docs/postmortems (1 document) but there is no template"),
    # gitlab runbooks shape: incidents/ holds incident procedures, not reviews
    ({"incidents/database.md": "# Database incidents\n"}, "fail", 0.0, "No post-mortem template found"),
    ({"docs/postmortems/template.md": ""}, "fail", 0.0, "No post-mortem template found"),  # empty
    ({".github/ISSUE_TEMPLATE/bug_report.md": "# Bug\n"}, "fail", 0.0, "No post-mortem template"),
])
def test_postmortem_template(make_repo, files, status, score, message):
    outcome = run_check("incident.postmortem_template", make_repo(files))
    assert outcome.status == status, outcome.message
    assert outcome.score == pytest.approx(score)
    assert message in outcome.message
