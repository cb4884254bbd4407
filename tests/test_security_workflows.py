"""workflows.permissions, workflows.pinned_actions, workflows.dangerous_triggers: fixture tables."""
from __future__ import annotations

import pytest

from tests.security_helpers import evaluate, lines

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"

# ---------------------------------------------------------------------------------------------
# workflows.permissions
# ---------------------------------------------------------------------------------------------
TOP_READ = """\
name: ci
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: make lint
"""
NONE = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: make lint
"""
JOB_LEVEL_PARTLY = """\
on: push
jobs:
  test:
    permissions:
      contents: read
    runs-on: ubuntu-latest
    steps:
      - run: make test
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: make publish
"""
JOB_LEVEL_ALL = """\
on: push
jobs:
  test:
    permissions: {contents: read}
    runs-on: ubuntu-latest
    steps: [{run: make test}]
  release:
    permissions:
      contents: write
    runs-on: ubuntu-latest
    steps: [{run: make release}]
"""
WRITE_ALL = """\
on: push
permissions: write-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
"""
TOP_CONTENTS_WRITE_MULTI = """\
on: push
permissions:
  contents: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  release:
    runs-on: ubuntu-latest
    steps: [{run: make release}]
"""
TOP_CONTENTS_WRITE_SINGLE = """\
on: push
permissions:
  contents: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps: [{run: make release}]
"""
TOP_WRITE_ALL_JOBS_OVERRIDE = """\
on: push
permissions:
  contents: write
jobs:
  build:
    permissions: {contents: read}
    runs-on: ubuntu-latest
    steps: [{run: make}]
  release:
    permissions: {contents: write}
    runs-on: ubuntu-latest
    steps: [{run: make release}]
"""
EMPTY_PERMS = """\
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
"""
JOB_WRITE_ALL = """\
on: push
permissions: read-all
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    steps: [{run: make}]
"""
REUSABLE_CALL = """\
on: push
jobs:
  call:
    uses: ./.github/workflows/reusable.yml
"""


@pytest.mark.parametrize("workflows, status, score, expected_lines", [
    ({"ci.yml": TOP_READ}, "pass", 1.0, []),
    ({"ci.yml": NONE}, "fail", 0.0, [("ci.yml", 4), ("ci.yml", 8)]),
    ({"ci.yml": JOB_LEVEL_PARTLY}, "fail", 0.0, [("ci.yml", 9)]),
    ({"ci.yml": JOB_LEVEL_ALL}, "pass", 1.0, []),
    ({"ci.yml": WRITE_ALL}, "fail", 0.0, [("ci.yml", 2)]),
    ({"ci.yml": TOP_CONTENTS_WRITE_MULTI}, "fail", 0.0, [("ci.yml", 3)]),
    ({"ci.yml": TOP_CONTENTS_WRITE_SINGLE}, "pass", 1.0, []),
    ({"ci.yml": TOP_WRITE_ALL_JOBS_OVERRIDE}, "pass", 1.0, []),
    ({"ci.yml": EMPTY_PERMS}, "pass", 1.0, []),
    ({"ci.yml": JOB_WRITE_ALL}, "fail", 0.0, [("ci.yml", 6)]),
    ({"ci.yml": REUSABLE_CALL}, "fail", 0.0, [("ci.yml", 3)]),
    # partial credit by share of workflows
    ({"a.yml": TOP_READ, "b.yml": NONE, "c.yml": JOB_LEVEL_ALL, "d.yaml": TOP_READ}, "fail", 0.75,
     [("b.yml", 4), ("b.yml", 8)]),
])
def test_permissions(make_repo, workflows, status, score, expected_lines):
    repo = make_repo({f".github/workflows/{name}": text for name, text in workflows.items()})
    outcome = evaluate(repo, "workflows.permissions")
    assert (outcome.status, round(outcome.score, 2)) == (status, score), outcome.message
    assert lines(outcome) == [(f".github/workflows/{p}", n) for p, n in expected_lines]


def test_permissions_skips_without_workflows(make_repo):
    repo = make_repo({"README.md": "hi\n", ".github/workflows/nested/x.yml": NONE})
    assert evaluate(repo, "workflows.permissions").status == "skip"


def test_permissions_names_the_job_and_the_broken_workflow(make_repo):
    repo = make_repo({".github/workflows/ci.yml": JOB_LEVEL_PARTLY,
                      ".github/workflows/bad.yml": "on: [push\njobs: {"})
    outcome = evaluate(repo, "workflows.permissions")
    assert "`publish`" in outcome.message and "bad.yml" in outcome.message


def test_permissions_errors_when_no_workflow_parses(make_repo):
    repo = make_repo({".github/workflows/bad.yml": "on: [push\n"})
    assert evaluate(repo, "workflows.permissions").status == "error"


# ---------------------------------------------------------------------------------------------
# workflows.pinned_actions
# ---------------------------------------------------------------------------------------------
PINNING = f"""\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: github/codeql-action/init@v3
      - uses: astral-sh/setup-uv@{SHA}  # v6
      - uses: docker/build-push-action@v6
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.20
      - uses: Some-Org/action@main
      - run: echo done
  call:
    uses: acme/workflows/.github/workflows/ci.yml@v1
"""
COMPOSITE = """\
name: setup
runs:
  using: composite
  steps:
    - uses: pnpm/action-setup@v4
    - run: pnpm install
      shell: bash
"""


def test_pinned_actions_reports_each_unpinned_use(make_repo):
    repo = make_repo({".github/workflows/ci.yml": PINNING, ".github/actions/local/action.yml": COMPOSITE})
    outcome = evaluate(repo, "workflows.pinned_actions")
    assert outcome.status == "fail"
    assert round(outcome.score, 2) == 0.2  # 1 pinned of 5 third-party uses
    assert sorted(lines(outcome)) == [(".github/actions/local/action.yml", 5), (".github/workflows/ci.yml", 9),
                                      (".github/workflows/ci.yml", 12), (".github/workflows/ci.yml", 15)]
    assert "docker/build-push-action" in outcome.message


@pytest.mark.parametrize("uses, params, status", [
    ("actions/checkout@v4", {}, "pass"),
    (f"acme/tool@{SHA}", {}, "pass"),
    (f"acme/tool@{SHA[:7]}", {}, "fail"),              # a short SHA can be shadowed by a tag
    ("acme/tool@v1", {"trusted_owners": ["actions", "github", "acme"]}, "pass"),
    ("ACME/tool@v1", {"trusted_owners": ["acme"]}, "pass"),
    ("docker://alpine:3.20", {}, "pass"),
    ("docker://alpine:3.20", {"require_docker_digest": True}, "fail"),
    ("docker://alpine@sha256:" + "a" * 64, {"require_docker_digest": True}, "pass"),
    ("./local-action", {}, "pass"),
    # the SLSA generators must be called by tag (ossf/scorecard); a uses without @ref is no remote
    ("slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0", {}, "pass"),
    ("$/.github/workflows/build-binaries.yml", {}, "pass"),
])
def test_pinned_actions_table(make_repo, uses, params, status):
    workflow = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {uses}\n"
    repo = make_repo({".github/workflows/ci.yml": workflow})
    outcome = evaluate(repo, "workflows.pinned_actions", **params)
    assert outcome.status == status, outcome.message
    if status == "fail":
        assert lines(outcome) == [(".github/workflows/ci.yml", 6)]


def test_pinned_actions_skips_without_workflows(make_repo):
    assert evaluate(make_repo({"a.txt": "x"}), "workflows.pinned_actions").status == "skip"


# ---------------------------------------------------------------------------------------------
# workflows.dangerous_triggers
# ---------------------------------------------------------------------------------------------
PWN_REQUEST = """\
name: preview
on:
  pull_request_target:
    types: [opened, synchronize]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run build
"""
PRT_SAFE_LABELER = """\
on: pull_request_target
permissions: {pull-requests: write}
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/labeler@v5
      - run: echo "base branch code only"
"""
PRT_CHECKOUT_NO_RUN = """\
on: pull_request_target
jobs:
  diff:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.ref }}
          repository: ${{ github.event.pull_request.head.repo.full_name }}
      - uses: some/uploader@v1
"""
PRT_SAME_REPO_ONLY = """\
on: pull_request_target
jobs:
  build:
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: make
"""
WORKFLOW_RUN = """\
on:
  workflow_run:
    workflows: [ci]
    types: [completed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.workflow_run.head_sha }}
      - uses: ./.github/actions/report
"""
GH_PR_CHECKOUT = """\
on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: gh pr checkout ${{ github.event.number }}
      - run: make test
"""
INJECTION = """\
on:
  issues:
    types: [opened]
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "triaging"
          echo "${{ github.event.issue.title }}" | ./triage.sh
"""
INJECTION_ONE_LINE = """\
on: pull_request
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "branch ${{ github.head_ref }}"
"""
ENV_IS_SAFE = """\
on: issue_comment
jobs:
  reply:
    runs-on: ubuntu-latest
    steps:
      - env:
          BODY: ${{ github.event.comment.body }}
        run: echo "$BODY" | ./reply.sh
      - run: echo "${{ github.event.pull_request.head.sha }} ${{ github.event.issue.number }}"
"""
GITHUB_SCRIPT = """\
on: pull_request_target
jobs:
  comment:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@v7
        with:
          script: |
            console.log("${{ github.event.pull_request.body }}")
"""


@pytest.mark.parametrize("workflow, status, expected_lines, words", [
    (PWN_REQUEST, "fail", [9], "pull_request_target"),
    (PRT_SAFE_LABELER, "pass", [], "never run"),
    (PRT_CHECKOUT_NO_RUN, "pass", [], "never run"),
    (PRT_SAME_REPO_ONLY, "pass", [], "never run"),
    (WORKFLOW_RUN, "fail", [9], "workflow_run"),
    (GH_PR_CHECKOUT, "fail", [7], "pull_request_target"),
    (INJECTION, "fail", [10], "github.event.issue.title"),
    (INJECTION_ONE_LINE, "fail", [6], "github.head_ref"),
    (ENV_IS_SAFE, "pass", [], "no workflow runs on pull_request_target"),
    (GITHUB_SCRIPT, "fail", [9], "github.event.pull_request.body"),  # the expression, not `uses:`
    (TOP_READ, "pass", [], "no workflow runs on pull_request_target"),
])
def test_dangerous_triggers(make_repo, workflow, status, expected_lines, words):
    repo = make_repo({".github/workflows/wf.yml": workflow})
    outcome = evaluate(repo, "workflows.dangerous_triggers")
    assert outcome.status == status, outcome.message
    assert lines(outcome) == [(".github/workflows/wf.yml", n) for n in expected_lines]
    assert words in outcome.message


def test_dangerous_triggers_partial_credit_and_injection_switch(make_repo):
    repo = make_repo({".github/workflows/a.yml": TOP_READ, ".github/workflows/b.yml": INJECTION_ONE_LINE})
    outcome = evaluate(repo, "workflows.dangerous_triggers")
    assert (outcome.status, outcome.score) == ("fail", 0.5)
    assert evaluate(repo, "workflows.dangerous_triggers", check_script_injection=False).status == "pass"


@pytest.mark.parametrize("ci_triggers, status", [
    ("[pull_request]", "fail"),
    ("[push, pull_request]", "fail"),
    ("{push: {branches: [main]}}", "pass"),   # the head of a push to main is already trusted code
])
def test_workflow_run_after_trusted_workflows_only(make_repo, ci_triggers, status):
    ci = f"name: ci\non: {ci_triggers}\njobs:\n  t:\n    runs-on: x\n    steps: [{{run: make}}]\n"
    repo = make_repo({".github/workflows/ci.yml": ci, ".github/workflows/report.yml": WORKFLOW_RUN})
    assert evaluate(repo, "workflows.dangerous_triggers").status == status


def test_reusable_workflow_called_from_a_privileged_one(make_repo):
    caller = "on: pull_request_target\njobs:\n  build:\n    uses: ./.github/workflows/build.yml\n"
    called = PWN_REQUEST.replace("on:\n  pull_request_target:\n    types: [opened, synchronize]\n",
                                 "on: workflow_call\n")
    repo = make_repo({".github/workflows/preview.yml": caller, ".github/workflows/build.yml": called})
    outcome = evaluate(repo, "workflows.dangerous_triggers")
    assert lines(outcome) == [(".github/workflows/build.yml", 7)]
    repo = make_repo({".github/workflows/build.yml": called})  # called from nowhere privileged
    assert evaluate(repo, "workflows.dangerous_triggers").status == "pass"


def test_injection_in_composite_action(make_repo):
    action = ("runs:\n  using: composite\n  steps:\n    - shell: bash\n"
              "      run: echo '${{ github.event.pull_request.title }}'\n")
    repo = make_repo({".github/workflows/a.yml": TOP_READ, ".github/actions/x/action.yml": action})
    outcome = evaluate(repo, "workflows.dangerous_triggers")
    assert lines(outcome) == [(".github/actions/x/action.yml", 5)]
