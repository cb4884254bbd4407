"""CI pipelines, normalised across systems: which jobs run on pull requests, and what they run.

One model (`CiPipelines`: config files, jobs, steps) for GitHub Actions, GitLab CI, CircleCI, Azure
Pipelines, Jenkinsfiles, Travis CI, Bitbucket Pipelines and Buildkite. Each job carries whether it
runs for a pull/merge request (`on_pr`, with a note on filters) and its steps as shell text with
locations, after following what the repository itself defines: GitHub reusable workflows
(`uses: ./.github/workflows/x.yml`) and local composite actions, `${{ matrix.x }}` expanded from the
matrix, GitLab local `include:` and `extends:`, CircleCI reusable commands, Azure local templates.
Remote includes, orbs and shared libraries are noted, not fetched.

Pull-request semantics, per system (documented choices):
- GitHub: `pull_request`, `pull_request_target`, `merge_group` triggers; a job or step `if:` that
  pins `github.event_name` to another event, or `github.ref` to a branch or tag, excludes PRs.
- GitLab: with no `rules`/`only`, jobs run in branch pipelines, which run for merge-request
  branches; `rules` that only match the default branch, tags, schedules or web runs exclude MRs.
- CircleCI, Travis, Buildkite, Jenkins multibranch: build every pushed branch (PR branches
  included) unless filtered to named branches or tags. Jenkins multibranch discovers pull requests
  by default; a stage `when { branch 'main' }` or `buildingTag()` excludes them.
- Azure Pipelines: no `pr:` key means PR validation of every branch (for GitHub/Bitbucket repos);
  `pr: none` turns it off. Bitbucket: `pull-requests:` and `default:` pipelines run for PRs.
"""
from __future__ import annotations

import posixpath
from standards_check import rx
from dataclasses import dataclass, field
from typing import Any

import yaml

from standards_check import globs, yamlio
from standards_check.facts.workflows import Workflow, first_party_path, own_repository, parse_workflows
from standards_check.snapshot import RepoSnapshot
from standards_check.values import as_list as _as_list

GITHUB, GITLAB, CIRCLECI, AZURE, JENKINS, TRAVIS, BITBUCKET, BUILDKITE = (
    "github", "gitlab", "circleci", "azure", "jenkins", "travis", "bitbucket", "buildkite")
DRONE, WOODPECKER = "drone", "woodpecker"
SYSTEM_NAMES = {GITHUB: "GitHub Actions", GITLAB: "GitLab CI", CIRCLECI: "CircleCI",
                AZURE: "Azure Pipelines", JENKINS: "Jenkins", TRAVIS: "Travis CI",
                BITBUCKET: "Bitbucket Pipelines", BUILDKITE: "Buildkite", DRONE: "Drone",
                WOODPECKER: "Woodpecker CI"}
_MAX_DEPTH = 4


@dataclass(frozen=True)
class CiStep:
    script: str                 # shell text (or a synthesised command, e.g. an Azure Maven task)
    path: str
    line: int | None
    excludes_pr: bool = False   # a step-level condition keeps it from running on PRs
    advisory: bool = False      # its failure does not fail the run (continue-on-error, allow_failure)
    inputs: tuple[tuple[str, str], ...] = ()  # an action's `with:` inputs, as text


@dataclass
class CiJob:
    system: str
    name: str
    path: str
    line: int | None
    on_pr: bool
    pr_note: str = ""           # e.g. "pull_request (paths: src/**)" or why it does not run on PRs
    steps: list[CiStep] = field(default_factory=list)
    actions: list[CiStep] = field(default_factory=list)  # `uses:`/orb/task references, as text


@dataclass(frozen=True)
class CiFile:
    system: str
    path: str
    error: str | None = None
    error_line: int | None = None


@dataclass
class CiPipelines:
    files: list[CiFile] = field(default_factory=list)
    jobs: list[CiJob] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # parse memo

    def load(self, snapshot: RepoSnapshot, path: str, system: str) -> tuple[Any, dict, CiFile] | None:
        """A CI file parsed once per model (templates and actions are used by many jobs)."""
        if path not in self._loaded:
            self._loaded[path] = _load(snapshot, path, system)
        return self._loaded[path]

    @property
    def valid_files(self) -> list[CiFile]:
        return [f for f in self.files if f.error is None]

    @property
    def broken_files(self) -> list[CiFile]:
        return [f for f in self.files if f.error is not None]

    def pr_jobs(self) -> list[CiJob]:
        return [job for job in self.jobs if job.on_pr]


class _CiLoader(yamlio.StringDateLoader):  # type: ignore[misc, valid-type]
    """The safe loader plus GitLab's `!reference [job, key]` (kept as a marker list)."""


class GitlabReference(list):
    pass


def _reference(loader: Any, node: yaml.Node) -> GitlabReference:
    return GitlabReference(loader.construct_sequence(node, deep=True))


_CiLoader.add_constructor("!reference", _reference)


def _load(snapshot: RepoSnapshot, path: str, system: str) -> tuple[Any, dict, CiFile] | None:
    text = snapshot.read_text(path)
    if text is None:
        return None
    try:
        data, positions = yamlio.load_with_positions(text, loader=_CiLoader, source=path)
    except yamlio.YamlSyntaxError as exc:
        return None, {}, CiFile(system, path, exc.message, exc.line)
    if data is None:
        return None, {}, CiFile(system, path, "empty file", 1)
    if not isinstance(data, (dict, list)):
        return None, {}, CiFile(system, path, "not a mapping of pipeline keys", 1)
    return data, positions, CiFile(system, path)


def _load_mapping(snapshot: RepoSnapshot, path: str, system: str, model: CiPipelines) -> tuple[dict, dict] | None:
    """Load a CI file and record it in the model (with its error, if any); (data, positions) when
    it is a mapping of pipeline keys."""
    loaded = _load(snapshot, path, system)
    if loaded is None:
        return None
    data, positions, ci_file = loaded
    model.files.append(ci_file)
    return (data, positions) if isinstance(data, dict) else None


def _line(positions: dict, *path: Any) -> int | None:
    return yamlio.position_of(positions, path)[0] if positions else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _script_text(value: Any) -> str:
    """A script given as a string or a (nested) list of strings."""
    if isinstance(value, GitlabReference):
        return ""
    if isinstance(value, list):
        return "\n".join(_script_text(v) for v in value)
    return str(value) if value is not None else ""


def parse_ci(snapshot: RepoSnapshot) -> CiPipelines:
    model = CiPipelines()
    _github(snapshot, model)
    _gitlab(snapshot, model)
    _circleci(snapshot, model)
    _azure(snapshot, model)
    _jenkins(snapshot, model)
    _travis(snapshot, model)
    _bitbucket(snapshot, model)
    _buildkite(snapshot, model)
    _drone_woodpecker(snapshot, model)
    return model


# ============================================================================================
# GitHub Actions
# ============================================================================================
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


def _github(snapshot: RepoSnapshot, model: CiPipelines) -> None:
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
    return bool(_CHANGE_TYPES & {str(t) for t in _as_list(config["types"])})


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
                    filters.append(f"{key}: {', '.join(map(str, _as_list(config[key])))}")
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
    for entry in _as_list(matrix.get("include")):
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
        line = workflow.line("jobs", job_name, "uses")
        ci_job.actions.append(CiStep(uses, workflow.path, line))
        local = first_party_path(uses, own_repository(snapshot))
        if local is None:
            model.notes.append(f"{workflow.path}: reusable workflow {uses} from another repository not followed")
        if local is not None and depth < _MAX_DEPTH:
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
            texts.append((_script_text(step["run"]), workflow.line("jobs", job_name, "steps", index, "run")))
        if isinstance(step.get("uses"), str):
            uses_ref = step["uses"]
            line = workflow.line("jobs", job_name, "steps", index, "uses")
            with_ = _mapping(step.get("with"))
            ci_job.actions.append(CiStep(uses_ref, workflow.path, line, excluded,
                                         inputs=tuple((str(k), str(v)) for k, v in with_.items())))
            for key in _WITH_SCRIPT_KEYS:
                if key in with_:
                    texts.append((_script_text(with_[key]), workflow.line("jobs", job_name, "steps", index, "with", key)))
            action = uses_ref.split("@")[0]
            command = _ACTION_COMMANDS.get(action) or _ACTION_COMMANDS.get("/".join(action.split("/")[:2]))
            if command is not None and command(with_).strip():
                texts.append((command(with_), line))
            local = first_party_path(uses_ref, own_repository(snapshot))
            if local is not None and depth < _MAX_DEPTH:
                _composite_action(snapshot, "./" + local, with_, ci_job, excluded, depth + 1, model)
        for text, line in texts:
            text = _INPUT_REF.sub(lambda m: str(inputs.get(m.group(1), m.group(0))), text)
            text = _ENV_REF.sub(lambda m: env[m.group(1)] if "${{" not in env.get(m.group(1), "${{") else m.group(0), text)
            for variant in _expand_matrix(text, matrix):
                variant = _substitute_env(variant, {k: v for k, v in env.items() if "${{" not in v}
                                          | {k: e for k, v in env.items() if "${{" in v
                                             for e in _expand_matrix(v, matrix)[:1]})
                ci_job.steps.append(CiStep(variant, workflow.path, line, excluded, advisory))


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
    runs = _mapping(data.get("runs"))
    inputs = _defaults_of(data)
    inputs.update({str(k): v for k, v in with_.items()})
    for index, step in enumerate(_as_list(runs.get("steps"))):
        if not isinstance(step, dict):
            continue
        if "run" in step:
            text = _INPUT_REF.sub(lambda m: str(inputs.get(m.group(1), m.group(0))), _script_text(step["run"]))
            ci_job.steps.append(CiStep(text, path, _line(positions, "runs", "steps", index, "run"),
                                       excluded or _gh_if_excludes_pr(step.get("if"))))
        if isinstance(step.get("uses"), str):
            ci_job.actions.append(CiStep(step["uses"], path, _line(positions, "runs", "steps", index, "uses"), excluded))
            if step["uses"].startswith("./") and depth < _MAX_DEPTH:
                inner_with = _mapping(step.get("with"))
                _composite_action(snapshot, step["uses"], inner_with, ci_job, excluded, depth + 1, model)


# ============================================================================================
# GitLab CI
# ============================================================================================
_GITLAB_RESERVED = {"stages", "variables", "include", "default", "workflow", "image", "services",
                    "cache", "before_script", "after_script", "types", "spec"}
_MR_RULE = rx.compile(r"merge_request|CI_MERGE_REQUEST_|CI_OPEN_MERGE_REQUESTS")
_ONLY_SPECIFIC = rx.compile(r"\$?(CI_COMMIT_BRANCH|CI_COMMIT_REF_NAME|CI_COMMIT_REF_SLUG|CI_COMMIT_TAG)\s*(==|=~)")
_NON_MR_SOURCE = rx.compile(r"CI_PIPELINE_SOURCE\s*==\s*['\"](schedule|web|api|trigger|pipeline|"
                            r"parent_pipeline|chat|external|webide|ondemand_dast_scan|security_orchestration_policy)['\"]")
_TAG_ONLY = rx.compile(r"^\s*\$CI_COMMIT_TAG\s*$")


def _gitlab_if_admits_mr(condition: str, child: bool = False) -> bool:
    """Whether a rule's `if:` can match a pipeline that runs for a merge request (an MR pipeline,
    or a branch pipeline of the MR's source branch)."""
    for alternative in condition.split("||"):
        alt = alternative.strip().strip("()").strip()
        if _MR_RULE.search(alt) and "!=" not in alt:
            return True
        if child and rx.search(r"CI_PIPELINE_SOURCE\s*==\s*['\"]parent_pipeline['\"]", alt):
            return True  # in a child pipeline, the parent's source decides
        if _ONLY_SPECIFIC.search(alt) or _NON_MR_SOURCE.search(alt) or _TAG_ONLY.match(alt):
            continue
        return True  # a branch-pipeline condition: it also runs for merge-request branches
    return False


def _gitlab_rules_admit_mr(rules: Any, child: bool = False) -> tuple[bool, str]:
    if not isinstance(rules, list):
        return True, ""
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        if str(rule.get("when", "on_success")) == "never":
            continue
        condition = rule.get("if")
        if condition is None:
            return True, "rule without `if`"
        if _gitlab_if_admits_mr(str(condition), child):
            return True, f"rules: if: {condition}"
    return False, "its `rules:` match only the default branch, tags or scheduled pipelines"


def _gitlab_only_admits_mr(only: Any, except_: Any) -> tuple[bool, str]:
    if only is None:
        refs = None
    elif isinstance(only, dict):
        refs = _as_list(only.get("refs"))
    else:
        refs = _as_list(only)
    if refs is not None and refs:
        admits = any(str(r) in ("merge_requests", "branches", "pushes", "external_pull_requests")
                     or str(r).startswith("/") and "^main" not in str(r) and "master" not in str(r)
                     for r in refs)
        if not admits:
            return False, f"`only: {', '.join(map(str, refs))}` excludes merge requests"
    except_refs = _as_list(except_.get("refs") if isinstance(except_, dict) else except_)
    if "branches" in map(str, except_refs) and "merge_requests" not in map(str, refs or []):
        return False, "`except: branches` excludes merge-request branches"
    return True, ""


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base.get(key), value) if key in base else value
        return merged
    return override


def _gitlab_local_includes(snapshot: RepoSnapshot, include: Any, model: CiPipelines, origin: str) -> list[str]:
    paths: list[str] = []
    for item in _as_list(include):
        local = None
        if isinstance(item, str):
            if item.startswith(("http://", "https://")):
                model.notes.append(f"{origin}: remote include {item} not followed")
                continue
            local = item
        elif isinstance(item, dict):
            if "local" in item:
                local = str(item["local"])
            else:
                kind = next((k for k in ("project", "remote", "template", "component", "artifact") if k in item), None)
                model.notes.append(f"{origin}: {kind or 'an'} include {item.get(kind) if kind else item} not followed")
                continue
        if local is None:
            continue
        local = local.lstrip("/")
        if "*" in local:  # GitLab's only wildcard: `*` within a directory, `**` across them
            directory = local.split("*")[0].rsplit("/", 1)[0] if "/" in local.split("*")[0] else ""
            paths.extend(globs.matching(snapshot.under(directory), (globs.literal(local),)))
        elif snapshot.exists(local):
            paths.append(local)
        else:
            model.notes.append(f"{origin}: local include {local} is not in the repository")
    return paths


def _gitlab(snapshot: RepoSnapshot, model: CiPipelines, root: str | None = None,
            parent: tuple[bool, str] | None = None, depth: int = 0) -> None:
    """The pipeline of `.gitlab-ci.yml` (or of a child pipeline's file, run for its `parent` job)."""
    if root is None:
        root = ".gitlab-ci.yml" if snapshot.exists(".gitlab-ci.yml") else snapshot.first([".gitlab-ci.yaml"])
    if root is None or depth > 2:
        return
    child = parent is not None
    documents: list[tuple[str, dict, dict]] = []  # (path, data, positions), includes first
    seen: set[str] = set()

    def visit(path: str, depth: int) -> None:
        if path in seen or depth > _MAX_DEPTH or len(seen) > 50:
            return
        seen.add(path)
        loaded = _load_mapping(snapshot, path, GITLAB, model)
        if loaded is None:
            return
        data, positions = loaded
        for included in _gitlab_local_includes(snapshot, data.get("include"), model, path):
            visit(included, depth + 1)
        documents.append((path, data, positions))

    visit(root, 0)
    merged: dict[str, Any] = {}
    where: dict[str, tuple[str, dict]] = {}
    for path, data, positions in documents:
        for key, value in data.items():
            merged[key] = _deep_merge(merged.get(key), value) if key in merged else value
            where[str(key)] = (path, positions)
    workflow_ok, workflow_note = parent if parent is not None else (True, "")
    if isinstance(merged.get("workflow"), dict) and "rules" in merged["workflow"] and workflow_ok:
        workflow_ok, workflow_note = _gitlab_rules_admit_mr(
            _gitlab_flat_rules(merged["workflow"]["rules"], merged), child)
        if not workflow_ok:
            workflow_note = "workflow " + workflow_note
    default = _mapping(merged.get("default"))
    top_before = merged.get("before_script", default.get("before_script"))
    for name, job in merged.items():
        if not isinstance(name, str) or name in _GITLAB_RESERVED or name.startswith(".") or not isinstance(job, dict):
            continue
        job = _gitlab_resolve_extends(job, merged, 0)
        if "script" not in job and "trigger" not in job:
            continue
        path, positions = where[name]
        on_pr, note = workflow_ok, workflow_note or "branch and merge-request pipelines"
        if on_pr and "rules" in job:
            on_pr, rule_note = _gitlab_rules_admit_mr(_gitlab_flat_rules(job["rules"], merged), child)
            note = rule_note or note
        elif on_pr and ("only" in job or "except" in job):
            on_pr, only_note = _gitlab_only_admits_mr(job.get("only"), job.get("except"))
            note = only_note or note
        ci_job = CiJob(GITLAB, name, path, _line(positions, name, "__key__"), on_pr, note)
        for key in ("before_script", "script"):
            value = job.get(key, top_before if key == "before_script" else None)
            value = _gitlab_resolve_references(value, merged)
            if value:
                ci_job.steps.append(CiStep(_script_text(value), path, _line(positions, name, key),
                                           advisory=job.get("allow_failure") is True))
        if isinstance(job.get("trigger"), dict):
            ci_job.actions.append(CiStep(f"trigger {job['trigger']}", path, _line(positions, name, "trigger")))
            # a child pipeline from a file of this repository runs as part of this pipeline
            for child_path in _gitlab_local_includes(snapshot, job["trigger"].get("include"), model, path):
                _gitlab(snapshot, model, child_path, (on_pr, f"child pipeline of job `{name}` ({note})"), depth + 1)
        model.jobs.append(ci_job)


def _gitlab_resolve_extends(job: dict, merged: dict, depth: int) -> dict:
    parents = _as_list(job.get("extends"))
    if not parents or depth > 10:
        return job
    base: dict = {}
    for parent in parents:
        template = merged.get(str(parent))
        if isinstance(template, dict):
            base = _deep_merge(base, _gitlab_resolve_extends(template, merged, depth + 1))
    return _deep_merge(base, {k: v for k, v in job.items() if k != "extends"})


def _gitlab_flat_rules(rules: Any, merged: dict, depth: int = 0) -> Any:
    """`rules:` with `!reference [.x, rules]` tags (whole or per item) replaced by the rules they
    name; None when a reference cannot be resolved (then the job is not judged by its rules)."""
    if depth > 5:
        return None
    if isinstance(rules, GitlabReference):
        return _gitlab_flat_rules(_gitlab_resolve_references(rules, merged), merged, depth + 1)
    if not isinstance(rules, list):
        return rules
    flat: list = []
    for item in rules:
        if isinstance(item, GitlabReference):
            resolved = _gitlab_flat_rules(item, merged, depth + 1)
            if not isinstance(resolved, list):
                return None
            flat.extend(resolved)
        else:
            flat.append(item)
    return flat


def _gitlab_resolve_references(value: Any, merged: dict, depth: int = 0) -> Any:
    if isinstance(value, GitlabReference):
        target: Any = merged
        for key in value:
            target = target.get(key) if isinstance(target, dict) else None
        return _gitlab_resolve_references(target, merged, depth + 1) if depth < 5 else None
    if isinstance(value, list):
        return [_gitlab_resolve_references(v, merged, depth) for v in value]
    return value


# ============================================================================================
# CircleCI
# ============================================================================================
def _circleci(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = snapshot.first([".circleci/config.yml", ".circleci/config.yaml"])
    if path is None:
        return
    loaded = _load_mapping(snapshot, path, CIRCLECI, model)
    if loaded is None:
        return
    data, positions = loaded
    jobs = _mapping(data.get("jobs"))
    commands = _mapping(data.get("commands"))
    workflows = _mapping(data.get("workflows"))
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
        for entry in _as_list(workflow.get("jobs")):
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
            ci_job = CiJob(CIRCLECI, name, path, _line(positions, "workflows"), on_pr, note)
            ci_job.actions.append(CiStep(f"orb job {name}", path, ci_job.line))
            if "/" in name and rx.search(r"(?i)test|rspec|pytest|jest", name.split("/", 1)[1]):
                ci_job.steps.append(CiStep(f"circleci-orb {name}", path, ci_job.line))
            model.jobs.append(ci_job)
            continue
        if not isinstance(job, dict):
            continue
        ci_job = CiJob(CIRCLECI, name, path, _line(positions, "jobs", name, "__key__"), on_pr, note)
        _circleci_steps(job.get("steps"), ("jobs", name, "steps"), commands, positions, path, ci_job, 0)
        model.jobs.append(ci_job)


def _circleci_filters(filters: Any) -> tuple[bool, str]:
    if not isinstance(filters, dict):
        return True, ""
    branches = _mapping(filters.get("branches"))
    only = _as_list(branches.get("only"))
    ignore = _as_list(branches.get("ignore"))
    if any(str(p) in ("/.*/", "/.+/") for p in ignore):
        return False, "filters ignore every branch (tags only)"
    if only and not any(str(p).startswith("/") and not rx.match(r"^/\^?(main|master)\$?/$", str(p)) for p in only):
        return False, f"filters run it only on {', '.join(map(str, only))}"
    return True, ""


def _circleci_steps(steps: Any, where: tuple, commands: dict, positions: dict, path: str,
                    ci_job: CiJob, depth: int) -> None:
    for index, step in enumerate(_as_list(steps)):
        line = _line(positions, *where, index)
        config: Any
        if isinstance(step, str):
            name, config = step, {}
        elif isinstance(step, dict) and step:
            name, config = next(iter(step.items()))
        else:
            continue
        if name == "run":
            command = config.get("command") if isinstance(config, dict) else config
            ci_job.steps.append(CiStep(_script_text(command), path, line))
        elif name in commands and depth < _MAX_DEPTH and isinstance(commands[name], dict):
            _circleci_steps(commands[name].get("steps"), ("commands", name, "steps"), commands,
                            positions, path, ci_job, depth + 1)
        elif "/" in str(name):
            ci_job.actions.append(CiStep(f"orb command {name}", path, line))
            if rx.search(r"(?i)(^|[-_/])(test|pytest|jest|rspec|mocha)", str(name).split("/", 1)[1]):
                ci_job.steps.append(CiStep(f"circleci-orb {name}", path, line))


# ============================================================================================
# Azure Pipelines
# ============================================================================================
_VENDORED = {"vendor", "node_modules", "third_party", "third-party", "thirdparty", "3rdparty",
             "external", "externals", "bower_components", ".yarn", "testdata", "fixtures"}


def is_vendored(path: str) -> bool:
    """Copies of other projects (vendored dependencies, test fixtures) are not this repository's CI."""
    return any(part in _VENDORED for part in path.split("/")[:-1])


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


def _azure(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    roots = _azure_roots(snapshot)
    loaded_roots = {}
    template_targets: set[str] = set()
    for path in roots:
        loaded = _load(snapshot, path, AZURE)
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
            ci_job = CiJob(AZURE, name, job_path, _line(job_positions, *where), on_pr, note)
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
    for index, job in enumerate(_as_list(data.get("jobs"))):
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("template"), str):
            jobs.extend(_azure_template_jobs(snapshot, path, job, model, depth, condition))
        else:
            name = str(job.get("job") or job.get("deployment") or index)
            jobs.append((name, with_condition(job, condition), ("jobs", index), path, positions))
    for s_index, stage in enumerate(_as_list(data.get("stages"))):
        if not isinstance(stage, dict):
            continue
        stage_condition = str(stage.get("condition", "")) or condition
        if isinstance(stage.get("template"), str):
            jobs.extend(_azure_template_jobs(snapshot, path, stage, model, depth, stage_condition))
            continue
        for j_index, job in enumerate(_as_list(stage.get("jobs"))):
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
    loaded = model.load(snapshot, target, AZURE) if depth < _MAX_DEPTH else None
    if loaded is None or not isinstance(loaded[0], dict):
        model.notes.append(f"{origin}: template {template} not found in the repository")
        return []
    data, positions, _ = loaded
    params = _mapping(reference.get("parameters"))
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
    for index, step in enumerate(_as_list(steps)):
        if not isinstance(step, dict):
            continue
        line = _line(positions, *where, index)
        excluded = _azure_condition_excludes_pr(str(step.get("condition", "")))
        advisory = step.get("continueOnError") is True
        for key in ("script", "bash", "pwsh", "powershell"):
            if key in step:
                ci_job.steps.append(CiStep(_script_text(step[key]), path, _line(positions, *where, index, key),
                                           excluded, advisory))
        if isinstance(step.get("task"), str):
            task = step["task"].split("@")[0]
            inputs = _mapping(step.get("inputs"))
            ci_job.actions.append(CiStep(step["task"], path, line, excluded))
            if task in _AZURE_TASK_COMMANDS:
                ci_job.steps.append(CiStep(_AZURE_TASK_COMMANDS[task](inputs), path, line, excluded, advisory))
        template = step.get("template")
        if isinstance(template, str):
            if "@" in template:
                model.notes.append(f"{path}: template {template} from another repository not followed")
                continue
            target = _azure_template_path(path, template)
            loaded = model.load(snapshot, target, AZURE) if depth < _MAX_DEPTH else None
            if loaded is None or not isinstance(loaded[0], dict):
                model.notes.append(f"{path}: template {template} not found in the repository")
                continue
            data, t_positions, _ = loaded
            params = _mapping(step.get("parameters"))
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


# ============================================================================================
# Jenkinsfile (text level: nothing is executed, Groovy is not parsed)
# ============================================================================================
_JENKINS_STEP = rx.compile(
    r"\b(sh|bat|powershell|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?(?:label\s*:\s*(?:'[^']*'|\"[^\"]*\")\s*,\s*script\s*:\s*)?"
    r"('''(?P<t1>.*?)'''|\"\"\"(?P<t2>.*?)\"\"\"|'(?P<t3>(?:[^'\\\n]|\\.)*)'|\"(?P<t4>(?:[^\"\\\n]|\\.)*)\")",
    rx.S)
_JENKINS_RUN_MAVEN = rx.compile(r"\brunMaven\s*\(\s*(\[.*?\]|\w+)", rx.S)
_IGNORE_TEST_FAILURES = rx.compile(r"-D(maven\.test\.failure\.ignore|surefire\.testFailureIgnore)(=true)?([^\w.=]|$)")  # group 3 is kept
_JENKINS_STAGE = rx.compile(r"\bstage\s*\(\s*['\"]([^'\"]*)['\"]\s*\)\s*\{")
# jenkins-infra/pipeline-library steps that run the build's tests (`mvn verify`, `gradle build`)
_JENKINS_TEST_STEPS = {"buildPlugin": "mvn verify", "buildPluginWithGradle": "gradle build",
                       "runATH": "acceptance tests", "runPCT": "plugin compatibility tests"}


def strip_c_comments(text: str) -> str:
    """Blank out // and /* */ comments (Groovy, JavaScript), keeping line numbers and strings."""
    out, i, n = [], 0, len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            if text.startswith(quote, i):
                out.append(quote)
                i += len(quote)
                quote = None
                continue
            if ch == "\\" and i + 1 < n:
                out.append(text[i:i + 2])
                i += 2
                continue
            out.append(ch)
            i += 1
            continue
        if text.startswith(("'''", '"""'), i):
            quote = text[i:i + 3]
            out.append(quote)
            i += 3
        elif ch in "'\"":
            quote = ch
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            chunk = text[i:n if end < 0 else end + 2]
            out.append("\n" * chunk.count("\n"))
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _block_end(text: str, open_brace: int) -> int:
    depth = 0
    for position in range(open_brace, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return len(text)


def _jenkins_when_excludes_pr(block: str) -> str | None:
    match = rx.search(r"\bwhen\s*\{", block)
    if not match:
        return None
    when = block[match.end():_block_end(block, match.end() - 1)]
    if rx.search(r"\bchangeRequest\b", when) and not rx.search(r"not\s*\{[^}]*changeRequest", when):
        return None
    if rx.search(r"\b(branch\s+['\"]|branch\s*\(|buildingTag\s*\(|tag\s+['\"]|tag\s*\(|triggeredBy\s*['\"(]"
                 r"|not\s*\{\s*changeRequest|(env\.)?(BRANCH_NAME|GIT_BRANCH|TAG_NAME)\s*==)", when):
        return "`when` limits it to a branch, a tag or another trigger"
    return None


def _jenkins(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    paths = [p for p in snapshot.named("Jenkinsfile") if p.count("/") <= 2 and not is_vendored(p)]
    for path in sorted(set(paths)):
        raw = snapshot.read_text(path)
        if raw is None:
            continue
        model.files.append(CiFile(JENKINS, path))
        text = strip_c_comments(raw)
        for library in rx.findall(r"@Library\s*\(\s*\[?\s*['\"]([^'\"]+)", text):
            model.notes.append(f"{path}: shared library {library} not followed")
        stages = []
        for match in _JENKINS_STAGE.finditer(text):
            start = match.end() - 1
            stages.append((match.group(1) or "(unnamed stage)", match.start(), _block_end(text, start)))
        # the innermost stage around a step names its job
        jobs: dict[str, CiJob] = {}

        def job_for(offset: int) -> CiJob:
            enclosing = [s for s in stages if s[1] <= offset <= s[2]]
            name, start, end = min(enclosing, key=lambda s: s[2] - s[1]) if enclosing else ("(pipeline)", 0, len(text))
            if name not in jobs:
                excluded = next((_jenkins_when_excludes_pr(text[s[1]:s[2]]) for s in enclosing
                                 if _jenkins_when_excludes_pr(text[s[1]:s[2]])), None)
                jobs[name] = CiJob(JENKINS, name, path, text.count("\n", 0, start) + 1, excluded is None,
                                   excluded or "multibranch pipelines build pull requests by default")
            return jobs[name]

        # With test reports recorded (`junit`), ignored Maven test failures still mark the build
        # UNSTABLE, which fails the pull request's status: the usual Jenkins pattern is a gate.
        records_tests = rx.search(r"\b(junit|realtimeJUnit|xunit|recordTests)\s*[(\s'\"]", text) is not None

        def add_step(offset: int, script: str) -> None:
            if records_tests:
                script = _IGNORE_TEST_FAILURES.sub(lambda m: m.group(3), script)
            job_for(offset).steps.append(CiStep(script, path, text.count("\n", 0, offset) + 1))

        for match in _JENKINS_STEP.finditer(text):
            script = next(g for g in (match.group("t1"), match.group("t2"), match.group("t3"), match.group("t4")) if g is not None)
            add_step(match.start(), script.replace("\\'", "'").replace('\\"', '"'))
        for match in _JENKINS_RUN_MAVEN.finditer(text):  # jenkins-infra `infra.runMaven(options, jdk)`
            argument = match.group(1)
            if not argument.startswith("["):
                definition = rx.search(r"\b" + rx.escape(argument) + r"\s*=\s*(\[.*?\])", text, rx.S)
                argument = definition.group(1) if definition else ""
            options = rx.findall(r"'([^']*)'|\"([^\"]*)\"", argument)
            add_step(match.start(), "mvn " + " ".join(a or b for a, b in options))
        for step, command in _JENKINS_TEST_STEPS.items():
            for match in rx.finditer(r"\b" + step + r"\s*[(\[]", text):
                line = text.count("\n", 0, match.start()) + 1
                job = job_for(match.start())
                job.actions.append(CiStep(f"{step} (shared library)", path, line))
                job.steps.append(CiStep(f"# {step} from the Jenkins pipeline library runs:\n{command}", path, line))
        model.jobs.extend(jobs.values())


# ============================================================================================
# Travis CI, Bitbucket Pipelines, Buildkite
# ============================================================================================
_TRAVIS_DEFAULT_SCRIPT = {"node_js": "npm test", "go": "go test ./...", "rust": "cargo test",
                          "ruby": "rake", "java": "gradle check", "php": "phpunit",
                          "elixir": "mix test", "haskell": "cabal test", "dart": "dart test",
                          "julia": "julia -e 'Pkg.test()'", "clojure": "lein test",
                          "scala": "sbt test", "perl": "prove"}


def _travis(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    loaded = _load_mapping(snapshot, ".travis.yml", TRAVIS, model) if snapshot.exists(".travis.yml") else None
    if loaded is None:
        return
    data, positions = loaded
    entries: list[tuple[str, dict, tuple]] = [("(build)", data, ())]
    jobs = data.get("jobs") or data.get("matrix")
    include = jobs.get("include") if isinstance(jobs, dict) else None
    for index, entry in enumerate(_as_list(include)):
        if isinstance(entry, dict):
            key = "jobs" if "jobs" in data else "matrix"
            entries.append((str(entry.get("name") or entry.get("stage") or index), {**data, **entry}, (key, "include", index)))
    for name, config, where in entries:
        condition = str(config.get("if", ""))
        excluded = bool(rx.search(r"\b(tag\s+IS\s+present|branch\s*=\s*\w+|type\s*(=|IN)\s*\(?\s*(cron|push|api)\b)", condition)) \
            and "pull_request" not in condition
        ci_job = CiJob(TRAVIS, name, ".travis.yml", _line(positions, *where) or 1, not excluded,
                       f"if: {condition}" if excluded else "Travis builds pull requests by default")
        script = config.get("script")
        if script is None:
            script = _TRAVIS_DEFAULT_SCRIPT.get(str(config.get("language", "")))
            if script:
                script = f"# Travis default script for {config.get('language')}\n{script}"
        for key, value in (("before_script", config.get("before_script")), ("script", script)):
            if value:
                ci_job.steps.append(CiStep(_script_text(value), ".travis.yml", _line(positions, *where, key) or ci_job.line))
        model.jobs.append(ci_job)


def _bitbucket(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = "bitbucket-pipelines.yml"
    loaded = _load(snapshot, path, BITBUCKET) if snapshot.exists(path) else None
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
        ci_job = CiJob(BITBUCKET, name, path, _line(positions, *where), on_pr, note)
        _bitbucket_steps(steps, where, positions, path, ci_job)
        model.jobs.append(ci_job)


def _bitbucket_steps(items: Any, where: tuple, positions: dict, path: str, ci_job: CiJob) -> None:
    for index, item in enumerate(_as_list(items)):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("step"), dict):
            step = item["step"]
            for key in ("script",):
                if step.get(key):
                    ci_job.steps.append(CiStep(_script_text([s for s in _as_list(step[key]) if isinstance(s, str)]),
                                               path, _line(positions, *where, index, "step", key)))
        for key in ("parallel", "stage"):
            inner = item.get(key)
            if isinstance(inner, dict):
                inner = inner.get("steps")
            if inner is not None:
                _bitbucket_steps(inner, where + (index, key), positions, path, ci_job)


def _buildkite(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    path = snapshot.first([".buildkite/pipeline.yml", ".buildkite/pipeline.yaml", "buildkite.yml",
                           ".buildkite/pipeline.json"])
    if path is None:
        return
    loaded = _load(snapshot, path, BUILDKITE)
    if loaded is None:
        return
    data, positions, ci_file = loaded
    model.files.append(ci_file)
    steps = data.get("steps") if isinstance(data, dict) else data
    for index, step in enumerate(_as_list(steps)):
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
                           _line(positions, *where), not excluded,
                           "limited to named branches or tags" if excluded else
                           "builds every pushed branch (pull-request builds depend on pipeline settings)")
            ci_job.steps.append(CiStep(_script_text(command), path, _line(positions, *where)))
            model.jobs.append(ci_job)


# ============================================================================================
# Drone and Woodpecker (`.drone.yml`, `.woodpecker.yml`, `.woodpecker/*.yml`)
# ============================================================================================
def _events_admit_pr(condition: Any) -> bool:
    """A `trigger:`/`when:` event filter: with no `event`, every event (pull requests too) runs."""
    for clause in _as_list(condition) or [{}]:
        if not isinstance(clause, dict):
            return True
        event = clause.get("event")
        if event is None:
            return True
        if isinstance(event, dict):
            include, exclude = _as_list(event.get("include")), _as_list(event.get("exclude"))
            if (not include or "pull_request" in map(str, include)) and "pull_request" not in map(str, exclude):
                return True
        elif "pull_request" in map(str, _as_list(event)):
            return True
    return False


def _drone_woodpecker(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    files = [(DRONE, p) for p in (".drone.yml", ".drone.yaml") if snapshot.exists(p)]
    files += [(WOODPECKER, p) for p in (".woodpecker.yml", ".woodpecker.yaml") if snapshot.exists(p)]
    files += [(WOODPECKER, p) for p in snapshot.under(".woodpecker")
              if p.endswith((".yml", ".yaml")) and p.count("/") == 1]
    for system, path in files:
        text = snapshot.read_text(path)
        if text is None:
            continue
        try:  # Drone keeps several pipelines in one file, as YAML documents
            documents = [d for d in yamlio.load_all(text, source=path) if d is not None]
        except yamlio.YamlSyntaxError as exc:
            model.files.append(CiFile(system, path, exc.message, exc.line))
            continue
        if not documents or not all(isinstance(d, dict) for d in documents):
            model.files.append(CiFile(system, path, "not a mapping of pipeline keys", 1))
            continue
        model.files.append(CiFile(system, path))
        for number, document in enumerate(documents):
            if document.get("kind", "pipeline") != "pipeline":
                continue  # Drone secrets and signatures
            admits = _events_admit_pr(document.get("trigger") if system == DRONE else document.get("when"))
            name = str(document.get("name") or (path if len(documents) == 1 else f"{path}#{number + 1}"))
            job = CiJob(system, name, path, 1, admits,
                        "runs for pull requests" if admits else "its event filter leaves out pull requests")
            steps = document.get("steps", document.get("pipeline"))
            items = list(steps.items()) if isinstance(steps, dict) else [(None, s) for s in _as_list(steps)]
            for step_name, step in items:
                if not isinstance(step, dict):
                    continue
                commands = step.get("commands", step.get("command"))
                if commands is None:
                    continue
                marker = f"name: {step.get('name', step_name)}"
                line = next((i for i, l in enumerate(text.splitlines(), 1) if marker in l or
                             (step_name and l.strip() == f"{step_name}:")), None)
                job.steps.append(CiStep(_script_text(commands), path, line,
                                        excludes_pr=not _events_admit_pr(step.get("when"))))
            model.jobs.append(job)
