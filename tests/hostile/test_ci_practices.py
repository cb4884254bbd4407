"""Hostile repositories for what CI runs and how practices are found: task files that call
themselves, launchers nested without end, task files that are huge or not what they claim, content
scans over many documents, links that point out of the repository, pathological exclude globs.
Each case runs the CLI bounded in time and memory and states what must hold."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.hostile.harness import assert_held, run_bounded

CI = ".github/workflows/ci.yml"


def workflow(*runs: str) -> str:
    steps = "".join(f"      - run: {run}\n" for run in runs)
    return f"on: [pull_request]\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


def scan_json(repo: Path, seconds: float = 20.0) -> str:
    result = run_bounded("scan", repo, "--policy", "production-service", "--format", "json", seconds=seconds)
    assert_held(result, (0, 1))
    return result.out


def result_of(out: str, check: str) -> dict:
    import json

    return next(r for r in json.loads(out)["results"] if r["check"] == check)


@pytest.mark.hostile("repo", "makefile-recursive-fanout")
def test_makefile_targets_that_call_each_other(make_repo) -> None:
    targets = "".join(f"t{i}: {' '.join(f't{j}' for j in range(40))}\n\t$(MAKE) t{(i + 1) % 40}\n\tmake t{i}\n"
                      for i in range(40))
    repo = make_repo({"Makefile": targets + "sec:\n\tbandit -r src\n", CI: workflow("make t0", "make sec")})
    out = scan_json(repo)
    assert result_of(out, "security.sast")["status"] == "pass"


@pytest.mark.hostile("repo", "taskfile-self-calling-default")
def test_taskfile_whose_tasks_call_themselves(make_repo) -> None:
    tasks = "".join(f"  t{i}:\n    deps: [t{(i + 1) % 3000}, default]\n    cmds:\n      - task: t{i}\n      - task t{i}\n"
                    for i in range(3000))
    repo = make_repo({"Taskfile.yml": "version: '3'\ntasks:\n  default:\n    cmds:\n      - task: default\n"
                                      "      - task: t0\n" + tasks, CI: workflow("task", "task t5")})
    scan_json(repo)


@pytest.mark.hostile("repo", "justfile-recipe-cycle")
def test_justfile_recipes_in_a_cycle(make_repo) -> None:
    recipes = "".join(f"r{i}: r{(i + 1) % 5000} r{(i + 7) % 5000}\n    just r{i}\n" for i in range(5000))
    repo = make_repo({"justfile": recipes, CI: workflow("just", "just r3")})
    scan_json(repo)


@pytest.mark.hostile("repo", "taskfile-yaml-alias-bomb")
def test_taskfile_alias_bomb(make_repo) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    text = bomb + "version: '3'\ntasks:\n  default:\n    cmds: *i\n    deps: *i\n"
    repo = make_repo({"Taskfile.yml": text, "mise.toml": "[tasks.x]\nrun = [" + "'a'," * 50_000 + "]\n",
                      CI: workflow("task", "mise run x")})
    scan_json(repo)


@pytest.mark.hostile("repo", "python-task-files-deep-nesting")
def test_noxfile_and_tasks_py_that_do_not_parse(make_repo) -> None:
    nested = "x = " + "(" * 50_000 + ")" * 50_000 + "\n"
    repo = make_repo({"noxfile.py": nested, "tasks.py": "@task\ndef lint(c):\n    c.run(" + "[" * 5000 + "\n",
                      CI: workflow("nox -s lint", "invoke lint")})
    scan_json(repo)


@pytest.mark.hostile("repo", "launchers-nested-without-end")
def test_launchers_nested_deeply(make_repo) -> None:
    nested = "poetry run " * 2000 + "docker compose run app " * 500 + "nix develop -c " * 500 + "pytest"
    quoted = "nix-shell --run '" + "sh -c " * 3000 + "bandit -r src'"
    repo = make_repo({CI: workflow(nested, quoted)})
    out = scan_json(repo)
    assert result_of(out, "ci.tests_on_pr")["status"] in ("pass", "fail")


@pytest.mark.hostile("repo", "many-numbered-document-folders")
def test_thousands_of_numbered_folders(make_repo) -> None:
    body = "# 1. x\n\n## Status\nAccepted\n\n## Context\n" + "words " * 2000 + "\n## Decision\nyes\n"
    files = {f"d{i}/000{j}-note.md": body for i in range(2500) for j in (1, 2)}
    out = scan_json(make_repo(files), seconds=40)
    assert result_of(out, "adr.present")["status"] == "pass"


@pytest.mark.hostile("repo", "runbook-content-scan-flood")
def test_thousands_of_documents_that_mention_every_word(make_repo) -> None:
    body = ("diagnosis mitigation escalation on-call rollback troubleshooting\n" * 200
            + "".join(f"\n## Notes {i}\n" for i in range(300)))
    files = {f"docs/notes/n{i}.md": body for i in range(4000)}
    out = scan_json(make_repo(files), seconds=40)
    assert result_of(out, "runbook.present")["status"] == "fail"


@pytest.mark.hostile("repo", "alert-content-scan-alias-bombs")
def test_yaml_alias_bombs_that_look_like_rules(make_repo) -> None:
    bomb = "a: &a [alert, expr, groups, x, x, x, x, x, x]\n"
    for level in "bcdefghijk":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    bomb += "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: *k\n"
    files = {f"deploy/svc{i}.yaml": bomb for i in range(20)}
    scan_json(make_repo(files), seconds=40)


@pytest.mark.hostile("repo", "runbook-links-out-of-the-repository")
def test_runbook_links_that_leave_the_repository(make_repo, tmp_path: Path) -> None:
    secret = tmp_path / "outside.md"
    secret.write_text("# Outside\n\n## Diagnosis\nTOP-SECRET-OUTSIDE\n")
    links = ["../../../../../../" + str(secret).lstrip("/"), str(secret), "file://" + str(secret),
             "https://github.com/acme/app/blob/main/../../../../" + str(secret).lstrip("/"),
             "https://github.com/acme/app/blob/" + "a/" * 3000 + "x.md"]
    rules = "groups:\n  - name: g\n    rules:\n" + "".join(
        f"      - alert: A{i}\n        expr: up == 0\n        annotations:\n          runbook_url: '{link}'\n"
        for i, link in enumerate(links))
    repo = make_repo({"alerts/rules.yaml": rules})
    (repo / "ops").mkdir()
    (repo / "ops" / "link.md").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    out = scan_json(repo)
    assert "TOP-SECRET-OUTSIDE" not in out
    assert result_of(out, "runbook.present")["status"] == "fail"


@pytest.mark.hostile("repo", "exclude-globs-pathological")
def test_exclude_globs_that_backtrack(make_repo) -> None:
    config = "exclude:\n  - '" + "*a" * 40 + "*b'\n  - '[z-a]'\n  - '" + "**/" * 300 + "x'\n"
    files = {".standards.yml": config, "alerts/" + "a" * 200 + ".yaml":
             "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"}
    out = scan_json(make_repo(files))
    assert result_of(out, "alerts.runbook_links")["status"] == "fail"  # evaluated, not an error


@pytest.mark.hostile("repo", "exclude-glob-brace-explosion")
def test_exclude_glob_whose_braces_explode(make_repo) -> None:
    config = "exclude:\n  - docs/**\n  - '" + "{a,b}" * 40 + "'\n"
    result = run_bounded("scan", make_repo({".standards.yml": config, "README.md": "x\n"}), seconds=20)
    assert_held(result, (2,))
    assert ".standards.yml:3" in result.err and "invalid glob" in result.err


@pytest.mark.hostile("repo", "security-policy-obfuscation-flood")
def test_security_policy_of_near_addresses(make_repo) -> None:
    text = "# Security\n\n" + ("user [at] host " * 20 + "\n") * 20_000 + "x (at) y (dot) " * 50_000
    result = run_bounded("scan", make_repo({"SECURITY.md": text}), "--format", "json", seconds=20)
    assert_held(result, (0, 1))


@pytest.mark.hostile("repo", "reusable-workflows-calling-each-other")
def test_reusable_workflows_in_a_cycle(make_repo) -> None:
    files = {}
    for i in range(60):
        files[f".github/workflows/w{i}.yml"] = (
            "on:\n  workflow_call:\n  pull_request_target:\njobs:\n"
            f"  a:\n    uses: ./.github/workflows/w{(i + 1) % 60}.yml\n"
            f"  b:\n    uses: acme/app/.github/workflows/w{(i + 2) % 60}.yml@main\n"
            "  c:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.head_ref }}\"\n")
    repo = make_repo(files)
    git(repo, "remote", "add", "origin", "https://github.com/acme/app.git")
    out = scan_json(repo)
    assert result_of(out, "workflows.dangerous_triggers")["status"] == "fail"
