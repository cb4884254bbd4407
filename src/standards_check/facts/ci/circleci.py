"""CircleCI: `.circleci/config.yml` jobs as its workflows schedule them, reusable commands
followed, orb jobs and commands noted (and read as tests by their names)."""
from __future__ import annotations

from typing import Any

from standards_check import rx
from standards_check.facts.ci.model import (CIRCLECI, MAX_DEPTH, CiJob, CiPipelines, CiStep, as_list, line_of,
                                            load_mapping, mapping, script_text)
from standards_check.snapshot import RepoSnapshot


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = snapshot.first([".circleci/config.yml", ".circleci/config.yaml"])
    if path is None:
        return
    loaded = load_mapping(snapshot, path, CIRCLECI, model)
    if loaded is None:
        return
    data, positions = loaded
    jobs = mapping(data.get("jobs"))
    commands = mapping(data.get("commands"))
    workflows = mapping(data.get("workflows"))
    # job name -> (on_pr, note) from the workflows that run it; any PR run wins
    scheduled: dict[str, tuple[bool, str]] = {}
    for wf_name, workflow in workflows.items():
        if not isinstance(workflow, dict):
            continue
        wf_triggers = workflow.get("triggers")
        scheduled_only = isinstance(wf_triggers, list) and all(isinstance(t, dict) and "schedule" in t for t in wf_triggers)
        when = str(workflow.get("when", ""))
        if rx.search(r"pipeline\.git\.tag|pipeline\.schedule|pipeline\.trigger_source", when) or (
                "pipeline.git.branch" in when and "not" not in when):
            scheduled_only = True  # `when:` limits the workflow to a branch, tags or schedules
        for entry in as_list(workflow.get("jobs")):
            config: Any
            if isinstance(entry, str):
                job_name, config = entry, {}
            elif isinstance(entry, dict) and entry:
                job_name, config = next(iter(entry.items()))
            else:
                continue
            config = config if isinstance(config, dict) else {}
            on_pr, note = _circleci_filters(config.get("filters"))
            if scheduled_only:
                on_pr, note = False, f"workflow {wf_name} runs only on a schedule, a tag or a named branch"
            key = str(job_name)  # the job definition (a `name:` is only how the run is shown)
            previous = scheduled.get(key)
            if previous is None or (on_pr and not previous[0]):
                scheduled[key] = (on_pr, note or f"workflow {wf_name}")
    if not workflows:
        scheduled = {name: (True, "every pushed branch") for name in jobs}
    for name, (on_pr, note) in scheduled.items():
        job = jobs.get(name)
        if job is None:
            # an orb job such as `python/test`: judged by its name
            ci_job = CiJob(CIRCLECI, name, path, line_of(positions, "workflows"), on_pr, note)
            ci_job.actions.append(CiStep(f"orb job {name}", path, ci_job.line))
            if "/" in name and rx.search(r"(?i)test|rspec|pytest|jest", name.split("/", 1)[1]):
                ci_job.steps.append(CiStep(f"circleci-orb {name}", path, ci_job.line))
            model.jobs.append(ci_job)
            continue
        if not isinstance(job, dict):
            continue
        ci_job = CiJob(CIRCLECI, name, path, line_of(positions, "jobs", name, "__key__"), on_pr, note)
        _circleci_steps(job.get("steps"), ("jobs", name, "steps"), commands, positions, path, ci_job, 0)
        model.jobs.append(ci_job)


def _circleci_filters(filters: Any) -> tuple[bool, str]:
    if not isinstance(filters, dict):
        return True, ""
    branches = mapping(filters.get("branches"))
    only = as_list(branches.get("only"))
    ignore = as_list(branches.get("ignore"))
    if any(str(p) in ("/.*/", "/.+/") for p in ignore):
        return False, "filters ignore every branch (tags only)"
    if only and not any(str(p).startswith("/") and not rx.match(r"^/\^?(main|master)\$?/$", str(p)) for p in only):
        return False, f"filters run it only on {', '.join(map(str, only))}"
    return True, ""


def _circleci_steps(steps: Any, where: tuple, commands: dict, positions: dict, path: str,
                    ci_job: CiJob, depth: int) -> None:
    for index, step in enumerate(as_list(steps)):
        line = line_of(positions, *where, index)
        config: Any
        if isinstance(step, str):
            name, config = step, {}
        elif isinstance(step, dict) and step:
            name, config = next(iter(step.items()))
        else:
            continue
        if name == "run":
            command = config.get("command") if isinstance(config, dict) else config
            ci_job.steps.append(CiStep(script_text(command), path, line))
        elif name in commands and depth < MAX_DEPTH and isinstance(commands[name], dict):
            _circleci_steps(commands[name].get("steps"), ("commands", name, "steps"), commands,
                            positions, path, ci_job, depth + 1)
        elif "/" in str(name):
            ci_job.actions.append(CiStep(f"orb command {name}", path, line))
            if rx.search(r"(?i)(^|[-_/])(test|pytest|jest|rspec|mocha)", str(name).split("/", 1)[1]):
                ci_job.steps.append(CiStep(f"circleci-orb {name}", path, line))
