"""CI read the same way for every check: static analysis is found through Makefiles, package.json
scripts, task runners' files (with their default tasks), tox/nox sessions, script files and
pre-commit, as tests are; launchers (`poetry run`, `docker compose run`, `nix develop -c`...) are
unwrapped; a reusable workflow counts only when this repository calls it.

The fixtures are shaped like what real repositories showed (see the commit messages): a Go
library whose CI runs `make gosec`, Taskfiles whose `default` task runs the linters, Python
projects whose `make lint` or tox environment runs Bandit."""
from __future__ import annotations

import pytest

from standards_check.facts.commands import LINT, TEST, classify
from tests.security_helpers import evaluate


def workflow(run: str, on: str = "[push, pull_request]") -> str:
    return (f"on: {on}\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: actions/checkout@v4\n      - run: {run}\n")


CI = ".github/workflows/ci.yml"


@pytest.mark.parametrize("files, tool", [
    pytest.param({"Makefile": "build:\n\tgo build ./...\n\ngosec:\n\tgosec ./...\n", CI: workflow("make gosec")},
                 "gosec (via make gosec)", id="make-target"),
    pytest.param({"Makefile": ".PHONY: lint\nlint: lint-flake8 lint-bandit\n\nlint-flake8:\n\tflake8 src\n\n"
                              "lint-bandit:\n\t$(PYTHON) -m bandit -c bandit.yaml -r src\n",
                  CI: workflow("make lint")}, "Bandit (via make lint)", id="make-prerequisite"),
    pytest.param({"Makefile": ".DEFAULT_GOAL := check\ncheck:\n\tpoetry run bandit -r app\n", CI: workflow("make")},
                 "Bandit (via make (default))", id="make-default-goal"),
    pytest.param({"Taskfile.yml": "version: '3'\ntasks:\n  default:\n    deps: [lint]\n    cmds:\n      - task: scan\n"
                                  "  lint:\n    cmds:\n      - golangci-lint run\n"
                                  "  scan:\n    desc: security scan\n    cmds:\n      - gosec -conf .gosec.json \"./...\"\n",
                  CI: workflow("task")}, "gosec (via task (default) -> task scan)", id="taskfile-default"),
    pytest.param({"justfile": "set shell := [\"bash\", \"-c\"]\n\nci: lint test\n\nlint:\n    semgrep scan --config auto --error\n\n"
                              "test:\n    cargo test\n", CI: workflow("just ci")},
                 "Semgrep (via just ci -> just lint)", id="just-dependencies"),
    pytest.param({"tox.ini": "[tox]\nenvlist = py312, security\n\n[testenv]\ncommands = pytest\n\n"
                             "[testenv:security]\ndeps = bandit\ncommands =\n    bandit -r src -ll\n",
                  CI: workflow("tox -e security")}, "Bandit (via tox security)", id="tox-env"),
    pytest.param({"noxfile.py": "import nox\n\n@nox.session(python='3.12')\ndef sast(session):\n"
                                "    session.install('semgrep')\n    session.run('semgrep', 'ci', '--config', 'p/python')\n",
                  CI: workflow("nox -s sast")}, "Semgrep (via nox sast)", id="nox-session"),
    pytest.param({"tasks.py": "from invoke import task\n\n@task\ndef security(c):\n    c.run('bandit -r pkg')\n",
                  CI: workflow("invoke security")}, "Bandit (via invoke security)", id="invoke-task"),
    pytest.param({"package.json": '{"scripts": {"lint": "eslint . && npm run sast", "sast": "semgrep scan --config auto"}}',
                  CI: workflow("npm run lint")}, "Semgrep (via npm run lint -> npm run sast)", id="npm-script-chain"),
    pytest.param({"scripts/security.sh": "#!/bin/sh\nset -e\ngo run github.com/securego/gosec/v2/cmd/gosec@latest ./...\n",
                  CI: workflow("./scripts/security.sh")}, "gosec (via scripts/security.sh)", id="script-file-go-run"),
    pytest.param({"mise.toml": "[tasks.sast]\nrun = \"bandit -r src\"\n", CI: workflow("mise run sast")},
                 "Bandit (via mise sast)", id="mise-task"),
])
def test_sast_is_found_through_what_ci_calls(make_repo, files, tool) -> None:
    outcome = evaluate(make_repo(files), "security.sast")
    assert outcome.status == "pass", outcome.message
    assert tool in outcome.message
    assert outcome.locations[0].path == CI


def test_a_make_target_that_runs_no_security_tool_is_not_sast(make_repo) -> None:
    repo = make_repo({"Makefile": "lint:\n\tflake8 src\n\tmypy src\n", CI: workflow("make lint")})
    assert evaluate(repo, "security.sast").status == "fail"


def test_precommit_hooks_run_by_a_make_target_count_as_run_in_ci(make_repo) -> None:
    precommit = ("repos:\n  - repo: https://github.com/PyCQA/bandit\n    rev: 1.7.9\n    hooks:\n"
                 "      - id: bandit\n        args: [-c, pyproject.toml]\n")
    local_only = make_repo({".pre-commit-config.yaml": precommit, CI: workflow("make test"),
                            "Makefile": "test:\n\tpytest\n"})
    assert evaluate(local_only, "security.sast").status == "fail"
    in_ci = make_repo({".pre-commit-config.yaml": precommit, CI: workflow("make lint"),
                       "Makefile": "lint:\n\tpre-commit run --all-files\n"})
    outcome = evaluate(in_ci, "security.sast")
    assert outcome.status == "pass", outcome.message


CODEQL = ("on:\n  workflow_call:\njobs:\n  analyze:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: actions/checkout@v4\n      - uses: github/codeql-action/init@v3\n"
          "      - uses: github/codeql-action/analyze@v3\n")


def test_a_reusable_workflow_counts_only_when_this_repository_calls_it(make_repo) -> None:
    uncalled = make_repo({".github/workflows/codeql.yml": CODEQL, CI: workflow("make test")})
    assert evaluate(uncalled, "security.sast").status == "fail"
    caller = ("on: [pull_request]\njobs:\n  codeql:\n    uses: ./.github/workflows/codeql.yml\n")
    called = make_repo({".github/workflows/codeql.yml": CODEQL, ".github/workflows/pr.yml": caller})
    outcome = evaluate(called, "security.sast")
    assert outcome.status == "pass" and "CodeQL" in outcome.message


# --------------------------------------------------------------------------------------------
# launchers and task runners in test detection
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, kind", [
    ("docker compose -f ci.yml run --rm app pytest -q", TEST),
    ("docker run --rm -v $PWD:/src -w /src golang:1.22 go test ./...", TEST),
    ("nix develop -c make test", TEST),
    ("nix develop --command bash -c 'cargo test'", TEST),
    ('nix-shell --run "pytest -x"', TEST),
    ("mise exec python@3.12 -- pytest", TEST),
    ("conda run -n ci pytest", TEST),
    ("direnv exec . npm test", TEST),
    ('scl enable devtoolset-11 "make check"', TEST),
    ("devbox run pytest", TEST),
    ("pixi run pytest", TEST),
    ("poetry run ruff check .", LINT),
])
def test_launchers_are_unwrapped(command, kind) -> None:
    assert [f.kind for f in classify(command)][:1] == [kind]


@pytest.mark.parametrize("command", ["nix develop", "docker compose run --rm app", "docker run --rm img:1"])
def test_a_launcher_without_a_command_runs_nothing_known(command) -> None:
    assert classify(command) == []


@pytest.mark.parametrize("files, run", [
    pytest.param({"justfile": "default: lint unit\n\nlint:\n    ruff check .\n\nunit:\n    pytest -q\n"}, "just",
                 id="just-first-recipe"),
    pytest.param({"justfile": "build:\n    cargo build\n\n[default]\nverify:\n    cargo nextest run\n"}, "just",
                 id="just-marked-default"),
    pytest.param({"Taskfile.yml": "version: '3'\ntasks:\n  default:\n    cmds:\n      - task: verify\n"
                                  "  verify:\n    cmds:\n      - go test -race ./...\n"}, "task", id="taskfile-default"),
    pytest.param({"Taskfile.yaml": "version: '3'\ntasks:\n  ci:\n    deps: [unit]\n  unit: go test ./...\n"}, "task ci",
                 id="taskfile-short-form"),
    pytest.param({"Rakefile": "require 'rspec/core/rake_task'\nRSpec::Core::RakeTask.new(:spec)\n"
                              "task default: %i[spec]\n"}, "bundle exec rake", id="rake-default"),
    pytest.param({"tasks.py": "from invoke import task\n\n@task(default=True)\ndef verify(c):\n    c.run('pytest -q')\n"},
                 "invoke", id="invoke-default"),
])
def test_task_runners_files_and_default_tasks_are_followed(make_repo, files, run) -> None:
    repo = make_repo({**files, CI: workflow(run)})
    outcome = evaluate(repo, "ci.tests_on_pr")
    assert outcome.status == "pass", outcome.message


def test_a_default_task_that_only_lints_is_not_a_test_run(make_repo) -> None:
    repo = make_repo({"justfile": "default:\n    ruff check .\n", CI: workflow("just")})
    assert evaluate(repo, "ci.tests_on_pr").status == "fail"
