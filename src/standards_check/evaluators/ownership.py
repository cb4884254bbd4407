"""Ownership checks: is there a CODEOWNERS GitHub reads, is every line of it valid, what does it cover.

All three read the `codeowners` fact (standards_check.facts.codeowners), so the file is found,
read and parsed once per scan.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from standards_check.context import CheckContext
from standards_check.facts.codeowners import (
    GITHUB_LOCATIONS,
    GITLAB,
    GITLAB_LOCATION,
    CodeownersFile,
)
from standards_check.model import Location, Outcome

MAX_LISTED = 5  # unowned directories named in a message
MAX_LOCATIONS = 50  # problem lines given as evidence


def _fact(ctx: CheckContext) -> CodeownersFile:
    fact: CodeownersFile = ctx.fact("codeowners")
    return fact


def _where(paths: tuple[str, ...] | list[str]) -> str:
    return ", ".join(paths)


def codeowners_present(ctx: CheckContext, params: dict) -> Outcome:
    fact = _fact(ctx)
    if fact.path is None:
        message = f"No CODEOWNERS file: looked for {_where(GITHUB_LOCATIONS)}"
        if fact.ignored:
            message += f"; {_where(fact.ignored)} is not read because the name must be CODEOWNERS"
        if ctx.snapshot.exists("OWNERS"):  # Kubernetes Prow's format, which GitHub does not read
            message += "; the OWNERS files (Prow) do not make GitHub request reviews"
        return Outcome.failed(message, [Location(p) for p in GITHUB_LOCATIONS])
    here = [Location(fact.path)]
    if fact.rejected:
        return Outcome.failed(f"{fact.path} exists but GitHub cannot use it: {fact.error}", here, score=0.5)
    if fact.codeowners is None:  # GitHub reads it; only the scanner's own limit stopped us
        return Outcome.passed(f"CODEOWNERS found at {fact.path} (not read: {fact.error})", here)
    if not fact.codeowners.rules:
        return Outcome.failed(f"{fact.path} exists but assigns no owners (it has no rules)", here, score=0.5)
    message = f"CODEOWNERS found at {fact.path}"
    if fact.path == GITLAB_LOCATION:
        message += " (GitLab reads it; GitHub reads only .github/, the root and docs/)"
    shadowed = [p for p in fact.ignored if p in GITHUB_LOCATIONS or p == GITLAB_LOCATION]
    if shadowed:
        message += f"; {_where(shadowed)} is ignored because {fact.path} comes first"
    return Outcome.passed(message, here + [Location(p) for p in shadowed])


def codeowners_valid(ctx: CheckContext, params: dict) -> Outcome:
    fact = _fact(ctx)
    if fact.path is None:
        return Outcome.skipped("No CODEOWNERS file to validate")
    if fact.rejected:
        return Outcome.failed(f"{fact.path} is {fact.error}", [Location(fact.path)])
    codeowners = fact.parsed(params.get("dialect", "auto"))
    if codeowners is None:
        return Outcome.errored(f"Could not read {fact.path}: {fact.error}", [Location(fact.path)])
    dialect = " (read as GitLab CODEOWNERS)" if codeowners.dialect == GITLAB else ""
    if not codeowners.problems:
        count = codeowners.entry_lines
        lines = f"All {count} rule lines" if count != 1 else "The one rule line"
        verb = "are" if count != 1 else "is"
        return Outcome.passed(f"{lines} of {fact.path} {verb} valid{dialect}", [Location(fact.path)])
    bad_lines = sorted({p.line for p in codeowners.problems})
    total = max(codeowners.entry_lines, len(bad_lines))
    first = codeowners.problems[0]
    others = len(codeowners.problems) - 1
    message = (
        f"{len(bad_lines)} of {total} rule lines of {fact.path} have problems{dialect}, "
        f"e.g. line {first.line}: {first.message}"
        + (f" (and {others} more)" if others else "")
    )
    locations = [Location(fact.path, line) for line in bad_lines[:MAX_LOCATIONS]]
    return Outcome.failed(message, locations, score=(total - len(bad_lines)) / total if total else 0.0)


def codeowners_coverage(ctx: CheckContext, params: dict) -> Outcome:
    fact = _fact(ctx)
    minimum = float(params.get("min_coverage", 0.9))
    paths = ctx.snapshot.paths
    if not paths:
        return Outcome.skipped("The repository has no files")
    if fact.path is None:
        return Outcome.failed(
            f"No file has an owner: there is no CODEOWNERS ({_where(GITHUB_LOCATIONS)})",
            [Location(p) for p in GITHUB_LOCATIONS],
        )
    codeowners = fact.parsed(params.get("dialect", "auto"))
    if codeowners is None:
        if fact.rejected:
            return Outcome.failed(f"No file has an owner: {fact.path} is {fact.error}", [Location(fact.path)])
        return Outcome.errored(f"Could not read {fact.path}: {fact.error}", [Location(fact.path)])
    owned = codeowners.owned(paths)
    unowned = owned.count(False)
    share = 1 - unowned / len(paths)
    summary = (
        f"{_percent(share)} of {len(paths):,} tracked files have an owner in {fact.path} "
        f"(policy asks {_percent(minimum)})"
    )
    if not unowned:
        return Outcome.partial(1.0, summary, [Location(fact.path)], threshold=minimum)
    groups, loose = _largest_unowned(paths, owned)
    named = [f"{d}/ ({_files(n)})" for d, n in groups[:MAX_LISTED]]
    if loose:
        named.append(f"{_files(loose)} elsewhere")
    message = f"{summary}; unowned: {', '.join(named)}"
    locations = [Location(fact.path)] + [Location(d + "/") for d, _ in groups[:MAX_LISTED]]
    return Outcome.partial(share, message, locations, threshold=minimum)


def _files(count: int) -> str:
    return f"{count:,} file" + ("" if count == 1 else "s")


def _percent(share: float) -> str:
    """One decimal; never a 100% that hides unowned files, nor a 0% that hides owned ones."""
    tenths = round(share * 1000)
    if tenths == 1000 and share < 1:
        tenths = 999
    elif tenths == 0 and share > 0:
        tenths = 1
    text = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _largest_unowned(paths: Sequence[str], owned: list[bool]) -> tuple[list[tuple[str, int]], int]:
    """The largest directories nobody owns any file in (not inside another such directory), by size,
    and how many unowned files lie outside the ones listed."""
    dirs = [p.rpartition("/")[0] for p in paths]
    total = Counter(dirs)  # files directly in each directory, then rolled up the tree
    missing = Counter(d for d, ok in zip(dirs, owned) if not ok)
    for d in list(total):  # directories with no files of their own still need a count
        while d:
            d = d.rpartition("/")[0]
            if d in total:
                break
            total[d] = 0
    for d in sorted(total, key=lambda x: -x.count("/")):
        if d:
            parent = d.rpartition("/")[0]
            total[parent] += total[d]
            missing[parent] += missing[d]
    whole = {d for d, n in missing.items() if d and n and n == total[d]}
    tops = [(d, missing[d]) for d in whole if d.rpartition("/")[0] not in whole]
    tops.sort(key=lambda pair: (-pair[1], pair[0]))
    loose = owned.count(False) - sum(n for _, n in tops[:MAX_LISTED])
    return tops, loose


EVALUATORS = {
    "codeowners.present": codeowners_present,
    "codeowners.valid": codeowners_valid,
    "codeowners.coverage": codeowners_coverage,
}
