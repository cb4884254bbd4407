"""Scan one repository of a sweep: fetch it cheaply, snapshot its default branch, score it.

Runs in a worker process. Every failure becomes an `error` row with a plain reason; nothing here
stops the sweep.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from standards_check.sweep.fetch import FetchError, ensure_clone
from standards_check.sweep.policymap import PolicyMap
from standards_check.sweep.repoinfo import read_info
from standards_check.sweep.sources import RepoSpec
from standards_check.sweep.store import now

ScanFn = Callable[[Any, "str | None"], Any]  # (snapshot, policy ref or None) -> Report


@dataclass(frozen=True)
class WorkerOptions:
    cache_dir: Path
    policy: str | None = None
    policy_map: PolicyMap | None = None
    max_size_kb: int | None = None
    scan: ScanFn | None = None  # None: the real engine
    auth_host: str | None = None  # clones from this host send the forge's token (see fetch.git_env)
    auth_forge: str = "github"  # github: GITHUB_TOKEN; gitlab: GITLAB_TOKEN


def engine_scan(snapshot: Any, policy_ref: str | None) -> Any:
    from standards_check.engine import scan

    return scan(snapshot, policy_ref=policy_ref)


def error_row(name: str, reason: str, started: float | None = None) -> dict[str, Any]:
    return {"repo": name, "status": "error", "error": reason, "scanned_at": now(),
            "duration_s": round(time.monotonic() - started, 3) if started else None}


def scan_repo(spec: RepoSpec, opts: WorkerOptions) -> dict[str, Any]:
    import os

    started = time.monotonic()
    if opts.auth_host:  # in the worker process only
        os.environ["STANDARDS_CHECK_GIT_AUTH_HOST"] = opts.auth_host
        os.environ["STANDARDS_CHECK_GIT_AUTH_FORGE"] = opts.auth_forge
    # The secret scan's cache lives with the clones (one place to keep between nightly sweeps) unless
    # the user chose one; each worker process loads it once and keeps it for the repositories it scans.
    os.environ.setdefault("STANDARDS_CHECK_CACHE", str(opts.cache_dir / "scan-cache"))
    try:
        return _scan(spec, opts, started)
    except FetchError as exc:
        return error_row(spec.name, str(exc), started)
    except Exception as exc:  # the sweep records it and goes on; the reason names the failure
        from standards_check.errors import UserError

        if isinstance(exc, UserError):
            return error_row(spec.name, "; ".join(exc.lines()), started)
        return error_row(spec.name, f"internal error: {type(exc).__name__}: {exc}", started)


def _scan(spec: RepoSpec, opts: WorkerOptions, started: float) -> dict[str, Any]:
    from standards_check.snapshot import BrokenRepository, GitError, RefSnapshot

    if spec.problem:
        return error_row(spec.name, spec.problem, started)
    if opts.max_size_kb is not None and spec.size_kb is not None and spec.size_kb > opts.max_size_kb:
        return error_row(spec.name, f"too large to sweep: {spec.size_kb // 1024} MB"
                         f" (limit {opts.max_size_kb // 1024} MB, see --max-size-mb)", started)
    if spec.path:
        root = Path(spec.path)
    elif spec.url:
        root = ensure_clone(spec.url, opts.cache_dir)
    else:
        return error_row(spec.name, "no clone URL or path", started)
    try:
        if spec.path:
            snapshot: RefSnapshot = RefSnapshot(root, "HEAD")
            snapshot.paths  # noqa: B018 -- list now: a missing or damaged tree is this repository's error
        else:  # our blob-less clone: blobs are fetched in batches, practice files up front
            from standards_check.sweep.prefetch import PartialCloneSnapshot, likely_paths

            snapshot = PartialCloneSnapshot(root, "HEAD")
            snapshot.prefetch(likely_paths(snapshot.paths))
    except GitError as exc:
        return error_row(spec.name, f"broken repository: {exc.stderr or exc}", started)
    except BrokenRepository as exc:
        return error_row(spec.name, f"broken repository: {exc}", started)
    except Exception as exc:
        if "unknown git ref" in str(exc):
            return error_row(spec.name, "the repository is empty (no commits)", started)
        raise
    with snapshot:
        snapshot.name = spec.name
        info = read_info(snapshot)
        policy_ref = None  # the engine takes the policy the repository's .standards.yml names
        if not info.config_policy:
            pmap = opts.policy_map or PolicyMap()
            policy_ref, _why = pmap.choose(spec.topics, info.lifecycle, info.tier, opts.policy)
        report = (opts.scan or engine_scan)(snapshot, policy_ref)
        data = report.to_dict()
    data.setdefault("repository", {})["name"] = spec.name
    if info.entity is not None:  # for the Backstage export: the Component this repository declares
        data["repository"]["catalog_entity"] = {"kind": "Component", "namespace": info.entity[0],
                                                "name": info.entity[1]}
    policy = data.get("policy") or {}
    return {
        "repo": spec.name, "status": "ok", "error": None,
        "score": data.get("score"), "level": data.get("level"), "passed": data.get("passed"),
        "policy": f"{policy.get('name')}@{policy.get('version')}" if policy.get("name") else None,
        "team": info.team,
        "categories": {k: (v or {}).get("score") for k, v in (data.get("categories") or {}).items()},
        "failing": [r["check"] for r in data.get("results", []) if r.get("status") in ("fail", "error")],
        "report": data,
        "commit_sha": snapshot.commit,
        "duration_s": round(time.monotonic() - started, 3),
        "scanned_at": now(),
    }
