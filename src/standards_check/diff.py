"""Diff mode (`scan --base REF`, and `ci` on pull requests): what a change did to the score.

Base and head are both read from git objects (RefSnapshot), so the working tree is never touched
and both sides are judged alike (tracked content only). Both are scored against ONE policy, the
head's (its `.standards.yml` or `--policy`), so a change of policy does not read as a change of
the code; each side keeps its own waivers. The Report is the head's, with `diff` filled:

- `new_failures`: rules that fail (or could not be evaluated) at head and did not at the base;
- `fixed`: rules that failed at the base and pass at head;
- `score_delta`: head score minus base score;
- `changed_with_time`: rules that moved (status or score) but whose outcome rests on dates or
  history rather than files (catalog `time_dependent: true`, or an outcome marked `time_based`,
  such as a changelog judged stale by newer release tags). These never count as new failures or
  fixes: the head's history holds the change's own commit and a window slides with the clock, so
  their movement is not something the change did to the files.

Both sides are judged as of ONE moment (`now`, the time of the scan unless given), so a release
window or an age does not differ between base and head only because their commits are dated apart.

With `gate.fail_on_new: true` the gate then fails only on new failures (scoring.evaluate_gate),
so a legacy repository can adopt the check without fixing everything first.

When the base is not in the clone (a shallow checkout), the report says how to fetch it and is a
plain scan of the head.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path

from standards_check.engine import day_of, moment_of, resolve_for, scan
from standards_check.errors import UserError
from standards_check.policy import Policy
from standards_check.repoconfig import load_repo_config
from standards_check.report import DIFF_SCOPE, DIFF_SKIPPED, Diff, Report, ReportWarning
from standards_check.scoring import evaluate_gate
from standards_check.snapshot import RefSnapshot, run_git
from standards_check.snapshot import resolve_commit as snapshot_commit
from standards_check.model import PASS


def scan_diff(path: str | Path, base: str, *, ref: str | None = None, policy_ref: str | None = None,
              as_of: dt.date | dt.datetime | None = None, base_label: str | None = None,
              now: float | None = None, new_only_if_passing: bool = False) -> Report:
    """Scan `ref` (default HEAD) of the repository at `path` and compare it with `base`.

    `base_label` names the base in the report (e.g. the PR's base branch while `base` is its SHA);
    `now` (seconds since the epoch; default the start of `as_of`'s day when given, else the time of
    the call) is the moment both sides are judged as of. `new_only_if_passing` counts a failure as new only when the base passed that
    rule (not when the rule did not apply there): for a base that is the empty tree (the pre-commit
    hook's first commit), where almost nothing applies yet."""
    if now is None:
        now = moment_of(as_of) if as_of is not None else time.time()
    root = Path(path)
    if run_git(root, "rev-parse", "--git-dir", check=False).strip() == "":
        raise UserError(f"--base needs a git repository, and {path} is not one")
    head_ref = ref or "HEAD"
    with RefSnapshot(root, head_ref) as head:
        policy = resolve_for(head, policy_ref, load_repo_config(head, day_of(as_of)))
        head_report = scan(head, policy, as_of=as_of, now=now)
        shallow = head.is_shallow
    prefix = run_git(root, "rev-parse", "--show-prefix", check=False).strip()
    if prefix:
        # A snapshot at a ref covers the whole tree; say so rather than pretend to scope it.
        head_report = replace(head_report, warnings=(
            *head_report.warnings,
            ReportWarning(DIFF_SCOPE, "diff mode reads whole commits: the scan covers the repository, "
                          f"not only {prefix.rstrip('/')}/")))
    base_commit = resolve_commit(root, base)
    if base_commit is None:
        return replace(head_report, warnings=(*head_report.warnings, base_missing(base, shallow)))
    with RefSnapshot(root, base_commit) as base_snapshot:
        base_report = scan(base_snapshot, policy, as_of=as_of, now=now)
    return with_diff(head_report, compare(base_report, head_report, base_label or base, base_commit,
                                                new_only_if_passing), policy)


def resolve_commit(root: Path, ref: str) -> str | None:
    """The commit a ref names; a branch name also tries `origin/<name>`, which is all a CI
    checkout has (actions/checkout creates no local branches for the base)."""
    candidates = [ref]
    if not ref.startswith(("refs/", "origin/")) and not _is_sha(ref):
        candidates.append(f"refs/remotes/origin/{ref}")
    for candidate in candidates:
        commit = snapshot_commit(root, candidate)
        if commit:
            return commit
    return None


def base_missing(base: str, shallow: bool) -> ReportWarning:
    why = "this clone is shallow" if shallow else "it is not in this clone"
    return ReportWarning(DIFF_SKIPPED, f"Diff mode skipped: the base {base} cannot be found ({why}), so this is a plain scan. "
            f"Fetch the history: on GitHub Actions set `fetch-depth: 0` on actions/checkout "
            f"(`fetch-depth: 2` is enough on pull_request, whose merge commit has the base as "
            f"parent); elsewhere run `git fetch --deepen=200 origin` or `git fetch origin {base}`.")


def compare(base: Report, head: Report, base_ref: str, base_commit: str | None = None,
            new_only_if_passing: bool = False) -> Diff:
    before = {r.check: r for r in base.results}
    new, fixed, with_time = [], [], []
    for r in head.results:
        old = before.get(r.check)
        was_failing = old is not None and old.is_failure
        if r.time_based or (old is not None and old.time_based):
            if old is not None and (r.status != old.status or abs(r.score - old.score) >= 0.005):
                with_time.append(r.check)
            elif old is None and r.is_failure:
                with_time.append(r.check)
        elif r.is_failure and not was_failing:
            if not new_only_if_passing or (old is not None and old.status == PASS):
                new.append(r.check)
        elif r.status == PASS and was_failing:
            fixed.append(r.check)
    return Diff(base_ref=base_ref, base_commit=base_commit, base_score=base.score,
                score_delta=round(head.score - base.score, 1),
                new_failures=tuple(new), fixed=tuple(fixed), changed_with_time=tuple(with_time))


def with_diff(report: Report, diff: Diff, policy: Policy) -> Report:
    """The head report with its diff, and the gate judged again knowing the diff."""
    gate = evaluate_gate(policy.gate.min_score, policy.gate.min_level, policy.gate.fail_on_new,
                         report.score, report.level, diff, policy.levels)
    return replace(report, diff=diff, gate=gate, passed=not gate.reasons)


def _is_sha(ref: str) -> bool:
    return 7 <= len(ref) <= 64 and all(c in "0123456789abcdef" for c in ref.lower())
