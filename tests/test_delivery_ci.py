"""ci.present, ci.tests_on_pr and ci.coverage_gate on real git repositories built from small fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check import yamlio
from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.facts.commands import TEST, classify
from standards_check.snapshot import open_snapshot

CHECKS = Path(__file__).resolve().parents[1] / "checks"


def defaults(check_id: str) -> dict:
    entry = yamlio.load((CHECKS / f"{check_id}.yaml").read_text())
    return {name: spec["default"] for name, spec in (entry.get("params") or {}).items()}


def run(check_id: str, repo: Path):
    with open_snapshot(repo) as snapshot:
        return REGISTRY[check_id](CheckContext(snapshot), defaults(check_id))


def wf(on: str, steps: str, extra_job: str = "") -> str:
    return f"on: {on}\njobs:\n  test:\n    runs-on: ubuntu-latest\n{extra_job}    steps:\n{steps}"


# --------------------------------------------------------------------------------------------
# the command classifier
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    "pytest -q", "python -m pytest tests", "test-venv/bin/python -m pytest", "tox", "nox -s tests",
    "python -m unittest discover", "npm test", "npm run test:unit", "yarn test", "pnpm -r test",
    "bun test", "go test ./...", "cargo test --all", "cargo nextest run", "mvn -B verify",
    "./mvnw install", "./gradlew check", "gradle build", "make test", "make check", "bazel test //...",
    "dotnet test", "bundle exec rspec", "bundle exec rake spec", "vendor/bin/phpunit", "ctest",
    "mix test", "swift test", "just test", "task ci:test", "uv run pytest", "poetry run pytest --cov",
    "xvfb-run -a npm test", "DISPLAY=:10 npm run test", "if [ -n x ]; then pytest; fi",
    "coverage run -m pytest", "docker compose run --rm app pytest", "bash -c 'make check'",
    "node ./test/runTests.js", "meson test -C build", "tox -e py312", "nox -s tests-3.12", "tox -e ${{ matrix.env }}",
    "./scripts/test -q", "script/test",  # a repository script named test ("scripts to rule them all")
])
def test_test_commands(command):
    assert any(f.kind == TEST for f in classify(command)), command


@pytest.mark.parametrize("command", [
    'echo "npm test"', "# npm test", "printf 'run pytest'", "ruff check .", "eslint .",
    "golangci-lint run", "pre-commit run --all-files", "tox -e lint,typing", "nox -s lint",
    "npm ci", "npm run lint", "mvn -DskipTests package", "mvn -Dmaven.test.failure.ignore=true package",
    "./gradlew build -x test", "cargo clippy", "go vet ./...", "make -C docs html", "pip install pytest",
    "sh -c 'echo npm test'", "nox -e prepare-release", "tox -e docs", "go test -c ./pkg", "go test -run ^$ ./...",
    "cargo test --no-run", "pytest --collect-only", "test -f setup.py", "/usr/bin/test -d build",
])
def test_commands_that_are_not_tests(command):
    assert not any(f.kind == TEST for f in classify(command)), command


# --------------------------------------------------------------------------------------------
# ci.present
# --------------------------------------------------------------------------------------------
CI_PRESENT = [
    ({".github/workflows/ci.yml": wf("push", "      - run: make\n")}, "pass", None),
    ({".gitlab-ci.yml": "test:\n  script: [make test]\n"}, "pass", None),
    ({".circleci/config.yml": "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [checkout]\n"}, "pass", None),
    ({"azure-pipelines.yml": "steps:\n- script: make\n"}, "pass", None),
    ({"Jenkinsfile": "pipeline { agent any\n stages { stage('b') { steps { sh 'make' } } } }\n"}, "pass", None),
    ({".travis.yml": "language: python\nscript: pytest\n"}, "pass", None),
    ({"bitbucket-pipelines.yml": "pipelines:\n  default:\n    - step:\n        script: [make]\n"}, "pass", None),
    ({".buildkite/pipeline.yml": "steps:\n  - command: make\n"}, "pass", None),
    ({".drone.yml": "kind: pipeline\nsteps:\n- name: b\n  commands: [make]\n"}, "pass", None),
    ({".woodpecker.yml": "steps:\n  b:\n    commands: [make]\n"}, "pass", None),
    ({"README.md": "no ci"}, "fail", None),
    ({"test/vendor/github.com/x/y/azure-pipelines.yml": "steps:\n- script: go test\n"}, "fail", None),
    ({".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n      - run: [unclosed\n"}, "fail", (".github/workflows/ci.yml", 6)),
    ({".github/workflows/ci.yml": wf("push", "      - run: make\n"),
      ".github/workflows/bad.yml": "on: push\njobs: {a: {\n"}, "fail", (".github/workflows/bad.yml", 3)),
    ({".github/workflows/nested/ci.yml": wf("push", "      - run: make\n")}, "fail", None),
]


@pytest.mark.parametrize("files, status, broken", CI_PRESENT)
def test_ci_present(make_repo, files, status, broken):
    outcome = run("ci.present", make_repo(files))
    assert outcome.status == status, outcome.message
    if broken:
        assert any((l.path, l.line) == broken for l in outcome.locations), outcome.locations


def test_ci_present_partial_credit_when_one_file_is_broken(make_repo):
    outcome = run("ci.present", make_repo({
        ".github/workflows/ci.yml": wf("push", "      - run: make\n"),
        ".github/workflows/bad.yml": "on: push\njobs: {a: {\n"}))
    assert 0 < outcome.score < 1 and "bad.yml" in outcome.message


# --------------------------------------------------------------------------------------------
# ci.tests_on_pr
# --------------------------------------------------------------------------------------------
REUSABLE_CALLER = "on: pull_request\njobs:\n  call:\n    uses: ./.github/workflows/reusable.yml\n    with: {cmd: 'go test ./...'}\n"
REUSABLE = ("on:\n  workflow_call:\n    inputs:\n      cmd: {type: string}\njobs:\n  run:\n    runs-on: x\n"
            "    steps:\n      - run: ${{ inputs.cmd }}\n")
COMPOSITE = "name: t\nruns:\n  using: composite\n  steps:\n    - run: npm test\n      shell: bash\n"
MATRIX = wf("pull_request", "      - run: ${{ matrix.cmd }}\n",
            "    strategy:\n      matrix:\n        cmd: ['ruff check .', 'pytest -q']\n")
MATRIX_INCLUDE_ENV = wf("pull_request", "      - run: $CMD\n        env: {CMD: '${{ matrix.command }}'}\n",
                        "    strategy:\n      matrix:\n        include:\n          - {command: 'cargo test'}\n")

TESTS_ON_PR = [
    # GitHub Actions
    ("github pull_request + pytest", {".github/workflows/t.yml": wf("pull_request", "      - run: pytest\n")}, "pass", (".github/workflows/t.yml", 6)),
    ("github merge_group", {".github/workflows/t.yml": wf("[merge_group]", "      - run: go test ./...\n")}, "pass", None),
    ("github pull_request_target", {".github/workflows/t.yml": wf("pull_request_target", "      - run: npm test\n")}, "pass", None),
    ("github push only", {".github/workflows/t.yml": wf("push", "      - run: pytest\n")}, "fail", None),
    ("github lint only", {".github/workflows/t.yml": wf("pull_request", "      - run: ruff check .\n      - run: npx eslint .\n")}, "fail", None),
    ("github echo and comment", {".github/workflows/t.yml": wf("pull_request", "      - run: |\n          # npm test\n          echo 'npm test'\n")}, "fail", None),
    ("github job if push", {".github/workflows/t.yml": wf("[push, pull_request]", "      - run: pytest\n", "    if: github.event_name == 'push'\n")}, "fail", None),
    ("github step if push", {".github/workflows/t.yml": wf("[push, pull_request]", "      - run: pytest\n        if: github.event_name == 'push'\n")}, "fail", None),
    ("github job if tag ref", {".github/workflows/t.yml": wf("[push, pull_request]", "      - run: pytest\n", "    if: startsWith(github.ref, 'refs/tags/')\n")}, "fail", None),
    ("github job if not a tag", {".github/workflows/t.yml": wf("[push, pull_request]", "      - run: pytest\n", "    if: ${{ !startsWith(github.ref, 'refs/tags/') }}\n")}, "pass", None),
    ("github job if PR", {".github/workflows/t.yml": wf("[push, pull_request]", "      - run: pytest\n", "    if: github.event_name == 'pull_request'\n")}, "pass", None),
    ("github reusable workflow", {".github/workflows/ci.yml": REUSABLE_CALLER, ".github/workflows/reusable.yml": REUSABLE}, "pass", (".github/workflows/reusable.yml", 9)),
    ("github reusable alone", {".github/workflows/reusable.yml": REUSABLE.replace("${{ inputs.cmd }}", "pytest")}, "fail", None),
    ("github composite action", {".github/workflows/t.yml": wf("pull_request", "      - uses: ./.github/actions/test\n"),
                                 ".github/actions/test/action.yml": COMPOSITE}, "pass", (".github/actions/test/action.yml", 5)),
    ("github matrix", {".github/workflows/t.yml": MATRIX}, "pass", None),
    ("github matrix include via env", {".github/workflows/t.yml": MATRIX_INCLUDE_ENV}, "pass", None),
    ("github env expression", {".github/workflows/t.yml": "on: pull_request\nenv: {CARGO: cargo}\njobs:\n  test:\n    runs-on: x\n"
                                "    steps:\n      - run: ${{ env.CARGO }} build\n      - run: ${{ env.CARGO }} test --workspace\n"}, "pass", (".github/workflows/t.yml", 8)),
    ("github pull_request closed only", {".github/workflows/t.yml": wf("\n  pull_request:\n    types: [closed, labeled]", "      - run: pytest\n")}, "fail", None),
    ("github pull_request synchronize", {".github/workflows/t.yml": wf("\n  pull_request:\n    types: [labeled, synchronize]", "      - run: pytest\n")}, "pass", None),
    ("github continue-on-error step", {".github/workflows/t.yml": wf("pull_request", "      - run: pytest\n        continue-on-error: true\n")}, "fail", None),
    ("github continue-on-error job", {".github/workflows/t.yml": wf("pull_request", "      - run: pytest\n", "    continue-on-error: true\n")}, "fail", None),
    ("github cypress action", {".github/workflows/t.yml": wf("pull_request", "      - uses: cypress-io/github-action@v6\n        with: {build: npm run build}\n")}, "pass", (".github/workflows/t.yml", 6)),
    ("github gradle action", {".github/workflows/t.yml": wf("pull_request", "      - uses: gradle/gradle-build-action@v2\n        with: {arguments: check}\n")}, "pass", None),
    ("github actions-rs cargo test", {".github/workflows/t.yml": wf("pull_request", "      - uses: actions-rs/cargo@v1\n        with: {command: test, args: --all}\n")}, "pass", None),
    ("github actions-rs cargo clippy", {".github/workflows/t.yml": wf("pull_request", "      - uses: actions-rs/cargo@v1\n        with: {command: clippy}\n")}, "fail", None),
    ("github retry action", {".github/workflows/t.yml": wf("pull_request", "      - uses: nick-fields/retry@v3\n        with: {max_attempts: 3, command: npm test}\n")}, "pass", None),
    ("github golangci action only", {".github/workflows/t.yml": wf("pull_request", "      - uses: golangci/golangci-lint-action@v6\n")}, "fail", None),
    ("github make target", {".github/workflows/t.yml": wf("pull_request", "      - run: make ci\n"),
                            "Makefile": "ci: lint unit\nlint:\n\truff check .\nunit:\n\t$(PYTHON) -m pytest\n"}, "pass", None),
    ("github npm script", {".github/workflows/t.yml": wf("pull_request", "      - run: npm run verify\n"),
                           "package.json": '{"scripts": {"verify": "jest --ci"}}'}, "pass", None),
    ("github npm test if-present without script", {".github/workflows/t.yml": wf("pull_request", "      - run: npm test --if-present\n"),
                                                   "package.json": '{"scripts": {"build": "tsc"}}'}, "fail", None),
    ("github npm test placeholder", {".github/workflows/t.yml": wf("pull_request", "      - run: npm test\n"),
                                     "package.json": '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}'}, "fail", None),
    ("github npm test if-present with script", {".github/workflows/t.yml": wf("pull_request", "      - run: npm run test --if-present\n"),
                                                "package.json": '{"scripts": {"test": "vitest run"}}'}, "pass", None),
    ("github npm script lint", {".github/workflows/t.yml": wf("pull_request", "      - run: npm run verify\n"),
                                "package.json": '{"scripts": {"verify": "eslint ."}}'}, "fail", None),
    ("github pre-commit with test hook", {".github/workflows/t.yml": wf("pull_request", "      - run: pre-commit run -a\n"),
                                          ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - {id: tests, name: t, entry: pytest, language: system}\n"}, "pass", None),
    ("github pre-commit lint", {".github/workflows/t.yml": wf("pull_request", "      - uses: pre-commit/action@v3\n      - run: pre-commit run -a\n"),
                                ".pre-commit-config.yaml": "repos:\n- repo: https://x/ruff\n  rev: v1\n  hooks: [{id: ruff}]\n"}, "fail", None),
    ("github script file", {".github/workflows/t.yml": wf("pull_request", "      - run: ./ci/run.sh\n"),
                            "ci/run.sh": "#!/bin/sh\nset -e\ngo test ./...\n"}, "pass", None),
    # GitLab CI
    ("gitlab no rules", {".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}, "pass", (".gitlab-ci.yml", 3)),
    ("gitlab MR rules", {".gitlab-ci.yml": "test:\n  script: [go test ./...]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"}, "pass", None),
    ("gitlab default branch only", {".gitlab-ci.yml": "test:\n  script: [pytest]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"}, "fail", None),
    ("gitlab only main", {".gitlab-ci.yml": "test:\n  script: [pytest]\n  only: [main]\n"}, "fail", None),
    ("gitlab only merge_requests", {".gitlab-ci.yml": "test:\n  script: [pytest]\n  only: [merge_requests]\n"}, "pass", None),
    ("gitlab local include + extends", {".gitlab-ci.yml": "include:\n  - local: /ci/test.yml\nunit:\n  extends: .tests\n",
                                        "ci/test.yml": ".tests:\n  script:\n    - mvn verify\n"}, "pass", None),
    ("gitlab !reference", {".gitlab-ci.yml": ".common:\n  script: [cargo test]\nunit:\n  script:\n    - !reference [.common, script]\n"}, "pass", None),
    ("gitlab rules by !reference", {".gitlab-ci.yml": ".rules:mr:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"
                                   ".rules:main:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n"
                                   "workflow:\n  rules: !reference [.rules:mr, rules]\n"
                                   "unit:\n  script: [go test ./...]\n  rules:\n    - !reference [.rules:main, rules]\n    - !reference [.rules:mr, rules]\n"}, "pass", None),
    ("gitlab rules by !reference main only", {".gitlab-ci.yml": ".rules:main:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n"
                                             "unit:\n  script: [go test ./...]\n  rules: !reference [.rules:main, rules]\n"}, "fail", None),
    ("gitlab child pipeline", {".gitlab-ci.yml": "lint:\n  script: [ruff check .]\ntests:\n  trigger:\n    include: ci/tests.yml\n    strategy: depend\n",
                               "ci/tests.yml": "unit:\n  script: [pytest]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"parent_pipeline\"\n"}, "pass", ("ci/tests.yml", 2)),
    ("gitlab child pipeline of a tag job", {".gitlab-ci.yml": "tests:\n  trigger:\n    include:\n      - local: ci/tests.yml\n  only: [tags]\n",
                                            "ci/tests.yml": "unit:\n  script: [pytest]\n"}, "fail", None),
    ("gitlab allow_failure", {".gitlab-ci.yml": "test:\n  script: [pytest]\n  allow_failure: true\n"}, "fail", None),
    ("gitlab hidden job only", {".gitlab-ci.yml": ".test:\n  script: [pytest]\n"}, "fail", None),
    # CircleCI
    ("circleci job + command", {".circleci/config.yml": "version: 2.1\ncommands:\n  t:\n    steps:\n      - run: yarn test\n"
                                "jobs:\n  build:\n    docker: [{image: x}]\n    steps: [checkout, t]\nworkflows:\n  main:\n    jobs: [build]\n"}, "pass", None),
    ("circleci job with a display name", {".circleci/config.yml": "version: 2.1\njobs:\n  test:\n    parameters: {v: {type: string}}\n    docker: [{image: x}]\n    steps:\n      - run: go test ./...\n"
                                          "workflows:\n  ci:\n    jobs:\n      - test:\n          name: test-1.22\n          v: '1.22'\n"}, "pass", (".circleci/config.yml", 7)),
    ("circleci main only", {".circleci/config.yml": "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run: make test\n"
                            "workflows:\n  main:\n    jobs:\n      - build:\n          filters: {branches: {only: main}}\n"}, "fail", None),
    ("circleci workflow when main", {".circleci/config.yml": "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run: make test\n"
                                     "workflows:\n  main:\n    when:\n      equal: [main, << pipeline.git.branch >>]\n    jobs: [build]\n"}, "fail", None),
    ("circleci orb job", {".circleci/config.yml": "version: 2.1\norbs: {python: circleci/python@2}\nworkflows:\n  main:\n    jobs: [python/test]\n"}, "pass", None),
    # Azure Pipelines
    ("azure template", {"azure-pipelines.yml": "jobs:\n- job: Linux\n  steps:\n  - template: build/steps.yml\n",
                        "build/steps.yml": "steps:\n- script: npm install\n- script: npm run test\n"}, "pass", ("build/steps.yml", 3)),
    ("azure job template", {"azure-pipelines.yml": "stages:\n- stage: Test\n  jobs:\n  - template: .azure-pipelines/unit.yml\n    parameters: {cmd: 'pytest -q'}\n",
                            ".azure-pipelines/unit.yml": "parameters:\n- name: cmd\n  default: make\njobs:\n- job: unit\n  steps:\n  - script: ${{ parameters.cmd }}\n"}, "pass", (".azure-pipelines/unit.yml", 7)),
    ("azure extends template", {"azure-pipelines.yml": "extends:\n  template: ci/pipeline.yml\n",
                                "ci/pipeline.yml": "stages:\n- stage: build\n  jobs:\n  - job: t\n    steps:\n    - bash: go test ./...\n"}, "pass", None),
    ("azure stage not for PRs", {"azure-pipelines.yml": "stages:\n- stage: Test\n  condition: ne(variables['Build.Reason'], 'PullRequest')\n  jobs:\n  - job: t\n    steps:\n    - script: pytest\n"}, "fail", None),
    ("azure pr none", {"azure-pipelines.yml": "pr: none\nsteps:\n- script: dotnet test\n"}, "fail", None),
    ("azure dotnet task", {"azure-pipelines.yml": "pr: [main]\nsteps:\n- task: DotNetCoreCLI@2\n  inputs: {command: test}\n"}, "pass", None),
    # Jenkins
    ("jenkins declarative", {"Jenkinsfile": "pipeline {\n  agent any\n  stages {\n    stage('Test') {\n      steps {\n        sh 'make test'\n      }\n    }\n  }\n}\n"}, "pass", ("Jenkinsfile", 6)),
    ("jenkins scripted", {"Jenkinsfile": "node {\n  stage('Build') { sh \"./gradlew build\" }\n}\n"}, "pass", None),
    ("jenkins when branch", {"Jenkinsfile": "pipeline {\n stages {\n  stage('Test') {\n   when { branch 'main' }\n   steps { sh 'pytest' }\n  }\n }\n}\n"}, "fail", None),
    ("jenkins when expression branch", {"Jenkinsfile": "pipeline {\n stages {\n  stage('Test') {\n   when { expression { env.BRANCH_NAME == 'main' } }\n   steps { sh 'pytest' }\n  }\n }\n}\n"}, "fail", None),
    ("jenkins when changeRequest", {"Jenkinsfile": "pipeline {\n stages {\n  stage('Test') {\n   when { changeRequest() }\n   steps { sh 'go test ./...' }\n  }\n }\n}\n"}, "pass", None),
    ("jenkins commented", {"Jenkinsfile": "pipeline {\n stages {\n  stage('B') {\n   steps {\n    // sh 'pytest'\n    sh 'make build'\n   }\n  }\n }\n}\n"}, "fail", None),
    ("jenkins failures ignored", {"Jenkinsfile": "pipeline { stages { stage('B') { steps { sh 'mvn -Dmaven.test.failure.ignore=true clean package' } } } }\n"}, "fail", None),
    ("jenkins failures ignored but junit recorded", {"Jenkinsfile": "pipeline { stages { stage('B') { steps {\n sh 'mvn -Dmaven.test.failure.ignore clean install'\n junit '**/surefire-reports/*.xml'\n} } } }\n"}, "pass", ("Jenkinsfile", 2)),
    ("jenkins infra.runMaven options", {"Jenkinsfile": "node {\n  stage('Test') {\n    def opts = [\n      '-Pdebug',\n      'clean',\n      'verify',\n    ]\n    infra.runMaven(opts, 21)\n  }\n}\n"}, "pass", ("Jenkinsfile", 8)),
    ("jenkins pipeline library", {"Jenkinsfile": "buildPlugin(useContainerAgent: true)\n"}, "pass", None),
    # Travis, Bitbucket, Buildkite
    ("travis default node script", {".travis.yml": "language: node_js\nnode_js: [20]\n"}, "pass", None),
    ("bitbucket pull-requests", {"bitbucket-pipelines.yml": "pipelines:\n  pull-requests:\n    '**':\n      - step:\n          script: [pytest]\n"}, "pass", None),
    ("bitbucket branches main only", {"bitbucket-pipelines.yml": "pipelines:\n  branches:\n    main:\n      - step:\n          script: [pytest]\n"}, "fail", None),
    ("bitbucket feature branches", {"bitbucket-pipelines.yml": "definitions:\n  steps:\n    - step: &t\n        script: [npm ci, npm test]\n"
                                     "pipelines:\n  branches:\n    'feature/*':\n      - step: *t\n"}, "pass", None),
    ("bitbucket parallel and stage", {"bitbucket-pipelines.yml": "pipelines:\n  default:\n    - parallel:\n        steps:\n          - step:\n              script: [ruff check .]\n"
                                      "          - step:\n              script:\n                - pipe: atlassian/x:1\n                - pytest\n"}, "pass", None),
    ("buildkite", {".buildkite/pipeline.yml": "steps:\n  - label: tests\n    command: go test ./...\n"}, "pass", None),
    ("drone", {".drone.yml": "kind: pipeline\nname: default\nsteps:\n- name: test\n  image: golang\n  commands:\n  - go test ./...\n"
               "---\nkind: signature\nhmac: x\n"}, "pass", (".drone.yml", 4)),
    ("drone push only", {".drone.yml": "kind: pipeline\nname: default\ntrigger:\n  event: [push, tag]\nsteps:\n- name: test\n  commands: [go test ./...]\n"}, "fail", None),
    ("woodpecker", {".woodpecker/test.yml": "when:\n  - event: pull_request\nsteps:\n  test:\n    image: python\n    commands:\n      - pytest\n"}, "pass", (".woodpecker/test.yml", 4)),
    ("nothing", {"README.md": "x"}, "fail", None),
]


@pytest.mark.parametrize("name, files, status, location", TESTS_ON_PR, ids=[t[0] for t in TESTS_ON_PR])
def test_tests_on_pr(make_repo, name, files, status, location):
    outcome = run("ci.tests_on_pr", make_repo(files))
    assert outcome.status == status, outcome.message
    if location:
        assert any((l.path, l.line) == location for l in outcome.locations), (outcome.locations, outcome.message)


def test_tests_on_pr_partial_credit_and_message(make_repo):
    push_only = run("ci.tests_on_pr", make_repo({".github/workflows/t.yml": wf("push", "      - run: pytest\n")}))
    lint_only = run("ci.tests_on_pr", make_repo({".github/workflows/t.yml": wf("pull_request", "      - run: ruff check .\n")}))
    assert push_only.score > lint_only.score > 0
    assert "not on pull requests" in push_only.message
    assert "only lints (ruff)" in lint_only.message
    action_lint = run("ci.tests_on_pr", make_repo({".github/workflows/t.yml": wf("pull_request", "      - uses: golangci/golangci-lint-action@v6\n")}))
    assert "only lints (golangci-lint)" in action_lint.message


def test_tests_on_pr_notes_path_filters(make_repo):
    on = "\n  pull_request:\n    paths: ['src/**']"
    outcome = run("ci.tests_on_pr", make_repo({".github/workflows/t.yml": wf(on, "      - run: pytest\n")}))
    assert outcome.status == "pass" and "paths: src/**" in outcome.message


# --------------------------------------------------------------------------------------------
# ci.coverage_gate
# --------------------------------------------------------------------------------------------
COVERAGE = [
    ({".github/workflows/t.yml": wf("pull_request", "      - run: pytest --cov=pkg --cov-fail-under=90\n")}, "pass", (".github/workflows/t.yml", 6)),
    ({".coveragerc": "[run]\nbranch = true\n[report]\nfail_under = 80\n"}, "pass", (".coveragerc", 4)),
    ({"setup.cfg": "[metadata]\nname = x\n[coverage:report]\nfail_under = 75\n"}, "pass", ("setup.cfg", 4)),
    ({"pyproject.toml": "[project]\nname='x'\n[tool.coverage.report]\nfail_under = 85\n"}, "pass", ("pyproject.toml", 4)),
    ({"tox.ini": "[tox]\n[coverage:report]\nfail_under = 70\n"}, "pass", ("tox.ini", 3)),
    ({"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--cov=x --cov-fail-under=95'\n"}, "pass", ("pyproject.toml", 2)),
    ({"codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: 80%\n"}, "pass", ("codecov.yml", 5)),
    ({".github/codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: auto\n        threshold: 1%\n"}, "pass", None),
    ({"codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: auto\n"}, "fail", None),
    ({"codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: 80%\n        informational: true\n"}, "fail", None),
    ({"jest.config.js": "module.exports = {\n  coverageThreshold: {global: {lines: 90}},\n};\n"}, "pass", ("jest.config.js", 2)),
    ({"jest.config.js": "module.exports = {\n  // coverageThreshold: undefined,\n  /* coverageThreshold: {global: {lines: 1}} */\n};\n"}, "fail", None),
    ({"package.json": '{\n  "name": "x",\n  "jest": {\n    "coverageThreshold": {"global": {"lines": 80}}\n  }\n}\n'}, "pass", ("package.json", 4)),
    ({"vitest.config.ts": "export default {\n  test: {\n    coverage: {\n      thresholds: {lines: 80},\n    },\n  },\n};\n"}, "pass", None),
    ({".nycrc": '{"check-coverage": true, "lines": 90}'}, "pass", None),
    ({".github/workflows/t.yml": wf("pull_request", "      - run: |\n          go test -coverprofile=c.out ./...\n"
                                    "          total=$(go tool cover -func=c.out | awk '/total/ {print $3}' | tr -d %)\n"
                                    "          if (( $(echo \"$total < 80\" | bc -l) )); then exit 1; fi\n")}, "pass", None),
    ({".github/workflows/t.yml": wf("pull_request", "      - uses: vladopajic/go-test-coverage@v2\n        with: {threshold-total: 80}\n")}, "pass", None),
    ({".github/workflows/t.yml": wf("pull_request", "      - uses: vladopajic/go-test-coverage@v2\n")}, "fail", None),
    ({".github/workflows/t.yml": wf("pull_request", "      - uses: irongut/CodeCoverageSummary@v1.3.0\n        with: {filename: c.xml, thresholds: '60 80'}\n")}, "fail", None),
    ({".github/workflows/t.yml": wf("pull_request", "      - uses: irongut/CodeCoverageSummary@v1.3.0\n        with: {filename: c.xml, thresholds: '60 80', fail_below_min: true}\n")}, "pass", None),
    ({".testcoverage.yml": "threshold:\n  file: 0\n  total: 85\n"}, "pass", (".testcoverage.yml", 3)),
    ({"pom.xml": "<project><build><plugins><plugin><artifactId>jacoco-maven-plugin</artifactId>\n<rules><rule><limits><limit>\n<minimum>0.80</minimum>\n</limit></limits></rule></rules></plugin></plugins></build></project>\n"}, "pass", ("pom.xml", 3)),
    ({"build.gradle": "jacocoTestCoverageVerification {\n  violationRules { rule { limit { minimum = 0.8 } } }\n}\n"}, "pass", None),
    ({"spec/spec_helper.rb": "require 'simplecov'\nSimpleCov.start do\n  minimum_coverage 90\nend\n"}, "pass", ("spec/spec_helper.rb", 3)),
    ({".simplecov": "SimpleCov.start do\nminimum_coverage 90\nend\n"}, "pass", (".simplecov", 2)),
    ({".github/workflows/t.yml": wf("pull_request", "      - run: pytest --cov=pkg\n      - uses: codecov/codecov-action@v4\n")}, "fail", None),
    ({".coveragerc": "[report]\nfail_under = 0\n"}, "fail", None),
    ({"Makefile": "test:\n\tpytest\ncoverage:\n\tcoverage run -m pytest\n\tcoverage report --fail-under=90\n"}, "pass", ("Makefile", 5)),
    ({"noxfile.py": "import nox\n@nox.session\ndef cover(session):\n    session.run('coverage', 'report', '--fail-under=100')\n"}, "pass", ("noxfile.py", 4)),
    ({"package.json": '{"scripts": {\n  "test": "c8 --check-coverage --lines 95 node --test"\n}}'}, "pass", ("package.json", 2)),
    ({"README.md": "x"}, "fail", None),
]


@pytest.mark.parametrize("files, status, location", COVERAGE)
def test_coverage_gate(make_repo, files, status, location):
    outcome = run("ci.coverage_gate", make_repo(files))
    assert outcome.status == status, outcome.message
    if location:
        assert any((l.path, l.line) == location for l in outcome.locations), (outcome.locations, outcome.message)


def test_coverage_measured_without_threshold_is_partial(make_repo):
    outcome = run("ci.coverage_gate", make_repo({".github/workflows/t.yml": wf("pull_request", "      - run: pytest --cov=pkg\n")}))
    assert outcome.status == "fail" and outcome.score == pytest.approx(0.3)


def test_allowed_failures_get_half_credit(make_repo):
    outcome = run("ci.tests_on_pr", make_repo({".gitlab-ci.yml": "test:\n  script: [pytest]\n  allow_failure: true\n"}))
    assert outcome.score == pytest.approx(0.5) and "failure is allowed" in outcome.message


def test_failure_names_what_was_not_read(make_repo):
    outcome = run("ci.tests_on_pr", make_repo({".gitlab-ci.yml": "include:\n  - project: acme/ci\n    file: /python.yml\nlint:\n  script: [ruff check .]\n"}))
    assert outcome.status == "fail" and "not read: project include acme/ci not followed" in outcome.message
