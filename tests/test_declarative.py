"""Declarative checks (file_exists, file_contains) through the CLI, and RE2's linear-time matching."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli_helpers import results_by_check, scan_json

HEADER = "apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: custom, version: 1.0.0}\n"


def policy_with(tmp_path, check_type, params, rule_params="{}"):
    path = tmp_path / "custom.yaml"
    path.write_text(HEADER + f"checks:\n  - id: acme.rule\n    title: A custom rule\n    category: delivery\n"
                    f"    type: {check_type}\n    params: {params}\n"
                    f"    fix: Do the thing.\nrules:\n  - {{check: acme.rule, params: {rule_params}}}\n")
    return str(path)


@pytest.mark.parametrize("params, status, score", [
    ("{globs: ['**/Dockerfile']}", "pass", 1.0),
    ("{globs: ['Dockerfile']}", "fail", 0.0),                       # only at the root
    ("{globs: ['**/Dockerfile'], min_count: 3}", "fail", 2 / 3),
    ("{globs: ['svc/*/Dockerfile', 'docs/**/*.md'], mode: all}", "fail", 0.5),
    ("{globs: ['svc/*/Dockerfile', '.github/**'], mode: all}", "pass", 1.0),
    ("{globs: ['svc/{a,b}/Dockerfile'], min_count: 2}", "pass", 1.0),
])
def test_file_exists(make_repo, tmp_path, params, status, score):
    repo = make_repo({"svc/a/Dockerfile": "FROM x\n", "svc/b/Dockerfile": "FROM y\n", ".github/x.yml": "a: 1\n"})
    _, report = scan_json(repo, "--policy", policy_with(tmp_path, "file_exists", params))
    rule = results_by_check(report)["acme.rule"]
    assert (rule["status"], rule["score"]) == (status, round(score, 4)), rule["message"]


def test_file_contains_reports_lines_per_mode(make_repo, tmp_path):
    repo = make_repo({"svc/a/Dockerfile": "FROM x\nUSER app\nHEALTHCHECK CMD true\n",
                      "svc/b/Dockerfile": "FROM y\n", "notes.md": "password = hunter2\n"})
    _, report = scan_json(repo, "--policy", policy_with(
        tmp_path, "file_contains", "{glob: '**/Dockerfile', pattern: '^HEALTHCHECK\\s', mode: all}"))
    rule = results_by_check(report)["acme.rule"]
    assert rule["status"] == "fail" and rule["score"] == 0.5
    assert rule["locations"] == [{"path": "svc/b/Dockerfile", "line": None}]
    _, report = scan_json(repo, "--policy", policy_with(
        tmp_path, "file_contains", "{glob: '**/Dockerfile', pattern: '^healthcheck', ignore_case: true}"))
    rule = results_by_check(report)["acme.rule"]
    assert rule["status"] == "pass" and rule["locations"] == [{"path": "svc/a/Dockerfile", "line": 3}]
    _, report = scan_json(repo, "--policy", policy_with(
        tmp_path, "file_contains", "{glob: '**', pattern: 'password\\s*='}", "{mode: none}"))
    rule = results_by_check(report)["acme.rule"]
    assert rule["status"] == "fail" and rule["locations"] == [{"path": "notes.md", "line": 1}]


def test_perl_syntax_groups_and_classes_work(make_repo, tmp_path):
    repo = make_repo({"Dockerfile": "FROM python:3.11\nUSER app\n"})
    _, report = scan_json(repo, "--policy", policy_with(
        tmp_path, "file_contains", "{glob: Dockerfile, pattern: '^(?:USER|user)\\s+\\w+$'}"))
    rule = results_by_check(report)["acme.rule"]
    assert rule["status"] == "pass" and rule["locations"] == [{"path": "Dockerfile", "line": 2}]


def test_max_files_is_an_error_not_a_silent_pass(make_repo, tmp_path):
    repo = make_repo({f"f{i}.txt": "x\n" for i in range(5)})
    _, report = scan_json(repo, "--policy", policy_with(tmp_path, "file_contains",
                                                        "{glob: '*.txt', pattern: 'y', max_files: 3}"))
    assert results_by_check(report)["acme.rule"]["status"] == "error"


def test_hostile_pattern_runs_in_linear_time(make_repo, tmp_path):
    """(a+)+$ against 'aaaa…b' backtracks exponentially in Python's re; RE2 answers at once.
    Run in a subprocess with a generous time-out so a regression fails instead of hanging."""
    repo = make_repo({"evil.txt": "a" * 50_000 + "b\n"})
    policy = policy_with(tmp_path, "file_contains", "{glob: '*.txt', pattern: '(a+)+$'}")
    proc = subprocess.run([sys.executable, "-m", "standards_check", "scan", str(repo), "--policy", policy,
                           "--format", "json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    import json

    rule = results_by_check(json.loads(proc.stdout))["acme.rule"]
    assert rule["status"] == "fail" and "not found" in rule["message"]


GLOBS = ["**", "*", "docs/**", "**/Dockerfile", "Dockerfile", "svc/*/Dockerfile", "docs/**/*.md", ".github/**",
         "svc/{a,b}/Dockerfile", "a/**/b", "**/a/**/b", "*.txt", "**/*.py", "[!a]*", "[ab]?/*", "x[[:digit:]]",
         "a/**", "**/b/**", ".*", "a*b*c", r"\*x", "!x", "a/[]b]", "a/[!]]", "**/**/b", "{a,b/**}/c",
         "a/b/**/c/**", "[", "a[b", "?", "*/*",
         # reversed ranges are dropped, an emptied class matches nothing (RE2 rejects `[z-a]`)
         "[z-a]", "a/[z-ab]", "x[!z-a]", "[b-a-c]", "x[a-c]", r"x[\z-a]", "x[a-]"]
PATHS = ["Dockerfile", "svc/a/Dockerfile", "svc/c/d/Dockerfile", "docs/a.md", "docs/x/y/z.md", "docs",
         ".github/workflows/ci.yml", "a/b", "a/c/b", "a/c/d/b", "b", "x.txt", "d/x.txt", "p/q/m.py", "b/c", "ab/c",
         "x1", "xa", "a", ".env", "aXbYc", "*x", "x", "a/]", "a/b/c/d/c", "a/b/c", "[", "a[b", "q",
         "x-", "xb", "c", "-", "z"]


@pytest.mark.parametrize("glob", GLOBS)
def test_globs_match_as_wcmatch_reads_them(glob):
    """The RE2 translation agrees with wcmatch's own matcher (GLOBSTAR, DOTGLOB, BRACE, NEGATE)."""
    from wcmatch import glob as wcglob

    from standards_check.globs import compile_globs, glob_flags

    regex = compile_globs((glob,))
    assert [p for p in PATHS if regex.fullmatch(p)] == [p for p in PATHS if wcglob.globmatch(p, glob, flags=glob_flags())]
