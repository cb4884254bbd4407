"""Architecture decision records (ADRs): where they are and what each one says. Facts, no judgement.

Found in:
- the usual directories at the root (`docs/adr`, `doc/adr`, `docs/decisions`, `docs/architecture/decisions`,
  `adr/`, ... see `DEFAULT_DIRS`);
- the directory named by an adr-tools pointer file `.adr-dir` (anywhere; relative to that file);
- the `adrFolder` of a log4brains configuration `.log4brains.yml`;
- the directory of any `0001-record-architecture-decisions.md` (what `adr init` writes), so a
  monorepo's nested `services/x/doc/adr` is found too;
- extra directories a policy names (`dirs` param of the adr.* checks);
- any folder, or the repository root, that holds numbered decision documents in a known format
  (`structured_directories`). The root's directory is "" and only its top-level files belong to it.

Two styles are read:
- Nygard / adr-tools: `0001-record-architecture-decisions.md`, `# 1. Title`, `Date:`, `## Status`,
  `## Context`, `## Decision`, `## Consequences`; adr-tools writes "Superceded by [2. X](0002-x.md)".
- MADR 1-4: `0001-title.md`; status in front matter (`status:`, MADR 3/4) or a `* Status:` bullet
  (MADR 2); `## Context and Problem Statement`, `## Considered Options`, `## Decision Outcome`,
  `### Consequences` (or `### Positive/Negative Consequences`, MADR 2).
Templates (`template.md`, `adr-template.md`, `0000-template.md`, a `# {short title}` placeholder
title) are not records.
"""
from __future__ import annotations

import posixpath
from standards_check import rx
from dataclasses import dataclass, field
from typing import Any, Iterable

from standards_check import yamlio
from standards_check.facts import scope
from standards_check.facts.locate import dirs_any_case
from standards_check.facts.markdown import Heading, MarkdownDoc, links, normalise_heading, parse_markdown, plain
from standards_check.snapshot import RepoSnapshot

DEFAULT_DIRS = (
    "docs/adr", "docs/adrs", "doc/adr", "doc/adrs", "docs/decisions", "doc/decisions",
    "docs/architecture/decisions", "doc/architecture/decisions", "docs/architecture/adr",
    "docs/architecture/adrs", "docs/architecture-decisions", "docs/design/adr",
    "adr", "adrs", "architecture/decisions", "architecture/adr", ".adr",
)
MARKDOWN = (".md", ".markdown", ".mdx")
_NOT_RECORDS = {"readme", "index", "_index", "summary", "toc", "changelog", "contributing", "glossary"}

# canonical section -> heading texts (normalised) that stand for it; MADR's names count
SECTION_NAMES: dict[str, frozenset[str]] = {
    "status": frozenset({"status", "decision status", "current status", "state",
                         "statut", "estado", "stato", "상태"}),
    "context": frozenset({
        "context", "context and problem statement", "problem statement", "context and problem",
        "background", "problem", "issue", "motivation", "context and motivation", "the problem",
        # records written in other languages (MADR has translations; seen in SocialGouv, 1989v/msa)
        "contexte", "contexte et définition du problème", "contexte et problème", "contexto",
        "contexto y planteamiento del problema", "contexto e problema", "kontext",
        "kontext und problemstellung", "맥락", "배경", "컨텍스트",
    }),
    "decision": frozenset({
        "decision", "decision outcome", "decisions", "the decision", "our decision",
        "decision made", "chosen option", "proposed decision",
        "décision", "résultat de la décision", "decisión", "resultado de la decisión", "decisão",
        "resultado da decisão", "entscheidung", "결정",
    }),
    "consequences": frozenset({
        "consequences", "positive consequences", "negative consequences", "consequence",
        "consequences of the decision", "implications", "consequences and risks", "pros and cons",
        "trade offs", "tradeoffs", "trade off",
        "conséquences", "consecuencias", "consequências", "konsequenzen", "결과", "영향",
    }),
}
_ALL_SECTION_NAMES = frozenset().union(*SECTION_NAMES.values())
_MADR_HEADINGS = {"context and problem statement", "considered options", "decision outcome",
                  "decision drivers", "pros and cons of the options",
                  # MADR's French and Spanish translations
                  "contexte et définition du problème", "options envisagées", "résultat de la décision",
                  "facteurs de décision", "contexto y planteamiento del problema", "opciones consideradas",
                  "resultado de la decisión"}
_NUMBERED_NAME = rx.compile(r"^(?:adr|ard|dr|rfc)?[-_ ]?(\d{1,5})(?:[-_. ]|$)", rx.IGNORECASE)
_DATED_NAME = rx.compile(r"^\d{4}-\d{2}-\d{2}")
_TITLE_NUMBER = rx.compile(r"^(?:adr|ard|decision)?[\s#:-]*0*(\d{1,5})\s*[.:)\-–—]\s*(.*)$", rx.IGNORECASE)
# "Status" and how records written in other languages label it (1989v/msa writes "- 상태: **Accepted**")
_STATUS_WORD = r"(?:status|state|상태|estado|statut|stato|状态|狀態|ステータス)"
_STATUS_LINE = rx.compile(r"^\s*(?:[-*+]\s+)?[*_]*" + _STATUS_WORD + r"[*_]*\s*[:\-–—]\s*[*_]*\s*(.+)$", rx.IGNORECASE)
_STATUS_ROW = rx.compile(r"^\s*\|\s*[*_]*" + _STATUS_WORD + r"[*_]*\s*\|\s*([^|]+)\|", rx.IGNORECASE)
_STRUCK = rx.compile(r"~~.*?~~")
_SUPERSEDE = rx.compile(r"\bsuper[sc]ed(?:ed|es)?\b|\breplaced\s+by\b", rx.IGNORECASE)
_ADR_REF = rx.compile(r"\b(?:adr|ard|decision)[\s#:-]*0*(\d{1,5})\b", rx.IGNORECASE)
# a template's title: "{short title of solved problem}" (MADR 3/4), "[short title ...]" (MADR 2),
# "NUMBER. TITLE" (adr-tools), "0. Template" (alphagov). A real record may keep MADR 2's brackets
# ("# [Harmonisation Domaine: ...]", SocialGouv), so brackets alone do not make a template.
_PLACEHOLDER_TITLE = rx.compile(
    r"^[\[{<]?\s*(?:short title\b.*|title of\b.*|your title.*|title|template|adr template|decision title|"
    r"number\.?\s*title|tbd|todo)\s*[\]}>]?$", rx.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A pointer from one record to another (supersedes / superseded by)."""

    text: str  # the link target or "ADR 14" as written
    line: int
    exists: bool


@dataclass
class AdrRecord:
    path: str
    directory: str  # the ADR directory it belongs to
    number: int | None  # from the file name
    dated: bool  # named by date (2021-03-04-title.md) rather than by number
    style: str  # "nygard" | "madr"
    doc: MarkdownDoc
    title: str | None
    title_line: int | None
    title_number: int | None  # "# 12. Title" -> 12
    status: str | None  # as written, plain text
    status_line: int | None
    sections: dict[str, int] = field(default_factory=dict)  # canonical name -> line
    superseded_by: list[Reference] = field(default_factory=list)
    supersedes: list[Reference] = field(default_factory=list)

    @property
    def status_word(self) -> str | None:
        """The status reduced to its first word, lower case: 'Superceded by [2...]' -> 'superceded'."""
        if not self.status:
            return None
        words = rx.findall(r"[a-z][a-z-]*", self.status.lower())
        return words[0] if words else None


@dataclass
class AdrSet:
    directories: list[tuple[str, str]] = field(default_factory=list)  # (dir, how it was found)
    records: list[AdrRecord] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def in_directory(self, directory: str) -> list[AdrRecord]:
        return [r for r in self.records if r.directory == directory]


def parse_adrs(snapshot: RepoSnapshot, extra_dirs: Iterable[str] = ()) -> AdrSet:
    found = AdrSet()
    for directory, source in _directories(snapshot, extra_dirs):
        found.directories.append((directory, source))
        by_structure = source.startswith("structure:")
        for path in _files_of(snapshot, directory):
            if not _is_candidate(path, directory):
                continue
            if by_structure and not _numbered_document(path.rpartition("/")[2]):
                continue  # an overview page beside records found by their structure
            if _is_template_name(path):
                found.templates.append(path)
                continue
            text = snapshot.read_text(path)
            if text is None:
                found.unreadable.append(path)
                continue
            # log4brains writes MADR records (its template is MADR 2's, dated file names)
            record = _parse_record(path, directory, text, madr=source == ".log4brains.yml")
            if record is None:
                found.templates.append(path)
            else:
                found.records.append(record)
    _resolve_references(snapshot, found)
    return found


def _files_of(snapshot: RepoSnapshot, directory: str) -> list[str]:
    """The files of an ADR directory and below; the root ("") holds only its own top-level files,
    and a team's `exclude:` globs apply to them one by one."""
    if directory:
        return snapshot.under(directory)
    return [p for p in snapshot.paths if "/" not in p and not scope.excluded(snapshot, p)]


def _directories(snapshot: RepoSnapshot, extra_dirs: Iterable[str]) -> list[tuple[str, str]]:
    candidates: list[tuple[str, str]] = []
    for pointer in snapshot.named(".adr-dir"):
        text = snapshot.read_text(pointer) or ""
        target = text.strip().splitlines()[0].strip() if text.strip() else ""
        if target:
            base = posixpath.dirname(pointer)
            candidates.append((posixpath.normpath(posixpath.join(base, target)), pointer))
    if snapshot.exists(".log4brains.yml"):
        folder = _log4brains_folder(snapshot.read_text(".log4brains.yml") or "")
        if folder:
            candidates.append((folder, ".log4brains.yml"))
    for directory in extra_dirs:
        candidates.append((directory.strip("/"), "policy"))
    for directory in dirs_any_case(snapshot, DEFAULT_DIRS):
        candidates.append((directory, "default location"))
    for first in snapshot.named("0001-record-architecture-decisions.md"):
        candidates.append((posixpath.dirname(first), "adr-tools first record"))
    known = [d for d, _ in candidates]
    candidates += structured_directories(snapshot, known)
    chosen: list[tuple[str, str]] = []
    for directory, source in candidates:
        directory = directory.strip("/")
        if directory == "" and source.startswith("structure:"):
            chosen.append((directory, source))  # the root, on the evidence of its numbered records
            continue
        if directory.startswith("..") or directory in ("", "."):
            continue  # a pointer out of the repository, or the root named as a whole: not followed
        if not snapshot.is_dir(directory):
            continue
        if source != "policy" and scope.excluded(snapshot, directory + "/"):
            continue  # an example's or a fixture's records, vendored, or declared not the team's own
        if any(directory == d or directory.startswith(d + "/") for d, _ in chosen):
            continue  # already covered by an enclosing directory
        chosen = [(d, s) for d, s in chosen if not d.startswith(directory + "/")]
        chosen.append((directory, source))
    return chosen


def _log4brains_folder(text: str) -> str | None:
    try:
        data = yamlio.load(text, source=".log4brains.yml")
    except yamlio.YamlSyntaxError:
        return None
    project = data.get("project") if isinstance(data, dict) else None
    folder = project.get("adrFolder") if isinstance(project, dict) else None
    return posixpath.normpath(folder).lstrip("./") if isinstance(folder, str) and folder.strip() else None


def _is_candidate(path: str, directory: str) -> bool:
    name = path.rpartition("/")[2]
    stem, dot, ext = name.rpartition(".")
    if not dot or "." + ext.lower() not in MARKDOWN:
        return False
    if stem.lower() in _NOT_RECORDS or stem.startswith("."):
        return False
    inner = (path[len(directory) + 1:] if directory else path).lower().split("/")[:-1]
    return not any(part in ("templates", "template", "assets", "images", "img", "_includes") for part in inner)


def _is_template_name(path: str) -> bool:
    return "template" in path.rpartition("/")[2].lower()


def _parse_record(path: str, directory: str, text: str, madr: bool = False) -> AdrRecord | None:
    """The record, or None when the file is a template (placeholder title)."""
    doc = parse_markdown(path, text)
    name = path.rpartition("/")[2]
    match = _NUMBERED_NAME.match(name)
    dated = bool(_DATED_NAME.match(name))
    number = int(match.group(1)) if match and not dated else None

    title_heading = doc.title or _leading_heading(doc)
    title = title_heading.text if title_heading else None
    title_line = title_heading.line if title_heading else None
    if not title and isinstance(doc.front_matter.get("title"), str):
        title, title_line = doc.front_matter["title"].strip(), doc.front_matter_lines.get("title")
    title_number = None
    if title:
        numbered = _TITLE_NUMBER.match(title)
        if numbered and numbered.group(2).strip():
            title_number = int(numbered.group(1))
        bare = numbered.group(2).strip() if numbered else title
        if _PLACEHOLDER_TITLE.match(bare.strip()) or _PLACEHOLDER_TITLE.match(title.strip()):
            return None

    sections: dict[str, int] = {}
    normalised = []
    for heading in doc.headings:
        if heading is title_heading:
            continue
        words = _section_words(heading.text)
        normalised.append(words)
        for canonical, names in SECTION_NAMES.items():
            if words in names and canonical not in sections:
                sections[canonical] = heading.line
    madr = madr or bool(_MADR_HEADINGS.intersection(normalised)) or any(
        key in doc.front_matter for key in ("status", "deciders", "decision-makers", "consulted", "informed"))

    status, status_line = _status(doc, sections)
    if status is not None and "status" not in sections:
        sections["status"] = status_line or 1  # a status line or front matter stands for the section
    record = AdrRecord(path, directory, number, dated, "madr" if madr else "nygard", doc, title, title_line,
                       title_number, status, status_line, sections)
    _collect_references(record)
    return record


def _leading_heading(doc: MarkdownDoc) -> Heading | None:
    """A record without a '# ' title whose first line is a heading uses it as the title
    (actions/setup-python writes '## 0. Caching dependencies')."""
    first = next((n for n in range(doc.body_start, len(doc.lines) + 1) if doc.lines[n - 1].strip()), None)
    heading = doc.headings[0] if doc.headings else None
    if heading is None or heading.line != first or _section_words(heading.text) in _ALL_SECTION_NAMES:
        return None
    return heading


def _section_words(text: str) -> str:
    """'Decision (Proposed)' -> 'decision'; 'Background — why now' -> 'background'."""
    text = rx.sub(r"\([^)]*\)", " ", text)
    text = rx.split(r"\s[—–-]\s|[—–:|]", text, maxsplit=1)[0]
    words = normalise_heading(text)
    words = rx.sub(r"\b(optional|required)\b", "", words).strip()
    return " ".join(words.split())


def _status(doc: MarkdownDoc, sections: dict[str, int]) -> tuple[str | None, int | None]:
    value = doc.front_matter.get("status")
    if value is not None and str(value).strip():
        return plain(str(value)), doc.front_matter_lines.get("status")
    if "status" in sections:
        heading = next(h for h in doc.headings if h.line == sections["status"])
        body = doc.section_text(heading)
        if body:
            line, text = body[0]
            text = _STRUCK.sub("", text).strip().lstrip("-*+ ").strip()
            inline = _STATUS_LINE.match(text)
            return plain(inline.group(1) if inline else text), line
        return "", heading.line
    # MADR 2 "* Status: accepted", "Status: Accepted", "| Status | Accepted |": near the top only,
    # so prose further down ("status: the HTTP code") is not taken for the record's status
    for number, text in enumerate(doc.lines[:doc.body_start + 40], start=1):
        match = _STATUS_LINE.match(text) or _STATUS_ROW.match(text)
        if match and match.group(1).strip():
            return plain(_STRUCK.sub("", match.group(1))).strip(" |"), number
    return None, None


def _collect_references(record: AdrRecord) -> None:
    """Links and ADR numbers on lines that speak of superseding, sorted by direction."""
    for number, text in enumerate(record.doc.lines, start=1):
        if not _SUPERSEDE.search(text):
            continue
        lowered = plain(text).lower()
        # "Superseded by X" / "Superseded: <date> by X" point forward; "Supersedes X" points back
        forward = bool(rx.search(r"super[sc]eded\b|replaced\s+by", lowered))
        targets = [target for _, target in links(text)] or [m.group(0) for m in _ADR_REF.finditer(plain(text))]
        bucket = record.superseded_by if forward else record.supersedes
        for target in targets:
            bucket.append(Reference(target, number, False))
        if not targets and forward:
            bucket.append(Reference("", number, False))  # says superseded, names nothing


def _resolve_references(snapshot: RepoSnapshot, found: AdrSet) -> None:
    numbers: dict[str, set[int]] = {}
    for record in found.records:
        if record.number is not None:
            numbers.setdefault(record.directory, set()).add(record.number)
    for record in found.records:
        known = numbers.get(record.directory, set())
        for bucket in (record.superseded_by, record.supersedes):
            bucket[:] = [Reference(ref.text, ref.line, _exists(snapshot, record, ref.text, known))
                         for ref in bucket]


def _exists(snapshot: RepoSnapshot, record: AdrRecord, target: str, known_numbers: set[int]) -> bool:
    if not target:
        return False
    if rx.match(r"^[a-z][a-z0-9+.-]*://", target, rx.IGNORECASE):
        return True  # an absolute URL: cannot be checked offline, taken as given
    ref = _ADR_REF.fullmatch(target.strip())
    if ref:
        return int(ref.group(1)) in known_numbers
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return True  # a link to an anchor in the same page
    base = posixpath.dirname(record.path)
    resolved = posixpath.normpath(posixpath.join(base, target)) if not target.startswith("/") else target.lstrip("/")
    stem = resolved[:-5] if resolved.endswith(".html") else resolved
    for candidate in (resolved, stem + ".md", stem + ".markdown", stem.rstrip("/") + "/README.md",
                      stem.rstrip("/") + "/index.md"):
        if snapshot.exists(candidate):
            return True
    leading = _NUMBERED_NAME.match(posixpath.basename(stem))
    return leading is not None and int(leading.group(1)) in known_numbers and not stem.endswith(".md")


def heading_at(doc: MarkdownDoc, line: int) -> Heading | None:
    return next((h for h in doc.headings if h.line == line), None)


def section_names() -> dict[str, Any]:
    """Documentation helper: the heading names that count for each section."""
    return {name: sorted(names) for name, names in SECTION_NAMES.items()}


# ---- decision records found by their structure -------------------------------------------------

_STRUCTURE_DIRS_READ = 40   # directories of numbered documents examined
_STRUCTURE_SAMPLE = 5       # documents read in each


_PREFIXED_NUMBER = rx.compile(r"^[A-Za-z]{1,6}-\d{1,5}(?:[-_. ]|$)")  # `API-001-x.md`, `ENG-12.md`


def _numbered_document(name: str) -> bool:
    """`0007-use-postgres.md`, `adr-012-x.md`, `ADR-3.md`, `API-001-x.md`, `2021-03-04-x.md`."""
    lowered = name.lower()
    if not lowered.endswith(MARKDOWN) or not (lowered[:1].isdigit() or "-" in lowered[:7]):
        return False  # cheap tests first
    return bool(_NUMBERED_NAME.match(name) or _DATED_NAME.match(name) or _PREFIXED_NUMBER.match(name))


def structured_directories(snapshot: RepoSnapshot, known: Iterable[str]) -> list[tuple[str, str]]:
    """(directory, evidence) for folders, anywhere and under any name (`design/`, `docs/rfcs/`,
    the root), that hold numbered decision documents in a known format: at least two numbered
    Markdown files whose sampled records have a Decision section and a Context or Status."""
    # directories already found; a pointer to the root itself (`adr init .`) is not followed, so it
    # does not stand in for the root's structure either
    known = [d for d in (d.strip("/") for d in known) if d not in ("", ".")]
    by_dir: dict[str, list[str]] = {}
    for path in snapshot.ending(MARKDOWN):  # _numbered_document asks for one of these
        directory, _, name = path.rpartition("/")
        if _numbered_document(name):
            by_dir.setdefault(directory, []).append(path)
    found: list[tuple[str, str]] = []
    examined = 0
    for directory, paths in sorted(by_dir.items(), key=lambda item: -len(item[1])):
        if len(paths) < 2 or any(directory == d or directory.startswith(d + "/") for d in known):
            continue
        if not directory:  # the root: a team's globs leave out single files there
            paths = [p for p in paths if not scope.excluded(snapshot, p)]
            if len(paths) < 2:
                continue
        elif scope.excluded(snapshot, directory + "/"):
            continue
        examined += 1
        if examined > _STRUCTURE_DIRS_READ:
            break
        sample = [p for p in paths if not _is_template_name(p)][:_STRUCTURE_SAMPLE]
        shaped = 0
        styles = set()
        for path in sample:
            text = snapshot.read_text(path)
            record = _parse_record(path, directory, text) if text else None
            if record is not None and "decision" in record.sections and "context" in record.sections and (
                    "status" in record.sections or "consequences" in record.sections):
                shaped += 1
                styles.add("MADR" if record.style == "madr" else "Nygard")
        # two numbered files (a template beside one record counts: `0000-template.md`), and at
        # least half of the records read have the sections of a decision record
        if shaped >= 1 and shaped * 2 >= len(sample):
            sections = "Status/Context/Decision" if "Nygard" in styles else "MADR"
            found.append((directory, f"structure: {len(paths)} numbered documents, {shaped} of {len(sample)} "
                                     f"read have {sections} sections"))
    return found
