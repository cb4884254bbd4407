"""End to end through the CLI on real git repositories."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, run_cli, scan_json
from tests.conftest import commit_all, git, write_files

REPORT_SCHEMA = Draft202012Validator(json.loads(schema_path("report.schema.json").read_text()))
GOOD_README = "# svc\n\nWhat this service does, how to build it, test it and run it, and who to ask.\n" * 2

POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: team, version: 1.0.0}
gate: {min_score: 50, min_level: 1}
rules:
  - {check: readme.present, level: 1, weight: 3}
  - {check: license.present, level: 2}
"""


def test_json_report_validates_and_scores(make_repo, tmp_path):
    repo = make_repo({"README.md": GOOD_README})
    policy = tmp_path / "team.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    REPORT_SCHEMA.validate(report)
    assert code == 0
    results = results_by_check(report)
    assert results["readme.present"]["status"] == "pass"
    assert results["readme.present"]["locations"] == [{"path": "README.md", "line": None}]
    assert results["license.present"]["status"] == "fail"
    assert report["score"] == 75.0 and report["level"] == 1 and report["passed"] is True
    assert report["repository"]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert report["categories"]["knowledge"] == {"score": 100.0, "rules": 1, "failed": 0}
    assert report["categories"]["reliability"] == {}


def test_gate_failure_exits_1_and_text_shows_failures_first(make_repo, tmp_path):
    repo = make_repo({"notes.txt": "x"})
    result = run_cli("scan", str(repo))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "against policy baseline" in lines[0]
    assert re.match(r"Score \d+(\.\d)?/100 · Level 0 · Gate failed: score \S+ is below the minimum 60", lines[1])
    first = lines[3]
    assert first.startswith("✗ ") and "[error, level" in first  # failures first, errors before warnings
    readme = lines.index(next(line for line in lines if line.startswith("✗ readme.present")))
    assert lines[readme].startswith("✗ readme.present [error, level 1, weight 2] no README")
    assert lines[readme + 1].startswith("    fix: Add a README.md")
    assert "\033[" not in result.stdout  # no colour when not a TTY


def test_ref_scans_another_branch_without_checkout(make_repo):
    repo = make_repo({"notes.txt": "x"})
    git(repo, "checkout", "-q", "-b", "docs")
    write_files(repo, {"README.md": GOOD_README, "LICENSE": "MIT\n"})
    commit_all(repo, "docs")
    git(repo, "checkout", "-q", "main")
    _, on_main = scan_json(repo)
    _, on_docs = scan_json(repo, "--ref", "docs")
    assert results_by_check(on_main)["readme.present"]["status"] == "fail"
    assert results_by_check(on_docs)["readme.present"]["status"] == "pass"
    assert on_docs["repository"]["ref"] == "docs"
    assert not (repo / "README.md").exists()


def test_plain_directory_is_scanned(tmp_path):
    write_files(tmp_path / "d", {"Readme.md": GOOD_README, "COPYING": "GPL\n"})
    code, report = scan_json(tmp_path / "d")
    assert report["repository"]["commit"] is None
    assert results_by_check(report)["license.present"]["status"] == "pass"


def test_output_file_and_markdown(make_repo, tmp_path):
    repo = make_repo({"README.md": GOOD_README})
    out = tmp_path / "report.md"
    result = run_cli("scan", str(repo), "--format", "markdown", "--output", str(out))
    assert result.stdout == ""
    assert "wrote" in result.stderr and "gate" in result.stderr
    text = out.read_text()
    assert text.startswith("## ")
    assert "| `pr_template.present` | error | 2 |" in text


def test_repo_config_selects_policy_and_waives(make_repo, tmp_path):
    repo = make_repo({
        "README.md": GOOD_README,
        "policy/team.yaml": POLICY,
        ".standards.yml": "policy: policy/team.yaml\nwaivers:\n"
                          "  - {check: license.present, reason: Internal tool pending legal review, "
                          "expires: 2999-01-01, approved_by: '@acme/legal'}\n",
    })
    code, report = scan_json(repo)
    assert report["policy"]["name"] == "team"
    lic = results_by_check(report)["license.present"]
    assert lic["status"] == "waived"
    assert lic["waiver"]["state"] == "active"
    assert report["score"] == 100.0 and code == 0


def test_expired_and_malformed_waivers_are_reported_not_applied(make_repo):
    repo = make_repo({
        "README.md": GOOD_README,
        ".github/.standards.yml": "waivers:\n"
                                  "  - {check: license.present, reason: was fine once, expires: 2020-01-01}\n"
                                  "  - {check: pr_template.present, reason: no expiry given}\n",
    })
    _, report = scan_json(repo)
    results = results_by_check(report)
    assert results["license.present"]["status"] == "fail"
    assert results["license.present"]["waiver"]["state"] == "expired"
    assert results["pr_template.present"]["status"] == "fail"
    assert results["pr_template.present"]["waiver"]["state"] == "invalid"
    assert any("expired on 2020-01-01" in w for w in report["warnings"])
    assert any("malformed waiver at .github/.standards.yml:3" in w and "'expires' is a required property" in w
               for w in report["warnings"])


@pytest.mark.parametrize("args, files, expected", [
    (["scan", "{tmp}/missing"], None, "path does not exist"),
    (["scan", "{tmp}", "--ref", "HEAD"], None, "--ref needs a git repository"),
    (["scan", "{repo}", "--ref", "nope"], {}, "unknown git ref 'nope'"),
    (["scan", "{repo}", "--policy", "baseline@9"], {}, "policy baseline@9 does not exist (versions of baseline: 1.0.0)"),
    (["scan", "{repo}", "--policy", "nosuch"], {}, "no policy named 'nosuch'"),
    (["scan", "{repo}", "--policy", "{tmp}/nofile.yaml"], {}, "policy file not found"),
    (["scan", "{repo}"], {".standards.yml": "policy: [x\n"}, ".standards.yml:2:1: invalid YAML"),
    (["scan", "{repo}"], {".standards.yml": "polcy: baseline\n"}, ".standards.yml:1:1: unknown key 'polcy'"),
])
def test_bad_input_is_one_line_exit_2(make_repo, tmp_path, args, files, expected):
    repo = make_repo(files or {}) if files is not None else tmp_path
    argv = [a.format(tmp=tmp_path, repo=repo) for a in args]
    result = run_cli(*argv)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_policy_names_file_line_and_problem(make_repo, tmp_path):
    repo = make_repo({"README.md": "x"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: bad, version: 1.0.0}\n"
                   "rules:\n  - check: readme.present\n    weight: heavy\n  - check: no.such_check\n")
    result = run_cli("scan", str(repo), "--policy", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:6:13: rules[0].weight: 'heavy' is not of type 'number'" in result.stderr


def test_traceback_free_when_run_as_module(make_repo):
    import subprocess
    import sys

    repo = make_repo({})
    proc = subprocess.run([sys.executable, "-m", "standards_check", "scan", str(repo), "--policy", "x@y"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "standards-check: error: not a version: 'y' in 'x@y' (use MAJOR, MAJOR.MINOR or X.Y.Z)" \
        or "no policy named 'x'" in proc.stderr


def test_help_for_every_command():
    for args in (["--help"], ["scan", "--help"], ["ci", "--help"], ["checks", "list", "--help"], ["checks", "explain", "--help"],
                 ["policy", "list", "--help"], ["policy", "show", "--help"], ["policy", "validate", "--help"]):
        result = run_cli(*args)
        assert result.exit_code == 0, args
        assert "Usage:" in result.stdout
