"""Prometheus alerting rules: rule files and Kubernetes PrometheusRule manifests, with positions.

Candidates are chosen by name first (DESIGN.md §7): YAML files whose name mentions rules, alerts or
Prometheus, or that sit under directories such as `alerts/`, `rules/`, `prometheus/`,
`monitoring/`. A candidate is read only if its text mentions "alert", and counts only when its
content has the rule-file shape (`groups: [{name, rules: [{alert: ...}]}]`, Prometheus' rule file
format, also used by Thanos, Mimir, Cortex and Loki), is a `PrometheusRule` (`spec.groups`; also
VictoriaMetrics `VMRule` and Google Managed Prometheus `Rules`/`ClusterRules`/`GlobalRules`), a
Kubernetes `List` of those, or a ConfigMap carrying a rule file as a string value.

A file with Helm/Go templating (`{{`) that does not parse as YAML is kept as *not evaluated*: its
alerts exist only after rendering, which the scanner never does.
"""
from __future__ import annotations

from standards_check import rx
from dataclasses import dataclass, field
from typing import Any, Iterator

from standards_check import yamlio
from standards_check.facts.yamldocs import (
    YamlDocument,
    load_documents,
    looks_templated,
    read_candidates,
    select_yaml,
)
from standards_check.snapshot import RepoSnapshot

ALERT_DIRS = frozenset({
    "alerts", "alerting", "alertrules", "alert-rules", "alert_rules", "rules", "recording-rules",
    "prometheus", "prometheus-rules", "prometheus_rules", "prometheusrules", "prometheusrule",
    "monitoring", "observability", "mixins", "thanos", "mimir", "cortex", "loki",
    "slo", "slos", "sloth", "openslo", "pyrra",
})
# "slo": SLO burn-rate alerts and Sloth's generated rules often live in files named for SLOs
_NAME_HINTS = ("rule", "alert", "prometheus", "slo", "monitoring", "observability")
# substrings one of which every candidate path contains (a cheap first test on the listing)
_HINTS = ("rule", "alert", "prometheus", "slo", "monitoring", "observability", "mixins", "thanos", "mimir",
          "cortex", "loki")
# an `alert:` key, as a rule item writes it; checked on the text before any YAML is parsed
_ALERT_KEY = rx.compile(r"(?m)^[ \t-]*[\"']?alert[\"']?[ \t]*:")


@dataclass(frozen=True)
class AlertRule:
    path: str
    line: int | None
    name: str
    group: str
    annotations: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def has_any_annotation(self, names: list[str] | tuple[str, ...]) -> bool:
        """A non-empty value for one of `names` (templated values such as {{ $labels.x }} count)."""
        return any(str(self.annotations.get(name) or "").strip() for name in names)


@dataclass(frozen=True)
class NotEvaluated:
    path: str
    line: int | None
    reason: str


@dataclass
class AlertFacts:
    rules: list[AlertRule] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    rule_files: list[str] = field(default_factory=list)  # files that hold at least one rule group
    candidates: list[str] = field(default_factory=list)


def _is_candidate(name: str, dirs: tuple[str, ...]) -> bool:
    return any(hint in name for hint in _NAME_HINTS) or bool(ALERT_DIRS.intersection(dirs))


def parse_alert_rules(snapshot: RepoSnapshot) -> AlertFacts:
    facts = AlertFacts(candidates=select_yaml(snapshot, _HINTS, _is_candidate))
    for path, text in read_candidates(snapshot, facts.candidates):
        if text is None:
            facts.not_evaluated.append(NotEvaluated(path, None, f"not read: {snapshot.skipped[path]}"))
            continue
        if not _ALERT_KEY.search(text):
            continue
        try:
            documents = load_documents(text, keep=_may_hold_rules)
        except yamlio.YamlSyntaxError as exc:
            if "groups:" not in text:
                continue  # not shaped like a rule file (an Alertmanager config, say)
            reason = ("a template (Helm/Go {{ }}) that is not YAML until rendered"
                      if looks_templated(text) else exc.message)
            facts.not_evaluated.append(NotEvaluated(path, exc.line, reason))
            continue
        found_groups = False
        for document in documents:
            for rule_or_group in _rules_in(path, document):
                if rule_or_group is None:
                    found_groups = True
                else:
                    facts.rules.append(rule_or_group)
        if found_groups:
            facts.rule_files.append(path)
    return facts


# Kubernetes resources whose spec.groups is a Prometheus rule file: prometheus-operator's
# PrometheusRule, VictoriaMetrics' VMRule, Google Managed Prometheus' Rules/ClusterRules/GlobalRules.
_RULE_KINDS = frozenset({"PrometheusRule", "VMRule"})
_GMP_RULE_KINDS = frozenset({"Rules", "ClusterRules", "GlobalRules"})


def _is_rule_resource(data: dict) -> bool:
    kind, api = data.get("kind"), str(data.get("apiVersion") or "")
    return kind in _RULE_KINDS or (kind in _GMP_RULE_KINDS and api.startswith("monitoring.googleapis.com/"))


def _may_hold_rules(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    kind = data.get("kind")
    return _is_rule_resource(data) or kind in ("List", "ConfigMap") or ("groups" in data and kind is None)


def _rules_in(path: str, doc: YamlDocument) -> Iterator[AlertRule | None]:
    """Alerting rules of one document; yields None once per rule group seen (to mark rule files)."""
    yield from _walk_object(path, doc, (), doc.data)


def _walk_object(path: str, doc: YamlDocument, prefix: tuple, data: Any) -> Iterator[AlertRule | None]:
    if not isinstance(data, dict):
        return
    kind = data.get("kind")
    if _is_rule_resource(data):
        spec = data.get("spec")
        if isinstance(spec, dict):
            yield from _groups(path, doc, prefix + ("spec", "groups"), spec.get("groups"))
    elif kind == "List" and isinstance(data.get("items"), list):
        for index, item in enumerate(data["items"]):
            yield from _walk_object(path, doc, prefix + ("items", index), item)
    elif kind == "ConfigMap" and isinstance(data.get("data"), dict):
        for key, value in data["data"].items():
            if isinstance(value, str) and "groups:" in value and "alert" in value:
                yield from _embedded(path, doc, prefix + ("data", key), value)
    elif "groups" in data and "kind" not in data:
        yield from _groups(path, doc, prefix + ("groups",), data.get("groups"))


def _embedded(path: str, doc: YamlDocument, where: tuple, text: str) -> Iterator[AlertRule | None]:
    """A rule file held as a block string (`alerts.yaml: |`) in a ConfigMap: lines are shifted."""
    try:
        inner = load_documents(text)
    except yamlio.YamlSyntaxError:
        return
    # a block scalar starts on the line of its indicator; its content on the next line
    offset = doc.line_of(*where) or 0
    for document in inner:
        shifted = {k: (line + offset, col) for k, (line, col) in document.positions.items()}
        yield from _walk_object(path, YamlDocument(document.data, shifted, document.line + offset), (), document.data)


def _groups(path: str, doc: YamlDocument, where: tuple, groups: Any) -> Iterator[AlertRule | None]:
    if not isinstance(groups, list):
        return
    for g_index, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("rules"), list):
            continue
        yield None
        group_name = str(group.get("name") or "")
        for r_index, rule in enumerate(group["rules"]):
            if not isinstance(rule, dict) or "alert" not in rule:
                continue  # recording rules (`record:`) carry no runbook
            annotations = rule.get("annotations")
            yield AlertRule(
                path=path,
                line=doc.line_of(*where, g_index, "rules", r_index),
                name=str(rule.get("alert")),
                group=group_name,
                annotations=annotations if isinstance(annotations, dict) else {},
            )
