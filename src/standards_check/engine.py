"""snapshot + policy + repository config -> Report. The whole run reads at the top:
load config, resolve policy, evaluate every rule, apply waivers, score.

Everything that depends on the date is judged as of ONE day, `as_of` (default: today; `scan
--as-of DATE`): waivers' expiry (repoconfig.load_repo_config), the policy's waiver rules
(repoconfig.govern), rules' `effective` dates (upcoming before), which waivers expire soon, and,
through `now` (the start of that day unless given), the checks that read dates or history."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

from standards_check import yamlio
from standards_check.catalog import Catalog, CheckSpec, load_catalog
from standards_check.context import CheckContext
from standards_check.errors import UserError
from standards_check.model import ERROR, FAIL, UPCOMING, WAIVED, Outcome
from standards_check.policy import Policy, PolicyLoader, Rule, looks_like_path
from standards_check.repoconfig import RepoConfig, govern, load_repo_config
from standards_check.report import (NOT_READ, POLICY_SOURCE, REFUSED_FILE, WAIVER, Diff, Report, ReportWarning,
                                    Result, Waiver)
from standards_check.scoring import category_scores, evaluate_gate, maturity_level, weighted_score
from standards_check.snapshot import RepoSnapshot, open_snapshot


EXPIRING_DAYS = 30  # an applied waiver expiring within this many days of as_of is listed as expiring


def day_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    """The day a scan is judged as of: the given date (or the date of a datetime), else today."""
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of or dt.date.today()


def moment_of(as_of: dt.date | dt.datetime) -> float:
    """Seconds since the epoch for `as_of`: a datetime as given (naive means UTC), a date at the
    start of its day in UTC."""
    if not isinstance(as_of, dt.datetime):
        as_of = dt.datetime(as_of.year, as_of.month, as_of.day)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.timezone.utc)
    return as_of.timestamp()


class Evaluations:
    """Check outcomes of one snapshot, memoised by (check, type, params): scoring the same
    snapshot against two policies (`policy diff`) reads each fact and runs each check once when
    both policies use it with the same params. `runs` counts the checks really evaluated."""

    def __init__(self, snapshot: RepoSnapshot, now: float | None = None) -> None:
        self.ctx = CheckContext(snapshot, now=now)
        self.outcomes: dict[tuple, Outcome] = {}
        self.runs = 0

    def outcome(self, spec: CheckSpec, params: dict) -> Outcome:
        key = (spec.id, spec.type, _frozen(params))
        if key not in self.outcomes:
            self.runs += 1
            self.outcomes[key] = run_check(self.ctx, spec, params)
        return self.outcomes[key]


def scan(snapshot: RepoSnapshot, policy: Policy | None = None, *, policy_ref: str | None = None,
         as_of: dt.date | dt.datetime | None = None, diff: Diff | None = None, now: float | None = None,
         evaluations: Evaluations | None = None) -> Report:
    """Evaluate a snapshot against a policy (given, or named, or from .standards.yml, or baseline).

    `as_of` is the day waivers expire and `effective` dates apply (default today). `now` (seconds
    since the epoch) is the moment the time-dependent checks judge as of: default the start of
    `as_of`'s day when `as_of` is given, else their defaults (see CheckContext). `evaluations` (of
    this same snapshot) lets several scans share check outcomes."""
    # Catalog and a named policy first: a worktree snapshot is still listing files meanwhile.
    day = day_of(as_of)
    catalog = load_catalog()
    if policy is None and policy_ref:
        policy = PolicyLoader(catalog).load(policy_ref)
    if policy is not None:
        _import_evaluators(policy, catalog)
    if now is None and as_of is not None:
        now = moment_of(as_of)
    with yamlio.scan_budget() as budget:  # bounds what this scan's files may parse, together
        config = load_repo_config(snapshot, day)
        if policy is None:
            policy = resolve_for(snapshot, None, config)
        config_waivers = govern(config.waivers, policy.waivers.max_days, policy.waivers.require_approver,
                                day, policy.name)
        evaluations = evaluations or Evaluations(snapshot, now=now)
        waivers = {w.check: w for w in config_waivers}
        specs = {rule.check: policy.spec(rule.check, catalog) for rule in policy.rules}
        params = {rule.check: {**specs[rule.check].defaults(), **rule.params} for rule in policy.rules}
        _start_background_reads(snapshot, params)
        results = []
        for rule in policy.rules:
            spec = specs[rule.check]
            outcome = evaluations.outcome(spec, params[rule.check])
            results.append(_result(rule, spec, outcome, waivers.get(rule.check), day))
    ruled = set(specs)
    refused = [f"{path}: {reason}" for path, reason in sorted(budget.refused.items())]
    warnings = [ReportWarning(POLICY_SOURCE, note) for note in policy.notes]
    warnings += [ReportWarning(REFUSED_FILE, text) for text in refused[:20]]
    warnings += [ReportWarning(REFUSED_FILE, f"{len(refused) - 20} more files were refused")] if len(refused) > 20 else []
    warnings += [ReportWarning(WAIVER, w.problem) for w in config_waivers if w.problem]
    warnings += [ReportWarning(WAIVER, f"waiver for {w.check} matches no rule of policy {policy.name}")
                 for w in config_waivers if w.check not in ruled]
    warnings += [ReportWarning(NOT_READ, f"{path} was not read: {why}")
                 for path, why in sorted(snapshot.skipped.items())][:20]
    expiring = [{"check": w.check, "expires": w.expires, "days_left": left, "approved_by": w.approved_by}
                for w in config_waivers if w.state == "active" and w.check in ruled and w.expires
                for left in [(dt.date.fromisoformat(w.expires) - day).days] if left <= EXPIRING_DAYS]
    report = build_report(snapshot, policy, results, diff=diff, warnings=warnings)
    return replace(report, as_of=day.isoformat(),
                   expiring_waivers=tuple(sorted(expiring, key=lambda w: (w["expires"], w["check"]))),
                   anchor=config.path, docs=catalog.docs(r.check for r in report.results))


def _frozen(value: object) -> object:
    """A hashable, order-independent form of check params (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _import_evaluators(policy: Policy, catalog: Catalog) -> None:
    """Import the evaluator families of a policy known before the listing (given or named): a work
    tree snapshot is still listing its files in git meanwhile, and the checks would import them
    anyway. A family that fails to import is left for run_check to report as the check's error."""
    from standards_check.evaluators import REGISTRY

    for rule in policy.rules:
        try:
            spec = policy.spec(rule.check, catalog)
            if not spec.is_declarative and spec.id in REGISTRY:
                REGISTRY[spec.id]
        except Exception:  # noqa: BLE001 - only a head start
            if os.environ.get("STANDARDS_CHECK_DEBUG"):
                raise


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
              as_of: dt.date | dt.datetime | None = None) -> Report:
    with open_snapshot(path, ref=ref) as snapshot:
        return scan(snapshot, policy_ref=policy_ref, as_of=as_of)


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
    if config.policy:
        _check_repository_source(config.policy, config.path or ".standards.yml")
    return PolicyLoader().load(config.policy or "baseline")


ALLOWED_SOURCES_ENV = "STANDARDS_CHECK_POLICY_SOURCES"


def _check_repository_source(ref: str, where: str) -> None:
    """A scanned repository's `.standards.yml` is untrusted, so the git+ policy it names is fetched
    only from where the trusted side allows: STANDARDS_CHECK_POLICY_SOURCES (comma-separated URL
    prefixes) when set; otherwise any https URL (never file://, ssh with the user's keys, or git://)."""
    from standards_check import policysource

    if not policysource.is_git_ref(ref):
        return
    url = policysource.redact(policysource.parse(ref).url)
    allowed = [p.strip() for p in os.environ.get(ALLOWED_SOURCES_ENV, "").split(",") if p.strip()]
    if allowed:
        if not any(url.startswith(prefix) for prefix in allowed):
            raise UserError(f"{where}: policy {url} is not from a source {ALLOWED_SOURCES_ENV} allows; "
                            "pass it with --policy to use it anyway")
    elif not url.startswith("https://"):
        raise UserError(f"{where}: policy {url}: a repository's .standards.yml may name a git+ policy over "
                        f"https only (or from the prefixes {ALLOWED_SOURCES_ENV} lists); pass it with --policy")


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


def _result(rule: Rule, spec: CheckSpec, outcome: Outcome, waiver: Waiver | None, day: dt.date) -> Result:
    """A rule that is not yet effective on `day` is `upcoming` when it fails (before any waiver:
    it needs none yet); from its date on, failures count and waivers apply as for any rule."""
    status, message = outcome.status, outcome.message
    if status in (FAIL, ERROR) and rule.upcoming(day):
        status = UPCOMING
    elif waiver is not None and waiver.state == "active" and status in (FAIL, ERROR):
        status = WAIVED
        message = f"{message} (waived until {waiver.expires}: {waiver.reason})"
    return Result(
        check=spec.id, title=spec.title, category=spec.category, severity=rule.severity,
        weight=rule.weight, level=rule.level, status=status, score=outcome.score, message=message,
        locations=tuple(outcome.locations), remediation=outcome.fix or spec.remediation, waiver=waiver,
        time_based=spec.time_dependent or outcome.time_based,
        effective=rule.effective.isoformat() if rule.effective else None,
    )


def build_report(snapshot: RepoSnapshot, policy: Policy, results: list[Result], *, diff: Diff | None = None,
                 warnings: list[ReportWarning] | None = None) -> Report:
    results = sorted(results, key=lambda r: r.check)
    score = weighted_score(results)
    score = 100.0 if score is None else score
    level = maturity_level(results, policy.levels)
    gate = evaluate_gate(policy.gate.min_score, policy.gate.min_level, policy.gate.fail_on_new,
                         score, level, diff, policy.levels)
    return Report(
        repository={"name": snapshot.name, "path": str(snapshot.root) if snapshot.root else None,
                    "ref": snapshot.ref, "commit": snapshot.commit},
        policy={"name": policy.name, "version": policy.version, "source": policy.source,
                **({"commit": policy.commit} if policy.commit else {})},
        score=score, level=level, level_name=policy.levels.get(level), passed=not gate.reasons,
        gate=gate, categories=category_scores(results), results=tuple(results), diff=diff,
        warnings=tuple(warnings or ()),
    )


__all__ = ["scan", "scan_path", "Evaluations", "day_of", "resolve_for", "run_check", "build_report", "UserError"]
