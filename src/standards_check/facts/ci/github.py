"""GitHub Actions: workflows (through the workflows fact), reusable workflows and local composite
actions followed, `${{ matrix.x }}` expanded, marketplace test and lint actions read as commands."""
from __future__ import annotations

import posixpath
from typing import Any

from standards_check import rx
from standards_check.facts.ci.model import (GITHUB, MAX_DEPTH, CiFile, CiJob, CiPipelines, CiStep, as_list, line_of,
                                            mapping, script_text)
from standards_check.facts.workflows import Workflow, first_party_path, own_repository, parse_workflows
from standards_check.snapshot import RepoSnapshot

PR_EVENTS = ("pull_request", "pull_request_target", "merge_group")
_MATRIX_REF = rx.compile(r"\$\{\{\s*matrix\.([\w-]+)(?:\.([\w-]+))?[^}]*\}\}")
_INPUT_REF = rx.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
_ENV_REF = rx.compile(r"\$\{\{\s*env\.([\w-]+)\s*\}\}")
_WITH_SCRIPT_KEYS = ("run", "script", "commands", "coverageCommand", "test-command")

# Marketplace actions that run tests or linters, as the command they stand for (by `with:` inputs).
_ACTION_COMMANDS: dict[str, Any] = {
    "cypress-io/github-action": lambda i: "" if str(i.get("runTests", "true")).lower() == "false" else "cypress run",
    "gradle/gradle-build-action": lambda i: f"gradle {i.get('arguments', '')}" if i.get("arguments") else "",
    "gradle/gradle-command-action": lambda i: f"gradle {i.get('arguments', '')}" if i.get("arguments") else "",
    "actions-rs/cargo": lambda i: f"cargo {i.get('command', '')} {i.get('args', '')}",
    "borales/actions-yarn": lambda i: f"yarn {i.get('cmd', '')}",
    "php-actions/phpunit": lambda i: "phpunit",
    "julia-actions/julia-runtest": lambda i: "julia -e 'Pkg.test()'",
    "r-lib/actions/check-r-package": lambda i: "R CMD check",
    "nick-fields/retry": lambda i: str(i.get("command", "")),
    "nick-invision/retry": lambda i: str(i.get("command", "")),
    "pre-commit/action": lambda i: f"pre-commit run {i.get('extra_args', '')}",
    "golangci/golangci-lint-action": lambda i: "golangci-lint run",
    "astral-sh/ruff-action": lambda i: "ruff check",
    "chartboost/ruff-action": lambda i: "ruff check",
    "psf/black": lambda i: "black --check .",
    "super-linter/super-linter": lambda i: "super-linter",
    "github/super-linter": lambda i: "super-linter",
    "reviewdog/action-eslint": lambda i: "eslint",
    "hadolint/hadolint-action": lambda i: "hadolint",
    "ludeeus/action-shellcheck": lambda i: "shellcheck",
    "rhysd/actionlint": lambda i: "actionlint",
}


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    workflows = parse_workflows(snapshot)
    by_path = {w.path: w for w in workflows}
    for workflow in workflows:
        if workflow.error:
            model.files.append(CiFile(GITHUB, workflow.path, workflow.error, workflow.error_line))
            continue
        if not workflow.triggers:
            model.files.append(CiFile(GITHUB, workflow.path, "no `on:` trigger, so GitHub never runs it", 1))
            continue
        if not workflow.jobs:
            model.files.append(CiFile(GITHUB, workflow.path, "no `jobs:`, so GitHub rejects it", 1))
            continue
        model.files.append(CiFile(GITHUB, workflow.path))
        triggers = workflow.triggers
        pr_events = [e for e in PR_EVENTS if e in triggers and _gates_changes(e, triggers[e])]
        if not pr_events and set(triggers) <= {"workflow_call"}:
            continue  # reusable only: judged through its callers
        note = _pr_trigger_note(triggers, pr_events)
        for name, job in workflow.jobs.items():
            on_pr = bool(pr_events)
            job_note = note
            excluded = _gh_if_excludes_pr(job.get("if"))
            if on_pr and excluded:
                on_pr, job_note = False, f"job `if: {job.get('if')}` excludes pull requests"
            ci_job = CiJob(GITHUB, name, workflow.path, workflow.line("jobs", name, "__key__"),
                           on_pr, job_note)
            _github_job_steps(snapshot, by_path, workflow, name, job, ci_job, {}, 0, model)
            model.jobs.append(ci_job)


_CHANGE_TYPES = {"opened", "synchronize", "reopened"}


def _gates_changes(event: str, config: Any) -> bool:
    """A pull_request trigger limited to types such as `closed` or `labeled` never checks a
    pushed change; the default types (opened, synchronize, reopened) do."""
    if event == "merge_group" or not isinstance(config, dict) or not config.get("types"):
        return True
    return bool(_CHANGE_TYPES & {str(t) for t in as_list(config["types"])})


def _pr_trigger_note(triggers: dict, pr_events: list[str]) -> str:
    if not pr_events:
        return "triggered by " + ", ".join(sorted(triggers)) + ", not by pull requests"
    parts = []
    for event in pr_events:
        config = triggers.get(event)
        filters = []
        if isinstance(config, dict):
            for key in ("branches", "branches-ignore", "paths", "paths-ignore", "types"):
                if config.get(key):
                    filters.append(f"{key}: {', '.join(map(str, as_list(config[key])))}")
        parts.append(event + (f" ({'; '.join(filters)})" if filters else ""))
    return ", ".join(parts)


# an event_name compared with an event other than pull_request*/merge_group* (checked on group 1)
_NON_PR_EVENT = rx.compile(r"github\.event_name\s*==\s*['\"](\w+)['\"]")
_PR_EVENT = rx.compile(r"github\.event_name\s*==\s*['\"](pull_request|pull_request_target|merge_group)['\"]"
                       r"|github\.event\.pull_request|github\.head_ref|github\.base_ref")
_NOT_PR = rx.compile(r"github\.event_name\s*!=\s*['\"]pull_request['\"]")
_BRANCH_REF = rx.compile(r"github\.ref\s*==\s*['\"]refs/(heads|tags)/|startsWith\(\s*github\.ref\s*,\s*['\"]refs/tags"
                         r"|github\.ref_type\s*==\s*['\"]tag['\"]|github\.ref_name\s*==")


def _gh_if_excludes_pr(condition: Any) -> bool:
    """True when an `if:` plainly keeps the job from running on pull requests."""
    if not isinstance(condition, str):
        return condition is False
    text = condition
    if _PR_EVENT.search(text):
        return False
    if "||" in text:  # an alternative may still admit PRs unless every branch excludes them
        return all(_gh_if_excludes_pr(part) for part in text.split("||"))
    text = rx.sub(r"!\s*(startsWith|contains)\s*\([^)]*\)", "", text)  # `!startsWith(github.ref, 'refs/tags/')` admits PRs
    non_pr = any(not m.group(1).startswith(("pull_request", "merge_group")) for m in _NON_PR_EVENT.finditer(text))
    return bool(non_pr or _NOT_PR.search(text) or _BRANCH_REF.search(text))


def _matrix_values(job: dict) -> dict[str, list[Any]]:
    matrix = (job.get("strategy") or {}).get("matrix") if isinstance(job.get("strategy"), dict) else None
    values: dict[str, list[Any]] = {}
    if not isinstance(matrix, dict):
        return values
    for key, value in matrix.items():
        if key in ("include", "exclude"):
            continue
        if isinstance(value, list):
            values.setdefault(str(key), []).extend(value)
    for entry in as_list(matrix.get("include")):
        if isinstance(entry, dict):
            for key, value in entry.items():
                values.setdefault(str(key), []).append(value)
    return values


def _expand_matrix(script: str, matrix: dict[str, list[Any]]) -> list[str]:
    """One script per matrix value it names (all combinations are not needed to find a test)."""
    refs = _MATRIX_REF.findall(script)
    if not refs:
        return [script]
    variants = [script]
    for key, sub in dict.fromkeys(refs):
        values = matrix.get(key)
        if not values:
            continue
        expanded = []
        pattern = rx.compile(r"\$\{\{\s*matrix\." + rx.escape(key) + (r"\." + rx.escape(sub) if sub else "")
                             + r"(?:[^\w.}-][^}]*)?\}\}")
        for variant in variants:
            for value in values:
                if sub:
                    value = value.get(sub) if isinstance(value, dict) else None
                if value is None or isinstance(value, (dict, list)):
                    continue
                text = str(value)
                expanded.append(pattern.sub(lambda _m: text, variant))
        variants = list(dict.fromkeys(expanded)) or variants
        if len(variants) > 64:
            variants = variants[:64]
    return variants


def _substitute_env(script: str, env: dict[str, str]) -> str:
    if not env:
        return script
    return rx.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                  lambda m: env.get(m.group(1), m.group(0)), script)


def _github_job_steps(snapshot: RepoSnapshot, by_path: dict[str, Workflow], workflow: Workflow,
                      job_name: str, job: dict, ci_job: CiJob, inputs: dict[str, Any], depth: int,
                      model: CiPipelines) -> None:
    uses = job.get("uses")
    if isinstance(uses, str):  # a reusable workflow
        _reusable_workflow_steps(snapshot, by_path, workflow, job_name, job, uses, ci_job, depth, model)
        return
    matrix = _matrix_values(job)
    job_env = {}
    for scope in (workflow.data.get("env"), job.get("env")):
        if isinstance(scope, dict):
            job_env.update({str(k): str(v) for k, v in scope.items()})
    steps = job.get("steps")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        excluded = _gh_if_excludes_pr(step.get("if"))
        advisory = step.get("continue-on-error") is True or job.get("continue-on-error") is True
        env = dict(job_env)
        if isinstance(step.get("env"), dict):
            env.update({str(k): str(v) for k, v in step["env"].items()})
        texts: list[tuple[str, int | None]] = []
        if "run" in step:
            texts.append((script_text(step["run"]), workflow.line("jobs", job_name, "steps", index, "run")))
        if isinstance(step.get("uses"), str):
            uses_ref = step["uses"]
            line = workflow.line("jobs", job_name, "steps", index, "uses")
            with_ = mapping(step.get("with"))
            ci_job.actions.append(CiStep(uses_ref, workflow.path, line, excluded,
                                         inputs=tuple((str(k), str(v)) for k, v in with_.items())))
            for key in _WITH_SCRIPT_KEYS:
                if key in with_:
                    texts.append((script_text(with_[key]), workflow.line("jobs", job_name, "steps", index, "with", key)))
            action = uses_ref.split("@")[0]
            command = _ACTION_COMMANDS.get(action) or _ACTION_COMMANDS.get("/".join(action.split("/")[:2]))
            if command is not None and command(with_).strip():
                texts.append((command(with_), line))
            local = first_party_path(uses_ref, own_repository(snapshot))
            if local is not None and depth < MAX_DEPTH:
                _composite_action(snapshot, "./" + local, with_, ci_job, excluded, depth + 1, model)
        for text, line in texts:
            text = _INPUT_REF.sub(lambda m: str(inputs.get(m.group(1), m.group(0))), text)
            text = _ENV_REF.sub(lambda m: env[m.group(1)] if "${{" not in env.get(m.group(1), "${{") else m.group(0), text)
            for variant in _expand_matrix(text, matrix):
                variant = _substitute_env(variant, {k: v for k, v in env.items() if "${{" not in v}
                                          | {k: e for k, v in env.items() if "${{" in v
                                             for e in _expand_matrix(v, matrix)[:1]})
                ci_job.steps.append(CiStep(variant, workflow.path, line, excluded, advisory))


def _reusable_workflow_steps(snapshot: RepoSnapshot, by_path: dict[str, Workflow], workflow: Workflow,
                             job_name: str, job: dict, uses: str, ci_job: CiJob, depth: int,
                             model: CiPipelines) -> None:
    """The steps of a job that calls a reusable workflow of this repository (`uses: ./...`)."""
    line = workflow.line("jobs", job_name, "uses")
    ci_job.actions.append(CiStep(uses, workflow.path, line))
    local = first_party_path(uses, own_repository(snapshot))
    if local is None:
        model.notes.append(f"{workflow.path}: reusable workflow {uses} from another repository not followed")
    if local is not None and depth < MAX_DEPTH:
        called = by_path.get(local)
        if called is None or called.error:
            model.notes.append(f"{workflow.path}: reusable workflow {uses} not found in the repository")
            return
        call_inputs = _defaults_of(called.triggers.get("workflow_call"))
        call_inputs.update({str(k): v for k, v in (job.get("with") or {}).items()}
                           if isinstance(job.get("with"), dict) else {})
        for inner_name, inner_job in called.jobs.items():
            if _gh_if_excludes_pr(inner_job.get("if")):
                continue
            _github_job_steps(snapshot, by_path, called, inner_name, inner_job, ci_job,
                              call_inputs, depth + 1, model)


def _defaults_of(trigger: Any) -> dict[str, Any]:
    if not isinstance(trigger, dict) or not isinstance(trigger.get("inputs"), dict):
        return {}
    return {str(k): v.get("default") for k, v in trigger["inputs"].items()
            if isinstance(v, dict) and v.get("default") is not None}


def _composite_action(snapshot: RepoSnapshot, uses: str, with_: dict, ci_job: CiJob, excluded: bool,
                      depth: int, model: CiPipelines) -> None:
    directory = posixpath.normpath(uses[2:].split("@")[0])
    prefix = "" if directory == "." else directory + "/"
    path = snapshot.first([f"{prefix}action.yml", f"{prefix}action.yaml"])
    if path is None:
        model.notes.append(f"local action {uses} has no action.yml in the repository")
        return
    loaded = model.load(snapshot, path, GITHUB)
    if loaded is None or loaded[0] is None or not isinstance(loaded[0], dict):
        return
    data, positions, _ = loaded
    runs = mapping(data.get("runs"))
    inputs = _defaults_of(data)
    inputs.update({str(k): v for k, v in with_.items()})
    for index, step in enumerate(as_list(runs.get("steps"))):
        if not isinstance(step, dict):
            continue
        if "run" in step:
            text = _INPUT_REF.sub(lambda m: str(inputs.get(m.group(1), m.group(0))), script_text(step["run"]))
            ci_job.steps.append(CiStep(text, path, line_of(positions, "runs", "steps", index, "run"),
                                       excluded or _gh_if_excludes_pr(step.get("if"))))
        if isinstance(step.get("uses"), str):
            ci_job.actions.append(CiStep(step["uses"], path, line_of(positions, "runs", "steps", index, "uses"), excluded))
            if step["uses"].startswith("./") and depth < MAX_DEPTH:
                inner_with = mapping(step.get("with"))
                _composite_action(snapshot, step["uses"], inner_with, ci_job, excluded, depth + 1, model)
