"""`standards-check ci` end to end: real git repositories, real-shaped event payloads
(tests/fixtures/events/), a real HTTP server on loopback for the API (every request checked
against GitHub's OpenAPI description), faults, and waits recorded instead of spent."""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from standards_check.commands.ci import Inputs, read_inputs, run
from standards_check.publish.summary import findings
from standards_check.errors import UserError
from standards_check.publish.github import GitHubClient
from standards_check.resources import schema_path
from tests.cli_helpers import run_cli
from tests.conftest import commit_all, git, write_files
from tests.github_fake import (  # noqa: F401 - fixtures
    TOKEN, FakeClock, FakeGitHub, Fault, github, openapi,
)

EVENTS = Path(__file__).parent / "fixtures" / "events"
README = "# payments\n\nCharges cards for checkout; build with make, test with make test, ask #payments.\n" * 2
REPORT_SCHEMA = Draft202012Validator(json.loads(schema_path("report.schema.json").read_text()))


class Run:
    """One prepared workflow run: a checkout, an event payload, the runner's files."""

    def __init__(self, tmp_path: Path, make_repo, event_name: str, api_url: str) -> None:
        self.repo = make_repo({"README.md": README, "src/app.py": "print('pay')\n"}, name="payments")
        self.base = git(self.repo, "rev-parse", "HEAD").strip()
        git(self.repo, "checkout", "-q", "-b", "tidy")
        (self.repo / "README.md").unlink()  # the change breaks readme.present...
        write_files(self.repo, {"LICENSE": "MIT License\n" * 30})  # ...and fixes license.present
        self.head = commit_all(self.repo, "tidy")
        self.runner = tmp_path / "runner"
        self.runner.mkdir()
        payload = json.loads((EVENTS / f"{event_name}.json").read_text())
        if "pull_request" in payload:
            payload["pull_request"]["base"]["sha"] = self.base
            payload["pull_request"]["head"]["sha"] = self.head
        event_path = self.runner / "event.json"
        event_path.write_text(json.dumps(payload))
        self.summary = self.runner / "summary.md"
        self.output = self.runner / "output.txt"
        self.env = {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "acme/payments", "GITHUB_SHA": self.head, "GITHUB_WORKSPACE": str(self.repo),
            "GITHUB_API_URL": api_url, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "7001",
            "GITHUB_STEP_SUMMARY": str(self.summary), "GITHUB_OUTPUT": str(self.output),
            "RUNNER_TEMP": str(self.runner / "tmp"), "INPUT_GITHUB_TOKEN": TOKEN,
        }
        self.clock = FakeClock()
        self.lines: list[str] = []

    def client(self, token: str, url: str) -> GitHubClient:
        return GitHubClient(token, url, sleep=self.clock.sleep, clock=self.clock, timeout=2.0,
                            log=self.lines.append)

    def __call__(self, **inputs: Any) -> int:
        return run(self.env, read_inputs(self.env, **inputs), write=self.lines.append, client_factory=self.client)

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text()
        found = {}
        for m in re.finditer(r"^([\w-]+)<<(ghadelimiter_[0-9a-f-]+)\n(.*?)\n\2$", text, re.M | re.S):
            found[m.group(1)] = m.group(3)
        return found

    def report(self) -> dict[str, Any]:
        return json.loads(Path(self.outputs()["report-json"]).read_text())

    def everything_printed(self) -> str:
        files = [p.read_text() for p in (self.summary, self.output) if p.exists()]
        return "\n".join(self.lines + files)


def read_report(ci: Run):
    """The report file as a Report again, through the engine's own JSON contract."""
    from standards_check.model import Location
    from standards_check.report import Gate, Report, Result

    data = ci.report()
    results = tuple(Result(**{**r, "locations": tuple(Location(**loc) for loc in r["locations"]), "waiver": None})
                    for r in data["results"])
    return Report(repository=data["repository"], policy=data["policy"], score=data["score"], level=data["level"],
                  level_name=data["level_name"], passed=data["passed"], gate=Gate(**data["gate"]),
                  categories=data["categories"], results=results)


@pytest.fixture
def prepare(tmp_path, make_repo, github):
    return lambda event_name: Run(tmp_path, make_repo, event_name, github.url)


def _ours(github: FakeGitHub) -> list[dict[str, Any]]:
    return [c for c in github.comments.get(42, []) if c["body"].startswith("<!-- standards-check:")]


@pytest.mark.parametrize("event_name", ["pull_request", "pull_request_target", "push", "schedule", "workflow_dispatch"])
def test_every_event(event_name, prepare, github) -> None:
    ci = prepare(event_name)
    if event_name == "pull_request_target":  # that event checks out the base; the head is fetched
        git(ci.repo, "checkout", "-q", "main")
    code = ci()
    report = ci.report()
    REPORT_SCHEMA.validate(report)
    outputs = ci.outputs()
    assert outputs["score"] == f"{report['score']:g}" and outputs["level"] == str(report["level"])
    assert outputs["passed"] == str(report["passed"]).lower()
    assert code == (0 if report["passed"] else 1)
    assert "standards-check · baseline@1.0.0" in ci.summary.read_text()
    [run] = github.check_runs.values()
    assert run["head_sha"] == ci.head and run["status"] == "completed"
    assert run["conclusion"] == ("success" if report["passed"] else "failure")
    if event_name.startswith("pull_request"):
        assert report["diff"]["base_commit"] == ci.base
        assert report["diff"]["new_failures"] == ["readme.present"]
        assert report["diff"]["fixed"] == ["license.present"]
        assert report["repository"]["commit"] == ci.head
        [comment] = _ours(github)
        assert comment["body"].startswith("<!-- standards-check:baseline:. -->")
        assert "New failures (1)" in comment["body"] and "license.present" in comment["body"]
        assert report["diff"]["base_ref"] == "main"
        assert f"from `main` ({ci.base[:7]}), which scored" in comment["body"]
    else:
        assert report["diff"] is None and github.comments == {}
    assert TOKEN not in ci.everything_printed()


def test_report_is_on_disk_before_any_post(prepare, github) -> None:
    ci = prepare("pull_request")
    seen: list[bool] = []
    real = github._answer

    def spy(method, path, query, body):
        seen.append(Path(ci.runner / "tmp/standards-check/report.json").is_file())
        return real(method, path, query, body)

    github._answer = spy  # type: ignore[method-assign]
    ci()
    assert seen and all(seen)


def test_faults_are_retried_and_waited_out(prepare, github) -> None:
    ci = prepare("pull_request")
    reset = int(ci.clock.now) + 42
    github.faults += [
        Fault("GET", r"/issues/42/comments$", 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
              {"message": "API rate limit exceeded for installation ID 1."}),
        Fault("POST", r"/issues/42/comments$", 429, {"Retry-After": "9"}, {"message": "secondary rate limit"}),
        Fault("POST", r"/check-runs$", 500),
        Fault("POST", r"/check-runs$", 201, delay=3.0),  # a slow answer: the client times out
    ]
    code = ci()
    assert ci.clock.sleeps == [43.0, 9.0, 1.0, 2.0]
    assert len(_ours(github)) == 1 and len(github.check_runs) == 1
    assert code == (0 if ci.report()["passed"] else 1)
    assert any("retrying in 43 s" in line for line in ci.lines)
    assert not github.faults


def test_run_twice_updates_the_one_comment(prepare, github) -> None:
    ci = prepare("pull_request")
    ci()
    first = _ours(github)[0]["id"]
    ci()
    assert [c["id"] for c in _ours(github)] == [first]
    assert any("comment unchanged" in line for line in ci.lines)


def test_run_twice_at_once_leaves_one_comment(prepare, github) -> None:
    ci = prepare("pull_request")
    github.list_barrier = threading.Barrier(2)
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(ci())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(codes) == 2 and len(set(codes)) == 1
    assert len(github.calls("POST", r"/issues/42/comments$")) == 2  # both created...
    assert len(_ours(github)) == 1  # ...one is left


def test_fork_token_falls_back_to_a_status_and_warns(prepare, github) -> None:
    ci = prepare("pull_request")
    denied = {"message": "Resource not accessible by integration",
              "documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run"}
    github.faults += [Fault("POST", r"/issues/42/comments$", 403, {}, denied),
                      Fault("POST", r"/check-runs$", 403, {}, denied)]
    code = ci()
    report = ci.report()
    assert code == (0 if report["passed"] else 1)  # a failed post never changes the result
    warnings = [line for line in ci.lines if line.startswith("::warning")]
    assert any("could not post the pull-request comment" in w and "fork" in w for w in warnings)
    [status] = github.statuses
    assert status["sha"] == ci.head and status["context"] == "standards-check/baseline"
    assert status["target_url"] == "https://github.com/acme/payments/actions/runs/7001"
    # Without a check run, the findings are annotated with workflow commands.
    assert any(line.startswith("::error file=.standards.yml,line=1,title=readme.present") or
               line.startswith("::error file=") for line in ci.lines)


def test_api_down_is_a_warning_not_a_lost_result(prepare, github) -> None:
    ci = prepare("pull_request")
    github.faults += [Fault("GET", "comments", 503) for _ in range(5)]
    github.faults += [Fault("POST", "check-runs", 502) for _ in range(5)]
    code = ci()
    assert code == (0 if ci.report()["passed"] else 1)
    assert sum("server error" in line for line in ci.lines if line.startswith("::warning")) == 2
    assert ci.summary.read_text()


def test_fail_on_choices(prepare, github) -> None:
    ci = prepare("pull_request")
    assert ci(fail_on="never") == 0
    assert ci(fail_on="new-failures") == 1  # readme.present is new
    ci.env["INPUT_BASE_REF"] = ci.head  # compare with itself: nothing new
    assert ci(fail_on="new-failures", comment=False, check_run=False) == 0


def test_checks_off_means_workflow_command_annotations(prepare, github) -> None:
    ci = prepare("push")
    ci(check_run=False)
    assert github.requests == []
    annotations = [line for line in ci.lines if line.startswith(("::error ", "::warning ", "::notice "))]
    assert annotations and all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,title=[^:]+::", a)
                               for a in annotations)
    assert len(annotations) == len(findings(read_report(ci))) or any(
        line.startswith("::notice::") and "more findings are not annotated" in line for line in ci.lines)


def test_pull_request_target_without_the_head_scans_what_is_there(prepare, github) -> None:
    ci = prepare("pull_request_target")
    event = json.loads(Path(ci.env["GITHUB_EVENT_PATH"]).read_text())
    event["pull_request"]["head"]["sha"] = "f" * 40  # not fetched
    Path(ci.env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
    ci(comment=False, check_run=False)
    assert any("PR head commit is not in this checkout" in line for line in ci.lines)


def test_outside_github_names_every_missing_variable() -> None:
    with pytest.raises(UserError) as caught:
        run({}, Inputs())
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKSPACE"):
        assert name in str(caught.value)
    result = run_cli("ci", env={"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "", "GITHUB_REPOSITORY": "",
                                "GITHUB_SHA": "", "GITHUB_WORKSPACE": ""})
    assert result.exit_code == 2
    assert "missing environment variable(s) GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_WORKSPACE" in result.stderr


def test_bad_inputs_are_usage_errors() -> None:
    with pytest.raises(UserError, match="fail-on must be one of"):
        read_inputs({"INPUT_FAIL-ON": "sometimes"})
    with pytest.raises(UserError, match="comment must be on or off"):
        read_inputs({"INPUT_COMMENT": "maybe"})
    assert read_inputs({"INPUT_CHECK-RUN": "off", "INPUT_SARIF_FILE": "x.sarif"}) == Inputs(
        check_run=False, sarif_file="x.sarif")


def test_cli_ci_end_to_end_with_sarif(prepare, github, tmp_path) -> None:
    ci = prepare("push")
    sarif = tmp_path / "out" / "standards.sarif"
    result = run_cli("ci", "--sarif-file", str(sarif), "--check-run", "off", env=ci.env)
    assert result.exit_code in (0, 1), result.output
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    assert TOKEN not in result.output
    assert github.requests == []


def test_subdirectory_scan_reports_repository_paths(prepare, github) -> None:
    ci = prepare("push")
    write_files(ci.repo, {"services/api/README.md": README, "services/api/.github/CODEOWNERS": "* @acme/api\n"})
    ci.env["GITHUB_SHA"] = commit_all(ci.repo, "api")
    ci(path="services/api", comment=False, check_run=False)
    locations = [loc["path"] for r in ci.report()["results"] for loc in r["locations"]]
    assert "services/api/README.md" in locations


def test_subdirectory_scan_places_repository_findings_on_its_config_from_the_root(prepare, github, tmp_path) -> None:
    ci = prepare("push")
    write_files(ci.repo, {"services/api/README.md": README, "services/api/.standards.yml": "policy: baseline\n"})
    ci.env["GITHUB_SHA"] = commit_all(ci.repo, "api")
    sarif = tmp_path / "api.sarif"
    ci(path="services/api", comment=False, check_run=False, sarif_file=str(sarif))
    log = json.loads(sarif.read_text())
    whole = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for r in log["runs"][0]["results"] if r["properties"]["repositoryLevel"]}
    assert whole == {"services/api/.standards.yml"}  # the file code scanning can show, from the root


def test_shallow_checkout_explains_and_still_reports(prepare, github, tmp_path) -> None:
    ci = prepare("pull_request")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "tidy", f"file://{ci.repo}", str(shallow))
    ci.env["GITHUB_WORKSPACE"] = str(shallow)
    code = ci(fail_on="new-failures")
    report = ci.report()
    assert report["diff"] is None
    [warning] = [line for line in ci.lines if line.startswith("::warning") and "Diff mode skipped" in line]
    assert "fetch-depth: 0" in warning and "shallow" in warning
    assert any("judging by the policy gate instead" in line for line in ci.lines)
    assert code == (0 if report["passed"] else 1)
    [comment] = _ours(github)
    assert "fetch-depth: 0" in comment["body"]
