"""Knowledge checks: recorded architecture decisions (adr.present, adr.format, adr.fresh).

Pure functions of (facts, params) -> Outcome. The facts come from `facts/adr.py`; history from
`facts/history.py` (one `git log` call for all records).
"""
from __future__ import annotations

from standards_check import rx
from collections import Counter
from dataclasses import dataclass

from standards_check.context import CheckContext
from standards_check.evaluators.wording import all_of, day, verb
from standards_check.text import plural
from standards_check.facts import history
from standards_check.facts.adr import AdrRecord, AdrSet, parse_adrs
from standards_check.model import Location, Outcome

_SHOWN = 5  # problems spelled out in a message; every one is in the locations


def _adrs(ctx: CheckContext, params: dict) -> AdrSet:
    extra = [d for d in params.get("dirs") or [] if isinstance(d, str) and d.strip("/")]
    return parse_adrs(ctx.snapshot, extra) if extra else ctx.fact("adr")


def _shown(directory: str) -> str:
    """A decision record directory as messages name it: `docs/adr/`, or the repository root ("")."""
    return f"{directory}/" if directory else "the repository root"


def _listed(directories: list[str]) -> str:
    """Directories as a failure message lists them: `docs/adr, the repository root`."""
    return ", ".join(d or _shown(d) for d in directories)


def _directory_locations(adrs: AdrSet, directories: list[str]) -> list[Location]:
    """A directory's location, or for the root (which has no path) each of its records."""
    return [loc for d in directories
            for loc in ([Location(d)] if d else [Location(r.path) for r in adrs.in_directory(d)])]


def _where_looked(params: dict) -> str:
    dirs = list(params.get("dirs") or []) + ["docs/adr", "doc/adr", "docs/decisions", "docs/architecture/decisions",
                                             "adr/"]
    return ", ".join(dict.fromkeys(dirs))


# ---- adr.present -----------------------------------------------------------------------------------

def evaluate_present(ctx: CheckContext, params: dict) -> Outcome:
    adrs = _adrs(ctx, params)
    minimum = int(params.get("min_records", 1))
    count = len(adrs.records)
    dirs = [d for d, _ in adrs.directories]
    if count >= max(minimum, 1):
        by_dir = Counter(r.directory for r in adrs.records)
        where = ", ".join(f"{_shown(d)} ({by_dir[d]})" for d in dirs if by_dir[d])
        structural = [f"{_shown(d)} was found by its {source}" for d, source in adrs.directories
                      if by_dir[d] and source.startswith("structure:")]
        evidence = "; ".join(structural[:2]) + (f"; and {len(structural) - 2} more" if len(structural) > 2 else "")
        return Outcome.passed(f"Found {plural(count, 'decision record')} in {where}"
                              f"{' (' + evidence + ')' if evidence else ''}.",
                              _directory_locations(adrs, [d for d in dirs if by_dir[d]]))
    if count:
        return Outcome.failed(
            f"Found {plural(count, 'decision record')} in {_listed(dirs)}; "
            f"the policy asks for at least {minimum}.",
            [Location(r.path) for r in adrs.records], score=count / minimum)
    if adrs.templates:
        return Outcome.failed(
            f"{_listed(dirs) or 'The ADR directory'} holds only a template ({adrs.templates[0]}), "
            "no decision record.",
            [Location(t) for t in adrs.templates])
    if dirs:
        return Outcome.failed(f"{_listed(dirs)} exists but holds no Markdown decision record.",
                              [Location(d) for d in dirs if d])
    return Outcome.failed(f"No architecture decision records found (looked in {_where_looked(params)}, "
                          "for .adr-dir or .log4brains.yml, and for folders or a repository root of numbered "
                          "documents with Status, Context and Decision sections).")


# ---- adr.format ------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where} {self.message}"


_SECTION_LABEL = {"status": "Status", "context": "Context", "decision": "Decision", "consequences": "Consequences"}


def _status_canonical(status: str, statuses: list[str], aliases: dict[str, str]) -> str | None:
    """The canonical status a status text starts with, or None."""
    text = rx.sub(r"^[^\p{L}\p{N}]+", "", status.lower())
    for name in sorted(list(statuses) + list(aliases), key=len, reverse=True):
        lowered = name.lower()
        after = text[len(lowered):len(lowered) + 1]  # the status word ends there (`(?!\w)`)
        if text.startswith(lowered) and not (after.isalnum() or after == "_"):
            return aliases.get(name, name).lower() if name in aliases else name.lower()
    return None


def _record_problems(record: AdrRecord, params: dict) -> list[Problem]:
    problems: list[Problem] = []
    where = record.title_line or record.doc.body_start
    if not record.title:
        problems.append(Problem(record.path, record.doc.body_start, "has no title (a '# ' heading)"))
    elif record.number is not None and record.title_number is not None and record.title_number != record.number:
        problems.append(Problem(record.path, record.title_line,
                                f"is titled number {record.title_number} but its file name says {record.number}"))

    required = [s.lower() for s in params.get("required_sections", [])]
    optional = {s.lower() for s in params.get("madr_optional_sections", [])} if record.style == "madr" else set()
    missing = [s for s in required if s not in optional and s not in record.sections]
    if missing:
        names = [_SECTION_LABEL.get(s, s.title()) for s in missing]
        label = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        problems.append(Problem(record.path, where, f"lacks the {label} section{'s' if len(names) > 1 else ''}"))

    statuses = [s.lower() for s in params.get("statuses", [])]
    aliases = {str(k).lower(): str(v).lower() for k, v in (params.get("status_aliases") or {}).items()}
    canonical = None
    if record.status is not None:
        if not record.status.strip():
            problems.append(Problem(record.path, record.status_line, "has an empty status"))
        else:
            canonical = _status_canonical(record.status, statuses, aliases)
            if canonical is None:
                shown = record.status if len(record.status) <= 40 else record.status[:37] + "..."
                problems.append(Problem(record.path, record.status_line,
                                        f"has status '{shown}', not one of {', '.join(statuses)}"))

    superseded = canonical == "superseded" or bool(record.status and rx.search(r"super[sc]eded", record.status, rx.I))
    named = [ref for ref in record.superseded_by if ref.text]
    reported = None  # the broken successor link already reported as such
    if superseded and not named:
        problems.append(Problem(record.path, record.status_line,
                                "is superseded but does not name the record that supersedes it"))
    elif superseded and not any(ref.exists for ref in named):
        reported = named[0]
        problems.append(Problem(record.path, reported.line,
                                f"is superseded by '{reported.text}', which does not exist"))
    for ref in record.superseded_by + record.supersedes:
        if ref.text and not ref.exists and ref is not reported:
            problems.append(Problem(record.path, ref.line, f"links to '{ref.text}', which does not exist"))
    return problems


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 5), (9, 9)]"""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _numbering_problems(adrs: AdrSet, allow_gaps: bool) -> tuple[list[Problem], list[str]]:
    """Duplicate numbers and unnumbered records per directory; gaps as problems or notes."""
    problems: list[Problem] = []
    notes: list[str] = []
    for directory, _ in adrs.directories:
        records = adrs.in_directory(directory)
        numbered = [r for r in records if r.number is not None]
        if not numbered or len(numbered) * 2 < len(records):
            continue  # not a numbered collection (named or dated records)
        for record in records:
            if record.number is None and not record.dated:
                problems.append(Problem(record.path, None, "has no number in its file name (NNNN-title.md)"))
        counts: Counter[int] = Counter(r.number for r in numbered if r.number is not None)
        for record in numbered:
            if record.number is not None and counts[record.number] > 1:
                others = [r.path.rpartition("/")[2] for r in numbered
                          if r.number == record.number and r is not record]
                problems.append(Problem(record.path, None,
                                        f"shares number {record.number} with {', '.join(others)}"))
        present = sorted(counts)
        gaps = [n for n in range(present[0], present[-1]) if n not in counts]
        if gaps:
            shown = ", ".join(str(n) for n in gaps[:10]) + (" ..." if len(gaps) > 10 else "")
            if allow_gaps:
                notes.append(f"{'number' if len(gaps) == 1 else 'numbers'} {shown} "
                             f"{'is' if len(gaps) == 1 else 'are'} missing in {_shown(directory)}")
            else:
                by_number = sorted((r.number, r.path) for r in numbered if r.number is not None)
                for start, end in _runs(gaps):  # each run of missing numbers, on the record after it
                    following = next(p for n, p in by_number if n > end)
                    missing = f"number {start} is" if start == end else f"numbers {start}-{end} are"
                    problems.append(Problem(following, None, f"follows a gap: {missing} missing"))
    return problems, notes


def evaluate_format(ctx: CheckContext, params: dict) -> Outcome:
    adrs = _adrs(ctx, params)
    if not adrs.records:
        return Outcome.skipped("No decision records to check (adr.present reports their absence).")
    problems: list[Problem] = []
    for record in adrs.records:
        problems.extend(_record_problems(record, params))
    numbering, notes = _numbering_problems(adrs, bool(params.get("allow_gaps", True)))
    problems.extend(numbering)
    problems = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))
    bad = {p.path for p in problems}
    total = len(adrs.records)
    good = total - len(bad)
    note = f" ({'; '.join(notes)})" if notes else ""
    if not problems:
        return Outcome.passed(f"{all_of(total, 'decision record')} {verb(total, 'is', 'are')} well formed{note}.",
                              _directory_locations(adrs, [d for d, _ in adrs.directories]))
    shown = "; ".join(str(p) for p in problems[:_SHOWN])
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    return Outcome.partial(
        good / total,
        f"{good} of {plural(total, 'decision record')} {verb(good, 'is', 'are')} well formed: {shown}{more}{note}.",
        [Location(p.path, p.line) for p in problems])


# ---- adr.fresh -------------------------------------------------------------------------------------

def freshness(ctx: CheckContext, paths: list[str], query: list[str], max_age: float,
              what: str) -> Outcome:
    """Shared by adr.fresh and runbook.fresh: is the newest of `paths` changed within `max_age` days?

    `query` are the files/directories handed to git (directories keep the call short).
    """
    snapshot = ctx.snapshot
    if not snapshot.has_history:
        return Outcome.skipped(f"Not a git repository (or no commit yet): the age of {what} is unknown.")
    try:
        changes = history.last_changes(snapshot, query)
    except history.NoHistory as exc:
        return Outcome.errored(f"Could not read the git history of {what}: {exc}.")
    wanted = {p: changes[p] for p in paths if p in changes}
    if not wanted:
        return Outcome.skipped(f"None of the {what} is committed yet, so git has no date for it.")
    reliable = {p: c for p, c in wanted.items() if c.reliable}
    newest = history.latest(reliable or wanted)
    assert newest is not None
    path, change = newest
    age = history.days_since(change.epoch, ctx.now)
    if not reliable and age <= max_age:
        return Outcome.skipped(
            f"Shallow clone: git shows {what} as added by the clone's oldest commit ({day(change.epoch)}), so "
            "when it last changed is unknown; fetch full history (e.g. fetch-depth: 0).")
    if age <= max_age:
        return Outcome.passed(
            f"{path} changed {age:.0f} days ago ({day(change.epoch)}), within the {max_age:.0f} days the policy allows.",
            [Location(path)])
    score = max(0.0, 1.0 - (age - max_age) / max_age) if max_age > 0 else 0.0
    return Outcome.failed(
        f"The newest of the {what}, {path}, last changed {age:.0f} days ago ({day(change.epoch)}); "
        f"the policy asks for a change within {max_age:.0f} days.",
        [Location(path)], score=score)


def evaluate_fresh(ctx: CheckContext, params: dict) -> Outcome:
    adrs = _adrs(ctx, params)
    if not adrs.records:
        return Outcome.skipped("No decision records to date (adr.present reports their absence).")
    # directories keep the git call short; the root's records are named one by one
    query = [d for d, _ in adrs.directories if d and adrs.in_directory(d)]
    query += [r.path for r in adrs.in_directory("")]
    return freshness(ctx, [r.path for r in adrs.records], query, float(params.get("max_age_days", 365)),
                     "decision records")


EVALUATORS = {
    "adr.present": evaluate_present,
    "adr.format": evaluate_format,
    "adr.fresh": evaluate_fresh,
}
