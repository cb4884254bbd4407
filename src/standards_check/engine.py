"""snapshot + policy + repository config -> Report. The whole run reads at the top:
load config, resolve policy, evaluate every rule, apply waivers, score."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from standards_check.catalog import CheckSpec, load_catalog
from standards_check.context import CheckContext
from standards_check.errors import UserError
from standards_check.model import ERROR, FAIL, WAIVED, Outcome
from standards_check.policy import Policy, PolicyLoader, looks_like_path
from standards_check.repoconfig import RepoConfig, load_repo_config
from standards_check.report import Diff, Report, Result, Waiver
from standards_check.scoring import category_scores, evaluate_gate, maturity_level, weighted_score
from standards_check.snapshot import RepoSnapshot, open_snapshot


def scan(snapshot: RepoSnapshot, policy: Policy | None = None, *, policy_ref: str | None = None,
         today: dt.date | None = None, diff: Diff | None = None) -> Report:
    """Evaluate a snapshot against a policy (given, or named, or from .standards.yml, or baseline)."""
    # Catalog and a named policy first: a worktree snapshot is still listing files meanwhile.
    catalog = load_catalog()
    if policy is None and policy_ref:
        policy = PolicyLoader(catalog).load(policy_ref)
    config = load_repo_config(snapshot, today)
    if policy is None:
        policy = resolve_for(snapshot, None, config)
    ctx = CheckContext(snapshot)
    waivers = {w.check: w for w in config.waivers}
    params = {rule.check: {**policy.spec(rule.check, catalog).defaults(), **rule.params} for rule in policy.rules}
    _start_background_reads(snapshot, params)
    results = []
    for rule in policy.rules:
        spec = policy.spec(rule.check, catalog)
        outcome = run_check(ctx, spec, params[rule.check])
        results.append(_result(rule, spec, outcome, waivers.get(rule.check)))
    warnings = [w.problem for w in config.waivers if w.problem]
    warnings += [f"waiver for {w.check} matches no rule of policy {policy.name}" for w in config.waivers
                 if w.check not in {r.check for r in policy.rules}]
    warnings += [f"{path} was not read: {why}" for path, why in sorted(snapshot.skipped.items())][:20]
    return build_report(snapshot, policy, results, diff=diff, warnings=warnings)


def _start_background_reads(snapshot: RepoSnapshot, params: dict[str, dict]) -> None:
    """Checks that read the whole repository start git on it now, in the background, so it works
    while the other checks run (secrets.committed: git grep for its literals)."""
    if "secrets.committed" in params:
        from standards_check import secretscan

        try:
            secretscan.start(snapshot, params["secrets.committed"])
        except Exception:  # noqa: BLE001 - only a head start; the check itself reports its errors
            if os.environ.get("STANDARDS_CHECK_DEBUG"):
                raise


def scan_path(path: str | Path, *, ref: str | None = None, policy_ref: str | None = None,
              today: dt.date | None = None) -> Report:
    with open_snapshot(path, ref=ref) as snapshot:
        return scan(snapshot, policy_ref=policy_ref, today=today)


def resolve_for(snapshot: RepoSnapshot, policy_ref: str | None, config: RepoConfig) -> Policy:
    """--policy wins; else the repository's .standards.yml (a bundled name, or a path inside the
    repository read through the snapshot); else the baseline."""
    if policy_ref:
        return PolicyLoader().load(policy_ref)
    if config.policy and looks_like_path(config.policy):
        def read(path: str) -> str:
            rel = os.path.normpath(path).replace(os.sep, "/")
            text = snapshot.read_text(rel) if not rel.startswith("..") else None
            if text is None:
                raise FileNotFoundError(path)
            return text
        base = os.path.dirname(config.path or "")
        return PolicyLoader(reader=read).load(os.path.join(base, config.policy) if base else config.policy)
    return PolicyLoader().load(config.policy or "baseline")


def run_check(ctx: CheckContext, spec: CheckSpec, params: dict) -> Outcome:
    """Run one evaluator; a crash is an `error` outcome (never a pass), not a crashed scan."""
    from standards_check.evaluators import REGISTRY
    from standards_check.evaluators.declarative import EVALUATORS as DECLARATIVE

    evaluator = DECLARATIVE.get(spec.type) if spec.is_declarative else REGISTRY.get(spec.id)
    if evaluator is None:
        return Outcome.errored(f"{spec.id} is not implemented yet in this version of standards-check")
    try:
        return evaluator(ctx, params)
    except Exception as exc:  # noqa: BLE001 - one broken check must not lose the others
        if os.environ.get("STANDARDS_CHECK_DEBUG"):
            raise
        return Outcome.errored(f"could not evaluate {spec.id}: {type(exc).__name__}: {exc}")


def _result(rule, spec: CheckSpec, outcome: Outcome, waiver: Waiver | None) -> Result:
    status, message = outcome.status, outcome.message
    if waiver is not None and waiver.state == "active" and status in (FAIL, ERROR):
        status = WAIVED
        message = f"{message} (waived until {waiver.expires}: {waiver.reason})"
    return Result(
        check=spec.id, title=spec.title, category=spec.category, severity=rule.severity,
        weight=rule.weight, level=rule.level, status=status, score=outcome.score, message=message,
        locations=tuple(outcome.locations), remediation=spec.remediation, waiver=waiver,
    )


def build_report(snapshot: RepoSnapshot, policy: Policy, results: list[Result], *, diff: Diff | None = None,
                 warnings: list[str] | None = None) -> Report:
    results = sorted(results, key=lambda r: r.check)
    score = weighted_score(results)
    score = 100.0 if score is None else score
    level = maturity_level(results, policy.levels)
    gate = evaluate_gate(policy.gate.min_score, policy.gate.min_level, policy.gate.fail_on_new,
                         score, level, diff, policy.levels)
    return Report(
        repository={"name": snapshot.name, "path": str(snapshot.root) if snapshot.root else None,
                    "ref": snapshot.ref, "commit": snapshot.commit},
        policy={"name": policy.name, "version": policy.version, "source": policy.source},
        score=score, level=level, level_name=policy.levels.get(level), passed=not gate.reasons,
        gate=gate, categories=category_scores(results), results=tuple(results), diff=diff,
        warnings=tuple(warnings or ()),
    )


__all__ = ["scan", "scan_path", "resolve_for", "run_check", "build_report", "UserError"]
