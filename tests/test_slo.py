"""SLO discovery and validation: each format, valid and invalid, with the lines errors point at."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.facts.slo import SloFacts, parse_slos
from standards_check.snapshot import DirectorySnapshot, open_snapshot

OPENSLO_V1 = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata:
      name: checkout-good-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{code!~"5.."}[5m]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total[5m]))
  objectives:
    - displayName: Good
      target: 0.999
"""

SLOTH_V1 = """\
version: prometheus/v1
service: checkout
labels:
  team: payments
slos:
  - name: requests-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutAvailability
      page_alert:
        labels:
          severity: critical
  - name: requests-latency
    objective: 99
    sli:
      raw:
        error_ratio_query: 1 - sum(rate(latency_bucket{le="0.3"}[{{ .window }}])) / sum(rate(latency_count[{{ .window }}]))
    alerting:
      page_alert:
        disable: true
      ticket_alert:
        disable: true
"""

SLOTH_K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: checkout
spec:
  service: checkout
  slos:
    - name: requests-availability
      objective: 99.5
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total[{{.window}}]))
      alerting:
        name: CheckoutAvailability
        pageAlert:
          labels:
            severity: critical
"""

SLO_GENERATOR_V2 = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: checkout-availability
  labels:
    service_name: checkout
spec:
  description: 99.9% of requests succeed
  backend: prometheus
  method: good_bad_ratio
  exporters:
    - prometheus
  service_level_indicator:
    filter_good: http_requests_total{code=~"2.."}
    filter_valid: http_requests_total
  goal: 0.999
"""

SLO_GENERATOR_V1 = """\
service_name: checkout
feature_name: api
slo_name: availability
slo_description: 99.9% of requests succeed
slo_target: 0.999
backend:
  class: Prometheus
  method: good_bad_ratio
  measurement:
    filter_good: http_requests_total{code=~"2.."}
    filter_valid: http_requests_total
"""

OPENSLO_V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: web-availability
spec:
  service: web
  budgetingMethod: Occurrences
  timeWindows:
    - unit: Day
      count: 28
      isRolling: true
  objectives:
    - displayName: Good
      value: 1
      target: 0.99
      ratioMetrics:
        incremental: true
        good:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total{code!~"5.."}[5m]))
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total[5m]))
"""

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: checkout-errors
spec:
  target: "99.5"
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{job="checkout",code=~"5.."}
      total:
        metric: http_requests_total{job="checkout"}
"""

KEPTN = """\
---
spec_version: "1.0"
comparison:
  compare_with: single_result
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    key_sli: false
    pass:
      - criteria:
          - "<=+10%"
          - "<600"
    warning:
      - criteria:
          - "<=800"
    weight: 1
  - sli: error_rate
    pass: null
total_score:
  pass: "90%"
  warning: "75%"
"""

PLAIN = """\
slos:
  - name: availability
    target: 99.9
    window: 30d
    sli: ratio of 2xx responses to all responses
  - name: latency
    objective: 0.99
    period: 1 month
    query: histogram_quantile(0.99, rate(latency_bucket[5m])) < 0.3
"""


def facts_of(make_repo, files: dict[str, str]) -> SloFacts:
    return parse_slos(open_snapshot(make_repo(files)))


def problems(facts: SloFacts) -> list[tuple[str, int | None, str]]:
    return [(s.path, p.line, p.message) for s in facts.slos for p in s.problems]


@pytest.mark.parametrize("path, text, fmt, count", [
    ("slos/checkout.yaml", OPENSLO_V1, "openslo/v1", 1),
    ("openslo/web.yml", OPENSLO_V1ALPHA, "openslo/v1alpha", 1),
    ("sloth/checkout.yaml", SLOTH_V1, "sloth/prometheus-v1", 2),
    ("deploy/checkout-slo.yaml", SLOTH_K8S, "sloth/kubernetes-v1", 1),
    ("slos/slo_checkout.yaml", SLO_GENERATOR_V2, "slo-generator/v2", 1),
    ("config/slo_checkout_v1.yaml", SLO_GENERATOR_V1, "slo-generator/v1", 1),
    ("monitoring/pyrra/checkout.yaml", PYRRA, "pyrra/v1alpha1", 1),
    ("slo.yaml", PLAIN, "plain", 2),
    ("service/slo.yaml", KEPTN, "keptn", 2),
    ("service/slos.yml", PLAIN, "plain", 2),
])
def test_valid_documents_of_each_format(make_repo, path, text, fmt, count):
    facts = facts_of(make_repo, {path: text})
    assert [s.format for s in facts.slos] == [fmt] * count
    assert problems(facts) == []


def test_timestamps_stay_strings_so_a_calendar_window_validates(make_repo):
    # unquoted `2022-01-01 12:00:00` is a YAML timestamp; OpenSLO's schema wants a string
    text = OPENSLO_V1.replace(
        "    - duration: 28d\n      isRolling: true\n",
        "    - duration: 1M\n      calendar:\n        startTime: 2022-01-01 12:00:00\n        timeZone: America/New_York\n",
    )
    assert problems(facts_of(make_repo, {"slo.yaml": text})) == []


INVALID_CASES = [
    # (file, text, [(line, message fragment)])
    ("slos/a.yaml", OPENSLO_V1.replace("target: 0.999", "target: 99.9"),
     [(30, "spec.objectives[0].target: 99.9 is greater than or equal to the maximum of 1")]),
    ("slos/a.yaml", OPENSLO_V1.replace("  budgetingMethod: Occurrences\n", ""),
     [(6, "spec: 'budgetingMethod' is a required property")]),
    ("slos/a.yaml", OPENSLO_V1.replace("duration: 28d", "duration: 28days"),
     [(10, "spec.timeWindow[0].duration: '28days' does not match")]),
    ("slos/a.yaml", OPENSLO_V1.replace("isRolling: true", "isRolling: false"),
     [(10, "a window that is not rolling (isRolling: false) needs a calendar")]),
    ("slos/a.yaml", OPENSLO_V1.replace("        counter: true\n", ""),
     [(16, "spec.indicator.spec.ratioMetric: counter is required")]),
    ("slos/a.yaml", OPENSLO_V1.replace("  indicator:\n", "  indicatorRef: checkout-good\n  indicator:\n"),
     [(6, "spec: set only one of indicator and indicatorRef")]),
    ("slos/a.yaml", OPENSLO_V1.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
     [(29, "timeSliceTarget is required when budgetingMethod is Timeslices"),
      (29, "timeSliceWindow is required when budgetingMethod is Timeslices")]),
    ("slos/a.yaml", OPENSLO_V1.replace("name: checkout-availability", "name: Checkout_Availability"),
     [(4, "metadata.name: 'Checkout_Availability' does not match")]),
    ("sloth/a.yaml", SLOTH_V1.replace("objective: 99.9", "objective: 0"),
     [(7, "the objective must be greater than 0 and at most 100")]),
    ("sloth/a.yaml", SLOTH_V1.replace("[{{.window}}]))\n        total", "[5m]))\n        total"),
     [(10, "the query must use the {{.window}} template variable")]),
    ("sloth/a.yaml", SLOTH_V1.replace("      name: CheckoutAvailability\n", ""),
     [(12, "an alert name is required unless both the page and ticket alerts are disabled")]),
    ("sloth/a.yaml", SLOTH_V1.replace("  - name: requests-latency", "  - name: requests latency"),
     [(17, "an SLO name must start and end with a letter or digit")]),
    ("sloth/a.yaml", SLOTH_V1.replace("    objective: 99\n", "    objective: \"99\"\n"),
     [(18, "slos[1].objective: '99' is not of type 'number'")]),
    # camelCase keys in a prometheus/v1 file are unknown to Sloth there (it reads error_query)
    ("sloth/a.yaml", SLOTH_V1.replace("error_query:", "errorQuery:"),
     [(9, "slos[0].sli.events: 'error_query' is a required property")]),
    ("slos/k.yaml", SLOTH_K8S.replace("          totalQuery: sum(rate(http_requests_total[{{.window}}]))\n", ""),
     [(11, "spec.slos[0].sli.events: 'totalQuery' is a required property")]),
    ("slos/slo_g.yaml", SLO_GENERATOR_V2.replace("goal: 0.999", "goal: 99.9"),
     [(16, "spec.goal: 99.9 is greater than or equal to the maximum of 1")]),
    ("slos/slo_g.yaml", SLO_GENERATOR_V2.replace("  method: good_bad_ratio\n", ""),
     [(7, "spec: 'method' is a required property")]),
    ("openslo/w.yaml", OPENSLO_V1ALPHA.replace("      value: 1\n", "      op: lte\n"),
     [(13, "spec.objectives[0]: 'value' is a required property"), (13, "op is forbidden when ratioMetrics is set")]),
    ("openslo/w.yaml", OPENSLO_V1ALPHA.replace("unit: Day", "unit: Days"),
     [(9, "spec.timeWindows[0].unit: 'Days' is not one of")]),
    ("monitoring/pyrra/c.yaml", PYRRA.replace('target: "99.5"', 'target: "100"').replace("window: 4w", "window: 1 month"),
     [(6, "the target '100' must lie strictly between 0 and 100"), (7, "the window '1 month' is not a Prometheus duration")]),
    ("slo.yaml", KEPTN.replace('"<600"', '"below 600"').replace('pass: "90%"', 'pass: high'),
     [(12, "'below 600' is not a criterion such as '<600'"), (20, "total_score.pass: 'high' is not a percentage")]),
    ("slo.yaml", PLAIN.replace("target: 99.9", "target: 100"),
     [(3, "slos[0].target: the target 100 must lie strictly between 0 and 1, or between 0 and 100")]),
    ("slo.yaml", PLAIN.replace("    window: 30d\n", ""),
     [(2, "slos[0]: no time window is set")]),
    ("slo.yaml", PLAIN.replace("    query: histogram_quantile(0.99, rate(latency_bucket[5m])) < 0.3\n", ""),
     [(6, "no indicator is set")]),
    ("slo.yaml", PLAIN.replace("period: 1 month", "period: often"),
     [(8, "the time window 'often' is not a duration")]),
]


@pytest.mark.parametrize("path, text, expected", INVALID_CASES)
def test_invalid_documents_report_each_problem_at_its_line(make_repo, path, text, expected):
    found = problems(facts_of(make_repo, {path: text}))
    assert len(found) == len(expected), found
    for (line, fragment), (got_path, got_line, message) in zip(expected, sorted(found, key=lambda p: (p[1], p[2]))):
        assert got_path == path
        assert (got_line, fragment in message) == (line, True), (got_line, message)


def test_multi_document_stream_and_top_level_list(make_repo):
    stream = OPENSLO_V1 + "---\n" + SLOTH_K8S.replace("objective: 99.5", "objective: 120") + "---\n# empty\n"
    listed = "- " + OPENSLO_V1.replace("\n", "\n  ").rstrip() + "\n"
    facts = facts_of(make_repo, {"slos/all.yaml": stream, "slos/list.yaml": listed})
    by_path = {(s.path, s.line): s for s in facts.slos}
    # the second document starts at line 32 (after 30 lines and `---`); its SLO entry at 39
    assert sorted(by_path) == [("slos/all.yaml", 1), ("slos/all.yaml", 39), ("slos/list.yaml", 1)]
    assert by_path[("slos/all.yaml", 1)].valid and by_path[("slos/list.yaml", 1)].valid
    broken = by_path[("slos/all.yaml", 39)]
    assert [(p.line, "the objective must be greater than 0" in p.message) for p in broken.problems] == [(40, True)]


SERVICES = """\
slo_target: 99.5
slo_window_days: 30
services:
  api:
    description: Entry point
    slo_target: 99.0
  worker:
    slo_target: 99.5
    sli_query: sum(rate(jobs_failed_total[5m])) / sum(rate(jobs_total[5m]))
"""


def test_plain_document_with_entries_keyed_by_service(make_repo):
    # seen in the wild: defaults at the top, one entry per service, window inherited
    facts = facts_of(make_repo, {"slo.yaml": SERVICES})
    assert [(s.name, s.line) for s in facts.slos] == [("api", 4), ("worker", 7)]
    assert problems(facts) == [("slo.yaml", 4, "services.api: no indicator is set (an sli, indicator or query saying what is measured)")]


def test_unrelated_yaml_is_not_mistaken_for_slos(make_repo):
    facts = facts_of(make_repo, {
        "slow-queries.yaml": "queries:\n  - name: x\n    target: 3\n",          # "slo" in the name only
        "slos/error_budget_policy.yaml": "steps:\n  - name: 1h\n    burn_rate_threshold: 9\n",
        "slos/rules.yaml": "groups:\n  - name: slo\n    rules:\n      - record: x\n        expr: up\n",
        "monitoring/values.yaml": "grafana:\n  enabled: true\n",
        "vendor/github.com/x/slo.yaml": PLAIN,                                    # vendored
        "internal/testdata/slo.yaml": PLAIN.replace("99.9", "200"),              # Go test data
        "deploy/sloth/templates/deployment.yaml": "{{- if .Values.enabled }}\nkind: Deployment\n{{- end }}\n",
        "templates/slo.yaml": "version: 1\ntitle: SLO for {{ .Service }}\nsections:\n  - id: target\n",
        "slos/burn-rate-alerts.yaml": "groups:\n  - name: x\n    rules:\n      - alert: Burn\n        expr: up\n",
    })
    assert facts.slos == [] and facts.broken == []


def test_broken_and_templated_slo_files(make_repo):
    repo = make_repo({
        "slo.yaml": "slos:\n  - name: a\n    target: [0.9\n",
        "slos/api.yaml": "{{- if .Values.slo }}\nversion: prometheus/v1\n{{- end }}\n",
    })
    facts = parse_slos(open_snapshot(repo))
    assert [(b.path, b.templated) for b in facts.broken] == [("slo.yaml", False), ("slos/api.yaml", True)]
    assert facts.broken[0].line == 4
    outcome = REGISTRY["slo.valid"](CheckContext(open_snapshot(repo)), {})
    assert (outcome.status, outcome.score) == ("fail", 0.0)
    assert "slo.yaml:4" in outcome.message
    present = REGISTRY["slo.present"](CheckContext(open_snapshot(repo)), {})
    assert present.status == "fail"
    assert present.message.startswith("No SLO could be read: 2 files named like SLO files could not be read as YAML")


# ---- evaluators -------------------------------------------------------------------------------

def evaluate(make_repo, files: dict[str, str], check: str, params: dict | None = None):
    return REGISTRY[check](CheckContext(open_snapshot(make_repo(files))), params or {})


def test_slo_present_pass_fail_and_formats_param(make_repo):
    passed = evaluate(make_repo, {"slos/checkout.yaml": OPENSLO_V1, "sloth/c.yaml": SLOTH_V1}, "slo.present")
    assert passed.status == "pass"
    assert passed.message == "Found 3 SLOs in 2 files (1 OpenSLO v1, 2 Sloth prometheus/v1)."
    assert [str(loc) for loc in passed.locations] == ["slos/checkout.yaml:1", "sloth/c.yaml:6"]
    none = evaluate(make_repo, {"README.md": "# x\n", "config.yaml": "a: 1\n"}, "slo.present")
    assert none.status == "fail" and none.message.startswith("No SLO definitions found")
    only_plain = evaluate(make_repo, {"slo.yaml": PLAIN}, "slo.present", {"formats": ["openslo/v1"]})
    assert only_plain.status == "fail" and "plain SLO" in only_plain.message


def test_slo_valid_partial_credit_skip_and_pass(make_repo):
    mixed = evaluate(make_repo, {
        "slos/a.yaml": OPENSLO_V1,
        "slos/b.yaml": OPENSLO_V1.replace("target: 0.999", "target: 1.5"),
        "sloth/c.yaml": SLOTH_V1,
    }, "slo.valid")
    assert (mixed.status, mixed.score) == ("fail", 0.75)
    assert mixed.message.startswith("1 of 4 SLOs are invalid; first: slos/b.yaml:30 spec.objectives[0].target")
    assert [str(loc) for loc in mixed.locations] == ["slos/b.yaml:30"]
    assert evaluate(make_repo, {"sloth/c.yaml": SLOTH_V1}, "slo.valid").status == "pass"
    assert evaluate(make_repo, {"README.md": "x"}, "slo.valid").status == "skip"


def test_catalog_examples_are_themselves_valid(make_repo):
    from standards_check.resources import data_dir
    from standards_check import yamlio

    for check, path in (("slo.present", "slos/example.yaml"), ("slo.valid", "slos/example.yaml")):
        entry = yamlio.load((data_dir("checks") / f"{check}.yaml").read_text())
        example = "\n".join(line for line in entry["example"].splitlines() if not line.startswith("#"))
        outcome = evaluate(make_repo, {path: example + "\n"}, "slo.valid")
        assert outcome.status == "pass", (check, outcome.message)


def test_an_slo_file_too_large_to_read_counts_as_not_valid(make_repo):
    repo = make_repo({"slos/big.yaml": OPENSLO_V1 + "#" * 5000 + "\n"})
    outcome = REGISTRY["slo.valid"](CheckContext(open_snapshot(repo, max_bytes=4000)), {})
    assert outcome.status == "fail" and "not read: larger than 4000 bytes" in outcome.message


def test_plain_directory_snapshot_works_too(tmp_path: Path):
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "x.yaml").write_text(OPENSLO_V1)
    assert [s.name for s in parse_slos(DirectorySnapshot(tmp_path)).slos] == ["checkout-availability"]
