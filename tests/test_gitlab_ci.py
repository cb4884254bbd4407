"""`standards-check ci` in a GitLab merge-request pipeline, through the CLI, against a loopback
GitLab API: diff mode against the merge-request base, the reports written, one sticky note."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest

from tests.cli_helpers import run_cli
from tests.conftest import commit_all, git, write_files
from tests.github_fake import Fault
from tests.gitlab_fake import BOT, HUMAN, JOB_TOKEN, TOKEN, FakeGitLab
from tests.test_render_codequality import CODE_QUALITY_SCHEMA

README = "# payments\n\nCharges cards for checkout; build with make, test with make test, ask #payments.\n" * 2


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab() as fake:
        yield fake


def merge_request(make_repo, api_url: str, **extra: str) -> tuple[Path, dict[str, str]]:
    repo = make_repo({"README.md": README, "src/app.py": "print('pay')\n"}, name="payments")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "tidy")
    (repo / "README.md").unlink()  # the change breaks readme.present...
    write_files(repo, {"LICENSE": "MIT License\n" * 30})  # ...and fixes license.present
    head = commit_all(repo, "tidy")
    env = {
        "GITLAB_CI": "true", "CI": "true", "CI_PROJECT_DIR": str(repo), "CI_PROJECT_ID": "321",
        "CI_COMMIT_SHA": head, "CI_API_V4_URL": api_url, "CI_SERVER_URL": api_url[: -len("/api/v4")],
        "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "14",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_PROJECT_URL": "https://gitlab.example/acme/payments", "CI_JOB_URL": "https://gitlab.example/acme/payments/-/jobs/9",
        "CI_JOB_TOKEN": JOB_TOKEN, "GITLAB_TOKEN": TOKEN, "STANDARDS_CHECK_API_BACKOFF": "0.01",
    }
    env.update(extra)
    return repo, env


def ci(env: dict[str, Any], *args: str):
    return run_cli("ci", *args, env=env)


def test_merge_request_pipeline_writes_reports_and_one_sticky_note(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url)
    result = ci(env, "--fail-on", "new-failures")
    assert result.exit_code == 1, result.output  # the change broke readme.present
    report = json.loads((repo / "standards-check-report.json").read_text())
    assert report["diff"]["new_failures"] == ["readme.present"]
    assert "license.present" in report["diff"]["fixed"]
    issues = json.loads((repo / "gl-code-quality-report.json").read_text())
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert "readme.present" in {i["check_name"] for i in issues}
    suite = ET.fromstring((repo / "standards-check-junit.xml").read_bytes())
    assert suite.find(".//testcase[@name='readme.present']/failure") is not None
    [note] = gitlab.notes[14]
    assert note["author"]["id"] == BOT["id"] and note["body"].startswith("<!-- standards-check:")
    assert "readme.present" in note["body"]
    assert "merge-request note created: https://gitlab.example/acme/payments/-/merge_requests/14#note_" in result.output
    assert TOKEN not in result.output

    write_files(repo, {"README.md": README})  # fixed in a new commit: the same note changes
    env["CI_COMMIT_SHA"] = commit_all(repo, "readme back")
    result = ci(env, "--fail-on", "new-failures")
    assert result.exit_code == 0, result.output
    [note] = gitlab.notes[14]
    assert "merge-request note updated" in result.output
    assert len(gitlab.calls("POST", "notes$")) == 1 and len(gitlab.calls("PUT")) == 1


def test_policy_and_paths_come_from_variables(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url, STANDARDS_CHECK_POLICY="production-service",
                              STANDARDS_CHECK_FAIL_ON="never", STANDARDS_CHECK_CODEQUALITY_FILE="out/cq.json")
    result = ci(env)
    assert result.exit_code == 0, result.output
    report = json.loads((repo / "standards-check-report.json").read_text())
    assert report["policy"]["name"] == "production-service"
    jsonschema.validate(json.loads((repo / "out/cq.json").read_text()), CODE_QUALITY_SCHEMA)


def test_only_a_job_token_writes_artifacts_and_says_why_nothing_was_posted(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url)
    del env["GITLAB_TOKEN"]
    result = ci(env)
    assert result.exit_code in (0, 1), result.output
    assert "GitLab does not accept a job token for merge-request notes" in result.output
    assert "GITLAB_TOKEN" in result.output
    assert (repo / "gl-code-quality-report.json").is_file() and (repo / "standards-check-junit.xml").is_file()
    assert not gitlab.requests
    assert JOB_TOKEN not in result.output


def test_a_branch_pipeline_scans_without_a_note(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url)
    for name in ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA"):
        del env[name]
    env["CI_PIPELINE_SOURCE"] = "push"
    result = ci(env)
    assert result.exit_code in (0, 1), result.output
    assert json.loads((repo / "standards-check-report.json").read_text()).get("diff") is None
    assert not gitlab.requests


def test_a_refused_note_is_a_warning_and_the_result_stands(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url)
    gitlab.faults.append(Fault("POST", "notes$", 403, body={"message": "403 Forbidden"}))
    result = ci(env, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "could not post the merge-request note" in result.output and "403" in result.output
    assert (repo / "gl-code-quality-report.json").is_file()


def test_a_persons_marked_note_is_left_alone(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url)
    ci(env)
    [ours] = gitlab.notes[14]
    copied = gitlab.add_note(14, ours["body"], HUMAN)  # a person quotes our note in full
    ci(env)
    assert [n["id"] for n in gitlab.notes[14]] == [ours["id"], copied["id"]]
    assert gitlab.notes[14][1]["body"] == ours["body"]


def test_a_subdirectory_branch_scan_reports_paths_from_the_root(make_repo, gitlab: FakeGitLab) -> None:
    repo, env = merge_request(make_repo, gitlab.url, STANDARDS_CHECK_PATH="src")
    for name in ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA"):
        del env[name]
    result = ci(env)
    assert result.exit_code in (0, 1), result.output
    paths = {i["location"]["path"] for i in json.loads((repo / "gl-code-quality-report.json").read_text())}
    assert "src/.github/CODEOWNERS" in paths and ".github/CODEOWNERS" not in paths, paths
