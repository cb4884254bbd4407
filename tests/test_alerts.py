"""alerts.runbook_links: Prometheus rule files and PrometheusRule manifests, with lines."""
from __future__ import annotations

import pytest

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.facts.alerts import parse_alert_rules
from standards_check.snapshot import open_snapshot

RULE_FILE = """\
groups:
  - name: checkout
    rules:
      - record: job:http_errors:rate5m
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) by (job)
      - alert: CheckoutHighErrorRate
        expr: job:http_errors:rate5m{job="checkout"} > 0.05
        for: 10m
        annotations:
          summary: Checkout fails
          runbook_url: https://runbooks.example.com/checkout#high-error-rate
      - alert: CheckoutDown
        expr: up{job="checkout"} == 0
        labels:
          severity: page
        annotations:
          summary: Checkout is down
      - alert: CheckoutSlow
        expr: histogram_quantile(0.99, rate(latency_bucket[5m])) > 1
        annotations:
          runbook: https://runbooks.example.com/checkout#slow
"""

PROMETHEUS_RULE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: payments
spec:
  groups:
    - name: payments
      rules:
        - alert: PaymentsQueueBacklog
          expr: queue_depth{queue="payments"} > 1000
          annotations:
            runbook_url: "https://runbooks.example.com/payments/{{ $labels.queue }}"
        - alert: PaymentsNoRunbook
          expr: vector(1)
          annotations:
            runbook_url: ""
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-rules
data:
  alerts.yaml: |
    groups:
      - name: cm
        rules:
          - alert: FromConfigMap
            expr: up == 0
"""

HELM_TEMPLATE = """\
{{- if .Values.prometheusRule.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "app.fullname" . }}
spec:
  groups:
  {{- toYaml .Values.prometheusRule.groups | nindent 4 }}
    - name: static
      rules:
        - alert: Static
          expr: up == 0
{{- end }}
"""


def alerts_of(make_repo, files):
    return parse_alert_rules(open_snapshot(make_repo(files)))


def evaluate(make_repo, files, params=None):
    params = {"annotation": "runbook_url", "also_accept": ["runbook"], **(params or {})}
    return REGISTRY["alerts.runbook_links"](CheckContext(open_snapshot(make_repo(files))), params)


def test_rule_file_alerts_with_lines_recording_rules_ignored(make_repo):
    facts = alerts_of(make_repo, {"prometheus/rules/checkout.rules.yml": RULE_FILE})
    assert [(r.name, r.line, r.group) for r in facts.rules] == [
        ("CheckoutHighErrorRate", 6, "checkout"), ("CheckoutDown", 12, "checkout"), ("CheckoutSlow", 18, "checkout")]
    assert facts.rule_files == ["prometheus/rules/checkout.rules.yml"]


def test_partial_credit_lists_each_alert_without_runbook(make_repo):
    outcome = evaluate(make_repo, {"alerts/checkout.yaml": RULE_FILE, "deploy/payments-prometheusrule.yaml": PROMETHEUS_RULE})
    assert outcome.status == "fail"
    assert outcome.score == pytest.approx(3 / 5)
    assert [str(loc) for loc in outcome.locations] == ["alerts/checkout.yaml:12", "deploy/payments-prometheusrule.yaml:18"]
    assert outcome.message.startswith(
        "2 of 5 alerting rules have no `runbook_url` or `runbook` annotation (e.g. CheckoutDown, PaymentsNoRunbook)")


def test_annotation_params(make_repo):
    files = {"alerts/checkout.yaml": RULE_FILE}
    strict = evaluate(make_repo, files, {"also_accept": []})
    assert strict.score == pytest.approx(1 / 3)
    custom = evaluate(make_repo, files, {"annotation": "summary", "also_accept": []})
    assert (custom.status, [str(loc) for loc in custom.locations]) == ("fail", ["alerts/checkout.yaml:18"])


def test_all_linked_passes(make_repo):
    text = RULE_FILE.replace("          summary: Checkout is down\n",
                             "          summary: Checkout is down\n          runbook_url: https://r/x\n")
    outcome = evaluate(make_repo, {"rules/checkout.yaml": text})
    assert (outcome.status, outcome.message) == ("pass", "All 3 alerting rules carry a `runbook_url` or `runbook` annotation.")


def test_no_alerting_rules_is_skip(make_repo):
    recording_only = "groups:\n  - name: r\n    rules:\n      - record: a\n        expr: up\n"
    outcome = evaluate(make_repo, {"rules/recording.yaml": recording_only, "k8s/deploy.yaml": "kind: Deployment\n"})
    assert outcome.status == "skip"
    assert evaluate(make_repo, {"README.md": "x"}).status == "skip"


def test_configmap_embedded_rule_file_lines_are_shifted(make_repo):
    facts = alerts_of(make_repo, {"monitoring/prometheus-rules.yaml": CONFIGMAP})
    assert [(r.name, r.line) for r in facts.rules] == [("FromConfigMap", 10)]


def test_helm_template_is_not_evaluated_rather_than_failed(make_repo):
    files = {"chart/templates/prometheusrule.yaml": HELM_TEMPLATE}
    facts = alerts_of(make_repo, files)
    assert facts.rules == [] and [n.path for n in facts.not_evaluated] == ["chart/templates/prometheusrule.yaml"]
    outcome = evaluate(make_repo, files)
    assert outcome.status == "error" and "templates or invalid YAML" in outcome.message
    # beside real rules, templates are only noted
    mixed = evaluate(make_repo, {**files, "alerts/checkout.yaml": RULE_FILE})
    assert mixed.status == "fail" and "1 file not evaluated" in mixed.message


def test_templated_files_that_parse_are_evaluated(make_repo):
    text = PROMETHEUS_RULE.replace("name: payments\nspec", 'name: "{{ .Release.Name }}"\nspec')
    facts = alerts_of(make_repo, {"chart/templates/rules.yaml": text})
    assert [r.name for r in facts.rules] == ["PaymentsQueueBacklog", "PaymentsNoRunbook"]


def test_lookalikes_are_not_rules(make_repo):
    facts = alerts_of(make_repo, {
        "alertmanager/alertmanager.yml": "route:\n  receiver: team\nreceivers:\n  - name: team\n",
        "rules/lint-rules.yaml": "rules:\n  - alert: no\n",           # no groups
        "config/settings.yaml": "groups:\n  - name: g\n    alert: x\n",  # not shaped as rules
        "vendor/x/prometheus/rules.yaml": RULE_FILE,                     # vendored
        "alerting/alertmanager-config.yaml": "route:\n  receiver: '{{ template \"x\" }}'\n  - bad: [\n",
    })
    assert facts.rules == [] and facts.not_evaluated == []


def test_prometheus_rule_in_a_file_named_for_an_slo(make_repo):
    # seen in the wild: burn-rate alerts as a PrometheusRule in `slo.yaml`
    text = PROMETHEUS_RULE.split("---\n")[1]
    facts = alerts_of(make_repo, {"slo.yaml": text, "sloth/_gen/checkout.yml": RULE_FILE})
    assert sorted({r.path for r in facts.rules}) == ["slo.yaml", "sloth/_gen/checkout.yml"]


def test_prometheus_rule_in_a_file_named_for_monitoring(make_repo):
    text = PROMETHEUS_RULE.split("---\n")[1]
    facts = alerts_of(make_repo, {"deploy/base/monitoring.yaml": text})
    assert [r.name for r in facts.rules] == ["PaymentsQueueBacklog", "PaymentsNoRunbook"]


def test_a_rule_file_too_large_to_read_is_reported_not_evaluated(make_repo):
    repo = make_repo({"alerts/huge.yaml": RULE_FILE + "#" * 5000 + "\n", "alerts/ok.yaml": RULE_FILE})
    snapshot = open_snapshot(repo, max_bytes=4000)
    facts = parse_alert_rules(snapshot)
    assert [(n.path, n.reason.startswith("not read: larger than 4000 bytes")) for n in facts.not_evaluated] == [
        ("alerts/huge.yaml", True)]
    assert {r.path for r in facts.rules} == {"alerts/ok.yaml"}


@pytest.mark.parametrize("api, kind, found", [
    ("operator.victoriametrics.com/v1beta1", "VMRule", True),
    ("monitoring.googleapis.com/v1", "ClusterRules", True),
    ("example.com/v1", "Rules", False),
])
def test_other_rule_resources(make_repo, api, kind, found):
    text = PROMETHEUS_RULE.split("---\n")[1].replace("monitoring.coreos.com/v1", api).replace("PrometheusRule", kind)
    facts = alerts_of(make_repo, {"deploy/alert-rules.yaml": text})
    assert bool(facts.rules) is found
