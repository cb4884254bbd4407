"""Our SLO verdicts against the official schemas (../shared/schemas), fixture by fixture.

Where the official schema rejects a document, we reject it too. Where it accepts one, we accept it
too, except for the rows marked with a reason: the format's own semantic rules that its schema does
not express (Sloth's Go validation), or the newer OpenSLO v1 text the published v1 JSON Schema
predates. Those rows are the documented, deliberate differences.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from standards_check import yamlio
from standards_check.facts.slo import parse_slos
from standards_check.snapshot import open_snapshot
from tests.test_slo import OPENSLO_V1, SLOTH_K8S, SLOTH_V1

SEMANTIC = "Sloth's Go validation, which the CRD schema does not express"
NEWER_SPEC = "OpenSLO v1 specification text newer than the published v1 JSON Schema"
CALENDAR = "the v1 schema's if/then checks a calendar only when isRolling is written; the spec's format holds for every calendar"
STRICTER = "an SLO with no objective or no indicator spec measures nothing"


def openslo_validator(shared: Path) -> jsonschema.Validator:
    root = shared / "openslo-v1"
    resources = []
    for file in [root / "openslo.schema.json", *sorted((root / "parts").glob("*.json"))]:
        contents = json.loads(file.read_text())
        resources.append((contents["$id"], Resource(contents=contents, specification=DRAFT7)))
    main = json.loads((root / "openslo.schema.json").read_text())
    return jsonschema.Draft7Validator(main, registry=Registry().with_resources(resources))


def sloth_crd_validator(shared: Path) -> jsonschema.Validator:
    schema = json.loads((shared / "sloth" / "sloth.slok.dev-v1-PrometheusServiceLevel.openAPIV3Schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def r(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


RATIO_TIMESLICES = r(r(OPENSLO_V1, "budgetingMethod: Occurrences", "budgetingMethod: RatioTimeslices"),
                     "      target: 0.999\n", "      target: 0.999\n      timeSliceWindow: 5m\n")

# (id, document, official verdict, our verdict, reason when they differ)
OPENSLO_CASES = [
    ("valid ratio", OPENSLO_V1, True, True, None),
    ("valid threshold + calendar window", r(r(OPENSLO_V1,
        "      ratioMetric:\n        counter: true\n        good:\n", "      thresholdMetric:\n"),
        "        total:\n          metricSource:\n            type: Prometheus\n            spec:\n"
        "              query: sum(rate(http_requests_total[5m]))\n", "").replace(
        "    - duration: 28d\n      isRolling: true\n",
        "    - duration: 1M\n      calendar:\n        startTime: 2022-01-01 12:00:00\n        timeZone: Europe/Berlin\n"),
     True, True, None),
    ("indicatorRef", r(OPENSLO_V1, "  indicator:\n    metadata:", "  indicatorRef: checkout-good\n  x-unused:\n    metadata:"),
     True, True, None),
    ("timeslices", r(r(OPENSLO_V1, "budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
                     "      target: 0.999\n", "      target: 0.999\n      timeSliceTarget: 0.95\n      timeSliceWindow: 1m\n"),
     True, True, None),
    ("target 1", r(OPENSLO_V1, "target: 0.999", "target: 1"), False, False, None),
    ("target as string", r(OPENSLO_V1, "target: 0.999", "target: '0.999'"), False, False, None),
    ("no budgetingMethod", r(OPENSLO_V1, "  budgetingMethod: Occurrences\n", ""), False, False, None),
    ("unknown budgetingMethod", r(OPENSLO_V1, "budgetingMethod: Occurrences", "budgetingMethod: Events"), False, False, None),
    ("no service", r(OPENSLO_V1, "  service: checkout\n", ""), False, False, None),
    ("indicator and indicatorRef", r(OPENSLO_V1, "  indicator:\n", "  indicatorRef: x\n  indicator:\n"), False, False, None),
    ("no indicator at all", r(OPENSLO_V1, "  indicator:\n", "  x-indicator:\n"), False, False, None),
    ("good and bad", r(OPENSLO_V1, "        total:\n", "        bad:\n          metricSource:\n            spec: {}\n        total:\n"),
     False, False, None),
    ("ratio without counter", r(OPENSLO_V1, "        counter: true\n", ""), False, False, None),
    ("ratio without total", r(OPENSLO_V1, "        total:\n", "        x-total:\n"), False, False, None),
    ("threshold and ratio", r(OPENSLO_V1, "      ratioMetric:\n",
        "      thresholdMetric:\n        metricSource:\n          spec: {}\n      ratioMetric:\n"), False, False, None),
    ("metricSource without spec", r(OPENSLO_V1, "            type: Prometheus\n            spec:\n              query: sum(rate(http_requests_total{code!~\"5..\"}[5m]))\n",
                                    "            type: Prometheus\n"), False, False, None),
    ("Timeslices without slice target", r(OPENSLO_V1, "budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
     False, False, None),
    ("window not rolling, no calendar", r(OPENSLO_V1, "isRolling: true", "isRolling: false"), False, False, None),
    ("window with a duration only", r(OPENSLO_V1, "      isRolling: true\n", ""), True, True, None),
    ("two windows", r(OPENSLO_V1, "      isRolling: true\n", "      isRolling: true\n    - duration: 7d\n      isRolling: true\n"),
     False, False, None),
    ("duration 30days", r(OPENSLO_V1, "duration: 28d", "duration: 30days"), False, False, None),
    ("calendar startTime ISO with T", r(OPENSLO_V1, "    - duration: 28d\n      isRolling: true\n",
        "    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: 2022-01-01T12:00:00Z\n"
        "        timeZone: Europe/Berlin\n"), False, False, None),
    ("calendar time zone without region", r(OPENSLO_V1, "    - duration: 28d\n      isRolling: true\n",
        "    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: 2022-01-01 12:00:00\n"
        "        timeZone: UTC+2\n"), False, False, None),
    ("upper-case name", r(OPENSLO_V1, "name: checkout-availability", "name: Checkout"), False, False, None),
    ("no metadata name", r(OPENSLO_V1, "  name: checkout-availability\n", ""), False, False, None),
    ("label value with space", r(OPENSLO_V1, "  displayName: Checkout availability\n",
                                 "  labels:\n    team: payments squad\n"), False, False, None),
    ("empty alertPolicies placeholder", OPENSLO_V1 + "  alertPolicies:\n", False, False, None),
    ("long description", r(OPENSLO_V1, "  service: checkout\n", "  service: checkout\n  description: " + "x" * 1051 + "\n"),
     False, False, None),
    # deliberate differences
    ("RatioTimeslices", RATIO_TIMESLICES, False, True, NEWER_SPEC),
    ("targetPercent", r(OPENSLO_V1, "target: 0.999", "targetPercent: 99.9"), False, True, NEWER_SPEC),
    ("raw ratio", r(OPENSLO_V1, "        counter: true\n        good:\n", "        rawType: success\n        raw:\n").replace(
        "        total:\n          metricSource:\n            type: Prometheus\n            spec:\n"
        "              query: sum(rate(http_requests_total[5m]))\n", ""), False, True, NEWER_SPEC),
    ("calendar startTime ISO, isRolling omitted", r(OPENSLO_V1, "    - duration: 28d\n      isRolling: true\n",
        "    - duration: 1M\n      calendar:\n        startTime: 2022-01-01T12:00:00Z\n        timeZone: Europe/Berlin\n"),
     True, False, CALENDAR),
    ("empty objectives", r(OPENSLO_V1, "  objectives:\n    - displayName: Good\n      target: 0.999\n", "  objectives: []\n"),
     True, False, STRICTER),
    ("indicator without spec", r(OPENSLO_V1, "    spec:\n      ratioMetric:", "    x-spec:\n      ratioMetric:"),
     True, False, STRICTER),
]


def our_verdicts(make_repo, files: dict[str, str]) -> dict[str, bool]:
    facts = parse_slos(open_snapshot(make_repo(files)))
    verdicts: dict[str, bool] = {}
    for slo in facts.slos:
        verdicts[slo.path] = verdicts.get(slo.path, True) and slo.valid
    assert not facts.broken
    return verdicts


def test_openslo_v1_verdicts_agree_with_the_official_schema(make_repo, shared_schemas):
    official = openslo_validator(shared_schemas)
    files = {f"slos/case{i}.yaml": text for i, (_, text, *_rest) in enumerate(OPENSLO_CASES)}
    ours = our_verdicts(make_repo, files)
    table = []
    for i, (name, text, official_ok, our_ok, reason) in enumerate(OPENSLO_CASES):
        got_official = official.is_valid(yamlio.load(text))
        got_ours = ours[f"slos/case{i}.yaml"]
        table.append((name, got_official, got_ours))
        assert (got_official, got_ours) == (official_ok, our_ok), (name, reason)
        if reason is None:
            assert got_official == got_ours, name
    assert sum(1 for row in OPENSLO_CASES if row[4] is None) >= 25


def to_crd(prometheus_v1: dict) -> dict:
    """A Sloth prometheus/v1 spec as the equivalent PrometheusServiceLevel (camelCase keys)."""
    camel = {"error_query": "errorQuery", "total_query": "totalQuery", "error_ratio_query": "errorRatioQuery",
             "page_alert": "pageAlert", "ticket_alert": "ticketAlert", "slo_plugins": "sloPlugins"}

    def convert(value):
        if isinstance(value, dict):
            return {camel.get(k, k): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    spec = convert({k: v for k, v in prometheus_v1.items() if k != "version"})
    return {"apiVersion": "sloth.slok.dev/v1", "kind": "PrometheusServiceLevel", "metadata": {"name": "x"}, "spec": spec}


SLOTH_CASES = [
    ("valid", SLOTH_V1, True, True, None),
    ("objective as string", r(SLOTH_V1, "objective: 99.9", "objective: '99.9'"), False, False, None),
    ("no alerting", r(SLOTH_V1, "    alerting:\n      name: CheckoutAvailability\n      page_alert:\n        labels:\n          severity: critical\n", ""),
     False, False, None),
    ("no sli", r(SLOTH_V1, "    sli:\n      events:\n", "    x-sli:\n      events:\n"), False, False, None),
    ("events without total", r(SLOTH_V1, "        total_query: sum(rate(http_requests_total[{{.window}}]))\n", ""),
     False, False, None),
    ("label value not a string", r(SLOTH_V1, "  team: payments", "  team: 7"), False, False, None),
    ("no service", r(SLOTH_V1, "service: checkout\n", ""), False, False, None),
    ("name too long", r(SLOTH_V1, "name: requests-availability", "name: " + "a" * 129), False, False, None),
    ("plugin without id", r(SLOTH_V1, "      raw:\n        error_ratio_query: 1 - sum(rate(latency_bucket{le=\"0.3\"}[{{ .window }}])) / sum(rate(latency_count[{{ .window }}]))\n",
                            "      plugin:\n        options: {a: b}\n"), False, False, None),
    ("objective 0", r(SLOTH_V1, "objective: 99.9", "objective: 0"), True, False, SEMANTIC),
    ("objective 120", r(SLOTH_V1, "objective: 99.9", "objective: 120"), True, False, SEMANTIC),
    ("no window variable", r(SLOTH_V1, "total_query: sum(rate(http_requests_total[{{.window}}]))", "total_query: sum(rate(http_requests_total[5m]))"),
     True, False, SEMANTIC),
    ("two SLI types", r(SLOTH_V1, "      events:\n        error_query",
                        "      raw:\n        error_ratio_query: x[{{.window}}]\n      events:\n        error_query"), True, False, SEMANTIC),
    ("alert without name", r(SLOTH_V1, "      name: CheckoutAvailability\n", ""), True, False, SEMANTIC),
    ("service with space", r(SLOTH_V1, "service: checkout", "service: check out"), True, False, SEMANTIC),
]


def test_sloth_verdicts_agree_with_the_official_crd_schema(make_repo, shared_schemas):
    official = sloth_crd_validator(shared_schemas)
    files = {}
    for i, (_, text, *_rest) in enumerate(SLOTH_CASES):
        files[f"sloth/v1-{i}.yaml"] = text
        crd = to_crd(yamlio.load(text))
        files[f"sloth/k8s-{i}.yaml"] = yamlio.yaml.safe_dump(crd)  # the same SLOs as a Kubernetes object
    ours = our_verdicts(make_repo, files)
    for i, (name, text, official_ok, our_ok, reason) in enumerate(SLOTH_CASES):
        got_official = official.is_valid(to_crd(yamlio.load(text)))
        assert got_official == official_ok, name
        assert ours[f"sloth/v1-{i}.yaml"] == our_ok, (name, "prometheus/v1")
        assert ours[f"sloth/k8s-{i}.yaml"] == our_ok, (name, "PrometheusServiceLevel")
        if reason is None:
            assert got_official == our_ok, name


def test_sloth_kubernetes_fixture_is_valid_for_the_crd(shared_schemas):
    assert sloth_crd_validator(shared_schemas).is_valid(yamlio.load(SLOTH_K8S))
    crd = yamlio.yaml.safe_load((shared_schemas / "sloth" / "sloth.slok.dev_prometheusservicelevels.crd.yaml").read_text())
    assert crd["spec"]["names"]["kind"] == "PrometheusServiceLevel"  # the CRD the JSON was taken from


def test_catalog_example_is_valid_for_the_official_openslo_schema(shared_schemas):
    from standards_check.resources import data_dir

    example = yamlio.load((data_dir("checks") / "slo.present.yaml").read_text())["example"]
    assert openslo_validator(shared_schemas).is_valid(yamlio.load(example))
