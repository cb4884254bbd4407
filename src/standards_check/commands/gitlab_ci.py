"""`standards-check ci` in a GitLab CI/CD job (detected by `GITLAB_CI`).

In this order, so that nothing is lost:
1. scans: in a merge-request pipeline in diff mode against `CI_MERGE_REQUEST_DIFF_BASE_SHA` (the
   merge base GitLab computed), else a plain scan of `CI_PROJECT_DIR`;
2. writes the report JSON, the Code Quality report and the JUnit report to disk (the template
   uploads them as `artifacts: reports: codequality` and `junit`);
3. posts the sticky merge-request note with `GITLAB_TOKEN` (a project or personal access token
   with the api scope). GitLab does not accept `CI_JOB_TOKEN` for notes: with only a job token the
   job says so and the artifacts carry the result. A failure to post is a warning with its reason;
4. exits by `fail-on`, as on GitHub.
Variables (`STANDARDS_CHECK_POLICY`, `_PATH`, `_FAIL_ON`, `_COMMENT`, `_BASE_REF`) stand for the
Action's inputs; command-line options win.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from standards_check.commands.ci import Console, Inputs, _exit_code, _relocate, _repo_prefix, read_inputs
from standards_check.errors import UserError
from standards_check.report import DIFF_SKIPPED, POLICY_SOURCE, Report

REQUIRED = ("CI_PROJECT_DIR", "CI_PROJECT_ID", "CI_COMMIT_SHA")
VARIABLES = ("policy", "path", "fail-on", "comment", "base-ref", "report-json", "codequality-file", "junit-file")
DEFAULT_FILES = {"report_json": "standards-check-report.json",
                 "codequality_file": "gl-code-quality-report.json", "junit_file": "standards-check-junit.xml"}

ClientFactory = Callable[..., Any]


@dataclass(frozen=True)
class GitLabContext:
    project_dir: str
    project_id: str
    sha: str
    api_url: str
    mr_iid: int | None
    diff_base: str | None
    target_branch: str | None
    mr_url: str | None
    job_url: str | None
    token: str | None
    job_token: str | None


def is_gitlab(env: Mapping[str, str]) -> bool:
    return (env.get("GITLAB_CI") or "").lower() == "true"


def inputs_env(env: Mapping[str, str]) -> dict[str, str]:
    """`STANDARDS_CHECK_POLICY` and the like as the `INPUT_*` variables `read_inputs` reads."""
    out = dict(env)
    for name in VARIABLES:
        value = env.get("STANDARDS_CHECK_" + name.upper().replace("-", "_"))
        if value:
            out["INPUT_" + name.upper().replace("-", "_")] = value
    return out


def read_context(env: Mapping[str, str]) -> GitLabContext:
    from standards_check.gitlab_client import api_url_for

    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise UserError("GITLAB_CI is set but GitLab's variable(s) " + ", ".join(missing) + " are missing "
                        "(GitLab sets them in every job; to scan locally use `standards-check scan`)")
    iid_text = env.get("CI_MERGE_REQUEST_IID") or ""
    if iid_text and not iid_text.isdigit():
        raise UserError(f"CI_MERGE_REQUEST_IID must be a number, not {iid_text!r}")
    iid = int(iid_text) if iid_text else None
    project_url = env.get("CI_MERGE_REQUEST_PROJECT_URL") or env.get("CI_PROJECT_URL")
    return GitLabContext(
        project_dir=env["CI_PROJECT_DIR"], project_id=env["CI_PROJECT_ID"], sha=env["CI_COMMIT_SHA"],
        api_url=env.get("CI_API_V4_URL") or api_url_for(env.get("CI_SERVER_URL")),
        mr_iid=iid, diff_base=env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or None,
        target_branch=env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or None,
        mr_url=f"{project_url}/-/merge_requests/{iid}" if project_url and iid else None,
        job_url=env.get("CI_JOB_URL") or None,
        token=env.get("GITLAB_TOKEN") or None, job_token=env.get("CI_JOB_TOKEN") or None)


class GitLabConsole(Console):
    """GitLab has no workflow commands: a warning is a plain line in the job log."""

    def warning(self, message: str) -> None:
        self.info(f"standards-check: warning: {message}")


def run(env: Mapping[str, str], inputs: Inputs | None = None, *, write: Callable[[str], None] = print,
        client_factory: ClientFactory | None = None) -> int:
    console = GitLabConsole(write)
    ctx = read_context(env)
    inputs = inputs or read_inputs(inputs_env(env))
    report = _scan(ctx, inputs, console)
    for warning in report.warnings:
        if warning.kind == POLICY_SOURCE:
            console.warning(warning.text)
    written = _write_files(ctx, inputs, report)
    console.info("standards-check: wrote " + ", ".join(written))
    code, _conclusion = _exit_code(report, inputs.fail_on, console)
    if inputs.comment and ctx.mr_iid is not None:
        _note(ctx, inputs, report, console, client_factory)
    state = "passed" if report.passed else "failed"
    console.info(f"standards-check: score {report.score:g}, level {report.level}, gate {state}; "
                 f"exit {code} (fail-on: {inputs.fail_on})")
    return code


def _scan(ctx: GitLabContext, inputs: Inputs, console: Console) -> Report:
    from standards_check.diff import scan_diff
    from standards_check.engine import scan_path

    target = Path(ctx.project_dir) / inputs.path
    base = inputs.base_ref or ctx.diff_base
    if base:
        label = None if inputs.base_ref else ctx.target_branch
        report = scan_diff(target, base, policy_ref=inputs.policy, base_label=label)
        for warning in report.warnings:
            if warning.kind == DIFF_SKIPPED:
                console.warning(warning.text + " On GitLab set the variable GIT_DEPTH: 0 (or a depth that "
                                "reaches the merge base) on the job.")
        return report
    report = scan_path(target, policy_ref=inputs.policy)
    prefix = _repo_prefix(target)
    if prefix and report.repository.get("ref") == "WORKTREE":  # Code Quality paths are from the root
        report = _relocate(report, prefix)
    return report


def _write_files(ctx: GitLabContext, inputs: Inputs, report: Report) -> list[str]:
    from standards_check.render import render

    written = []
    for attr, fmt in (("report_json", "json"), ("codequality_file", "codequality"), ("junit_file", "junit")):
        path = Path(ctx.project_dir) / (getattr(inputs, attr) or DEFAULT_FILES[attr])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(report, fmt), encoding="utf-8")
        written.append(str(path))
    return written


def _note(ctx: GitLabContext, inputs: Inputs, report: Report, console: Console,
          client_factory: ClientFactory | None) -> None:
    from standards_check.gitlab_client import GitLabClient, GitLabError
    from standards_check.policysource import redact_ref
    from standards_check.publish.github import comment_marker
    from standards_check.publish.gitlab import upsert_sticky_note
    from standards_check.publish.summary import comment_body

    if not ctx.token:
        why = ("only the CI job token is available, and GitLab does not accept a job token for "
               "merge-request notes" if ctx.job_token else "no token")
        console.warning(f"the merge-request note was not posted: {why}. Set a masked CI/CD variable "
                        "GITLAB_TOKEN to a project access token with the api scope (Reporter role or "
                        "above). The result is in the Code Quality and JUnit reports of this job.")
        return
    factory = client_factory or (lambda token, url: GitLabClient(token, url, max_wait=300, log=console.info))
    client = factory(ctx.token, ctx.api_url)

    def redact(text: str) -> str:  # the job token is a secret too, though it is never sent here
        text = client.redact(text)
        return text.replace(ctx.job_token, "***") if ctx.job_token else text

    policy = redact_ref(inputs.policy) or str(report.policy.get("name", "policy"))
    try:
        assert ctx.mr_iid is not None
        posted = upsert_sticky_note(client, ctx.project_id, ctx.mr_iid, comment_marker(policy, inputs.path),
                                    comment_body(report, run_url=ctx.job_url))
    except GitLabError as exc:
        hint = (" The token may lack the api scope or access to this project."
                if exc.status in (401, 403, 404) else "")
        console.warning(f"could not post the merge-request note: {redact(str(exc))}.{hint}")
        return
    except Exception as exc:  # noqa: BLE001 - posting must never lose the result
        console.warning(f"could not post the merge-request note: {type(exc).__name__}: {redact(str(exc))}")
        return
    url = f"{ctx.mr_url}{posted.url}" if ctx.mr_url and posted.url else posted.url
    console.info(f"standards-check: {posted.what} {posted.action}" + (f": {url}" if url else "")
                 + (f" ({posted.detail})" if posted.detail else ""))
