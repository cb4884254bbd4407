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

import posixpath
import weakref
from standards_check import rx
from dataclasses import dataclass, field
from typing import Any, Iterator

from standards_check import yamlio
from standards_check.facts import scope
from standards_check.facts.yamldocs import (
    YamlDocument,
    load_documents,
    looks_templated,
    other_yaml,
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
    found_by_content: list[str] = field(default_factory=list)  # rule files not named like one
    excluded: list[str] = field(default_factory=list)  # named like rule files, but examples, fixtures...


def _is_candidate(name: str, dirs: tuple[str, ...]) -> bool:
    return any(hint in name for hint in _NAME_HINTS) or bool(ALERT_DIRS.intersection(dirs))


# Rule files are found by content too: a PrometheusRule in `deploy/payments.yaml`, Prometheus' own
# `*.rules` files. Other YAML files are read up to this many (the name-picked ones always are).
CONTENT_SCAN_LIMIT = 4000
_RULE_SUFFIXES = (".rules", ".rules.yml", ".rules.yaml", ".rule")


def _looks_like_rules(text: str) -> bool:
    return "expr" in text and ("groups" in text or "PrometheusRule" in text or "VMRule" in text)


def parse_alert_rules(snapshot: RepoSnapshot) -> AlertFacts:
    """Rule files chosen by name and place; then, judged by content, the other YAML and `*.rules`
    files beside the rule files found (a directory that holds one rule file usually holds its
    siblings, whatever their names); and when no rule file is found by name, any YAML file of the
    repository's own (up to CONTENT_SCAN_LIMIT), so a PrometheusRule in `deploy/payments.yaml` counts."""
    left_out: list[str] = []
    facts = AlertFacts(candidates=select_yaml(snapshot, _HINTS, _is_candidate, left_out))
    # say which left-out files hold rules (a few name-picked files: cheap to read)
    facts.excluded = [p for p, text in read_candidates(snapshot, left_out[:50]) if text and _ALERT_KEY.search(text)]
    _read_rules(snapshot, facts, facts.candidates, named=True)
    seen = set(facts.candidates)
    directories = {posixpath.dirname(p) for p in facts.rule_files}
    siblings = [p for d in sorted(directories) for p in _files_in(snapshot, d)
                if p not in seen and p.lower().endswith(_YAML_OR_RULES) and not scope.excluded(snapshot, p)]
    _read_rules(snapshot, facts, siblings, named=False)
    seen.update(siblings)
    if not facts.rule_files:
        _read_rules(snapshot, facts, other_yaml(snapshot, seen, CONTENT_SCAN_LIMIT, _RULE_SUFFIXES), named=False)
    return facts


_YAML_OR_RULES = (".yaml", ".yml") + _RULE_SUFFIXES


def _files_in(snapshot: RepoSnapshot, directory: str) -> list[str]:
    """The files directly in `directory`."""
    prefix = directory + "/" if directory else ""
    below = snapshot.under(directory) if directory else list(snapshot.paths)
    return [p for p in below if "/" not in p[len(prefix):]]


def _read_rules(snapshot: RepoSnapshot, facts: AlertFacts, paths: list[str], named: bool) -> None:
    for path, text in read_candidates(snapshot, paths):
        if text is None:
            if named:
                facts.not_evaluated.append(NotEvaluated(path, None, f"not read: {snapshot.skipped[path]}"))
            continue
        if not _ALERT_KEY.search(text) or (not named and not _looks_like_rules(text)):
            continue
        try:
            documents = load_documents(text, keep=_may_hold_rules, source=path)
        except yamlio.YamlSyntaxError as exc:
            if "groups:" not in text or not named:
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
            if not named:
                facts.found_by_content.append(path)



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
        inner = load_documents(text, source=path)
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


_MEMO: "weakref.WeakKeyDictionary[RepoSnapshot, AlertFacts]" = weakref.WeakKeyDictionary()


def alert_rules_of(snapshot: RepoSnapshot) -> AlertFacts:
    """parse_alert_rules, once per snapshot (the runbooks fact follows the rules' runbook links)."""
    if snapshot not in _MEMO:
        _MEMO[snapshot] = parse_alert_rules(snapshot)
    return _MEMO[snapshot]
