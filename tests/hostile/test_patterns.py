"""Hostile repository content aimed at pattern matching: globs and regular expressions that a
backtracking engine takes polynomial or exponential time over (CODEOWNERS lines with many `*`,
unclosed `<!--` in Markdown, long runs of spaces, brackets and `${{`), each run through the real CLI
under a deadline. A case holds when the scan or `owners` finishes in time with its expected answer.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.harness import assert_held, run_bounded

# Big enough that the old backtracking code took minutes (or years) on every case; a linear matcher
# reads each in a fraction of a second.
LONG = 100_000
SECONDS = 20.0


def _scan(repo: Path, policy: str = "production-service") -> dict[str, dict]:
    result = run_bounded("scan", repo, "--format", "json", "--policy", policy, seconds=SECONDS)
    assert_held(result, (0, 1))
    report = json.loads(result.out)
    return {r["check"]: r for r in report["results"]}


def _status(results: dict[str, dict], check: str) -> str:
    return results[check]["status"]


# ---- CODEOWNERS ---------------------------------------------------------------------------------
STARS = "*a" * 12 + "*b"  # `*a*a...*b`: no `/`, so matched against every file name at any depth


@pytest.mark.hostile("repo", "codeowners-many-stars-scan")
def test_codeowners_many_stars_scan(make_repo) -> None:
    name = "a" * 250  # a file name near the file system's limit, with no `b` to end the match
    repo = make_repo({"CODEOWNERS": f"* @org/all\n{STARS} @org/b\n", name: "x\n", "README.md": "# r\n"})
    results = _scan(repo)
    assert _status(results, "codeowners.coverage") == "pass"
    assert _status(results, "codeowners.valid") == "pass"


@pytest.mark.hostile("repo", "codeowners-many-stars-owners")
def test_codeowners_many_stars_owners(tmp_path: Path) -> None:
    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text(f"* @org/all\n{STARS} @org/b\n")
    result = run_bounded("owners", "--codeowners", codeowners, "--format", "json",
                         "a" * 5000, "x/" + "a" * 4000 + "b", seconds=SECONDS)
    assert_held(result, (0,))
    assert json.loads(result.out) == {"a" * 5000: ["@org/all"], "x/" + "a" * 4000 + "b": ["@org/b"]}


@pytest.mark.hostile("repo", "codeowners-doublestar-chain")
def test_codeowners_doublestar_chain(tmp_path: Path) -> None:
    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text("* @org/all\n" + "/**/a" * 10 + "/**/b @org/b\n")
    deep = "a/" * 3000 + "c"
    result = run_bounded("owners", "--codeowners", codeowners, "--format", "json", deep, "a/" * 12 + "b",
                         seconds=SECONDS)
    assert_held(result, (0,))
    assert json.loads(result.out) == {deep: ["@org/all"], "a/" * 12 + "b": ["@org/b"]}


@pytest.mark.hostile("repo", "codeowners-doublestar-deep-tree")
def test_codeowners_doublestar_deep_tree(make_repo) -> None:
    deep = "/".join(["a"] * 60) + "/c.txt"
    repo = make_repo({"CODEOWNERS": "* @org/all\n" + "**/a" * 12 + "/**/b.txt @org/b\n", deep: "x\n",
                      "README.md": "# r\n"})
    results = _scan(repo)
    assert _status(results, "codeowners.coverage") == "pass"


@pytest.mark.hostile("repo", "codeowners-question-marks")
def test_codeowners_question_marks_and_stars(tmp_path: Path) -> None:
    codeowners = tmp_path / "CODEOWNERS"
    codeowners.write_text("*.md @org/docs\n" + "*?" * 40 + "*.md @org/b\n")
    name = "x" * 60000 + ".mdx"
    result = run_bounded("owners", "--codeowners", codeowners, "--format", "json", name, seconds=SECONDS)
    assert_held(result, (0,))
    assert json.loads(result.out) == {name: []}


@pytest.mark.hostile("repo", "codeowners-many-wildcard-rules")
def test_codeowners_many_wildcard_rules(tmp_path: Path) -> None:
    """20,000 wildcard rules that no dictionary can file (`*x<n>*/*`), asked about 2,000 paths."""
    codeowners = tmp_path / "CODEOWNERS"
    rules = [f"*x{n}*/* @org/t{n}" for n in range(20_000)]
    codeowners.write_text("* @org/all\n" + "\n".join(rules) + "\n")
    paths = [f"d{n}/f" for n in range(2000)] + ["ax19999z/f"]
    result = run_bounded("owners", "--codeowners", codeowners, "--format", "json", *paths, seconds=SECONDS)
    assert_held(result, (0,))
    found = json.loads(result.out)
    assert found["d7/f"] == ["@org/all"]
    assert found["ax19999z/f"] == ["@org/t19999"]


# ---- Markdown readers ---------------------------------------------------------------------------
UNCLOSED = "<!--" * LONG


@pytest.mark.hostile("repo", "adr-unclosed-comments")
def test_adr_unclosed_comments(make_repo) -> None:
    repo = make_repo({"docs/adr/0001-use-x.md": f"# 1. Use X\n\nStatus: Accepted\n\n{UNCLOSED}\n"})
    results = _scan(repo)
    assert _status(results, "adr.present") == "pass"
    assert _status(results, "adr.format") == "fail"  # the comment hides the sections it would need


@pytest.mark.hostile("repo", "runbook-unclosed-comments")
def test_runbook_unclosed_comments(make_repo) -> None:
    repo = make_repo({"RUNBOOK.md": f"# Runbook\n\n## Alerts\n\n{UNCLOSED}\nRestart it.\n"})
    results = _scan(repo)
    assert _status(results, "runbook.present") == "fail"  # everything after `<!--` is a comment
    assert "empty" in results["runbook.present"]["message"]


@pytest.mark.hostile("repo", "readme-unclosed-comments")
def test_readme_unclosed_comments(make_repo) -> None:
    repo = make_repo({"README.md": f"# Service runbook\n\n{UNCLOSED}\n"})
    results = _scan(repo)
    assert _status(results, "readme.present") == "pass"


@pytest.mark.hostile("repo", "contributing-security-unclosed-comments")
def test_contributing_and_security_unclosed_comments(make_repo) -> None:
    repo = make_repo({"CONTRIBUTING.md": f"# Contributing\n\n{UNCLOSED}\n",
                      "SECURITY.md": f"# Security\n\nReport to security@example.com\n{UNCLOSED}\n"})
    results = _scan(repo)
    assert _status(results, "contributing.present") == "pass"
    assert _status(results, "security.policy") in ("pass", "fail")


@pytest.mark.hostile("repo", "markdown-heading-spaces")
def test_markdown_heading_with_long_whitespace(make_repo) -> None:
    heading = "# x" + " \t" * LONG + "y"
    repo = make_repo({"docs/adr/0001-use-x.md": f"{heading}\n\nStatus: Accepted\n",
                      "RUNBOOK.md": f"# Runbook\n\n{heading}\n\nRestart the service.\n"})
    results = _scan(repo)
    assert _status(results, "adr.present") == "pass"
    assert _status(results, "runbook.present") == "pass"


@pytest.mark.hostile("repo", "markdown-heading-hashes")
def test_markdown_heading_of_hashes_and_backticks(make_repo) -> None:
    line = "## " + "# " * LONG + "`" * LONG + "~~" * LONG
    repo = make_repo({"docs/adr/0001-use-x.md": f"# 1. Use X\n\n{line}\n\nStatus: ~~{'~' * LONG}\n",
                      "RUNBOOK.md": f"# Runbook\n{line}\n"})
    results = _scan(repo)
    assert _status(results, "adr.present") == "pass"


@pytest.mark.hostile("repo", "markdown-unclosed-links")
def test_markdown_unclosed_links(make_repo) -> None:
    brackets = "[](" * (LONG // 3)
    repo = make_repo({"docs/adr/0001-use-x.md": f"# 1. Use {brackets}\n\nStatus: Accepted\n{brackets}\n",
                      "RUNBOOK.md": f"# Runbook {brackets}\n\n## Alerts {brackets}\n\nRestart it.\n"})
    results = _scan(repo)
    assert _status(results, "adr.present") == "pass"
    assert _status(results, "runbook.present") == "pass"


@pytest.mark.hostile("repo", "adr-status-line-padding")
def test_adr_status_line_padding(make_repo) -> None:
    status = "Status" + " " * LONG + "x"
    refs = "ADR" + " #-" * LONG + "\n" + "supersedes " * 2000
    repo = make_repo({"docs/adr/0001-use-x.md": f"# 1. Use X\n\n{status}\n\n* Status *" + "*_" * LONG + "\n"
                      f"| Status |{' ' * LONG}\n{refs}\n"})
    results = _scan(repo)
    assert _status(results, "adr.present") == "pass"


# ---- CI and workflows ---------------------------------------------------------------------------
@pytest.mark.hostile("repo", "workflow-run-expressions")
def test_workflow_run_script_of_open_expressions(make_repo) -> None:
    script = "pytest " + "${{ " * LONG + "\n" + "make" + " " * LONG + "x\n"
    workflow = {"on": {"pull_request": {}}, "jobs": {"test": {"runs-on": "ubuntu-latest", "steps": [
        {"run": script}, {"run": "pytest"}]}}}
    repo = make_repo({".github/workflows/ci.yml": json.dumps(workflow)})
    results = _scan(repo)
    assert _status(results, "ci.present") == "pass"
    assert _status(results, "ci.tests_on_pr") == "pass"


@pytest.mark.hostile("repo", "makefile-target-padding")
def test_makefile_target_with_long_padding(make_repo) -> None:
    makefile = "test" + " " * LONG + "x\n" + "a" + " %" * LONG + "\n" + "test:\n\tpytest\n"
    workflow = {"on": {"pull_request": {}}, "jobs": {"test": {"runs-on": "ubuntu-latest", "steps": [
        {"run": "make test"}]}}}
    repo = make_repo({"Makefile": makefile, ".github/workflows/ci.yml": json.dumps(workflow)})
    results = _scan(repo)
    assert _status(results, "ci.present") == "pass"


@pytest.mark.hostile("repo", "gitlab-include-glob")
def test_gitlab_include_glob_with_many_stars(make_repo) -> None:
    glob = "ci/" + "*a" * 20 + "*b.yml"
    files = {".gitlab-ci.yml": f"include:\n  - local: '{glob}'\ntest:\n  script: [pytest]\n"
                               "  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n",
             "ci/" + "a" * 240 + ".yml": "lint:\n  script: [ruff check .]\n"}
    repo = make_repo(files)
    results = _scan(repo)
    assert _status(results, "ci.present") == "pass"


@pytest.mark.hostile("repo", "jenkinsfile-unclosed-brackets")
def test_jenkinsfile_unclosed_brackets(make_repo) -> None:
    text = "pipeline { stages { stage('Test') { steps { sh 'mvn test' } } } }\n" + "runMaven([" * (LONG // 10) \
        + "\n" + "coverage report " * (LONG // 16) + "\n"
    repo = make_repo({"Jenkinsfile": text})
    results = _scan(repo)
    assert _status(results, "ci.present") == "pass"


@pytest.mark.hostile("repo", "alert-rule-hostile-text")
def test_alert_rules_with_hostile_text(make_repo) -> None:
    rules = ("groups:\n- name: g\n  rules:\n  - alert: High" + "Latency" * 2000 + "\n"
             f"    expr: rate(x[5m]) > 1 {'(' * LONG}\n    for: {'1' * LONG}x\n"
             f"    annotations:\n      runbook_url: '{'[](' * (LONG // 3)}'\n"
             f"      summary: '{'${{' * LONG}'\n")
    repo = make_repo({"alerts/rules.yml": rules})
    results = _scan(repo)
    assert _status(results, "alerts.runbook_links") in ("pass", "fail")


@pytest.mark.hostile("repo", "policy-glob-doublestar-chain")
def test_policy_glob_doublestar_chain(make_repo, tmp_path: Path) -> None:
    """A policy's file_exists glob with a chain of `**` against a path 400 directories deep."""
    policy = tmp_path / "custom.yaml"
    policy.write_text("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: custom, version: 1.0.0}\n"
                      "checks:\n  - id: acme.rule\n    title: A custom rule\n    category: delivery\n"
                      "    type: file_exists\n    params: {globs: ['" + "**/a/" * 6 + "**/b']}\n"
                      "    fix: Add b.\nrules:\n  - {check: acme.rule}\n")
    repo = make_repo({"/".join(["a"] * 400) + "/c": "x\n", "a/a/a/a/a/a/b": "y\n"})
    result = run_bounded("scan", repo, "--format", "json", "--policy", policy, seconds=SECONDS)
    assert_held(result, (0, 1))
    rule = {r["check"]: r for r in json.loads(result.out)["results"]}["acme.rule"]
    assert rule["status"] == "pass" and "found 1 file" in rule["message"]
