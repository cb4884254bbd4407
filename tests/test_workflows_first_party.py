"""GitHub workflows judged as GitHub runs them: this repository's own actions and reusable workflows
(`./x` or `OWNER/REPO/path@ref` naming the scanned repository) are first-party; a `workflow_call`
workflow runs under its callers' triggers; a value such as `github.head_ref` is attacker-controlled
only where an event that carries it can run the workflow, and is reported at its own line.

Shaped like slsa-framework/slsa-github-generator (its workflows call its own actions and reusable
workflows by full name, `@main`) and like reusable CI workflows that interpolate `github.head_ref`."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import git
from tests.security_helpers import evaluate, lines

SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"


def named(repo: Path, name: str) -> Path:
    git(repo, "remote", "add", "origin", f"https://github.com/{name}.git")
    return repo


SELF_CALLS = f"""\
on: [pull_request]
permissions: {{contents: read}}
jobs:
  build:
    uses: acme/generator/.github/workflows/builder.yml@main
  verify:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{SHA}
      - uses: acme/generator/.github/actions/verify-token@main
      - uses: ./.github/actions/rng
      - uses: other/tool@v2
"""
BUILDER = """\
on:
  workflow_call:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go test ./...
"""


def test_this_repositorys_own_actions_need_no_pin(make_repo) -> None:
    files = {".github/workflows/ci.yml": SELF_CALLS, ".github/workflows/builder.yml": BUILDER}
    outcome = evaluate(named(make_repo(files), "acme/generator"), "workflows.pinned_actions")
    assert outcome.status == "fail" and outcome.score == 0.0
    assert "other/tool" in outcome.message and "acme/generator" not in outcome.message
    assert lines(outcome) == [(".github/workflows/ci.yml", 12)]
    # the same references from a fork of another name are third-party
    elsewhere = evaluate(named(make_repo(files), "someone/fork"), "workflows.pinned_actions")
    assert "acme/generator" in elsewhere.message


def test_a_reusable_workflow_called_by_full_name_is_followed_for_tests(make_repo) -> None:
    files = {".github/workflows/ci.yml": SELF_CALLS, ".github/workflows/builder.yml": BUILDER}
    outcome = evaluate(named(make_repo(files), "acme/generator"), "ci.tests_on_pr")
    assert outcome.status == "pass", outcome.message


REUSABLE_LINT = """\
on:
  workflow_call:
jobs:
  title:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo checking
          ./check-branch "${{ github.head_ref }}"
"""


def caller(on: str, uses: str = "./.github/workflows/lint.yml") -> str:
    return f"on: {on}\njobs:\n  lint:\n    uses: {uses}\n"


def test_head_ref_is_untrusted_only_where_pull_requests_run_the_workflow(make_repo) -> None:
    push_only = make_repo({".github/workflows/lint.yml": REUSABLE_LINT,
                           ".github/workflows/main.yml": caller("push")})
    assert evaluate(push_only, "workflows.dangerous_triggers").status == "pass"
    on_pr = make_repo({".github/workflows/lint.yml": REUSABLE_LINT,
                       ".github/workflows/pr.yml": caller("pull_request")})
    outcome = evaluate(on_pr, "workflows.dangerous_triggers")
    assert outcome.status == "fail"
    assert lines(outcome) == [(".github/workflows/lint.yml", 9)]  # the expression's line
    by_name = named(make_repo({".github/workflows/lint.yml": REUSABLE_LINT,
                               ".github/workflows/pr.yml": caller("pull_request_target",
                                                                 "acme/app/.github/workflows/lint.yml@main")}),
                    "acme/app")
    assert evaluate(by_name, "workflows.dangerous_triggers").status == "fail"
    # called from other repositories only: their triggers are unknown, so it stays reported
    alone = make_repo({".github/workflows/lint.yml": REUSABLE_LINT})
    assert evaluate(alone, "workflows.dangerous_triggers").status == "fail"


def test_push_and_dispatch_workflows_may_use_head_ref(make_repo) -> None:
    workflow = ("on:\n  push:\n  workflow_dispatch:\njobs:\n  tag:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: echo \"${{ github.head_ref || github.ref_name }}\"\n")
    outcome = evaluate(make_repo({".github/workflows/tag.yml": workflow}), "workflows.dangerous_triggers")
    assert outcome.status == "pass", outcome.message


def test_issue_values_are_untrusted_on_issue_events_only(make_repo) -> None:
    script = "      - run: echo \"${{ github.event.issue.title }}\"\n"
    on_issue = make_repo({".github/workflows/t.yml": f"on: issues\njobs:\n  t:\n    runs-on: x\n    steps:\n{script}"})
    assert evaluate(on_issue, "workflows.dangerous_triggers").status == "fail"
    on_push = make_repo({".github/workflows/t.yml": f"on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n{script}"})
    assert evaluate(on_push, "workflows.dangerous_triggers").status == "pass"


def test_github_script_injection_points_at_the_expression(make_repo) -> None:
    workflow = ("on: pull_request_target\njobs:\n  c:\n    runs-on: x\n    steps:\n"
                "      - uses: actions/github-script@v7\n        with:\n          script: |\n"
                "            const a = 1;\n            core.info(\"${{ github.event.pull_request.title }}\")\n")
    outcome = evaluate(make_repo({".github/workflows/c.yml": workflow}), "workflows.dangerous_triggers")
    assert lines(outcome) == [(".github/workflows/c.yml", 10)]


def test_a_repositorys_own_analysis_action_used_locally_is_sast(make_repo) -> None:
    workflow = ("on: [pull_request]\njobs:\n  analyze:\n    runs-on: x\n    steps:\n"
                "      - uses: ./init\n      - uses: ./analyze\n")
    files = {".github/workflows/codeql.yml": workflow, "analyze/action.yml": "name: analyze\nruns:\n  using: node20\n"}
    assert evaluate(make_repo(files), "security.sast").status == "fail"  # a local action of unknown purpose
    outcome = evaluate(named(make_repo(files), "github/codeql-action"), "security.sast")
    assert outcome.status == "pass" and "CodeQL" in outcome.message
