"""GitLab CI: `.gitlab-ci.yml` with its local `include:`s, `extends:`, `!reference` tags and
child pipelines of this repository; remote, project, template and component includes are noted."""
from __future__ import annotations

from typing import Any

from standards_check import globs, rx
from standards_check.facts.ci.model import (GITLAB, MAX_DEPTH, CiJob, CiPipelines, CiStep, GitlabReference, as_list,
                                            line_of, load_mapping, mapping, script_text)
from standards_check.snapshot import RepoSnapshot

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
        refs = as_list(only.get("refs"))
    else:
        refs = as_list(only)
    if refs is not None and refs:
        admits = any(str(r) in ("merge_requests", "branches", "pushes", "external_pull_requests")
                     or str(r).startswith("/") and "^main" not in str(r) and "master" not in str(r)
                     for r in refs)
        if not admits:
            return False, f"`only: {', '.join(map(str, refs))}` excludes merge requests"
    except_refs = as_list(except_.get("refs") if isinstance(except_, dict) else except_)
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
    for item in as_list(include):
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


def _pipeline(snapshot: RepoSnapshot, model: CiPipelines, root: str | None = None,
            parent: tuple[bool, str] | None = None, depth: int = 0) -> None:
    """The pipeline of `.gitlab-ci.yml` (or of a child pipeline's file, run for its `parent` job)."""
    if root is None:
        root = ".gitlab-ci.yml" if snapshot.exists(".gitlab-ci.yml") else snapshot.first([".gitlab-ci.yaml"])
    if root is None or depth > 2:
        return
    child = parent is not None
    documents = _gitlab_documents(snapshot, root, model)
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
    default = mapping(merged.get("default"))
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
        ci_job = CiJob(GITLAB, name, path, line_of(positions, name, "__key__"), on_pr, note)
        for key in ("before_script", "script"):
            value = job.get(key, top_before if key == "before_script" else None)
            value = _gitlab_resolve_references(value, merged)
            if value:
                ci_job.steps.append(CiStep(script_text(value), path, line_of(positions, name, key),
                                           advisory=job.get("allow_failure") is True))
        if isinstance(job.get("trigger"), dict):
            ci_job.actions.append(CiStep(f"trigger {job['trigger']}", path, line_of(positions, name, "trigger")))
            # a child pipeline from a file of this repository runs as part of this pipeline
            for child_path in _gitlab_local_includes(snapshot, job["trigger"].get("include"), model, path):
                _pipeline(snapshot, model, child_path, (on_pr, f"child pipeline of job `{name}` ({note})"), depth + 1)
        model.jobs.append(ci_job)


def _gitlab_documents(snapshot: RepoSnapshot, root: str, model: CiPipelines) -> list[tuple[str, dict, dict]]:
    """The pipeline's files as (path, data, positions), each after the local files it includes."""
    documents: list[tuple[str, dict, dict]] = []
    seen: set[str] = set()

    def visit(path: str, depth: int) -> None:
        if path in seen or depth > MAX_DEPTH or len(seen) > 50:
            return
        seen.add(path)
        loaded = load_mapping(snapshot, path, GITLAB, model)
        if loaded is None:
            return
        data, positions = loaded
        for included in _gitlab_local_includes(snapshot, data.get("include"), model, path):
            visit(included, depth + 1)
        documents.append((path, data, positions))

    visit(root, 0)
    return documents


def _gitlab_resolve_extends(job: dict, merged: dict, depth: int) -> dict:
    parents = as_list(job.get("extends"))
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


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    _pipeline(snapshot, model)
