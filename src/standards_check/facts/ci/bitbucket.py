"""Bitbucket Pipelines: `bitbucket-pipelines.yml`, its default, pull-request, branch, tag and custom
pipelines, with parallel and stage steps."""
from __future__ import annotations

from typing import Any

from standards_check import rx
from standards_check.facts.ci.model import (BITBUCKET, CiJob, CiPipelines, CiStep, as_list, line_of, load_file,
                                            script_text)
from standards_check.snapshot import RepoSnapshot


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = "bitbucket-pipelines.yml"
    loaded = load_file(snapshot, path, BITBUCKET) if snapshot.exists(path) else None
    if loaded is None:
        return
    data, positions, ci_file = loaded
    model.files.append(ci_file)
    pipelines = data.get("pipelines") if isinstance(data, dict) else None
    if not isinstance(pipelines, dict):
        return
    sections: list[tuple[str, Any, tuple, bool, str]] = []
    if "default" in pipelines:
        sections.append(("default", pipelines["default"], ("pipelines", "default"), True, "default pipeline: every push"))
    for kind, on_pr, note in (("pull-requests", True, "pull-requests pipeline"),
                              ("branches", False, "branch pipeline"), ("tags", False, "tag pipeline"),
                              ("custom", False, "custom (manual) pipeline"), ("bookmarks", False, "bookmark pipeline")):
        group = pipelines.get(kind)
        if isinstance(group, dict):
            for pattern, steps in group.items():
                branch_note = note
                if kind == "branches":  # a glob such as `feature/*` or `**` covers pull-request source branches
                    on_pr = any(ch in str(pattern) for ch in "*?{") and not rx.fullmatch(
                        r"\{?(main|master|develop|release|staging|production)(,\s*\w+)*\}?", str(pattern))
                    branch_note = (f"branch pipeline for `{pattern}`, which covers pull-request branches" if on_pr
                                   else f"branch pipeline for `{pattern}` only")
                sections.append((f"{kind}:{pattern}", steps, ("pipelines", kind, pattern), on_pr, branch_note))
    for name, steps, where, on_pr, note in sections:
        ci_job = CiJob(BITBUCKET, name, path, line_of(positions, *where), on_pr, note)
        _bitbucket_steps(steps, where, positions, path, ci_job)
        model.jobs.append(ci_job)


def _bitbucket_steps(items: Any, where: tuple, positions: dict, path: str, ci_job: CiJob) -> None:
    for index, item in enumerate(as_list(items)):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("step"), dict):
            step = item["step"]
            for key in ("script",):
                if step.get(key):
                    ci_job.steps.append(CiStep(script_text([s for s in as_list(step[key]) if isinstance(s, str)]),
                                               path, line_of(positions, *where, index, "step", key)))
        for key in ("parallel", "stage"):
            inner = item.get(key)
            if isinstance(inner, dict):
                inner = inner.get("steps")
            if inner is not None:
                _bitbucket_steps(inner, where + (index, key), positions, path, ci_job)
