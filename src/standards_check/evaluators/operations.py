"""Operations checks: runbooks, on-call, incident reviews, and catalog ownership.

runbook.present, runbook.sections, runbook.fresh, oncall.defined, incident.postmortem_template,
catalog.owner. Pure functions of (facts, params) -> Outcome; facts from `facts/runbooks.py` and
`facts/catalog_info.py`, history from `facts/history.py` (one `git log` call).
"""
from __future__ import annotations

from standards_check import rx

from standards_check.context import CheckContext
from standards_check.evaluators.wording import all_of, day, verb
from standards_check.text import plural
from standards_check.facts import history
from standards_check.facts.catalog_info import CatalogInfo
from standards_check.facts.markdown import MarkdownDoc, normalise_heading
from standards_check.facts.runbooks import (
    ONCALL_ANNOTATIONS, SECTION_SYNONYMS, IncidentDocs, Runbook, RunbookSet, parse_runbooks,
)
from standards_check.model import Location, Outcome

_SHOWN = 5


def _list(items: list[str], limit: int = _SHOWN) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _has_text(doc: MarkdownDoc | None) -> bool:
    """A document with at least one line of prose or list beyond its headings."""
    if doc is None:
        return False
    heading_lines = {h.line for h in doc.headings}
    return any(line.strip() and number not in heading_lines and not set(line.strip()) <= set("=-#~*_ ")
               for number, line in enumerate(doc.lines, start=1) if number >= doc.body_start)


def _runbooks(ctx: CheckContext, params: dict) -> RunbookSet:
    extra = [p for p in params.get("paths") or [] if isinstance(p, str) and p.strip("/")]
    if extra:
        return parse_runbooks(ctx.snapshot, extra, catalog=ctx.fact("catalog_info"))
    return ctx.fact("runbooks")


def _written(runbooks: RunbookSet) -> list[Runbook]:
    return [r for r in runbooks.runbooks if _has_text(r.doc)]


# ---- runbook.present -------------------------------------------------------------------------------

def evaluate_runbook_present(ctx: CheckContext, params: dict) -> Outcome:
    runbooks = _runbooks(ctx, params)
    written = _written(runbooks)
    if written:
        paths = [r.path for r in written]
        how = [f"{r.path} ({r.source})" for r in written if r.source.startswith(("linked from", "content:"))]
        evidence = f"; found by what points at them or what they say: {_list(how)}" if how else ""
        return Outcome.passed(f"Found {plural(len(paths), 'runbook')}: {_list(paths)}{evidence}.",
                              [Location(p) for p in paths])
    if runbooks.links and params.get("allow_catalog_links", True):
        link = runbooks.links[0]
        return Outcome.passed(f"{link.path} links a runbook kept elsewhere: {link.url}.",
                              [Location(lk.path, lk.line) for lk in runbooks.links])
    if runbooks.collection:
        readme, title = runbooks.collection
        return Outcome.passed(f"The repository is a runbook collection ({readme}: '{title}').", [Location(readme)])
    empty = [r.path for r in runbooks.runbooks]
    if empty:
        return Outcome.failed(f"{_list(empty)} {'is' if len(empty) == 1 else 'are'} empty: a runbook needs "
                              "written steps.", [Location(p) for p in empty], score=0.25)
    if runbooks.scripts_only:
        return Outcome.failed(f"{_list(runbooks.scripts_only)} holds automation scripts but no written runbook "
                              "(a Markdown page of symptoms, diagnosis and mitigation).",
                              [Location(d) for d in runbooks.scripts_only])
    return Outcome.failed("No runbook found (looked for RUNBOOK.md, runbooks/, docs/runbooks/, docs/runbook*, "
                          "runbook links in catalog-info.yaml and alert rules, and documents with diagnosis, "
                          "mitigation and escalation sections; examples, fixtures and vendored code are not "
                          "the repository's own).")


# ---- runbook.sections ------------------------------------------------------------------------------

def _section_spec(item: str) -> tuple[str, tuple[str, ...]]:
    """'mitigation' -> built-in synonyms; 'rollback|roll back' -> the name and its alternatives."""
    names = [n.strip() for n in str(item).split("|") if n.strip()]
    name = names[0] if names else str(item)
    synonyms = set(SECTION_SYNONYMS.get(name.lower(), ())) | {normalise_heading(n) for n in names}
    return name, tuple(sorted(s for s in synonyms if s))


def _matches(heading_words: str, synonyms: tuple[str, ...]) -> bool:
    padded = f" {heading_words} "
    for synonym in synonyms:
        words = normalise_heading(synonym)
        if f" {words} " in padded or f" {words}s " in padded:  # "Emergency Procedures" counts as procedure
            return True
    return False


def runbook_missing_sections(doc: MarkdownDoc, sections: list) -> list[str]:
    """The section names (as the policy wrote them) that no heading of `doc` stands for."""
    words = [normalise_heading(h.text) for h in doc.headings]
    missing = []
    for item in sections:
        name, synonyms = _section_spec(item)
        if any(_matches(w, synonyms) for w in words):
            continue
        if name.lower() == "overview" and _has_introduction(doc):
            continue  # prose right under the title is the overview ("**Purpose**: ..." then the sections)
        missing.append(name)
    return missing


def _has_introduction(doc: MarkdownDoc) -> bool:
    """At least one line of prose between the title and the next heading."""
    title = doc.title
    if title is None:
        return False
    following = [h.line for h in doc.headings if h.line > title.line]
    end = following[0] if following else len(doc.lines) + 1
    return any(len(doc.lines[n - 1].strip()) >= 20 and not set(doc.lines[n - 1].strip()) <= set("-=*_ ")
               for n in range(title.line + 1, end))


def evaluate_runbook_sections(ctx: CheckContext, params: dict) -> Outcome:
    runbooks = _runbooks(ctx, params)
    sections = list(params.get("sections") or [])
    readable = _written(runbooks)  # the runbooks runbook.present counts; an empty one has no sections to judge
    if not readable:
        if runbooks.runbooks:
            return Outcome.skipped(f"{_list(runbooks.paths)} holds no written steps yet (runbook.present reports it).")
        if runbooks.links:
            return Outcome.skipped("The runbook is kept outside the repository (linked from "
                                   f"{runbooks.links[0].path}); its sections cannot be read here.")
        if runbooks.collection:
            return Outcome.skipped(f"The repository is a runbook collection ({runbooks.collection[0]}); name the "
                                   "directories of its runbooks in the `paths` param to check their sections.")
        return Outcome.skipped("No runbook to check (runbook.present reports its absence).")
    if not sections:
        return Outcome.skipped("The policy names no runbook sections to look for.")
    shares: list[float] = []
    gaps: list[tuple[Runbook, list[str]]] = []
    for runbook in readable:
        assert runbook.doc is not None
        missing = runbook_missing_sections(runbook.doc, sections)
        shares.append(1 - len(missing) / len(sections))
        if missing:
            gaps.append((runbook, missing))
    names = [_section_spec(s)[0] for s in sections]
    if not gaps:
        return Outcome.passed(f"{all_of(len(readable), 'runbook')} {verb(len(readable), 'has', 'have')} the sections "
                              f"{', '.join(names)}.", [Location(r.path) for r in readable])
    detail = "; ".join(f"{r.path} lacks {', '.join(m)}" for r, m in gaps[:_SHOWN])
    more = f"; and {len(gaps) - _SHOWN} more runbooks" if len(gaps) > _SHOWN else ""
    return Outcome.partial(
        sum(shares) / len(shares),
        f"{len(readable) - len(gaps)} of {plural(len(readable), 'runbook')} "
        f"{verb(len(readable) - len(gaps), 'has', 'have')} every section "
        f"({', '.join(names)}): {detail}{more}.",
        [Location(r.path, r.doc.title.line if r.doc and r.doc.title else 1) for r, _ in gaps])


# ---- runbook.fresh ---------------------------------------------------------------------------------

def evaluate_runbook_fresh(ctx: CheckContext, params: dict) -> Outcome:
    runbooks = _runbooks(ctx, params)
    paths = [r.path for r in _written(runbooks)]  # the runbooks runbook.present counts
    if not paths:
        if runbooks.runbooks:
            return Outcome.skipped(f"{_list(runbooks.paths)} holds no written steps yet (runbook.present reports it).")
        if runbooks.links:
            return Outcome.skipped("The runbook is kept outside the repository; git cannot date it.")
        if runbooks.collection:
            return Outcome.skipped(f"The repository is a runbook collection ({runbooks.collection[0]}); name the "
                                   "directories of its runbooks in the `paths` param to date them.")
        return Outcome.skipped("No runbook to date (runbook.present reports its absence).")
    snapshot = ctx.snapshot
    if not snapshot.has_history:
        return Outcome.skipped("Not a git repository (or no commit yet): the age of the runbooks is unknown.")
    max_age = float(params.get("max_age_days", 365))
    dirs = set(runbooks.directories)
    query = sorted(dirs | {p for p in paths if not any(p.startswith(d + "/") for d in dirs)})
    try:
        changes = history.last_changes(snapshot, query)
    except history.NoHistory as exc:
        return Outcome.errored(f"Could not read the git history of the runbooks: {exc}.")
    fresh, stale, unknown = [], [], []
    for path in paths:
        change = changes.get(path)
        if change is None:
            unknown.append(path)  # not committed yet
            continue
        age = history.days_since(change.epoch, ctx.now)
        if age > max_age:
            stale.append((path, age, change.epoch))  # also true behind a shallow boundary: it is an upper bound
        elif change.reliable:
            fresh.append(path)
        else:
            unknown.append(path)
    judged = len(fresh) + len(stale)
    if not judged:
        return Outcome.skipped("The runbooks' last changes are not in the available history (shallow clone or "
                               "not committed); fetch full history (e.g. fetch-depth: 0).")
    threshold = float(params.get("min_fresh_share", 1.0))
    share = len(fresh) / judged
    note = f" ({len(unknown)} could not be dated)" if unknown else ""
    if not stale:
        return Outcome.passed(f"{all_of(judged, 'runbook')} changed within {max_age:.0f} days{note}.",
                              [Location(p) for p in fresh])
    stale.sort(key=lambda s: (s[2], s[0]))  # oldest first
    detail = "; ".join(f"{p} last changed {age:.0f} days ago ({day(epoch)})" for p, age, epoch in stale[:_SHOWN])
    more = f"; and {len(stale) - _SHOWN} more" if len(stale) > _SHOWN else ""
    return Outcome.partial(
        share,
        f"{len(fresh)} of {plural(judged, 'runbook')} changed within {max_age:.0f} days: {detail}{more}{note}.",
        [Location(p) for p, _, _ in stale], threshold=threshold)


# ---- oncall.defined --------------------------------------------------------------------------------

_ONCALL_WORDS = rx.compile(r"on[- ]?call|pager|escalat|rota\b|rotation", rx.IGNORECASE)
# entities that are paged for: components that run (a library or a docs site has nobody on call)
_SERVICE_KINDS = ("component",)
_NOT_OPERATED = ("library", "documentation", "docs", "template", "sdk")


def evaluate_oncall_defined(ctx: CheckContext, params: dict) -> Outcome:
    catalog: CatalogInfo = ctx.fact("catalog_info")
    docs: IncidentDocs = ctx.fact("incident_docs")
    keys = [str(k) for k in params.get("annotations") or ONCALL_ANNOTATIONS]
    snapshot = ctx.snapshot

    covered, uncovered, empty = [], [], []
    for entity in catalog.entities:
        found = [k for k in keys if k in entity.annotations]
        if any(entity.annotations[k].strip() for k in found):
            key = next(k for k in found if entity.annotations[k].strip())
            covered.append((entity, key))
        elif found:
            empty.append((entity, found[0]))
        elif entity.kind.lower() in _SERVICE_KINDS and (entity.type or "").lower() not in _NOT_OPERATED:
            uncovered.append(entity)

    documents = [p for p in docs.oncall_documents + list(params.get("documents") or [])
                 if snapshot.exists(p) and _oncall_text(snapshot.read_text(p), strict=False)]
    documents += [p for p in docs.support_documents if _oncall_text(snapshot.read_text(p), strict=True)]
    if documents:
        return Outcome.passed(f"On-call and escalation are written down in {_list(sorted(set(documents)))}.",
                              [Location(p) for p in sorted(set(documents))])
    if covered:
        locations = [Location(e.path, e.line_of("metadata", "annotations", k)) for e, k in covered]
        if not uncovered and not empty:
            entity, key = covered[0]
            return Outcome.passed(f"{entity.path} routes pages for {entity.ref} through {key}.", locations)
        lacking = [e.ref for e in uncovered] + [e.ref for e, _ in empty]
        total = len(covered) + len(lacking)
        return Outcome.partial(len(covered) / total,
                               f"{len(covered)} of {total} catalog entities {verb(len(covered), 'names', 'name')} an on-call service; "
                               f"{_list(lacking)} {'does' if len(lacking) == 1 else 'do'} not.",
                               locations + [Location(e.path, e.line) for e in uncovered])
    if empty:
        entity, key = empty[0]
        return Outcome.failed(f"{entity.path} has an empty {key} annotation for {entity.ref}.",
                              [Location(e.path, e.line_of("metadata", "annotations", k)) for e, k in empty])
    bare = [p for p in docs.oncall_documents if snapshot.exists(p)]
    if bare:
        return Outcome.failed(f"{_list(bare)} says nothing about on-call or escalation.",
                              [Location(p) for p in bare], score=0.25)
    return Outcome.failed("No on-call defined: no PagerDuty/Opsgenie annotation in catalog-info.yaml and no "
                          "ONCALL.md or docs/escalation*.md.")


def _oncall_text(text: str | None, strict: bool) -> bool:
    if not text or not text.strip():
        return False
    return bool(_ONCALL_WORDS.search(text)) if strict else len(text.strip()) >= 20


# ---- incident.postmortem_template ------------------------------------------------------------------

def evaluate_postmortem_template(ctx: CheckContext, params: dict) -> Outcome:
    docs: IncidentDocs = ctx.fact("incident_docs")
    snapshot = ctx.snapshot
    templates = list(docs.postmortem_templates)
    templates += [p for p in params.get("paths") or [] if snapshot.exists(p) and p not in templates]
    templates = [p for p in templates if (snapshot.read_text(p) or "").strip()]
    if templates:
        return Outcome.passed(f"Incident reviews start from {_list(templates)}.", [Location(p) for p in templates])
    if docs.postmortems:
        return Outcome.failed(
            f"Post-mortems are kept in {_list(docs.postmortem_dirs)} ({plural(len(docs.postmortems), 'document')}) "
            "but there is no template to start the next one from.",
            [Location(d) for d in docs.postmortem_dirs], score=0.5)
    return Outcome.failed("No post-mortem template found (e.g. docs/postmortems/template.md or "
                          ".github/ISSUE_TEMPLATE/incident.md).")


# ---- catalog.owner ---------------------------------------------------------------------------------

# an entity reference: [kind:][namespace/]name (https://backstage.io/docs/features/software-catalog/references)
_ENTITY_REF = rx.compile(r"^(?:[A-Za-z][A-Za-z0-9]*:)?(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[A-Za-z0-9][A-Za-z0-9._-]*$")


def evaluate_catalog_owner(ctx: CheckContext, params: dict) -> Outcome:
    catalog: CatalogInfo = ctx.fact("catalog_info")
    kinds = [str(k) for k in params.get("kinds") or []]
    if not catalog.files and not catalog.errors:
        if params.get("required", False):
            return Outcome.failed("No catalog-info.yaml: the repository declares no owner in the software catalog.")
        return Outcome.skipped("No catalog-info.yaml (the repository does not use a Backstage catalog).")
    entities = catalog.of_kind(*kinds)
    problems: list[tuple[Location, str]] = []
    for error in catalog.errors:
        problems.append((Location(error.path, error.line), f"{error.path} cannot be read: {error.message}"))
    owned = 0
    for entity in entities:
        where = Location(entity.path, entity.line_of("metadata", "name") or entity.line)
        if entity.owner is None:
            problems.append((where, f"{entity.ref} ({entity.path}:{where.line}) has no spec.owner"))
        elif not _ENTITY_REF.match(entity.owner):
            problems.append((Location(entity.path, entity.line_of("spec", "owner")),
                             f"{entity.ref} has owner '{entity.owner}', not an entity reference"))
        else:
            owned += 1
    total = len(entities) + sum(1 for e in catalog.errors if e.path not in {x.path for x in entities})
    if not entities and not catalog.errors:
        present = sorted({e.kind for e in catalog.entities}) or ["none"]
        return Outcome.skipped(f"catalog-info.yaml declares no entity of kind {', '.join(kinds)} "
                               f"(kinds found: {', '.join(present)}).")
    if not problems:
        owners = sorted({e.owner for e in entities if e.owner})
        return Outcome.passed(f"{all_of(owned, 'catalog entity')} {verb(owned, 'names', 'name')} an owner ({_list(owners)}).",
                              [Location(e.path, e.line_of("spec", "owner")) for e in entities])
    detail = "; ".join(message for _, message in problems[:_SHOWN])
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    return Outcome.partial(owned / total if total else 0.0,
                           f"{owned} of {plural(total, 'catalog entity')} {verb(owned, 'names', 'name')} an owner: {detail}{more}.",
                           [location for location, _ in problems])


EVALUATORS = {
    "runbook.present": evaluate_runbook_present,
    "runbook.sections": evaluate_runbook_sections,
    "runbook.fresh": evaluate_runbook_fresh,
    "oncall.defined": evaluate_oncall_defined,
    "incident.postmortem_template": evaluate_postmortem_template,
    "catalog.owner": evaluate_catalog_owner,
}
