"""Reliability checks: SLOs that exist and are valid, alerts that link runbooks.

Pure functions of the facts `slo` (facts/slo.py) and `alerts` (facts/alerts.py) and the params.
"""
from __future__ import annotations

from collections import Counter

from standards_check.context import CheckContext
from standards_check.facts.alerts import AlertFacts
from standards_check.facts.slo import FORMATS, SloFacts
from standards_check.model import Location, Outcome
from standards_check.text import plural

MAX_LOCATIONS = 50

_FORMAT_NAMES = {
    "openslo/v1": "OpenSLO v1", "openslo/v1alpha": "OpenSLO v1alpha", "openslo/v2alpha": "OpenSLO v2alpha",
    "sloth/prometheus-v1": "Sloth prometheus/v1", "sloth/kubernetes-v1": "Sloth PrometheusServiceLevel",
    "slo-generator/v2": "slo-generator v2", "slo-generator/v1": "slo-generator v1",
    "pyrra/v1alpha1": "Pyrra", "keptn": "Keptn", "plain": "plain SLO",
}


def _more(total: int) -> str:
    return f" (first {MAX_LOCATIONS} listed)" if total > MAX_LOCATIONS else ""


def slo_present(ctx: CheckContext, params: dict) -> Outcome:
    facts: SloFacts = ctx.fact("slo")
    accepted = set(params.get("formats") or FORMATS)
    slos = [s for s in facts.slos if s.format in accepted]
    if slos:
        by_format = Counter(_FORMAT_NAMES.get(s.format, s.format) for s in slos)
        kinds = ", ".join(f"{n} {name}" for name, n in sorted(by_format.items()))
        files = sorted({s.path for s in slos})
        return Outcome.passed(
            f"Found {plural(len(slos), 'SLO')} in {plural(len(files), 'file')} ({kinds}).",
            [Location(p, next(s.line for s in slos if s.path == p)) for p in files[:MAX_LOCATIONS]],
        )
    others = [s for s in facts.slos if s.format not in accepted]
    if others:
        found = ", ".join(sorted({_FORMAT_NAMES.get(s.format, s.format) for s in others}))
        return Outcome.failed(
            f"Found SLOs only in formats the policy does not accept ({found}).",
            [Location(s.path, s.line) for s in others[:MAX_LOCATIONS]],
        )
    if facts.broken:
        return Outcome.failed(
            f"No SLO could be read: {plural(len(facts.broken), 'file')} named like SLO files "
            f"could not be read as YAML (first: {facts.broken[0].path}: {facts.broken[0].reason}).",
            [Location(b.path, b.line) for b in facts.broken[:MAX_LOCATIONS]],
        )
    return Outcome.failed(
        "No SLO definitions found (looked for OpenSLO, Sloth, slo-generator, Pyrra, Keptn and slo.yaml/slos/ files)."
    )


def slo_valid(ctx: CheckContext, params: dict) -> Outcome:
    facts: SloFacts = ctx.fact("slo")
    slos = facts.slos
    broken = [b for b in facts.broken if not b.templated]
    templated = [b for b in facts.broken if b.templated]
    total = len(slos) + len(broken)
    if total == 0:
        if templated:
            return Outcome.errored(
                f"{plural(len(templated), 'SLO file')} are templates (Helm/Go {{{{ }}}}) that do not parse "
                f"until rendered, so they were not validated.",
                [Location(b.path, b.line) for b in templated[:MAX_LOCATIONS]],
            )
        return Outcome.skipped("No SLO definitions found, so there is nothing to validate.")
    invalid = [s for s in slos if not s.valid]
    bad = len(invalid) + len(broken)
    locations = [Location(b.path, b.line) for b in broken]
    for slo in invalid:
        locations.extend(Location(slo.path, p.line) for p in slo.problems)
    if bad == 0:
        note = f"; {plural(len(templated), 'templated file')} not evaluated" if templated else ""
        what = "The SLO is valid for its format" if total == 1 else f"All {total} SLOs are valid for their format"
        return Outcome.passed(f"{what}{note}.")
    if invalid:
        first = invalid[0]
        problem = first.problems[0]
        detail = f"first: {Location(first.path, problem.line)} {problem.message}"
    else:
        detail = f"first: {Location(broken[0].path, broken[0].line)} {broken[0].reason}"
    return Outcome.partial(
        (total - bad) / total,
        f"{bad} of {plural(total, 'SLO')} are invalid{_more(len(locations))}; {detail}.",
        locations[:MAX_LOCATIONS],
    )


def alerts_runbook_links(ctx: CheckContext, params: dict) -> Outcome:
    facts: AlertFacts = ctx.fact("alerts")
    names = [params.get("annotation") or "runbook_url", *(params.get("also_accept") or [])]
    rules = facts.rules
    skipped_note = ""
    if facts.not_evaluated:
        skipped_note = (f"; {plural(len(facts.not_evaluated), 'file')} not evaluated "
                        f"(templates or invalid YAML, first: {facts.not_evaluated[0].path})")
    if not rules:
        if facts.not_evaluated:
            return Outcome.errored(
                f"Alerting rules could not be read: {plural(len(facts.not_evaluated), 'file')} that look like "
                f"rule files are templates or invalid YAML (first: {facts.not_evaluated[0].path}).",
                [Location(n.path, n.line) for n in facts.not_evaluated[:MAX_LOCATIONS]],
            )
        if facts.excluded:
            return Outcome.skipped(
                f"The repository defines no Prometheus alerting rules of its own ({plural(len(facts.excluded), 'file')} "
                f"left out as examples, fixtures, vendored or generated code, or by `exclude:` in .standards.yml; "
                f"first: {facts.excluded[0]}).")
        return Outcome.skipped("The repository defines no Prometheus alerting rules.")
    missing = [r for r in rules if not r.has_any_annotation(names)]
    wanted = " or ".join(f"`{n}`" for n in names)
    if not missing:
        what = "The alerting rule carries" if len(rules) == 1 else f"All {len(rules)} alerting rules carry"
        return Outcome.passed(f"{what} a {wanted} annotation{skipped_note}.")
    examples = ", ".join(list(dict.fromkeys(r.name for r in missing))[:3])
    return Outcome.partial(
        (len(rules) - len(missing)) / len(rules),
        f"{len(missing)} of {plural(len(rules), 'alerting rule')} have no {wanted} annotation "
        f"(e.g. {examples}){_more(len(missing))}{skipped_note}.",
        [Location(r.path, r.line) for r in missing[:MAX_LOCATIONS]],
    )


EVALUATORS = {
    "slo.present": slo_present,
    "slo.valid": slo_valid,
    "alerts.runbook_links": alerts_runbook_links,
}
