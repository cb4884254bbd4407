"""Buildkite: the pipeline file's command steps (group steps included)."""
from __future__ import annotations

from standards_check import rx
from standards_check.facts.ci.model import (BUILDKITE, CiJob, CiPipelines, CiStep, as_list, line_of, load_file,
                                            script_text)
from standards_check.snapshot import RepoSnapshot


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = snapshot.first([".buildkite/pipeline.yml", ".buildkite/pipeline.yaml", "buildkite.yml",
                           ".buildkite/pipeline.json"])
    if path is None:
        return
    loaded = load_file(snapshot, path, BUILDKITE)
    if loaded is None:
        return
    data, positions, ci_file = loaded
    model.files.append(ci_file)
    steps = data.get("steps") if isinstance(data, dict) else data
    for index, step in enumerate(as_list(steps)):
        if not isinstance(step, dict):
            continue
        groups: list[tuple[dict, tuple]] = [(step, ("steps", index))]
        if isinstance(step.get("steps"), list):  # a group step
            groups = [(s, ("steps", index, "steps", i)) for i, s in enumerate(step["steps"]) if isinstance(s, dict)]
        for inner, where in groups:
            command = inner.get("command", inner.get("commands"))
            if command is None:
                continue
            condition = str(inner.get("if", "")) + " " + str(inner.get("branches", ""))
            excluded = bool(rx.search(r"build\.branch\s*==|build\.tag\b", condition) or
                            (inner.get("branches") and "!" not in str(inner.get("branches"))))
            ci_job = CiJob(BUILDKITE, str(inner.get("label") or inner.get("key") or index), path,
                           line_of(positions, *where), not excluded,
                           "limited to named branches or tags" if excluded else
                           "builds every pushed branch (pull-request builds depend on pipeline settings)")
            ci_job.steps.append(CiStep(script_text(command), path, line_of(positions, *where)))
            model.jobs.append(ci_job)
