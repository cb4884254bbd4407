"""Runbooks, on-call documents and post-mortem templates: where they are. Facts, no judgement.

Runbooks are found by name, never by scanning every file's content:
- `RUNBOOK.md` / `runbook.md` (any case, `.md`, `.markdown`, `.rst`, `.adoc`, `.txt`), anywhere;
- documents in `runbooks/`, `docs/runbooks/`, `doc/runbooks/`, `docs/runbook/`, `ops/runbooks/`, ...;
- documents in `docs/` whose name holds "runbook" (`docs/runbook-payments.md`, `docs/payments-runbook.md`);
- paths a policy names (`paths` param);
- runbook links in Backstage `catalog-info.yaml`: `metadata.links` whose title, type or URL mentions a
  runbook, or an annotation whose key mentions one (these are external: present, but not readable).
"""
from __future__ import annotations

import bisect
import posixpath
from standards_check import rx
from dataclasses import dataclass, field
from typing import Iterable

from standards_check.facts import doclinks, scope
from standards_check.facts.alerts import alert_rules_of
from standards_check.facts.catalog_info import CatalogInfo, parse_catalog_info
from standards_check.facts.locate import dirs_any_case
from standards_check.facts.markdown import MarkdownDoc, parse_markdown
from standards_check.facts.workflows import own_repository
from standards_check.snapshot import RepoSnapshot

# `.md.erb`: GOV.UK tech-docs-template sites (alphagov, hmcts, ministryofjustice) write pages as .html.md.erb
DOC_EXTENSIONS = (".md", ".markdown", ".rst", ".adoc", ".txt", ".mdx", ".md.erb")
RUNBOOK_FILE_STEMS = ("runbook", "runbooks", "run-book", "run_book", "playbook")
RUNBOOK_DIRS = (
    "runbooks", "runbook", "docs/runbooks", "docs/runbook", "doc/runbooks", "doc/runbook",
    "docs/operations/runbooks", "docs/ops/runbooks", "ops/runbooks", "operations/runbooks",
    "docs/sre/runbooks", "sre/runbooks", "playbooks/runbooks",
)
_INDEX_STEMS = {"readme", "index", "_index", "summary", "toc", "contributing"}

# section name -> heading words that count for it (see runbook.sections); lenient on purpose
SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "overview": ("overview", "summary", "description", "about", "introduction", "purpose", "meaning",
                 "what is", "context", "background", "service", "architecture", "scope"),
    "symptoms": ("symptom", "symptoms", "alert", "alerts", "alerting", "signals", "impact", "detection",
                 "indicators", "monitoring", "dashboards", "what you see", "how to detect", "trigger"),
    "diagnosis": ("diagnosis", "diagnose", "diagnosing", "diagnostics", "triage", "investigation",
                  "investigate", "investigating", "troubleshooting", "troubleshoot", "debugging", "debug",
                  "root cause", "analysis", "identify", "checks", "verification"),
    "mitigation": ("mitigation", "mitigate", "mitigating", "resolution", "resolve", "resolving", "remediation",
                   "remediate", "fix", "fixes", "recovery", "recover", "workaround", "rollback", "roll back",
                   "restore", "response", "procedure", "actions", "steps", "solution", "playbook"),
    "escalation": ("escalation", "escalate", "escalating", "escalations", "contacts", "contact", "on call",
                   "oncall", "on-call", "owner", "owners", "ownership", "support", "who to call", "help",
                   "pagerduty", "opsgenie", "communication", "communications", "stakeholders", "team"),
}


@dataclass
class Runbook:
    path: str
    source: str  # how it was found: "file name", "runbook directory", "policy", ...
    doc: MarkdownDoc | None  # None when the file could not be read


@dataclass(frozen=True)
class RunbookLink:
    """A runbook kept elsewhere, declared in a catalog descriptor."""

    url: str
    title: str
    path: str  # the catalog-info.yaml
    line: int | None


@dataclass
class RunbookSet:
    runbooks: list[Runbook] = field(default_factory=list)
    links: list[RunbookLink] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)
    scripts_only: list[str] = field(default_factory=list)  # runbook dirs holding no documents (automation)
    collection: tuple[str, str] | None = None  # (README, its title) when the repository is a runbook collection

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.runbooks]


def _is_document(path: str) -> bool:
    return path.lower().endswith(DOC_EXTENSIONS)


def _stem(path: str) -> str:
    name = path.rpartition("/")[2].lower()
    return name.split(".", 1)[0]


def _with_prefix(snapshot: RepoSnapshot, prefix: str) -> list[str]:
    """Paths starting with `prefix` (sorted-list bisect; no scan of every path)."""
    paths = snapshot.paths
    start = bisect.bisect_left(paths, prefix)
    end = start
    while end < len(paths) and paths[end].startswith(prefix):
        end += 1
    return list(paths[start:end])


def parse_runbooks(snapshot: RepoSnapshot, extra_paths: Iterable[str] = (),
                   catalog: CatalogInfo | None = None) -> RunbookSet:
    found = RunbookSet()
    chosen: dict[str, str] = {}

    names = [stem + ext for stem in RUNBOOK_FILE_STEMS for ext in DOC_EXTENSIONS] + ["RUNBOOK"]
    for path in snapshot.named(*names):
        chosen.setdefault(path, "file name")
    for path in snapshot.under("docs") + snapshot.under("doc"):
        name = path.rpartition("/")[2].lower()
        if "runbook" in name and _is_document(path) and "template" not in name:
            chosen.setdefault(path, "file name")

    for directory in dirs_any_case(snapshot, RUNBOOK_DIRS) + [p.strip("/") for p in extra_paths]:
        if not directory:
            continue
        source = "policy" if directory in extra_paths or directory + "/" in extra_paths else "runbook directory"
        if snapshot.exists(directory):  # a file named by the policy
            chosen.setdefault(directory, source)
            continue
        below = snapshot.under(directory)
        if not below:
            continue
        found.directories.append(directory)
        documents = [p for p in below if _is_document(p) and "template" not in p.rpartition("/")[2].lower()]
        content = [p for p in documents if _stem(p) not in _INDEX_STEMS]
        if not documents:
            found.scripts_only.append(directory)
        for path in content or documents:  # an index alone still counts as the runbook
            chosen.setdefault(path, source)

    for path in sorted(chosen):
        if chosen[path] != "policy" and scope.excluded(snapshot, path):
            continue  # an example's, a fixture's, vendored, generated, or declared not the team's own
        text = snapshot.read_text(path)
        found.runbooks.append(Runbook(path, chosen[path], parse_markdown(path, text) if text is not None else None))

    own = own_repository(snapshot)
    linked: dict[str, str] = {}
    for rule in alert_rules_of(snapshot).rules:  # runbooks found by what points at them
        for key in ("runbook_url", "runbook", "runbook_link", "playbook"):
            value = rule.annotations.get(key)
            target = doclinks.repo_path(snapshot, str(value), posixpath.dirname(rule.path), own) if value else None
            if target and _is_document(target):
                linked.setdefault(target, f"linked from alert {rule.name} ({rule.path}:{rule.line})")
    catalog = catalog if catalog is not None else parse_catalog_info(snapshot)
    for entity in catalog.entities:
        for link in entity.links:
            if any("runbook" in s.lower() for s in (link.title, link.type, link.url)):
                target = doclinks.repo_path(snapshot, link.url, posixpath.dirname(entity.path), own)
                if target and _is_document(target):
                    linked.setdefault(target, f"linked from {entity.path}:{link.line}")
                    continue
                found.links.append(RunbookLink(link.url, link.title or link.type, entity.path, link.line))
        for key, value in entity.annotations.items():
            if "runbook" in key.lower() and value.strip():
                found.links.append(RunbookLink(value.strip(), key, entity.path,
                                               entity.line_of("metadata", "annotations", key)))
    known = {r.path for r in found.runbooks}
    for path in sorted(linked):
        if path not in known and not scope.excluded(snapshot, path):
            text = snapshot.read_text(path)
            found.runbooks.append(Runbook(path, linked[path], parse_markdown(path, text) if text is not None else None))
    found.collection = _collection(snapshot)
    if not found.runbooks and not found.links and not found.collection:
        for path, doc in _runbooks_by_content(snapshot):
            found.runbooks.append(Runbook(path, "content: diagnosis, mitigation and escalation steps", doc))
    return found


# ---- runbooks recognised by what they say ------------------------------------------------------

CONTENT_SCAN_LIMIT = 1500  # documents read when no runbook is found by name, place or link
# heading words (lower case) of the three things a runbook tells an operator
_DIAGNOSE = ("diagnos", "triage", "investigat", "troubleshoot", "debug", "root cause", "identify the cause",
             "how to check")
_MITIGATE = ("mitigat", "remediat", "resolution", "resolve", "recover", "rollback", "roll back", "workaround",
             "restore", "fail over", "failover", "fix the", "quick fix", "immediate action")
_ESCALATE = ("escalat", "on-call", "oncall", "on call", "who to call", "who to contact", "contacts", "contact",
             "pagerduty", "opsgenie", "paging", "page the", "get help", "support team")
_NOT_RUNBOOK_STEMS = {"readme", "changelog", "contributing", "security", "code_of_conduct", "code-of-conduct",
                      "license", "history", "news", "authors", "governance", "support", "releasing", "release"}


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _runbooks_by_content(snapshot: RepoSnapshot) -> list[tuple[str, MarkdownDoc]]:
    """Documents whose headings tell an operator how to diagnose, mitigate and escalate, whatever
    their folder or name (`docs/operations/db-failover.md`, `handbook/incident-procedures.md`)."""
    candidates = []
    for path in snapshot.ending(DOC_EXTENSIONS):  # the paths _is_document accepts
        if _stem(path) in _NOT_RUNBOOK_STEMS or "template" in path.lower():
            continue
        if scope.excluded(snapshot, path):
            continue
        candidates.append(path)
        if len(candidates) >= CONTENT_SCAN_LIMIT:
            break
    found = []
    snapshot.prefetch(candidates)
    for path in candidates:
        text = snapshot.read_text(path)
        if not text:
            continue
        lowered = text.lower()
        if not (_mentions(lowered, _DIAGNOSE) and _mentions(lowered, _MITIGATE) and _mentions(lowered, _ESCALATE)):
            continue  # a cheap test before parsing
        doc = parse_markdown(path, text)
        headings = [h.text.lower() for h in doc.headings]
        if all(any(_mentions(h, words) for h in headings) for words in (_DIAGNOSE, _MITIGATE, _ESCALATE)):
            found.append((path, doc))
    return found


def _collection(snapshot: RepoSnapshot) -> tuple[str, str] | None:
    """A repository whose README is titled as runbooks ("OpenShift Runbooks", "GitLab On-call Run Books")."""
    readme = snapshot.first(["README.md", "readme.md", "Readme.md", "README.markdown", "README.rst"])
    text = snapshot.read_text(readme) if readme else None
    if not readme or not text:
        return None
    title = parse_markdown(readme, text[:4000]).title
    if title and rx.search(r"\b(run ?books?|playbooks?)\b", title.text, rx.IGNORECASE):
        return readme, title.text
    return None


# ---- on-call and incident documents --------------------------------------------------------------

ONCALL_FILES = (
    "ONCALL.md", "ON-CALL.md", "ON_CALL.md", "oncall.md", "on-call.md", "docs/oncall.md", "docs/on-call.md",
    "docs/ON_CALL.md", "docs/ONCALL.md", "docs/on_call.md", "doc/oncall.md", "doc/on-call.md",
    "ESCALATION.md", "escalation.md", "docs/escalation.md", "docs/escalation-policy.md",
    "docs/escalations.md", ".github/ONCALL.md", "SUPPORT.md", ".github/SUPPORT.md", "docs/SUPPORT.md",
)
ONCALL_DIRS = tuple(f"{base}{name}" for base in ("", "docs/", "doc/", "source/", "documentation/")
                    for name in ("oncall", "on-call", "on_call", "escalation", "escalations"))
ONCALL_STEMS = ("oncall", "on-call", "on_call", "escalation", "escalations", "escalation-policy",
                "escalation_policy", "escalation-path")
ONCALL_ANNOTATIONS = (
    "pagerduty.com/integration-key", "pagerduty.com/service-id",
    "opsgenie.com/team", "opsgenie.com/component-selector",
    "splunk.com/on-call-routing-key", "splunk.com/on-call-team",
    "firehydrant.com/service-name", "ilert.com/integration-key", "ilert.com/service-id",
    "incident.io/service-id", "rootly.com/service-id", "grafana.com/oncall-team",
)
POSTMORTEM_WORDS = ("postmortem", "post-mortem", "post_mortem", "incident-review", "incident_review",
                    "incident-report", "incident_report", "incident")
# where past post-mortems live; `incidents/` directories often hold incident *procedures* instead, so
# they only count for the template they contain, not as evidence of past reviews
POSTMORTEM_DIRS = ("docs/postmortems", "docs/post-mortems", "postmortems", "post-mortems", "docs/postmortem",
                   "doc/postmortems", "docs/incident-reviews", "incident-reviews", "docs/pir")
INCIDENT_DIRS = ("docs/incidents", "incidents", "doc/incidents", "docs/incident")


@dataclass
class IncidentDocs:
    oncall_documents: list[str] = field(default_factory=list)  # on-call / escalation pages
    support_documents: list[str] = field(default_factory=list)  # SUPPORT.md: only counts when it speaks of on-call
    postmortem_templates: list[str] = field(default_factory=list)
    postmortem_dirs: list[str] = field(default_factory=list)  # where past post-mortems are kept
    postmortems: list[str] = field(default_factory=list)  # past post-mortems (not templates)


def _has_word(name: str, words: Iterable[str]) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in words)


def parse_incident_docs(snapshot: RepoSnapshot) -> IncidentDocs:
    docs = IncidentDocs()
    for path in ONCALL_FILES:
        if snapshot.exists(path):
            (docs.support_documents if "support" in path.lower() else docs.oncall_documents).append(path)
    for path in snapshot.named(*[stem + ext for stem in ONCALL_STEMS for ext in DOC_EXTENSIONS]):
        if path not in docs.oncall_documents:
            docs.oncall_documents.append(path)
    for path in _with_prefix(snapshot, "docs/escalation"):
        if _is_document(path) and path not in docs.oncall_documents:
            docs.oncall_documents.append(path)
    for directory in ONCALL_DIRS:
        docs.oncall_documents.extend(p for p in snapshot.under(directory) if _is_document(p))

    # templates: a template named for post-mortems/incidents, in an issue-template directory or anywhere
    for path in snapshot.under(".github/ISSUE_TEMPLATE") + snapshot.under(".gitlab/issue_templates"):
        name = path.rpartition("/")[2]
        if _has_word(name, POSTMORTEM_WORDS) and name.lower().endswith((".md", ".yml", ".yaml")):
            docs.postmortem_templates.append(path)
    stems = ("postmortem", "post-mortem", "post_mortem", "incident", "incident-review", "incident-report")
    template_names = [f"{s}{sep}template{ext}" for s in stems for sep in ("-", "_", ".")
                      for ext in (".md", ".markdown", ".rst", ".adoc")]
    template_names += [f"template{sep}{s}{ext}" for s in stems for sep in ("-", "_")
                       for ext in (".md", ".markdown")]
    docs.postmortem_templates.extend(p for p in snapshot.named(*template_names) if p not in docs.postmortem_templates)
    for directory in POSTMORTEM_DIRS + INCIDENT_DIRS:
        below = [p for p in snapshot.under(directory) if _is_document(p)]
        reviews = directory in POSTMORTEM_DIRS
        for path in below:
            stem = _stem(path)
            if "template" in stem or stem.startswith("0000"):
                if path not in docs.postmortem_templates:
                    docs.postmortem_templates.append(path)
            elif reviews and stem not in _INDEX_STEMS:
                docs.postmortems.append(path)
                if directory not in docs.postmortem_dirs:
                    docs.postmortem_dirs.append(directory)
    docs.oncall_documents = sorted(set(docs.oncall_documents))
    docs.postmortem_templates = sorted(set(docs.postmortem_templates))
    return docs
