"""Azure Pipelines: pipeline files with their local job, stage, step and `extends:` templates
(parameters substituted), tasks read as the commands they stand for."""
from __future__ import annotations

import posixpath
from typing import Any

from standards_check import rx
from standards_check.facts.ci.model import (AZURE, MAX_DEPTH, CiJob, CiPipelines, CiStep, as_list, is_vendored,
                                            line_of, load_file, mapping, script_text)
from standards_check.snapshot import RepoSnapshot


def _azure_roots(snapshot: RepoSnapshot) -> list[str]:
    roots = [p for p in snapshot.named("azure-pipelines.yml", "azure-pipelines.yaml", ".azure-pipelines.yml")
             if not is_vendored(p)]
    for directory in (".azure-pipelines", ".azuredevops", ".pipelines"):
        roots.extend(p for p in snapshot.under(directory) if p.endswith((".yml", ".yaml")))
    return sorted(set(roots))


_AZURE_TASK_COMMANDS = {
    "DotNetCoreCLI": lambda i: f"dotnet {i.get('command', 'build')} {i.get('arguments', '')}",
    "Maven": lambda i: f"mvn {i.get('goals', 'package')} {i.get('options', '')}",
    "Gradle": lambda i: f"gradle {i.get('tasks', 'build')} {i.get('options', '')}",
    "Npm": lambda i: f"npm {i.get('customCommand') or i.get('command', 'install')}",
    "VSTest": lambda i: "vstest.console",
    "PythonScript": lambda i: f"python {i.get('scriptPath', '')} {i.get('arguments', '')}",
    "CmdLine": lambda i: str(i.get("script", "")),
    "Bash": lambda i: str(i.get("script") or i.get("filePath", "")),
    "PowerShell": lambda i: str(i.get("script") or i.get("filePath", "")),
    "Ant": lambda i: f"ant {i.get('targets', '')}",
    "Xcode": lambda i: f"xcodebuild {i.get('actions', 'build')}",
}


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    roots = _azure_roots(snapshot)
    loaded_roots = {}
    template_targets: set[str] = set()
    for path in roots:
        loaded = load_file(snapshot, path, AZURE)
        if loaded is None:
            continue
        loaded_roots[path] = loaded
        template_targets.update(_azure_template_refs(path, loaded[0]))
    for path, (data, positions, ci_file) in loaded_roots.items():
        if path in template_targets and ci_file.error is None:
            continue  # a template, judged through the pipeline that uses it
        model.files.append(ci_file)
        if not isinstance(data, dict):
            continue
        pr = data.get("pr", "default")
        if pr in ("none", False) or (isinstance(pr, list) and not pr):
            on_pr, note = False, "`pr: none` turns off pull-request validation"
        elif pr == "default":
            on_pr, note = True, "no `pr:` key: every pull request is validated (GitHub/Bitbucket repositories)"
        else:
            on_pr, note = True, "pr trigger"
        for name, job, where, job_path, job_positions in _azure_jobs(snapshot, path, data, positions, model):
            ci_job = CiJob(AZURE, name, job_path, line_of(job_positions, *where), on_pr, note)
            condition = str(job.get("condition", ""))
            if _azure_condition_excludes_pr(condition):
                ci_job.on_pr, ci_job.pr_note = False, f"condition {condition} excludes pull requests"
            _azure_steps(snapshot, job.get("steps"), where + ("steps",), job_positions, job_path, ci_job, 0, model)
            model.jobs.append(ci_job)


def _azure_template_refs(path: str, data: Any) -> set[str]:
    refs: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            template = node.get("template")
            if isinstance(template, str) and "@" not in template:
                refs.add(_azure_template_path(path, template))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return refs


def _azure_template_path(origin: str, template: str) -> str:
    if template.startswith("/"):
        return posixpath.normpath(template.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(origin), template))


_AzureJob = tuple  # (name, job mapping, key path, file path, positions)


def _azure_jobs(snapshot: RepoSnapshot, path: str, data: dict, positions: dict, model: CiPipelines,
                depth: int = 0, condition: str = "") -> list[_AzureJob]:
    """Every job of a pipeline, following local job, stage and `extends:` templates."""
    jobs: list[_AzureJob] = []

    def with_condition(job: dict, extra: str) -> dict:
        return {**job, "condition": extra} if extra and _azure_condition_excludes_pr(extra) else job

    if "steps" in data:
        jobs.append(("(pipeline)", with_condition(data, condition), (), path, positions))
    extends = data.get("extends")
    if isinstance(extends, dict) and isinstance(extends.get("template"), str):
        jobs.extend(_azure_template_jobs(snapshot, path, extends, model, depth, condition))
    for index, job in enumerate(as_list(data.get("jobs"))):
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("template"), str):
            jobs.extend(_azure_template_jobs(snapshot, path, job, model, depth, condition))
        else:
            name = str(job.get("job") or job.get("deployment") or index)
            jobs.append((name, with_condition(job, condition), ("jobs", index), path, positions))
    for s_index, stage in enumerate(as_list(data.get("stages"))):
        if not isinstance(stage, dict):
            continue
        stage_condition = str(stage.get("condition", "")) or condition
        if isinstance(stage.get("template"), str):
            jobs.extend(_azure_template_jobs(snapshot, path, stage, model, depth, stage_condition))
            continue
        for j_index, job in enumerate(as_list(stage.get("jobs"))):
            if not isinstance(job, dict):
                continue
            if isinstance(job.get("template"), str):
                jobs.extend(_azure_template_jobs(snapshot, path, job, model, depth, stage_condition))
                continue
            name = f"{stage.get('stage', s_index)}/{job.get('job') or job.get('deployment') or j_index}"
            jobs.append((name, with_condition(job, stage_condition), ("stages", s_index, "jobs", j_index),
                         path, positions))
    return jobs


def _azure_template_jobs(snapshot: RepoSnapshot, origin: str, reference: dict, model: CiPipelines,
                         depth: int, condition: str) -> list[_AzureJob]:
    template = reference["template"]
    if "@" in template:
        model.notes.append(f"{origin}: template {template} from another repository not followed")
        return []
    target = _azure_template_path(origin, template)
    loaded = model.load(snapshot, target, AZURE) if depth < MAX_DEPTH else None
    if loaded is None or not isinstance(loaded[0], dict):
        model.notes.append(f"{origin}: template {template} not found in the repository")
        return []
    data, positions, _ = loaded
    params = mapping(reference.get("parameters"))
    data = _azure_params(data, {**_azure_param_defaults(data), **params})
    return _azure_jobs(snapshot, target, data, positions, model, depth + 1, condition)


def _azure_param_defaults(data: dict) -> dict:
    declared = data.get("parameters")
    if isinstance(declared, list):
        return {str(p["name"]): p["default"] for p in declared
                if isinstance(p, dict) and "name" in p and "default" in p}
    return dict(declared) if isinstance(declared, dict) else {}


def _azure_condition_excludes_pr(condition: str) -> bool:
    return bool(rx.search(r"ne\(\s*variables\[?['\"]?Build\.Reason['\"]?\]?\s*,\s*['\"]PullRequest['\"]", condition)
                or rx.search(r"eq\(\s*variables\[?['\"]?Build\.SourceBranch(Name)?['\"]?\]?\s*,", condition)
                and "PullRequest" not in condition)


def _azure_steps(snapshot: RepoSnapshot, steps: Any, where: tuple, positions: dict, path: str,
                 ci_job: CiJob, depth: int, model: CiPipelines) -> None:
    for index, step in enumerate(as_list(steps)):
        if not isinstance(step, dict):
            continue
        line = line_of(positions, *where, index)
        excluded = _azure_condition_excludes_pr(str(step.get("condition", "")))
        advisory = step.get("continueOnError") is True
        for key in ("script", "bash", "pwsh", "powershell"):
            if key in step:
                ci_job.steps.append(CiStep(script_text(step[key]), path, line_of(positions, *where, index, key),
                                           excluded, advisory))
        if isinstance(step.get("task"), str):
            task = step["task"].split("@")[0]
            inputs = mapping(step.get("inputs"))
            ci_job.actions.append(CiStep(step["task"], path, line, excluded))
            if task in _AZURE_TASK_COMMANDS:
                ci_job.steps.append(CiStep(_AZURE_TASK_COMMANDS[task](inputs), path, line, excluded, advisory))
        template = step.get("template")
        if isinstance(template, str):
            if "@" in template:
                model.notes.append(f"{path}: template {template} from another repository not followed")
                continue
            target = _azure_template_path(path, template)
            loaded = model.load(snapshot, target, AZURE) if depth < MAX_DEPTH else None
            if loaded is None or not isinstance(loaded[0], dict):
                model.notes.append(f"{path}: template {template} not found in the repository")
                continue
            data, t_positions, _ = loaded
            params = mapping(step.get("parameters"))
            params = {**_azure_param_defaults(data), **params}
            _azure_steps(snapshot, _azure_params(data.get("steps"), params), ("steps",),
                         t_positions, target, ci_job, depth + 1, model)


def _azure_params(steps: Any, params: dict) -> Any:
    if not params:
        return steps
    pattern = rx.compile(r"\$\{\{\s*parameters\.([\w-]+)\s*\}\}")

    def sub(node: Any) -> Any:
        if isinstance(node, str):
            return pattern.sub(lambda m: str(params.get(m.group(1), m.group(0))), node)
        if isinstance(node, list):
            return [sub(v) for v in node]
        if isinstance(node, dict):
            return {k: sub(v) for k, v in node.items()}
        return node

    return sub(steps)
