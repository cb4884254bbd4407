"""`policy diff OLD NEW`: what a policy change would do to a set of repositories, before it is merged.

Both policies are applied to the same snapshot of each repository (a directory of clones, a file
of clone URLs, or the repositories of a results store's latest sweep, read from the sweep's
clones at the commit it scanned). One `engine.Evaluations` per snapshot is shared by both scans,
so a check both policies run with the same params is evaluated once, and each fact parsed once.
Each repository's waivers (its `.standards.yml`) apply under each policy's own waiver rules.

The preview is plain data (`PolicyDiff.to_dict`, the `--format json` contract); the command
renders it as text or markdown and always exits 0.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from standards_check.catalog import Catalog, load_catalog
from standards_check.errors import UserError
from standards_check.model import PASS
from standards_check.policy import Policy, PolicyLoader
from standards_check.report import Report


@dataclass(frozen=True)
class Target:
    """One repository to preview: where its git objects are, and which commit to read."""

    name: str
    root: Path | None
    ref: str = "HEAD"
    partial: bool = False  # a sweep's blob-less clone: fetch practice files in one batch
    error: str | None = None


@dataclass
class RepoPreview:
    name: str
    old: Report | None = None
    new: Report | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.old is None or self.new is None:
            return {"name": self.name, "old": None, "new": None, "new_failures": [], "fixed": [],
                    "upcoming": [], "error": self.error}
        before = {r.check: r for r in self.old.results}
        after = {r.check: r for r in self.new.results}
        new_failures = [c for c, r in after.items() if r.is_failure and not (c in before and before[c].is_failure)]
        fixed = [c for c, r in before.items() if r.is_failure and c in after and after[c].status == PASS]
        return {"name": self.name, "old": _side(self.old), "new": _side(self.new),
                "new_failures": sorted(new_failures), "fixed": sorted(fixed),
                "upcoming": sorted(r.check for r in self.new.upcoming), "error": None}


def _side(report: Report) -> dict[str, Any]:
    return {"score": report.score, "level": report.level, "passed": report.passed}


@dataclass
class PolicyDiff:
    old_ref: str
    new_ref: str
    old: Policy
    new: Policy
    rules: dict[str, list]
    repositories: list[dict[str, Any]] = field(default_factory=list)  # RepoPreview.to_dict()
    checks_run: int = 0  # check evaluations really done
    checks_separately: int = 0  # what two separate scans of every repository would have run

    def to_dict(self) -> dict[str, Any]:
        repos = self.repositories
        scored = [r for r in repos if r["error"] is None]
        summary = {
            "repositories": len(repos),
            "errors": len(repos) - len(scored),
            "gate_flips_to_fail": sum(r["old"]["passed"] and not r["new"]["passed"] for r in scored),
            "gate_flips_to_pass": sum(not r["old"]["passed"] and r["new"]["passed"] for r in scored),
            "level_down": sum(r["new"]["level"] < r["old"]["level"] for r in scored),
            "level_up": sum(r["new"]["level"] > r["old"]["level"] for r in scored),
        }
        return {
            "old": _policy_id(self.old_ref, self.old), "new": _policy_id(self.new_ref, self.new),
            "rules": self.rules, "repositories": repos, "summary": summary,
            "evaluations": {"checks_run": self.checks_run, "checks_if_scanned_separately": self.checks_separately},
        }


def _policy_id(ref: str, policy: Policy) -> dict[str, Any]:
    return {"ref": ref, "name": policy.name, "version": policy.version, "source": policy.source}


def rule_changes(old: Policy, new: Policy, catalog: Catalog) -> dict[str, list]:
    """Rules added, removed, reweighted (weight, level or severity), re-parameterised (the params
    they really run with, catalog defaults included) and re-dated (`effective`)."""
    before = {r.check: r for r in old.rules}
    after = {r.check: r for r in new.rules}
    out: dict[str, list] = {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
                            "reweighted": [], "reparameterised": [], "effective": []}
    for check in sorted(set(before) & set(after)):
        a, b = before[check], after[check]
        weights = [{"weight": r.weight, "level": r.level, "severity": r.severity} for r in (a, b)]
        if weights[0] != weights[1]:
            out["reweighted"].append({"check": check, "old": weights[0], "new": weights[1]})
        params = [{**p.spec(check, catalog).defaults(), **r.params} for p, r in ((old, a), (new, b))]
        if params[0] != params[1]:
            out["reparameterised"].append({"check": check, "old": params[0], "new": params[1]})
        if a.effective != b.effective:
            out["effective"].append({"check": check, "old": a.effective and a.effective.isoformat(),
                                     "new": b.effective and b.effective.isoformat()})
    return out


# ---- which repositories ----------------------------------------------------------------------------
def targets_from_dir(directory: Path) -> Iterator[Target]:
    from standards_check.sweep.sources import from_directory

    for spec in from_directory(directory):
        yield Target(spec.name, Path(spec.path or directory))


def targets_from_urls(file: Path, cache_dir: Path) -> Iterator[Target]:
    """Each URL's clone in the sweep's cache (created or brought up to date, as `sweep` does)."""
    from standards_check.sweep.fetch import FetchError, ensure_clone
    from standards_check.sweep.sources import from_url_file

    for spec in from_url_file(file):
        try:
            yield Target(spec.name, ensure_clone(spec.url or "", cache_dir), partial=True)
        except FetchError as exc:
            yield Target(spec.name, None, error=str(exc))


def targets_from_store(store_path: Path) -> Iterator[Target]:
    """The repositories of the latest sweep, at the commit it scanned, from the clones it read
    (the path recorded in each report: the swept directory's clone, or the sweep's clone cache)."""
    from standards_check.sweep.store import Store

    with Store(store_path, create=False) as store:
        sweep = store.latest_sweep()
        rows = store.results(sweep.id)
    for row in rows:
        name = row["repo"]
        if row["status"] != "ok":
            yield Target(name, None, error=f"not scanned by sweep {sweep.id}: {row.get('error')}")
            continue
        path = ((row.get("report") or {}).get("repository") or {}).get("path")
        if not path or not Path(path).exists():
            yield Target(name, None, error=f"its clone is no longer at {path}" if path else "no clone recorded")
            continue
        yield Target(name, Path(path), ref=row.get("commit_sha") or "HEAD", partial=_is_partial(Path(path)))


def _is_partial(root: Path) -> bool:
    """A blob-less clone (the sweep's cache) records its promisor remote in its config."""
    try:
        return "partialclone" in (root / "config").read_text(errors="replace").lower()
    except OSError:
        return False


# ---- the preview -----------------------------------------------------------------------------------
def preview(old_ref: str, new_ref: str, targets: Iterable[Target], *, as_of: dt.date | None = None,
            jobs: int = 1) -> PolicyDiff:
    """Both policies on every target, in the targets' order; `jobs` > 1 reads that many
    repositories at once in forked worker processes (as `sweep --jobs` does)."""
    catalog = load_catalog()
    loader = PolicyLoader(catalog)
    old, new = loader.load(old_ref), loader.load(new_ref)
    result = PolicyDiff(old_ref, new_ref, old, new, rule_changes(old, new, catalog))
    if jobs <= 1:
        done: Iterable[tuple[dict[str, Any], int, int]] = (_preview_one(t, old, new, as_of) for t in targets)
        _collect(result, done)
    else:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs, _init_worker, (old, new, as_of)) as pool:
            _collect(result, pool.imap(_preview_in_worker, targets, chunksize=4))
    return result


def _collect(result: PolicyDiff, done: Iterable[tuple[dict[str, Any], int, int]]) -> None:
    for data, runs, separately in done:
        result.repositories.append(data)
        result.checks_run += runs
        result.checks_separately += separately


_WORKER: dict[str, Any] = {}


def _init_worker(old: Policy, new: Policy, as_of: dt.date | None) -> None:
    _WORKER.update(old=old, new=new, as_of=as_of)


def _preview_in_worker(target: Target) -> tuple[dict[str, Any], int, int]:
    return _preview_one(target, _WORKER["old"], _WORKER["new"], _WORKER["as_of"])


def _preview_one(target: Target, old: Policy, new: Policy, as_of: dt.date | None) -> tuple[dict[str, Any], int, int]:
    """(the repository's preview, checks evaluated, checks two separate scans would evaluate)."""
    from standards_check.engine import Evaluations, scan
    from standards_check.snapshot import GitError, RefSnapshot

    if target.error or target.root is None:
        return RepoPreview(target.name, error=target.error or "no clone").to_dict(), 0, 0
    try:
        if target.partial:
            from standards_check.sweep.prefetch import PartialCloneSnapshot, likely_paths

            snapshot: RefSnapshot = PartialCloneSnapshot(target.root, target.ref)
            snapshot.prefetch(likely_paths(snapshot.paths))
        else:
            snapshot = RefSnapshot(target.root, target.ref)
    except GitError as exc:
        return RepoPreview(target.name, error=f"broken repository: {exc.stderr or exc}").to_dict(), 0, 0
    except Exception as exc:  # noqa: BLE001 - one unreadable repository must not stop the preview
        return RepoPreview(target.name, error=f"cannot read it: {exc}").to_dict(), 0, 0
    with snapshot:
        snapshot.name = target.name
        evaluations = Evaluations(snapshot)
        try:
            old_report = scan(snapshot, old, as_of=as_of, evaluations=evaluations)
            new_report = scan(snapshot, new, as_of=as_of, evaluations=evaluations)
        except UserError as exc:  # e.g. a malformed .standards.yml
            return RepoPreview(target.name, error="; ".join(exc.lines())).to_dict(), 0, 0
    return (RepoPreview(target.name, old_report, new_report).to_dict(), evaluations.runs,
            len(old.rules) + len(new.rules))
