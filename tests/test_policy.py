"""Policy resolution: versions, extends, merging, cycles, validation with file:line:column."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check.errors import UserError
from standards_check.policy import PolicyLoader, find_bundled, resolve_policy, validate_files
from tests.cli_helpers import run_cli

HEADER = "apiVersion: standards-check/v1\nkind: Policy\n"


def write_policy(root: Path, name: str, version: str, body: str = "rules: []\n") -> Path:
    path = root / name / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"metadata: {{name: {name}, version: {version}}}\n" + body)
    return path


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "policies"
    for version in ("1.0.0", "1.2.0", "1.10.3", "2.0.0", "2.1.0"):
        write_policy(root, "svc", version)
    return str(root)


@pytest.mark.parametrize("ref, expected", [
    ("svc", "2.1.0"), ("svc@1", "1.10.3"), ("svc@1.2", "1.2.0"), ("svc@1.0.0", "1.0.0"), ("svc@2.0", "2.0.0"),
])
def test_highest_matching_version_wins(store, ref, expected):
    assert find_bundled(ref, store).stem == expected


@pytest.mark.parametrize("ref, message", [
    ("svc@3", "policy svc@3 does not exist (versions of svc: 1.0.0, 1.2.0, 1.10.3, 2.0.0, 2.1.0)"),
    ("svc@1.3", "policy svc@1.3 does not exist"),
    ("svc@v1", "not a version: 'v1'"),
    ("other", "no policy named 'other' (bundled policies: svc)"),
])
def test_unknown_versions_are_clear_errors(store, ref, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find_bundled(ref, store)


def test_extends_merges_rules_params_levels_gate(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text(HEADER + "metadata: {name: parent, version: 1.0.0}\n"
                      "levels: {1: Basics}\ngate: {min_score: 50, min_level: 1}\nrules:\n"
                      "  - {check: readme.present, level: 1, weight: 2, params: {min_bytes: 10}}\n"
                      "  - {check: license.present}\n  - {check: contributing.present, level: 4}\n")
    child = tmp_path / "child.yaml"
    child.write_text(HEADER + "metadata: {name: child, version: 2.0.0}\nextends: ./parent.yaml\n"
                     "gate: {min_score: 80}\nrules:\n"
                     "  - {check: readme.present, severity: warning}\n"
                     "  - {check: license.present, disabled: true}\n"
                     "  - {check: pr_template.present, level: 2}\n")
    policy = PolicyLoader().load(str(child))
    rules = {r.check: r for r in policy.rules}
    assert sorted(rules) == ["contributing.present", "pr_template.present", "readme.present"]
    readme = rules["readme.present"]
    assert (readme.level, readme.severity, readme.weight, readme.params) == (1, "warning", 2.0, {"min_bytes": 10})
    assert policy.gate.min_score == 80 and policy.gate.min_level == 1
    assert policy.levels[1] == "Basics" and policy.levels[5] == "Excellence"
    assert policy.chain == ("child@2.0.0", "parent@1.0.0")


def test_extends_cycle_is_detected(tmp_path):
    (tmp_path / "a.yaml").write_text(HEADER + "metadata: {name: a, version: 1.0.0}\nextends: ./b.yaml\n")
    (tmp_path / "b.yaml").write_text(HEADER + "metadata: {name: b, version: 1.0.0}\nextends: ./a.yaml\n")
    with pytest.raises(UserError, match="cycle"):
        PolicyLoader().load(str(tmp_path / "a.yaml"))


def test_validate_reports_every_problem_with_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: standards-check/v2\n"             # 1
        "kind: Policy\n"                               # 2
        "metadata: {name: Bad_Name, version: '1.0'}\n"  # 3
        "gate: {min_score: 120}\n"                     # 4
        "rules:\n"                                     # 5
        "  - check: readme.present\n"                  # 6
        "    severity: fatal\n"                        # 7
        "    colour: red\n"                            # 8
    )
    problems = [str(p) for p in validate_files([str(bad)])]
    assert f"{bad}:1:13: apiVersion: must be 'standards-check/v1', not 'standards-check/v2'" in problems
    assert any(p.startswith(f"{bad}:3:18: metadata.name: 'Bad_Name' does not have the expected form") for p in problems)
    assert any(p.startswith(f"{bad}:3:37: metadata.version") for p in problems)
    assert any(p.startswith(f"{bad}:4:19: gate.min_score: 120 is greater than the maximum of 100") for p in problems)
    assert f"{bad}:7:15: rules[0].severity: 'fatal' is not one of 'error', 'warning', 'info'" in problems
    assert any(p.startswith(f"{bad}:8:5: rules[0]: unknown key 'colour'") for p in problems)


def test_semantic_problems_unknown_check_params_duplicates(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + "metadata: {name: bad, version: 1.0.0}\nrules:\n"
                   "  - check: readme.presnt\n"                              # 5
                   "  - check: readme.present\n    params: {min_bytes: -1, colour: 1}\n"  # 6-7
                   "  - check: license.present\n  - check: license.present\n")  # 8-9
    problems = [str(p) for p in validate_files([str(bad)])]
    assert f"{bad}:9:12: rules[3]: check 'license.present' is listed twice (first as rules[2])" in problems
    bad.write_text(HEADER + "metadata: {name: bad, version: 1.0.0}\nrules:\n"
                   "  - check: readme.presnt\n"
                   "  - check: readme.present\n    params: {min_bytes: -1, colour: 1}\n")
    problems = [str(p) for p in validate_files([str(bad)])]
    assert any(p.startswith(f"{bad}:5:12: rules[0]: unknown check 'readme.presnt'") for p in problems)
    assert any(f"{bad}:7:13: unknown param(s) ['colour'] for readme.present" in p for p in problems)
    assert any(p.startswith(f"{bad}:7:") and "min_bytes" in p and "-1 is less than the minimum of 0" in p
               for p in problems)


def test_policy_validate_command_exit_codes(tmp_path):
    good = Path(find_bundled("baseline"))
    result = run_cli("policy", "validate", str(good))
    assert result.exit_code == 0 and "1 policy valid" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: [\n")
    result = run_cli("policy", "validate", str(good), str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:2:1: invalid YAML")


def test_inline_declarative_checks(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(HEADER + "metadata: {name: p, version: 1.0.0}\nchecks:\n"
                      "  - id: acme.dockerfile\n    title: Services ship a Dockerfile\n    category: delivery\n"
                      "    type: file_exists\n    params: {globs: ['**/Dockerfile']}\n"
                      "rules:\n  - {check: acme.dockerfile, params: {min_count: 2}}\n")
    resolved = resolve_policy(str(policy))
    assert resolved.rules[0].params == {"min_count": 2}
    assert resolved.custom_checks["acme.dockerfile"].defaults()["globs"] == ["**/Dockerfile"]
    policy.write_text(HEADER + "metadata: {name: p, version: 1.0.0}\nchecks:\n"
                      "  - id: acme.bad\n    title: Bad pattern\n    category: delivery\n"
                      "    type: file_contains\n    params: {glob: '*.md', pattern: '(unclosed'}\n"
                      "rules:\n  - {check: acme.bad}\n")
    problems = [str(p) for p in validate_files([str(policy)])]
    assert problems == [f"{policy}:9:13: acme.bad: invalid RE2 pattern '(unclosed': missing ): (unclosed"]


def test_policy_show_prints_resolved_policy():
    result = run_cli("policy", "show", "production-service@1")
    assert result.exit_code == 0
    assert "resolved_from:\n- production-service@1.0.0\n- baseline@1.0.0" in result.stdout
    assert "min_bytes: 100" in result.stdout


TEAM_POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: team, version: 1.0.0}
extends: baseline@1
rules:
  - {check: slo.present, level: 3}
"""


@pytest.mark.parametrize("args", [(), ("--ref", "HEAD"), ("--base", "HEAD")])
def test_repository_policy_file_may_extend_a_bundled_policy(make_repo, args) -> None:
    # .standards.yml names a policy file of the repository; the file extends baseline@1. The bundled
    # parent is read from the package, not looked for inside the repository.
    import json

    repo = make_repo({"README.md": "# svc\n", "policies/team.yaml": TEAM_POLICY,
                      ".standards.yml": "policy: policies/team.yaml\n"})
    from_config = run_cli("scan", str(repo), "--format", "json", *args)
    assert from_config.exit_code in (0, 1), from_config.output
    given = run_cli("scan", str(repo), "--format", "json", "--policy", str(repo / "policies/team.yaml"))
    config_report, given_report = json.loads(from_config.stdout), json.loads(given.stdout)
    assert config_report["policy"]["name"] == "team"
    checks = [r["check"] for r in config_report["results"]]
    assert checks == [r["check"] for r in given_report["results"]]
    assert "slo.present" in checks and "readme.present" in checks  # its own rule and baseline's


def test_bundled_policies_are_valid_and_load_the_same_unvalidated() -> None:
    # a scan trusts the package's own policies and reads them without jsonschema (hatch_build.py
    # validates them when the package is built); this test keeps them valid in the source tree
    from standards_check.policy import _read_raw, bundled_policies

    files = [path for versions in bundled_policies().values() for path in versions.values()]
    assert len(files) >= 2
    loader = PolicyLoader()
    for path in files:
        raw, problems = _read_raw(str(path), path.read_text())
        assert problems == [] and raw is not None, problems
        unvalidated, _ = _read_raw(str(path), path.read_text(), validate=False)
        assert unvalidated is not None and unvalidated.data == raw.data
        # its params fit the shipped catalog's schemas, and resolving unchecked gives the same
        parent = loader.load(raw.data["extends"]) if "extends" in raw.data else None
        checked, problems = loader._resolve(raw, parent, str(path))
        assert problems == [], problems
        assert loader._resolve(raw, parent, str(path), trusted=True) == (checked, [])
    # and as a file (validated) it resolves as by name (trusted)
    assert PolicyLoader().load(str(find_bundled("production-service"))).rules == \
        PolicyLoader().load("production-service").rules


@pytest.mark.parametrize("own", [True, False])
def test_only_the_packages_own_policies_skip_schema_validation(make_repo, tmp_path, own) -> None:
    # a scan with a bundled policy does not import jsonschema; a policy file still is validated (a
    # bad one is an error, not a scan), even a copy of a bundled one
    import subprocess
    import sys

    repo = make_repo({"README.md": "# svc\n"})
    args = ["--policy", "production-service"]
    if not own:
        shipped = find_bundled("production-service")
        bad = tmp_path / shipped.name
        bad.write_text(shipped.read_text().replace("kind: Policy", "kind: Polcy"))
        assert bad.read_text() != shipped.read_text()
        args = ["--policy", str(bad)]
    code = ("import sys\nfrom standards_check.cli import main\nsys.argv = ['standards-check', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code, file=sys.stderr)\n"
            "print('jsonschema' in sys.modules, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, "scan", str(repo), *args], capture_output=True, text=True)
    lines = proc.stderr.strip().splitlines()
    if own:
        assert lines[-2:] == ["exit 1", "False"], proc.stderr  # the scan ran: README only, so failing
    else:
        assert lines[-2:] == ["exit 2", "True"] and "kind: must be 'Policy', not 'Polcy'" in proc.stderr, proc.stderr
