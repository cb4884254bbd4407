"""security.policy, deps.update_tool, security.sast: fixture tables on real git repositories."""
from __future__ import annotations

import pytest

from tests.security_helpers import evaluate, lines

# ---------------------------------------------------------------------------------------------
# security.policy
# ---------------------------------------------------------------------------------------------
WITH_EMAIL = "# Security\n\nSupported: latest.\n\nMail security@acme.example to report.\n"
WITH_ADVISORIES = "# Security\n\nUse GitHub's private vulnerability reporting (Security tab).\n"
NO_CHANNEL = "# Security\n\nWe take security seriously.\n"


@pytest.mark.parametrize("files, status, score, expected", [
    ({"SECURITY.md": WITH_EMAIL}, "pass", 1.0, [("SECURITY.md", 5)]),
    ({".github/security.md": WITH_ADVISORIES}, "pass", 1.0, [(".github/security.md", 3)]),
    ({"docs/Security.rst": "Report at https://acme.example/security\n"}, "pass", 1.0, [("docs/Security.rst", 1)]),
    ({"SECURITY": WITH_EMAIL}, "pass", 1.0, [("SECURITY", 5)]),
    ({"security.txt": "Contact: mailto:sec@acme.example\n"}, "pass", 1.0, [("security.txt", 1)]),
    ({"SECURITY.md": NO_CHANNEL}, "fail", 0.5, [("SECURITY.md", None)]),
    # GitHub looks in .github/ first: that is the file shown, so that is the one judged
    ({".github/SECURITY.md": NO_CHANNEL, "SECURITY.md": WITH_EMAIL}, "fail", 0.5, [(".github/SECURITY.md", None)]),
    ({"src/SECURITY.md": WITH_EMAIL}, "fail", 0.0, []),   # not a place GitHub or GitLab read
    ({"README.md": "hi"}, "fail", 0.0, []),
])
def test_security_policy(make_repo, files, status, score, expected):
    outcome = evaluate(make_repo(files), "security.policy")
    assert (outcome.status, outcome.score) == (status, score), outcome.message
    assert lines(outcome) == expected


def test_security_policy_without_channel_requirement(make_repo):
    outcome = evaluate(make_repo({"SECURITY.md": NO_CHANNEL}), "security.policy", require_channel=False)
    assert outcome.status == "pass"


# ---------------------------------------------------------------------------------------------
# deps.update_tool
# ---------------------------------------------------------------------------------------------
DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: weekly
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
"""
DEPENDABOT_STALE = DEPENDABOT + """\
  - package-ecosystem: npm
    directory: /web
    schedule: {interval: daily}
"""
DEPENDABOT_INCOMPLETE = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
"""
WORKFLOW = "on: push\njobs: {a: {runs-on: x, steps: [{run: x}]}}\n"


@pytest.mark.parametrize("files, status, score, expected", [
    ({".github/dependabot.yml": DEPENDABOT, "pyproject.toml": "", ".github/workflows/ci.yml": WORKFLOW},
     "pass", 1.0, [(".github/dependabot.yml", 3)]),
    ({".github/dependabot.yaml": DEPENDABOT, "requirements/dev.txt": "", ".github/workflows/ci.yml": WORKFLOW},
     "pass", 1.0, [(".github/dependabot.yaml", 3)]),
    ({".github/dependabot.yml": DEPENDABOT_STALE, "pyproject.toml": "", ".github/workflows/ci.yml": WORKFLOW},
     "pass", round(0.5 + 0.5 * 2 / 3, 3), [(".github/dependabot.yml", 10)]),  # in place, one entry to correct
    ({".github/dependabot.yml": DEPENDABOT_INCOMPLETE, "setup.py": ""}, "fail", 0.5, [(".github/dependabot.yml", 3)]),
    ({".github/dependabot.yml": "version: 1\nupdates: []\n"}, "fail", 0.25, [(".github/dependabot.yml", 1)]),
    ({".github/dependabot.yml": "version: 2\n"}, "fail", 0.25, [(".github/dependabot.yml", 1)]),
    ({".github/dependabot.yml": "version: [2\n"}, "fail", 0.25, [(".github/dependabot.yml", 2)]),
    ({"renovate.json": '{"extends": ["config:recommended"]}'}, "pass", 1.0, [("renovate.json", None)]),
    ({"renovate.json5": "{\n  // comments and bare keys\n  extends: ['config:recommended'],\n}\n"},
     "pass", 1.0, [("renovate.json5", None)]),
    ({".github/renovate.json5": "{extends: ['config:base',],}"}, "pass", 1.0, [(".github/renovate.json5", None)]),
    ({".gitlab/renovate.json": "{}"}, "pass", 1.0, [(".gitlab/renovate.json", None)]),
    ({".renovaterc": '{"extends": ["config:base"]}'}, "pass", 1.0, [(".renovaterc", None)]),
    ({".renovaterc.json": "{}"}, "pass", 1.0, [(".renovaterc.json", None)]),
    ({".renovaterc.json5": "{}"}, "pass", 1.0, [(".renovaterc.json5", None)]),
    ({"package.json": '{\n  "name": "x",\n  "renovate": {"extends": ["config:base"]}\n}\n'},
     "pass", 1.0, [("package.json", 3)]),
    ({"package.json": '{"name": "x"}'}, "fail", 0.0, []),
    ({"renovate.json": '{"enabled": false}'}, "fail", 0.0, [("renovate.json", None)]),
    ({"renovate.json": "{not json at all"}, "fail", 0.25, [("renovate.json", None)]),
    ({".pyup.yml": "update: all\n"}, "pass", 1.0, [(".pyup.yml", None)]),
    ({"README.md": "x"}, "fail", 0.0, []),
])
def test_update_tool(make_repo, files, status, score, expected):
    outcome = evaluate(make_repo(files), "deps.update_tool")
    assert (outcome.status, round(outcome.score, 3)) == (status, score), outcome.message
    assert lines(outcome) == expected


def test_an_imperfect_dependabot_is_in_place_and_its_fix_names_the_entry(make_repo):
    # The practice is there; one entry points at a folder without a manifest (a moved or deleted
    # front end). The result says the practice is in place and the fix says what to change in the
    # existing file, not "add .github/dependabot.yml".
    repo = make_repo({".github/dependabot.yml": DEPENDABOT_STALE, "pyproject.toml": "",
                      ".github/workflows/ci.yml": WORKFLOW, ".standards.yml": "policy: baseline\n"})
    outcome = evaluate(repo, "deps.update_tool")
    assert outcome.status == "pass" and outcome.score < 1
    assert outcome.message.startswith("Dependabot is in place")
    assert outcome.fix is not None
    assert "line 10" in outcome.fix and "`/web`" in outcome.fix and "`npm`" in outcome.fix
    assert "Add `.github/dependabot.yml`" not in outcome.fix
    from tests.cli_helpers import run_cli
    text = run_cli("scan", str(repo)).stdout
    block = text[text.index("deps.update_tool"):]
    assert "Dependabot is in place" in block.splitlines()[0]
    assert ("fix: In .github/dependabot.yml, these entries name directories that hold no manifest of their\n"
            "         ecosystem: `npm` at line 10, `directory` `/web`.") in block
    markdown = run_cli("scan", str(repo), "--format", "markdown").stdout
    assert "no manifest of their ecosystem: `npm` at line 10, `directory` `/web`. Point each at" in markdown


def test_a_broken_dependabot_file_is_fixed_in_place(make_repo):
    outcome = evaluate(make_repo({".github/dependabot.yml": DEPENDABOT_INCOMPLETE, "setup.py": ""}), "deps.update_tool")
    assert outcome.status == "fail"
    assert outcome.fix == ("In .github/dependabot.yml, give these entries the keys they lack: "
                           "line 3 (pip): `schedule.interval`.")


def test_renovate_reads_only_the_first_location(make_repo):
    repo = make_repo({"renovate.json": "{}", ".github/renovate.json": "{}"})
    outcome = evaluate(repo, "deps.update_tool")
    assert outcome.status == "pass" and "only the first" in outcome.message


def test_dependabot_manifest_check_can_be_switched_off(make_repo):
    repo = make_repo({".github/dependabot.yml": DEPENDABOT_STALE})
    assert evaluate(repo, "deps.update_tool", check_manifests=False).status == "pass"
    assert evaluate(repo, "deps.update_tool", tools=["renovate"]).status == "fail"


@pytest.mark.parametrize("ecosystem, directory, files", [
    ("docker", "/", {"Dockerfile.prod": ""}),
    ("docker", "/deploy", {"deploy/api.Dockerfile": ""}),
    ("gomod", "/tools", {"tools/go.mod": ""}),
    ("nuget", "/", {"src/App.sln": "", "App.sln": ""}),
    ("gradle", "/", {"gradle/libs.versions.toml": ""}),
    ("terraform", "/infra", {"infra/main.tf": ""}),
    ("devcontainers", "/", {".devcontainer/devcontainer.json": ""}),
    ("gitsubmodule", "/", {".gitmodules": ""}),
    ("npm", "/packages/*", {}),            # a glob: not judged
    ("some-new-ecosystem", "/", {}),       # unknown: not judged
])
def test_dependabot_manifest_locations(make_repo, ecosystem, directory, files):
    config = (f"version: 2\nupdates:\n  - package-ecosystem: {ecosystem}\n    directory: '{directory}'\n"
              "    schedule: {interval: weekly}\n")
    outcome = evaluate(make_repo({".github/dependabot.yml": config, **files}), "deps.update_tool")
    assert outcome.status == "pass", outcome.message


# ---------------------------------------------------------------------------------------------
# security.sast
# ---------------------------------------------------------------------------------------------
CODEQL = """\
name: CodeQL
on: [push, pull_request]
jobs:
  analyze:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: github/codeql-action/init@v3
      - uses: github/codeql-action/analyze@v3
"""
CODEQL_INIT_ONLY = CODEQL.replace("      - uses: github/codeql-action/analyze@v3\n", "")
SEMGREP_RUN = """\
on: pull_request
jobs:
  semgrep:
    runs-on: ubuntu-latest
    container: semgrep/semgrep
    steps:
      - uses: actions/checkout@v4
      - run: |
          echo start
          semgrep ci --sarif > out.sarif
"""
BANDIT_RUN = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: bandit -r src -ll\n"
GOSEC = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: securego/gosec@v2.21.4\n"
SONAR = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: SonarSource/sonarqube-scan-action@v5\n"
LINT_ONLY = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ruff check . && echo bandit is not run\n"
GRYPE_ONLY = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: anchore/scan-action@v6\n"
REUSABLE = "on: push\njobs:\n  sec:\n    uses: acme/ci/.github/workflows/codeql.yml@main\n"
GITLAB = """\
stages: [test]
include:
  - template: Jobs/SAST.gitlab-ci.yml
test:
  script: [make test]
"""
GITLAB_LOCAL = "include:\n  - local: ci/security.yml\n"
GITLAB_SECURITY_YML = "semgrep:\n  image: semgrep/semgrep\n  script:\n    - semgrep ci\n"
PRECOMMIT = """\
repos:
  - repo: https://github.com/PyCQA/bandit
    rev: 1.8.0
    hooks:
      - id: bandit
"""
RUNS_PRECOMMIT = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: pre-commit/action@v3.0.1\n"


@pytest.mark.parametrize("files, status, score, expected", [
    ({".github/workflows/codeql.yml": CODEQL}, "pass", 1.0, [(".github/workflows/codeql.yml", 9)]),
    ({".github/workflows/codeql.yml": CODEQL_INIT_ONLY}, "fail", 0.0, []),
    ({".github/workflows/semgrep.yml": SEMGREP_RUN}, "pass", 1.0, [(".github/workflows/semgrep.yml", 10)]),
    ({".github/workflows/b.yml": BANDIT_RUN}, "pass", 1.0, [(".github/workflows/b.yml", 6)]),
    ({".github/workflows/g.yml": GOSEC}, "pass", 1.0, [(".github/workflows/g.yml", 6)]),
    ({".github/workflows/s.yml": SONAR}, "pass", 1.0, [(".github/workflows/s.yml", 6)]),
    ({".github/workflows/l.yml": LINT_ONLY}, "fail", 0.0, []),
    ({".github/workflows/grype.yml": GRYPE_ONLY}, "fail", 0.0, []),
    ({".github/workflows/r.yml": REUSABLE}, "pass", 1.0, [(".github/workflows/r.yml", 4)]),
    ({".gitlab-ci.yml": GITLAB}, "pass", 1.0, [(".gitlab-ci.yml", 3)]),
    ({".gitlab-ci.yml": "include:\n  - component: ${CI_SERVER_FQDN}/components/sast/sast@3.4.0\n"},
     "pass", 1.0, [(".gitlab-ci.yml", 2)]),
    ({".gitlab-ci.yml": "include:\n  - template: Security/Dependency-Scanning.gitlab-ci.yml\n"}, "fail", 0.0, []),
    ({".gitlab-ci.yml": GITLAB_LOCAL, "ci/security.yml": GITLAB_SECURITY_YML}, "pass", 1.0,
     [("ci/security.yml", 2), ("ci/security.yml", 4)]),
    ({".circleci/config.yml": "jobs:\n  sec:\n    steps:\n      - run: brakeman -q -z\n"}, "pass", 1.0,
     [(".circleci/config.yml", 4)]),
    ({".pre-commit-config.yaml": PRECOMMIT}, "fail", 0.5, [(".pre-commit-config.yaml", 5)]),
    ({".pre-commit-config.yaml": PRECOMMIT, ".github/workflows/p.yml": RUNS_PRECOMMIT}, "pass", 1.0,
     [(".pre-commit-config.yaml", 5)]),
    ({".pre-commit-config.yaml": PRECOMMIT + "ci:\n  autofix_prs: false\n"}, "pass", 1.0,
     [(".pre-commit-config.yaml", 5)]),
    ({".github/codeql/codeql-config.yml": "paths: [src]\n"}, "fail", 0.5, [(".github/codeql/codeql-config.yml", None)]),
    ({".sonarcloud.properties": "sonar.sources=src\n"}, "pass", 1.0, [(".sonarcloud.properties", None)]),
    ({"sonar-project.properties": "sonar.projectKey=acme\n"}, "fail", 0.5, [("sonar-project.properties", None)]),
    ({"sonar-project.properties": "sonar.projectKey=acme\n", ".github/workflows/s.yml": SONAR}, "pass", 1.0,
     [(".github/workflows/s.yml", 6)]),
    ({"README.md": "x"}, "fail", 0.0, []),
])
def test_sast(make_repo, files, status, score, expected):
    outcome = evaluate(make_repo(files), "security.sast")
    assert (outcome.status, outcome.score) == (status, score), outcome.message
    assert lines(outcome) == expected


RUFF_CI = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: uv run ruff check .\n"
GOLANGCI_CI = ("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
               "      - uses: golangci/golangci-lint-action@v8\n")
RUFF_HOOK = "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    hooks:\n      - id: ruff-check\n"


@pytest.mark.parametrize("files, status", [
    ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["E", "F", "S"]\n', ".github/workflows/l.yml": RUFF_CI}, "pass"),
    ({"ruff.toml": '[lint]\nextend-select = ["S"]\n', ".github/workflows/l.yml": RUFF_CI}, "pass"),
    # one picked rule is not the Bandit rule set (astral-sh/ruff selects only S602)
    ({"ruff.toml": '[lint]\nextend-select = ["S602"]\n', ".github/workflows/l.yml": RUFF_CI}, "fail"),
    ({"pyproject.toml": '[tool.ruff]\nselect = ["ALL"]\n', ".pre-commit-config.yaml": RUFF_HOOK + "ci: {}\n"}, "pass"),
    # SIM, SLF and SLOT start with S but are not security rules
    ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["SIM", "SLF"]\n', ".github/workflows/l.yml": RUFF_CI}, "fail"),
    # selected but no CI runs Ruff
    ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["S"]\n'}, "fail"),
    # ruff.toml wins over pyproject.toml, as in Ruff
    ({"ruff.toml": 'line-length = 100\n', "pyproject.toml": '[tool.ruff.lint]\nselect = ["S"]\n',
      ".github/workflows/l.yml": RUFF_CI}, "fail"),
    ({".golangci.yml": "linters:\n  enable: [gosec, govet]\n", ".github/workflows/g.yml": GOLANGCI_CI}, "pass"),
    ({".golangci.yml": 'version: "2"\nlinters:\n  default: all\n', ".github/workflows/g.yml": GOLANGCI_CI}, "pass"),
    ({".golangci.yml": "linters:\n  enable-all: true\n  disable: [gosec]\n", ".github/workflows/g.yml": GOLANGCI_CI},
     "fail"),
    ({".golangci.yml": "linters:\n  enable: [govet]\n", ".github/workflows/g.yml": GOLANGCI_CI}, "fail"),
])
def test_sast_through_linters(make_repo, files, status):
    outcome = evaluate(make_repo(files), "security.sast")
    assert outcome.status == status, outcome.message


def test_sast_message_names_tools_and_default_setup(make_repo):
    passed = evaluate(make_repo({".github/workflows/codeql.yml": CODEQL, ".github/workflows/b.yml": BANDIT_RUN}),
                      "security.sast")
    assert "Bandit" in passed.message and "CodeQL" in passed.message
    failed = evaluate(make_repo({"README.md": "x"}), "security.sast")
    assert "default setup" in failed.message


def test_a_stale_directory_in_a_directories_list(make_repo):
    # A real shape (a monorepo that dropped an app): one of four npm directories is gone.
    config = ("version: 2\nupdates:\n  - package-ecosystem: npm\n    directories: [/, /ui, /apps/desktop]\n"
              "    schedule: {interval: weekly}\n")
    repo = make_repo({".github/dependabot.yml": config, "package.json": "{}", "ui/package.json": "{}"})
    outcome = evaluate(repo, "deps.update_tool")
    assert outcome.status == "fail"  # its only entry has a gone directory: nothing wholly works
    assert outcome.fix is not None and outcome.fix.startswith(
        "In .github/dependabot.yml, these entries name directories that hold no manifest of their ecosystem: "
        "`npm` at line 3, `directories` `/apps/desktop`. Point each at the folder that holds the manifest, or "
        "remove the directory (or the entry) if that code is gone")
    with_actions = config + "  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n"
    repo = make_repo({".github/dependabot.yml": with_actions, "package.json": "{}", "ui/package.json": "{}",
                      ".github/workflows/ci.yml": WORKFLOW})
    outcome = evaluate(repo, "deps.update_tool")
    assert outcome.status == "pass" and outcome.score == 0.75
    assert "updates github-actions)" in outcome.message  # a gone directory fails the whole npm job
