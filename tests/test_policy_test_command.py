"""`standards-check policy test [DIR]`: a policy repository's own tests; the shipped example runs here."""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.cli_helpers import run_cli
from tests.conftest import git

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "policy-repo"
HEADER = "apiVersion: standards-check/v1\nkind: Policy\n"


@pytest.fixture
def policy_dir(tmp_path) -> Path:
    target = tmp_path / "standards"
    shutil.copytree(EXAMPLE, target)
    return target


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_example_policy_repository_passes_its_own_tests():
    result = run_cli("policy", "test", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "3 cases, 0 failed"
    assert [line.split()[1] for line in lines[:-1]] == [
        "bare-service-fails", "library-needs-a-licence", "service-with-foundations"]


def test_the_example_policies_validate():
    files = sorted(str(p) for p in (EXAMPLE / "policies").glob("*/*.yaml"))
    result = run_cli("policy", "validate", *files)
    assert result.exit_code == 0, result.output


def test_the_example_workflow_validates_tests_and_previews():
    workflow = yaml.safe_load((EXAMPLE / ".github/workflows/policy.yml").read_text())
    runs = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])
    for command in ("policy validate", "policy test", "policy diff"):
        assert f"standards-check {command} " in runs
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and all(len(u.partition("@")[2]) == 40 for u in uses)


def test_a_failing_case_names_the_case_the_rule_the_expected_and_the_actual(policy_dir):
    expect = policy_dir / "tests/service-with-foundations/expect.yaml"
    expect.write_text(expect.read_text().replace("ci.present: pass", "ci.present: fail")
                      .replace("level: 1", "level: 3"))
    result = run_cli("policy", "test", str(policy_dir))
    assert result.exit_code == 1
    assert "FAIL  service-with-foundations: level: expected 3, got 1" in result.stdout
    assert "FAIL  service-with-foundations: results.ci.present: expected fail, got pass" in result.stdout
    assert "ok    bare-service-fails" in result.stdout
    assert result.stdout.splitlines()[-1] == "3 cases, 1 failed"


def test_score_bounds_and_passed(policy_dir):
    expect = policy_dir / "tests/bare-service-fails/expect.yaml"
    expect.write_text(expect.read_text().replace("passed: false", "passed: true")
                      .replace("score_max: 20", "score_min: 90"))
    result = run_cli("policy", "test", str(policy_dir))
    assert result.exit_code == 1
    assert "bare-service-fails: passed: expected true, got false (" in result.stdout
    assert "bare-service-fails: score_min: expected score >= 90, got 15.4" in result.stdout


def test_junit_output(policy_dir, tmp_path):
    expect = policy_dir / "tests/library-needs-a-licence/expect.yaml"
    expect.write_text(expect.read_text().replace("license.present: fail", "license.present: pass"))
    out = tmp_path / "policy-tests.xml"
    result = run_cli("policy", "test", str(policy_dir), "--format", "junit", "--output", str(out))
    assert result.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["library-needs-a-licence"]
    assert failed[0].find("failure").get("message").startswith(
        "results.license.present: expected pass, got fail")


def test_names_resolve_in_the_repository_policies_first(tmp_path):
    """A policy of the directory named like a bundled one shadows it; a name it lacks is bundled."""
    write(tmp_path / "policies/baseline/9.0.0.yaml",
          HEADER + "metadata: {name: baseline, version: 9.0.0}\nrules:\n  - {check: readme.present}\n")
    write(tmp_path / "tests/own/repo/README.md", "# x\n")
    write(tmp_path / "tests/own/expect.yaml", "policy: baseline\nresults:\n  readme.present: fail\n"
                                              "  codeowners.present: absent\n")
    write(tmp_path / "tests/bundled/repo/README.md", "# x\n")
    write(tmp_path / "tests/bundled/expect.yaml", "policy: production-service\nresults:\n  codeowners.present: fail\n")
    result = run_cli("policy", "test", str(tmp_path))
    assert result.exit_code == 0, result.output


def test_a_git_policy_in_a_case(make_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("STANDARDS_CHECK_CACHE", str(tmp_path / "cache"))
    repo = make_repo({"policies/p/1.0.0.yaml": HEADER + "metadata: {name: p, version: 1.0.0}\n"
                      "rules:\n  - {check: license.present}\n"}, name="remote")
    git(repo, "tag", "v1")
    write(tmp_path / "d/tests/remote/repo/LICENSE", "MIT License\n")
    write(tmp_path / "d/tests/remote/expect.yaml", f"policy: git+file://{repo}@v1#p\npassed: true\n"
                                                   "results: {{license.present: pass}}\n".replace("{{", "{").replace("}}", "}"))
    result = run_cli("policy", "test", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("files, message", [
    ({"tests/a/expect.yaml": "policy: baseline\npassed: true\n"}, "tests/a/repo: missing"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "policy: baseline\npased: true\n"},
     "tests/a/expect.yaml:2:1: unknown key 'pased'"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "policy: baseline\nresults: {readme.present: ok}\n"},
     "tests/a/expect.yaml:2:27: results.readme.present: 'ok' is not one of"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "passed: true\n"}, "tests/a/expect.yaml:1:1: top level: 'policy' is required"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "policy: baseline\n"}, "tests/a/expect.yaml:1:1: expects nothing"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "policy: [baseline\n"}, "tests/a/expect.yaml:2:1:"),
    ({"tests/a/repo/x": "", "tests/a/expect.yaml": "policy: nosuch\npassed: true\n"}, "no policy named 'nosuch'"),
    ({"tests/a/repo/x": ""}, "tests/a/expect.yaml: missing"),
    ({"README.md": ""}, "no policy tests:"),
])
def test_malformed_cases_exit_2(tmp_path, files, message):
    for rel, text in files.items():
        write(tmp_path / rel, text)
    result = run_cli("policy", "test", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert result.stdout == ""
