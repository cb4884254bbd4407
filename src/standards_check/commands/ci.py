"""`standards-check ci`: the GitHub Action's entry point (in a GitLab job: `commands.gitlab_ci`).

Reads the GitHub environment and the Action's inputs, scans (in diff mode against the PR base on
pull_request and pull_request_target), then, in this order so that nothing is lost:
1. writes the report JSON (and the SARIF file when asked) to disk;
2. sets the step outputs `score`, `level`, `passed`, `report-json` and appends the job summary;
3. posts: the sticky PR comment, a check run with annotations (or, where the token may not
   create check runs, a commit status), each failure to post being a warning with its reason;
4. prints workflow-command annotations when no check run carries them;
5. exits by `fail-on`: `gate` (the policy gate), `new-failures` (only what the change broke;
   the gate without a base), `never`.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from standards_check.errors import UserError
from standards_check.escape import printable
from standards_check.model import Location
from standards_check.report import DIFF_SKIPPED, POLICY_SOURCE, Report

EVENTS = ("pull_request", "pull_request_target", "push", "schedule", "workflow_dispatch")
PR_EVENTS = ("pull_request", "pull_request_target")
REQUIRED = ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKSPACE")
FAIL_ON = ("gate", "new-failures", "never")
_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"off", "false", "no", "0", ""}

ClientFactory = Callable[[str, str], Any]


@dataclass(frozen=True)
class Inputs:
    policy: str | None = None
    path: str = "."
    comment: bool = True
    check_run: bool = True
    sarif_file: str | None = None
    fail_on: str = "gate"
    base_ref: str | None = None
    report_json: str | None = None
    codequality_file: str | None = None  # GitLab
    junit_file: str | None = None  # GitLab


@dataclass(frozen=True)
class Context:
    event_name: str
    event: dict[str, Any]
    repository: str
    sha: str
    workspace: str
    api_url: str
    server_url: str
    step_summary: str | None
    output: str | None
    run_url: str | None
    token: str | None
    runner_temp: str | None = None

    @property
    def pull_request(self) -> dict[str, Any] | None:
        pr = self.event.get("pull_request")
        return pr if self.event_name in PR_EVENTS and isinstance(pr, dict) else None

    @property
    def head_sha(self) -> str:
        """The commit a check run or status belongs on: a PR's head, not its merge commit."""
        pr = self.pull_request
        return str(pr["head"]["sha"]) if pr else self.sha


def read_context(env: Mapping[str, str]) -> Context:
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise UserError(
            "not running in GitHub Actions: missing environment variable(s) " + ", ".join(missing)
            + " (GitHub sets them in every workflow run; to scan locally use `standards-check scan`)")
    name = env["GITHUB_EVENT_NAME"]
    if name not in EVENTS:
        raise UserError(f"event {name!r} is not supported; run on one of: {', '.join(EVENTS)}")
    try:
        event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the event payload GITHUB_EVENT_PATH={env['GITHUB_EVENT_PATH']}: {exc}") from None
    if name in PR_EVENTS and not isinstance(event.get("pull_request"), dict):
        raise UserError(f"the {name} event payload has no pull_request object")
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    from standards_check.publish.github import api_url_for

    run_id = env.get("GITHUB_RUN_ID")
    return Context(
        event_name=name, event=event, repository=env["GITHUB_REPOSITORY"], sha=env["GITHUB_SHA"],
        workspace=env["GITHUB_WORKSPACE"], api_url=env.get("GITHUB_API_URL") or api_url_for(server),
        server_url=server, step_summary=env.get("GITHUB_STEP_SUMMARY") or None,
        output=env.get("GITHUB_OUTPUT") or None,
        run_url=f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{run_id}" if run_id else None,
        token=_input(env, "github-token") or env.get("GITHUB_TOKEN") or None,
        runner_temp=env.get("RUNNER_TEMP") or None,
    )


def read_inputs(env: Mapping[str, str], **overrides: Any) -> Inputs:
    """The Action's inputs from `INPUT_*` variables (`INPUT_FAIL_ON` or `INPUT_FAIL-ON`); explicit
    options win."""
    values: dict[str, Any] = {
        "policy": _input(env, "policy") or None,
        "path": _input(env, "path") or ".",
        "comment": _flag("comment", _input(env, "comment"), True),
        "check_run": _flag("check-run", _input(env, "check-run"), True),
        "sarif_file": _input(env, "sarif-file") or None,
        "fail_on": (_input(env, "fail-on") or "gate").strip().lower(),
        "base_ref": _input(env, "base-ref") or None,
        "report_json": _input(env, "report-json") or None,
        "codequality_file": _input(env, "codequality-file") or None,
        "junit_file": _input(env, "junit-file") or None,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values["fail_on"] not in FAIL_ON:
        raise UserError(f"fail-on must be one of {', '.join(FAIL_ON)}, not {values['fail_on']!r}")
    return Inputs(**values)


def _input(env: Mapping[str, str], name: str) -> str:
    for key in (f"INPUT_{name.upper()}", f"INPUT_{name.upper().replace('-', '_')}"):
        if env.get(key):
            return env[key].strip()
    return ""


def _flag(name: str, value: str, default: bool) -> bool:
    if value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise UserError(f"{name} must be on or off, not {value!r}")


class Console:
    """Log lines and workflow commands, to standard output where the runner reads them."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def info(self, message: str) -> None:
        self.write(printable(message))  # one line: a name with a newline cannot start a workflow command

    def warning(self, message: str) -> None:
        from standards_check.publish.actions import workflow_command

        self.write(workflow_command("warning", message, title="standards-check"))


def run(env: Mapping[str, str], inputs: Inputs | None = None, *, write: Callable[[str], None] = print,
        client_factory: ClientFactory | None = None) -> int:
    """The whole `ci` command; returns the exit code. In a GitLab job: `commands.gitlab_ci`."""
    from standards_check.commands import gitlab_ci

    if gitlab_ci.is_gitlab(env):
        return gitlab_ci.run(env, inputs, write=write, client_factory=client_factory)
    console = Console(write)
    ctx = read_context(env)
    inputs = inputs or read_inputs(env)
    if ctx.token:  # a private policy repository on the same server (git+ references)
        from standards_check import policysource

        policysource.use_token(ctx.server_url, ctx.token)
    report = _scan(ctx, inputs, console)
    for warning in report.warnings:
        if warning.kind == POLICY_SOURCE:
            console.warning(warning.text)
    report_path = _write_files(ctx, inputs, report, console)
    _local_outputs(ctx, report, report_path)
    code, conclusion = _exit_code(report, inputs.fail_on, console)
    annotated = _post(ctx, inputs, report, conclusion, console, client_factory)
    if not annotated:
        from standards_check.publish.actions import annotation_commands
        from standards_check.publish.summary import findings

        for line in annotation_commands(findings(report)):
            write(line)
    state = "passed" if report.passed else "failed"
    console.info(f"standards-check: score {report.score:g}, level {report.level}, gate {state}; "
                 f"report {report_path}; exit {code} (fail-on: {inputs.fail_on})")
    return code


# ---- steps ------------------------------------------------------------------------------------
def _scan(ctx: Context, inputs: Inputs, console: Console) -> Report:
    from standards_check.diff import resolve_commit, scan_diff
    from standards_check.engine import scan_path

    target = Path(ctx.workspace) / inputs.path
    pr = ctx.pull_request
    base = inputs.base_ref or (str(pr["base"]["sha"]) if pr else None)
    head: str | None = None
    if ctx.event_name == "pull_request_target" and pr:
        # This event checks out the base; the PR head is scanned from git objects when fetched
        # (safe: nothing from the repository is ever executed).
        head = resolve_commit(target, str(pr["head"]["sha"]))
        if head is None:
            console.warning(
                "pull_request_target: the PR head commit is not in this checkout, so the base branch "
                "was scanned. Add `ref: ${{ github.event.pull_request.head.sha }}` to actions/checkout "
                "(standards-check only reads files, it never runs them).")
    if base:
        label = None if inputs.base_ref or not pr else str(pr["base"].get("ref") or "") or None
        report = scan_diff(target, base, ref=head, policy_ref=inputs.policy, base_label=label)
        for warning in report.warnings:
            if warning.kind == DIFF_SKIPPED:
                console.warning(warning.text)
        return report
    report = scan_path(target, policy_ref=inputs.policy)
    prefix = _repo_prefix(target)
    if prefix and report.repository.get("ref") == "WORKTREE":  # locations relative to the subdirectory
        report = _relocate(report, prefix)
    return report


def _write_files(ctx: Context, inputs: Inputs, report: Report, console: Console) -> str:
    from standards_check.render import render

    path = Path(inputs.report_json) if inputs.report_json else _default_report_path(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, "json"), encoding="utf-8")
    if inputs.sarif_file:
        sarif = Path(inputs.sarif_file)
        sarif.parent.mkdir(parents=True, exist_ok=True)
        sarif.write_text(render(report, "sarif"), encoding="utf-8")
        console.info(f"standards-check: wrote SARIF to {sarif}")
    return str(path.resolve())


def _default_report_path(ctx: Context) -> Path:
    # Outside the workspace, so a later scan of the workspace never reads our own report.
    base = ctx.runner_temp or tempfile.gettempdir()
    return Path(base) / "standards-check" / "report.json"


def _local_outputs(ctx: Context, report: Report, report_path: str) -> None:
    from standards_check.publish.actions import append_step_summary, write_outputs
    from standards_check.publish.summary import summary_markdown

    if ctx.output:
        write_outputs(ctx.output, {"score": f"{report.score:g}", "level": report.level,
                                   "passed": report.passed, "report-json": report_path})
    if ctx.step_summary:
        append_step_summary(ctx.step_summary, summary_markdown(report, run_url=ctx.run_url))


def _exit_code(report: Report, fail_on: str, console: Console) -> tuple[int, str]:
    """The exit code, and the check-run conclusion that matches it."""
    if fail_on == "never":
        return 0, "success" if report.passed else "neutral"
    if fail_on == "new-failures":
        if report.diff is not None:
            failed = bool(report.diff.new_failures)
            return (1, "failure") if failed else (0, "success")
        console.info("standards-check: fail-on new-failures needs a base to compare with; "
                     "judging by the policy gate instead")
    return (0, "success") if report.passed else (1, "failure")


def _post(ctx: Context, inputs: Inputs, report: Report, conclusion: str, console: Console,
          client_factory: ClientFactory | None) -> bool:
    """Post what the inputs ask for; True when a check run carries the annotations."""
    from standards_check.publish.github import GitHubClient

    wanted_comment = inputs.comment and ctx.pull_request is not None
    if not (wanted_comment or inputs.check_run):
        return False
    if not ctx.token:
        console.warning("no GitHub token (input github-token or GITHUB_TOKEN): nothing was posted; "
                        "the report is in the job summary and the report file")
        return False
    # A comment is not worth holding a runner for long: wait at most 5 minutes on rate limits.
    factory = client_factory or (lambda token, url: GitHubClient(token, url, max_wait=300, log=console.info))
    client = factory(ctx.token, ctx.api_url)
    if wanted_comment:
        _attempt(console, client, "the pull-request comment", lambda: _comment(ctx, inputs, report, client))
    if inputs.check_run:
        posted = _attempt(console, client, "the check run", lambda: _check_run(ctx, report, conclusion, client, console))
        return bool(posted)
    return False


def _attempt(console: Console, client: Any, what: str, action: Callable[[], Any]) -> Any:
    """Run one post; a failure is a warning with the reason, never a lost result."""
    from standards_check.publish.github import GitHubError

    try:
        posted = action()
    except GitHubError as exc:
        hint = ""
        if exc.status in (403, 404):
            hint = (" The token may lack the permission (see the Action's README: pull-requests: write "
                    "for the comment, checks: write for the check run, statuses: write for the status); "
                    "a pull request from a fork gets a read-only token.")
        console.warning(f"could not post {what}: {client.redact(str(exc))}.{hint}")
        return None
    except Exception as exc:  # noqa: BLE001 - posting must never lose the result
        console.warning(f"could not post {what}: {type(exc).__name__}: {client.redact(str(exc))}")
        return None
    if posted is not None:
        console.info(f"standards-check: {posted.what} {posted.action}"
                     + (f": {posted.url}" if posted.url else "") + (f" ({posted.detail})" if posted.detail else ""))
    return posted


def _comment(ctx: Context, inputs: Inputs, report: Report, client: Any) -> Any:
    from standards_check.publish.github import comment_marker, upsert_sticky_comment
    from standards_check.publish.summary import comment_body

    pr = ctx.pull_request
    assert pr is not None
    from standards_check.policysource import redact_ref

    policy = redact_ref(inputs.policy) or str(report.policy.get("name", "policy"))
    marker = comment_marker(policy, inputs.path)
    return upsert_sticky_comment(client, ctx.repository, int(pr["number"]), marker,
                                 comment_body(report, run_url=ctx.run_url))


def _check_run(ctx: Context, report: Report, conclusion: str, client: Any, console: Console) -> Any:
    from standards_check.publish.github import (
        Annotation, ChecksNotAllowed, publish_check_run, publish_commit_status,
    )
    from standards_check.publish.summary import (
        check_title, findings, status_description, summary_markdown,
    )

    levels = {"error": "failure", "warning": "warning", "info": "notice"}
    annotations = [Annotation(f.path, f.line, levels.get(f.severity, "warning"), f.message, f.title)
                   for f in findings(report)]
    name = f"standards-check ({report.policy.get('name', 'policy')})"
    try:
        return publish_check_run(client, ctx.repository, ctx.head_sha, name=name, conclusion=conclusion,
                                 title=check_title(report), summary=summary_markdown(report, run_url=ctx.run_url),
                                 annotations=annotations, details_url=ctx.run_url)
    except ChecksNotAllowed as exc:
        console.info(f"standards-check: this token may not create check runs ({exc}); "
                     "posting a commit status instead")
    state = {"success": "success", "neutral": "success"}.get(conclusion, "failure")
    _attempt(console, client, "the commit status", lambda: publish_commit_status(
        client, ctx.repository, ctx.head_sha, state=state, description=status_description(report),
        context=f"standards-check/{report.policy.get('name', 'policy')}", target_url=ctx.run_url))
    return None  # no check run: annotate through workflow commands


# ---- helpers ----------------------------------------------------------------------------------
def _repo_prefix(path: Path) -> str:
    from standards_check.snapshot import run_git

    return run_git(path, "rev-parse", "--show-prefix", check=False).strip()


def _relocate(report: Report, prefix: str) -> Report:
    """Locations relative to the repository root, as GitHub needs them for annotations and SARIF."""
    results = tuple(replace(r, locations=tuple(Location(prefix + loc.path, loc.line) for loc in r.locations))
                    for r in report.results)
    anchor = prefix + report.anchor if report.anchor else None  # the config the scan read, from the root too
    return replace(report, results=results, anchor=anchor)


def main(argv_overrides: dict[str, Any]) -> int:
    """Called by the CLI: the process environment, explicit options over INPUT_* variables."""
    from standards_check.commands.gitlab_ci import inputs_env, is_gitlab

    env = dict(os.environ)
    inputs = read_inputs(inputs_env(env) if is_gitlab(env) else env, **argv_overrides)
    return run(env, inputs, write=lambda line: print(line, flush=True))


__all__ = ["run", "read_context", "read_inputs", "Inputs", "Context", "main"]
