"""Service level objectives found in a repository, each validated against its format's rules.

Formats recognised (by content, after selecting candidate files by name — DESIGN.md §7):
- OpenSLO `openslo/v1` and `openslo/v1alpha`, kind SLO (also `openslo.com/v2alpha`, found but only
  checked against the explicit rules, as no v2alpha schema is published);
- Sloth: `version: prometheus/v1` service files, and the Kubernetes `PrometheusServiceLevel`
  (`sloth.slok.dev/v1`);
- Google slo-generator: `sre.google.com/v2` `ServiceLevelObjective`, and the v1 shape
  (`service_name`/`feature_name`/`slo_name`/`slo_target`/`backend`);
- Pyrra `pyrra.dev/v1alpha1` `ServiceLevelObjective`;
- Keptn quality-gate `slo.yaml` (`spec_version`, `objectives` of SLIs with pass/warning criteria);
- plain documents in files named like `slo.yaml`/`slos.yml` or under `slo/`/`slos/`: explicit rules,
  a target in (0, 1) or (0, 100), a time window, an indicator.

Structure is checked with our own JSON Schemas (`schemas/slo/*.schema.json`, written from each
format's specification); rules that read better as sentences (exactly one of, conditional fields,
Sloth's semantic rules) are checked in code. Every problem carries the line it is about.
"""
from __future__ import annotations

import json
import math
from standards_check import rx
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from standards_check import yamlio
from standards_check.facts.yamldocs import (
    YamlDocument,
    load_documents,
    looks_templated,
    read_candidates,
    select_yaml,
)
from standards_check.resources import schema_path
from standards_check.snapshot import RepoSnapshot
from standards_check.values import list_or_empty

OPENSLO_V1 = "openslo/v1"
OPENSLO_V1ALPHA = "openslo/v1alpha"
OPENSLO_V2ALPHA = "openslo/v2alpha"
SLOTH_V1 = "sloth/prometheus-v1"
SLOTH_K8S = "sloth/kubernetes-v1"
SLO_GENERATOR_V2 = "slo-generator/v2"
SLO_GENERATOR_V1 = "slo-generator/v1"
PYRRA = "pyrra/v1alpha1"
KEPTN = "keptn"
PLAIN = "plain"
FORMATS = (OPENSLO_V1, OPENSLO_V1ALPHA, OPENSLO_V2ALPHA, SLOTH_V1, SLOTH_K8S,
           SLO_GENERATOR_V2, SLO_GENERATOR_V1, PYRRA, KEPTN, PLAIN)

# Directory names that hold SLO definitions; a file name "token" naming SLOs. A candidate matched
# only by "slo" somewhere in its name (slow-queries.yaml) counts only when its content is an SLO.
SLO_DIRS = frozenset({"slo", "slos", "openslo", "sloth", "slo-generator", "slo_generator", "pyrra"})
SLO_TOKENS = frozenset({"slo", "slos", "openslo", "sloth", "sli", "slis"})
WIDE_DIRS = frozenset({"monitoring", "observability"})
# Cheap text markers a file must contain before it is parsed at all (for candidates found only
# because they sit under monitoring/ or observability/).
_MARKERS = ("openslo", "prometheus/v1", "sloth.slok.dev", "sre.google.com", "pyrra.dev", "slo")
# What a file that does not parse must mention to be reported as a broken SLO file (and not, say,
# a Helm template of a deployment that happens to sit in a `sloth/` chart).
_BROKEN_MARKERS = ("openslo", "prometheus/v1", "PrometheusServiceLevel", "sre.google.com", "pyrra.dev",
                   "slos:", "objective", "slo_target", "target:")

_TOKEN_SPLIT = rx.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SloProblem:
    line: int | None
    message: str


@dataclass
class Slo:
    """One service level objective, with what is wrong with it (nothing when valid)."""

    path: str
    line: int | None
    format: str
    name: str
    problems: list[SloProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BrokenFile:
    """A file named like an SLO file that could not be read as YAML."""

    path: str
    line: int | None
    reason: str
    templated: bool  # Helm/Go templating: not evaluated rather than invalid


@dataclass
class SloFacts:
    slos: list[Slo] = field(default_factory=list)
    broken: list[BrokenFile] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)


def _name_tokens(name: str) -> set[str]:
    stem = name.rsplit(".", 1)[0]
    return set(_TOKEN_SPLIT.split(stem))


def _is_candidate(name: str, dirs: tuple[str, ...]) -> bool:
    return "slo" in name or bool(SLO_DIRS.intersection(dirs)) or bool(WIDE_DIRS.intersection(dirs))


def _is_strong(path: str) -> bool:
    """Named or placed as an SLO file: its parse errors and plain SLO shapes count."""
    *dirs, name = path.lower().split("/")
    return bool(SLO_TOKENS.intersection(_name_tokens(name)) or SLO_DIRS.intersection(dirs))


def parse_slos(snapshot: RepoSnapshot) -> SloFacts:
    facts = SloFacts(candidates=select_yaml(snapshot, ("slo", "monitoring", "observability", "pyrra"), _is_candidate))
    for path, text in read_candidates(snapshot, facts.candidates):
        strong = _is_strong(path)
        if text is None:
            if strong:  # an SLO file too large to read, or a link out: say so, never pass over it
                facts.broken.append(BrokenFile(path, None, f"not read: {snapshot.skipped[path]}", False))
            continue
        if not strong and not any(marker in text for marker in _MARKERS):
            continue
        try:
            documents = load_documents(text, source=path)
        except yamlio.YamlSyntaxError as exc:
            if strong and any(marker in text for marker in _BROKEN_MARKERS):
                facts.broken.append(BrokenFile(path, exc.line, exc.message, looks_templated(text)))
            continue
        for document in documents:
            facts.slos.extend(_slos_in(path, document, strong))
    return facts


def _slos_in(path: str, doc: YamlDocument, strong: bool) -> Iterator[Slo]:
    """The SLOs of one document; a top-level list (as OpenSLO's own examples use) is walked."""
    items: list[tuple[tuple, Any]]
    if isinstance(doc.data, list):
        items = [((index,), item) for index, item in enumerate(doc.data)]
    else:
        items = [((), doc.data)]
    found_any = False
    for prefix, item in items:
        if not isinstance(item, dict):
            continue
        for slo in _recognise(path, doc, prefix, item):
            found_any = True
            yield slo
    if not found_any and strong:
        yield from _plain(path, doc, items)


def _recognise(path: str, doc: YamlDocument, prefix: tuple, data: dict) -> Iterator[Slo]:
    api, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api, str) and api.startswith(("openslo/", "openslo.com/")) and kind == "SLO":
        version = api.rpartition("/")[2]
        fmt = {"v1": OPENSLO_V1, "v1alpha": OPENSLO_V1ALPHA, "v2alpha": OPENSLO_V2ALPHA}.get(version)
        if fmt is None:
            yield Slo(path, doc.line_of(*prefix), f"openslo/{version}", _meta_name(data),
                      [SloProblem(doc.line_of(*prefix, "apiVersion"), f"unknown OpenSLO version {api!r}")])
        else:
            yield _validated(fmt, path, doc, prefix, data, _meta_name(data))
    elif data.get("version") == "prometheus/v1":
        yield from _sloth(SLOTH_V1, path, doc, prefix, data, data, ())
    elif api == "sloth.slok.dev/v1" and kind == "PrometheusServiceLevel":
        spec = _dict(data.get("spec"))
        yield from _sloth(SLOTH_K8S, path, doc, prefix, data, spec, ("spec",))
    elif api == "sre.google.com/v2" and kind == "ServiceLevelObjective":
        yield _validated(SLO_GENERATOR_V2, path, doc, prefix, data, _meta_name(data))
    elif "slo_target" in data and ("backend" in data or "slo_name" in data):
        name = "-".join(str(data.get(k, "?")) for k in ("service_name", "feature_name", "slo_name"))
        yield _validated(SLO_GENERATOR_V1, path, doc, prefix, data, name)
    elif isinstance(api, str) and api.startswith("pyrra.dev/") and kind == "ServiceLevelObjective":
        yield _pyrra(path, doc, prefix, data)
    elif "spec_version" in data and "objectives" in data:
        yield from _keptn(path, doc, prefix, data)
    else:
        near = _near_miss(path, doc, prefix, data)
        if near is not None:
            yield near


# A document whose kind and fields are those of a format, with one detail wrong (an apiVersion
# no tool reads, a misspelt kind): still an SLO the team meant to write, reported by slo.valid.
# kind (lower case) -> (the format it looks like, the apiVersions its tools read, its fields)
_NEAR_KINDS: dict[str, tuple[str, tuple[str, ...], frozenset[str]]] = {
    "slo": (OPENSLO_V1, ("openslo/v1", "openslo/v1alpha"),
            frozenset({"service", "indicator", "indicatorref", "objectives", "timewindow", "budgetingmethod"})),
    "servicelevelobjective": (PYRRA, ("pyrra.dev/v1alpha1", "sre.google.com/v2"),
                              frozenset({"target", "window", "indicator", "goal", "backend", "method",
                                         "service_level_indicator", "description"})),
    "prometheusservicelevel": (SLOTH_K8S, ("sloth.slok.dev/v1",), frozenset({"service", "slos", "labels"})),
}
_SLOTH_FIELDS = frozenset({"service", "slos", "labels"})


def _near_miss(path: str, doc: YamlDocument, prefix: tuple, data: dict) -> Slo | None:
    api, kind = data.get("apiVersion"), data.get("kind")
    version = data.get("version")
    if isinstance(version, str) and version.startswith("prometheus/") and len(_SLOTH_FIELDS & set(data)) >= 2:
        return Slo(path, doc.line_of(*prefix), SLOTH_V1, str(data.get("service") or "(unnamed)"),
                   [SloProblem(doc.line_of(*prefix, "version"),
                               f"version {version!r} is not one Sloth reads (it reads 'prometheus/v1')")])
    if not isinstance(kind, str) or kind.lower() not in _NEAR_KINDS:
        return None
    fmt, apis, fields = _NEAR_KINDS[kind.lower()]
    spec = data.get("spec")
    present = {str(k).lower() for k in (spec if isinstance(spec, dict) else {})}
    if len(present & fields) < 2:
        return None  # a kind alone is not enough: two of the format's fields
    if fmt == PYRRA and "goal" in present:
        fmt, apis = SLO_GENERATOR_V2, ("sre.google.com/v2",)
    if isinstance(api, str) and api in apis:  # the right apiVersion: the kind is what is wrong
        detail = (doc.line_of(*prefix, "kind"), f"kind {kind!r} is not one {_TOOL[fmt]} reads "
                                                  f"(expected {_KIND[fmt]!r})")
    else:
        detail = (doc.line_of(*prefix, "apiVersion"), f"apiVersion {api!r} is not one {_TOOL[fmt]} reads "
                                                        f"(expected {' or '.join(repr(a) for a in apis)})")
    return Slo(path, doc.line_of(*prefix), fmt, _meta_name(data), [SloProblem(*detail)])


_TOOL = {OPENSLO_V1: "OpenSLO", PYRRA: "Pyrra", SLO_GENERATOR_V2: "slo-generator", SLOTH_K8S: "Sloth"}
_KIND = {OPENSLO_V1: "SLO", PYRRA: "ServiceLevelObjective", SLO_GENERATOR_V2: "ServiceLevelObjective",
         SLOTH_K8S: "PrometheusServiceLevel"}


def _meta_name(data: dict) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return str(name) if name else "(unnamed)"


# ---- schema validation -----------------------------------------------------------------------

_SCHEMA_FILES = {
    OPENSLO_V1: "openslo-v1-slo.schema.json",
    OPENSLO_V1ALPHA: "openslo-v1alpha-slo.schema.json",
    SLOTH_V1: "sloth-prometheus-v1.schema.json",
    SLOTH_K8S: "sloth-k8s-v1.schema.json",
    SLO_GENERATOR_V2: "slo-generator-v2.schema.json",
    SLO_GENERATOR_V1: "slo-generator-v1.schema.json",
}


@lru_cache(maxsize=None)
def _validator(fmt: str) -> Any:
    import jsonschema  # imported when an SLO is found, not at start-up

    schema = json.loads(schema_path("slo/" + _SCHEMA_FILES[fmt]).read_text())
    return jsonschema.Draft202012Validator(schema)


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def schema_problems(fmt: str, doc: YamlDocument, prefix: tuple, data: Any) -> list[tuple[tuple, SloProblem]]:
    """(where, problem) for each error our JSON Schema for `fmt` finds in `data` at `prefix` in `doc`."""
    problems = []
    for error in _validator(fmt).iter_errors(data):
        where = tuple(error.absolute_path)
        full = prefix + where
        problems.append((where, SloProblem(doc.line_of(*full), f"{_dotted(full)}: {error.message}")))
    return problems


def _validated(fmt: str, path: str, doc: YamlDocument, prefix: tuple, data: dict, name: str) -> Slo:
    problems = [p for _, p in schema_problems(fmt, doc, prefix, data)] if fmt in _SCHEMA_FILES else []
    rules = _RULES.get(fmt)
    if rules is not None:
        problems.extend(rules(_At(doc, prefix), data))
    return Slo(path, doc.line_of(*prefix), fmt, name, _sorted(problems))


def _sorted(problems: list[SloProblem]) -> list[SloProblem]:
    unique = {(p.line or 0, p.message): p for p in problems}
    return [unique[key] for key in sorted(unique)]


class _At:
    """Builds located problems for paths inside one document."""

    def __init__(self, doc: YamlDocument, prefix: tuple) -> None:
        self.doc, self.prefix = doc, prefix

    def problem(self, path: tuple, message: str) -> SloProblem:
        full = self.prefix + tuple(path)
        return SloProblem(self.doc.line_of(*full), f"{_dotted(full)}: {message}")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


# ---- OpenSLO ---------------------------------------------------------------------------------

def _openslo_v1_rules(at: _At, data: dict) -> list[SloProblem]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return []
    out: list[SloProblem] = []
    objectives = list_or_empty(spec.get("objectives"))
    composite = any(isinstance(o, dict) and ("indicator" in o or "indicatorRef" in o) for o in objectives)
    has_ind, has_ref = "indicator" in spec, "indicatorRef" in spec
    if has_ind and has_ref:
        out.append(at.problem(("spec",), "set only one of indicator and indicatorRef"))
    elif not (has_ind or has_ref) and not composite:
        out.append(at.problem(("spec",), "an indicator or an indicatorRef is required"))
    elif (has_ind or has_ref) and composite:
        out.append(at.problem(("spec",), "a composite SLO declares its indicators only in objectives, not on the SLO"))
    if has_ind:
        out.extend(_openslo_v1_indicator(at, ("spec", "indicator"), spec["indicator"]))
    if "objectives" in spec and isinstance(spec["objectives"], list) and not objectives:
        out.append(at.problem(("spec", "objectives"), "at least one objective is required"))
    method = spec.get("budgetingMethod")
    for index, objective in enumerate(objectives):
        if not isinstance(objective, dict):
            continue
        where = ("spec", "objectives", index)
        if ("target" in objective) == ("targetPercent" in objective):
            out.append(at.problem(where, "set exactly one of target and targetPercent"))
        if method == "Timeslices":
            for key in ("timeSliceTarget", "timeSliceWindow"):
                if key not in objective:
                    out.append(at.problem(where, f"{key} is required when budgetingMethod is Timeslices"))
        elif method == "RatioTimeslices" and "timeSliceWindow" not in objective:
            out.append(at.problem(where, "timeSliceWindow is required when budgetingMethod is RatioTimeslices"))
        if composite:
            if ("indicator" in objective) == ("indicatorRef" in objective):
                out.append(at.problem(where, "each objective of a composite SLO sets exactly one of indicator and indicatorRef"))
            if "indicator" in objective:
                out.extend(_openslo_v1_indicator(at, where + ("indicator",), objective["indicator"]))
    for index, window in enumerate(list_or_empty(spec.get("timeWindow"))):
        # as the v1 JSON Schema has it: a calendar is required once isRolling is given and not true
        if isinstance(window, dict) and "isRolling" in window and window["isRolling"] is not True \
                and "calendar" not in window:
            out.append(at.problem(("spec", "timeWindow", index),
                                  "a window that is not rolling (isRolling: false) needs a calendar"))
    return out


def _openslo_v1_indicator(at: _At, where: tuple, indicator: Any) -> list[SloProblem]:
    if not isinstance(indicator, dict):
        return []
    spec = indicator.get("spec")
    if not isinstance(spec, dict):
        return [at.problem(where, "the indicator needs a spec with a thresholdMetric or a ratioMetric")]
    out = []
    if ("thresholdMetric" in spec) == ("ratioMetric" in spec):
        out.append(at.problem(where + ("spec",), "set exactly one of thresholdMetric and ratioMetric"))
    ratio = spec.get("ratioMetric")
    if not isinstance(ratio, dict):
        return out
    at_ratio = where + ("spec", "ratioMetric")
    if "raw" in ratio:  # a precomputed ratio (newer v1 text): rawType, and none of good/bad/total
        if "rawType" not in ratio:
            out.append(at.problem(at_ratio, "rawType (success or failure) is required with raw"))
        if any(k in ratio for k in ("good", "bad", "total")):
            out.append(at.problem(at_ratio, "raw cannot be used together with good, bad or total"))
        return out
    for key in ("counter", "total"):
        if key not in ratio:
            out.append(at.problem(at_ratio, f"{key} is required"))
    if ("good" in ratio) == ("bad" in ratio):
        out.append(at.problem(at_ratio, "set exactly one of good and bad"))
    return out


def _openslo_v1alpha_rules(at: _At, data: dict) -> list[SloProblem]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return []
    out = []
    objectives = list_or_empty(spec.get("objectives"))
    has_ratio = any(isinstance(o, dict) and "ratioMetrics" in o for o in objectives)
    if has_ratio and "indicator" in spec:
        out.append(at.problem(("spec",), "only one of indicator and objectives[*].ratioMetrics can be set"))
    if not has_ratio and "indicator" not in spec:
        out.append(at.problem(("spec",), "one of indicator or objectives[*].ratioMetrics must be set"))
    for index, objective in enumerate(objectives):
        if not isinstance(objective, dict):
            continue
        where = ("spec", "objectives", index)
        if "ratioMetrics" in objective and "op" in objective:
            out.append(at.problem(where, "op is forbidden when ratioMetrics is set"))
        if "ratioMetrics" not in objective and "op" not in objective:
            out.append(at.problem(where, "op is required when the SLO uses a thresholdMetric"))
        if spec.get("budgetingMethod") == "Timeslices" and "timeSliceTarget" not in objective:
            out.append(at.problem(where, "timeSliceTarget is required when budgetingMethod is Timeslices"))
    for index, window in enumerate(list_or_empty(spec.get("timeWindows"))):
        if not isinstance(window, dict):
            continue
        rolling, calendar = window.get("isRolling") is True, window.get("calendar") is not None
        if rolling and calendar:
            out.append(at.problem(("spec", "timeWindows", index), "calendar cannot be set when isRolling is true"))
        if not rolling and not calendar:
            out.append(at.problem(("spec", "timeWindows", index), "calendar must be set when isRolling is false"))
    return out


def _openslo_v2alpha_rules(at: _At, data: dict) -> list[SloProblem]:
    """No published schema for v2alpha: the explicit rules (target, indicator) only."""
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return [at.problem((), "an SLO needs a spec")]
    out = []
    objectives = list_or_empty(spec.get("objectives"))
    if not objectives:
        out.append(at.problem(("spec",), "at least one objective is required"))
    if not any(k in spec for k in ("sli", "sliRef", "indicator", "indicatorRef")) and not any(
        isinstance(o, dict) and any(k in o for k in ("sli", "sliRef", "indicator", "indicatorRef")) for o in objectives
    ):
        out.append(at.problem(("spec",), "an indicator (sli or sliRef) is required"))
    for index, objective in enumerate(objectives):
        if isinstance(objective, dict):
            out.extend(_target_problems(at, ("spec", "objectives", index), objective, fraction_only=True))
    return out


# ---- Sloth -----------------------------------------------------------------------------------

# Sloth's own rules (pkg/common/validation/slo.go, pkg/common/conventions/conventions.go).
_SLOTH_NAME = rx.compile(r"^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$")
_SLOTH_WINDOW = rx.compile(r"{{ *\.window *}}")
_SNAKE = {"error_query": "error_query", "total_query": "total_query", "error_ratio_query": "error_ratio_query",
          "page_alert": "page_alert", "ticket_alert": "ticket_alert", "slo_plugins": "slo_plugins"}
_CAMEL = {"error_query": "errorQuery", "total_query": "totalQuery", "error_ratio_query": "errorRatioQuery",
          "page_alert": "pageAlert", "ticket_alert": "ticketAlert", "slo_plugins": "sloPlugins"}


def _sloth(fmt: str, path: str, doc: YamlDocument, prefix: tuple, data: dict, spec: dict,
           spec_path: tuple) -> Iterator[Slo]:
    """One Slo per entry of `slos`; problems of the file as a whole go to the first (or a stand-in)."""
    at = _At(doc, prefix)
    keys = _CAMEL if fmt == SLOTH_K8S else _SNAKE
    slos_path = spec_path + ("slos",)
    entries = list_or_empty(spec.get("slos"))
    per_slo: dict[int, list[SloProblem]] = {i: [] for i in range(len(entries))}
    file_level: list[SloProblem] = []
    for where, problem in schema_problems(fmt, doc, prefix, data):
        # a problem inside one SLO belongs to that SLO; others to the file (reported on the first)
        inside = len(where) > len(slos_path) and where[: len(slos_path)] == slos_path
        if inside and where[len(slos_path)] in per_slo:
            per_slo[where[len(slos_path)]].append(problem)
        else:
            file_level.append(problem)
    service = spec.get("service")
    if isinstance(service, str) and not _SLOTH_NAME.match(service):
        file_level.append(at.problem(spec_path + ("service",),
                                     "the service name must start and end with a letter or digit and contain only letters, digits, '.', '_' and '-'"))
    if not entries:
        if not any("slos" in p.message for p in file_level):
            file_level.append(at.problem(slos_path, "at least one SLO is required"))
        yield Slo(path, doc.line_of(*prefix), fmt, str(service or "(unnamed)"), _sorted(file_level))
        return
    for index, entry in enumerate(entries):
        where = slos_path + (index,)
        problems = per_slo[index] + (file_level if index == 0 else [])
        if isinstance(entry, dict):
            problems.extend(_sloth_slo_rules(at, where, entry, keys))
            name = str(entry.get("name") or "(unnamed)")
        else:
            name = "(not a mapping)"
        yield Slo(path, doc.line_of(*prefix, *where), fmt, f"{service}/{name}", _sorted(problems))


def _sloth_slo_rules(at: _At, where: tuple, slo: dict, keys: dict[str, str]) -> list[SloProblem]:
    out = []
    name = slo.get("name")
    if isinstance(name, str) and not _SLOTH_NAME.match(name):
        out.append(at.problem(where + ("name",), "an SLO name must start and end with a letter or digit and contain only letters, digits, '.', '_' and '-'"))
    objective = _number(slo.get("objective"))
    if objective is not None and not 0 < objective <= 100:
        out.append(at.problem(where + ("objective",), f"the objective must be greater than 0 and at most 100 (a percentage), not {slo['objective']}"))
    sli = slo.get("sli")
    if isinstance(sli, dict):
        kinds = [k for k in ("events", "raw", "plugin") if sli.get(k) is not None]
        if len(kinds) != 1:
            out.append(at.problem(where + ("sli",), "set exactly one SLI type: events, raw or plugin"))
        events, raw = _dict(sli.get("events")), _dict(sli.get("raw"))
        for key in (keys["error_query"], keys["total_query"]):
            query = events.get(key)
            if isinstance(query, str) and not _SLOTH_WINDOW.search(query):
                out.append(at.problem(where + ("sli", "events", key), "the query must use the {{.window}} template variable"))
        if events and events.get(keys["error_query"]) == events.get(keys["total_query"]) and events.get(keys["error_query"]):
            out.append(at.problem(where + ("sli", "events"), "the error and total queries cannot be the same"))
        query = raw.get(keys["error_ratio_query"])
        if isinstance(query, str) and not _SLOTH_WINDOW.search(query):
            out.append(at.problem(where + ("sli", "raw", keys["error_ratio_query"]), "the query must use the {{.window}} template variable"))
    alerting = slo.get("alerting")
    if isinstance(alerting, dict):
        page, ticket = _dict(alerting.get(keys["page_alert"])), _dict(alerting.get(keys["ticket_alert"]))
        if not alerting.get("name") and not (page.get("disable") is True and ticket.get("disable") is True):
            out.append(at.problem(where + ("alerting",), "an alert name is required unless both the page and ticket alerts are disabled"))
    return out


# ---- Pyrra and plain documents: explicit rules ----------------------------------------------

_PROM_DURATION = rx.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
_DURATION = rx.compile(
    r"^(\d+(\.\d+)?\s*(ms|s|m|h|d|w|y|M|Q|Y|sec|secs|seconds?|min|mins|minutes?|hours?|days?|weeks?|months?|quarters?|years?))+$"
    r"|^P(\d+[YMWD])+(T(\d+[HMS])+)?$"
    r"|^(daily|weekly|monthly|quarterly|yearly|annually|day|week|month|quarter|year|calendar[ _-]?month|rolling[ _-]?\d+[ _-]?d(ays)?)$",
    rx.IGNORECASE,
)

TARGET_KEYS = ("target", "objective", "slo_target", "sloTarget", "goal", "targetPercent", "target_percent",
               "availability_target", "slo")
# Windows and indicators are recognised by the words of a key (`slo_window_days`, `rollingPeriod`,
# `sli_query`, `good_events`); targets only by exact names, as "target" alone also names latency
# thresholds (`latency_target: 300ms`) that are no SLO target.
_WINDOW_WORDS = frozenset({"window", "windows", "period", "duration", "timewindow", "timewindows"})
_INDICATOR_WORDS = frozenset({"sli", "slis", "indicator", "indicatorref", "query", "queries", "ratio", "expr",
                              "expression", "metric", "metrics", "good", "bad", "events", "filter",
                              "measurement", "promql"})
_CAMEL_BOUNDARY = rx.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT = rx.compile(r"[^a-z0-9]+")


def _words(key: Any) -> set[str]:
    return {w for w in _WORD_SPLIT.split(_CAMEL_BOUNDARY.sub(r"\1_\2", str(key)).lower()) if w}


def _is_window_key(key: Any) -> bool:
    return bool(_words(key) & _WINDOW_WORDS)


def _is_indicator_key(key: Any) -> bool:
    return bool(_words(key) & _INDICATOR_WORDS) and not _is_window_key(key)


_LIST_KEYS = ("slos", "objectives", "service_level_objectives", "serviceLevelObjectives")


def _pyrra(path: str, doc: YamlDocument, prefix: tuple, data: dict) -> Slo:
    at = _At(doc, prefix)
    spec = data.get("spec")
    out = []
    if not isinstance(spec, dict):
        out.append(at.problem((), "an SLO needs a spec"))
        return Slo(path, doc.line_of(*prefix), PYRRA, _meta_name(data), out)
    out.extend(_target_problems(at, ("spec",), spec, percent_only=True))
    window = spec.get("window")
    if window is None:
        out.append(at.problem(("spec",), "a window (e.g. 4w) is required"))
    elif not (isinstance(window, str) and _PROM_DURATION.match(window)):
        out.append(at.problem(("spec", "window"), f"the window {window!r} is not a Prometheus duration such as 28d or 4w"))
    indicator = spec.get("indicator")
    kinds = [k for k in ("ratio", "latency", "latencyNative", "boolGauge") if k in _dict(indicator)]
    if not isinstance(indicator, dict):
        out.append(at.problem(("spec",), "an indicator (ratio, latency, latencyNative or boolGauge) is required"))
    elif len(kinds) != 1:
        out.append(at.problem(("spec", "indicator"), "set exactly one of ratio, latency, latencyNative and boolGauge"))
    return Slo(path, doc.line_of(*prefix), PYRRA, _meta_name(data), _sorted(out))


# Keptn quality gates (keptn/spec, sre.md "Service Level Objective"): criteria such as "<600",
# "<=+10%", ">=-5%"; a total score as a percentage.
_KEPTN_CRITERION = rx.compile(r"^\s*(<=|>=|<|>|=)\s*[+-]?\d+(\.\d+)?%?\s*$")
_PERCENT = rx.compile(r"^\s*\d+(\.\d+)?\s*%?\s*$")


def _keptn(path: str, doc: YamlDocument, prefix: tuple, data: dict) -> Iterator[Slo]:
    """One Slo per objective (an SLI with pass/warning criteria); file-level problems on the first."""
    at = _At(doc, prefix)
    file_level = []
    if not isinstance(data.get("spec_version"), (str, int, float)) or isinstance(data.get("spec_version"), bool):
        file_level.append(at.problem(("spec_version",), "spec_version must be a version string such as '1.0'"))
    score = data.get("total_score")
    if score is not None:
        for key in ("pass", "warning"):
            value = _dict(score).get(key)
            if value is not None and not (isinstance(value, (str, int, float)) and _PERCENT.match(str(value))):
                file_level.append(at.problem(("total_score", key), f"{value!r} is not a percentage such as '90%'"))
    objectives = data.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        yield Slo(path, doc.line_of(*prefix), KEPTN, path,
                  _sorted(file_level + [at.problem(("objectives",), "at least one objective is required")]))
        return
    for index, objective in enumerate(objectives):
        where = ("objectives", index)
        problems = list(file_level) if index == 0 else []
        if not isinstance(objective, dict):
            problems.append(at.problem(where, "an objective must be a mapping with an sli"))
            yield Slo(path, doc.line_of(*prefix, *where), KEPTN, "(not a mapping)", _sorted(problems))
            continue
        sli = objective.get("sli")
        if not isinstance(sli, str) or not sli.strip():
            problems.append(at.problem(where, "each objective names its indicator in sli"))
        for level in ("pass", "warning"):
            for c_index, block in enumerate(list_or_empty(objective.get(level))):
                for k, criterion in enumerate(list_or_empty(_dict(block).get("criteria"))):
                    if not (isinstance(criterion, str) and _KEPTN_CRITERION.match(criterion)):
                        problems.append(at.problem(where + (level, c_index, "criteria", k),
                                                   f"{criterion!r} is not a criterion such as '<600' or '<=+10%'"))
        weight = objective.get("weight")
        if weight is not None and (_number(weight) is None or weight < 0):
            problems.append(at.problem(where + ("weight",), "weight must be a number of 0 or more"))
        yield Slo(path, doc.line_of(*prefix, *where), KEPTN, str(sli or "(unnamed)"), _sorted(problems))


def _plain(path: str, doc: YamlDocument, items: list[tuple[tuple, Any]]) -> Iterator[Slo]:
    """SLOs of a plain document: lists or mappings of entries that set a target (`slos:`,
    `services:`), a top-level list of SLOs, or one SLO mapping. Window and indicator keys at the
    top of the document are inherited by its entries."""
    for prefix, item in items:
        if not isinstance(item, dict):
            continue
        keys = [k for k in _LIST_KEYS if k in item] + [k for k in item if k not in _LIST_KEYS]
        found = False
        inherited = {k: v for k, v in item.items() if _is_window_key(k) or _is_indicator_key(k)}
        for list_key in keys:
            entries = item[list_key]
            pairs = list(entries.items() if isinstance(entries, dict) else enumerate(entries)) \
                if isinstance(entries, (dict, list)) else []
            if not any(isinstance(e, dict) and any(k in e for k in TARGET_KEYS) for _, e in pairs) \
                    and list_key not in _LIST_KEYS:
                continue
            for key, entry in pairs:
                if isinstance(entry, dict):
                    found = True
                    yield _plain_slo(path, doc, prefix + (list_key, key), entry, inherited, str(key))
        if not found and any(k in item for k in TARGET_KEYS):
            yield _plain_slo(path, doc, prefix, item, {}, "")


def _plain_slo(path: str, doc: YamlDocument, prefix: tuple, entry: dict, inherited: dict, key: str) -> Slo:
    at = _At(doc, prefix)
    # look one level into nested mappings too: `objective: {target: 0.99, window: 28d}`, `spec: {...}`
    scope: dict[str, tuple[tuple, Any]] = {}
    for k, v in entry.items():
        scope.setdefault(str(k), ((k,), v))
    for k, v in entry.items():
        if isinstance(v, dict) and not _is_indicator_key(k):
            for kk, vv in v.items():
                scope.setdefault(str(kk), ((k, kk), vv))
    out: list[SloProblem] = []
    target_key = next((k for k in TARGET_KEYS if k in scope and not isinstance(scope[k][1], dict)), None)
    if target_key is None:
        out.append(at.problem((), "no target or objective is set (e.g. target: 0.999 or objective: 99.9)"))
    else:
        where, value = scope[target_key]
        message = _target_message(value, fraction_only=False, percent_only=False)
        if message:
            out.append(at.problem(where, message))
    window_keys = [k for k in scope if _is_window_key(k)]
    if not window_keys and not any(_is_window_key(k) for k in inherited):
        out.append(at.problem((), "no time window is set (e.g. window: 28d)"))
    for window_key in window_keys[:1]:
        where, value = scope[window_key]
        if not _window_ok(value):
            out.append(at.problem(where, f"the time window {value!r} is not a duration such as 28d, 4w or 1M"))
    has_indicator = any(_is_indicator_key(k) and v not in (None, "", [], {}) for k, (_, v) in scope.items())
    if not has_indicator and not any(_is_indicator_key(k) for k in inherited):
        out.append(at.problem((), "no indicator is set (an sli, indicator or query saying what is measured)"))
    name = entry.get("name") or entry.get("title") or entry.get("id") or key or "(unnamed)"
    return Slo(path, doc.line_of(*prefix), PLAIN, str(name), _sorted(out))


def _window_ok(value: Any) -> bool:
    if isinstance(value, bool) or value in (None, "", [], {}):
        return False
    if isinstance(value, (int, float)):
        return value > 0
    if isinstance(value, str):
        return bool(_DURATION.match(value.strip()))
    return True  # a structured window (list or mapping) is taken as given


def _parse_target(value: Any) -> tuple[float | None, bool]:
    """(number, written as a percent) from 0.999, 99.9, "99.9" or "99.9%"."""
    number = _number(value)
    if number is not None:
        return number, False
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        try:
            return float(text.rstrip("%").strip()), percent
        except ValueError:
            return None, percent
    return None, False


def _target_message(value: Any, fraction_only: bool, percent_only: bool) -> str | None:
    number, percent = _parse_target(value)
    if number is None or math.isnan(number):
        return f"the target {value!r} is not a number"
    if percent or percent_only:
        return None if 0 < number < 100 else f"the target {value!r} must lie strictly between 0 and 100 (percent)"
    if fraction_only:
        return None if 0 < number < 1 else f"the target {value!r} must lie strictly between 0 and 1"
    if 0 < number < 1 or 1 <= number < 100:
        return None
    return f"the target {value!r} must lie strictly between 0 and 1, or between 0 and 100 as a percentage"


def _target_problems(at: _At, where: tuple, holder: dict, fraction_only: bool = False,
                     percent_only: bool = False) -> list[SloProblem]:
    key = next((k for k in ("target", "targetPercent", "objective") if k in holder), None)
    if key is None:
        return [at.problem(where, "a target is required")]
    pct = percent_only or key == "targetPercent"
    message = _target_message(holder[key], fraction_only and not pct, pct)
    return [at.problem(where + (key,), message)] if message else []


_RULES: dict[str, Callable[[_At, dict], list[SloProblem]]] = {
    OPENSLO_V1: _openslo_v1_rules,
    OPENSLO_V1ALPHA: _openslo_v1alpha_rules,
    OPENSLO_V2ALPHA: _openslo_v2alpha_rules,
}
