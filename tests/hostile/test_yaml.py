"""Hostile structured data: YAML alias bombs, deep nesting (YAML, JSON, JSON5, TOML), huge policies,
NaN and infinity in a policy, many documents in one stream.

Every case runs the real CLI in a bounded child process on a real git repository (or a policy file)
and states what the user must see: the report names the refused file, or a policy or
`.standards.yml` problem is reported at file:line:column with exit 2.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.hostile.harness import assert_held, run_bounded

POLICY_HEAD = "apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: hostile, version: 1.0.0}\n"


def bomb(prefix: str = "x-a", levels: int = 9, indent: str = "") -> str:
    """A billion-laughs chain of anchors: each level is nine aliases of the one before (9**10 leaves)."""
    lines = [f'{indent}{prefix}0: &{prefix}0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*{prefix}{level - 1}"] * 9)
        lines.append(f"{indent}{prefix}{level}: &{prefix}{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def deep(levels: int = 995) -> str:
    return "[" * levels + "]" * levels


WORKFLOW = "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
DEPENDABOT = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n"
CATALOG = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\n"
           "spec: {type: service, owner: team-a, lifecycle: production}\n")
SLO = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: availability}\n"
ALERTS = "groups:\n  - name: svc\n    rules:\n      - alert: Down\n        expr: up == 0\n"
GITLAB = "test:\n  script: [make test]\n"

# (kind, path, valid content of that kind); the hostile part is added as extra top-level keys
REPO_YAML = [
    ("workflow", ".github/workflows/ci.yml", WORKFLOW),
    ("dependabot", ".github/dependabot.yml", DEPENDABOT),
    ("catalog-info", "catalog-info.yaml", CATALOG),
    ("slo", "slo/availability.yaml", SLO),
    ("alert-rules", "alerts/rules.yaml", ALERTS),
    ("gitlab-ci", ".gitlab-ci.yml", GITLAB),
    ("pre-commit", ".pre-commit-config.yaml", "repos:\n  - repo: local\n    hooks: [{id: bandit}]\n"),
    ("composite-action", ".github/actions/setup/action.yml", "runs:\n  using: composite\n  steps: []\n"),
    ("codecov", "codecov.yml", "coverage: {status: {project: {default: {target: 80%}}}}\n"),
    ("drone", ".drone.yml", "kind: pipeline\nname: default\nsteps: [{name: test, commands: [make test]}]\n"),
]

# files a kind needs beside it to be read at all (a composite action is read when a workflow uses it)
BESIDE = {"composite-action": {".github/workflows/ci.yml": WORKFLOW + "      - uses: ./.github/actions/setup\n"}}


def scan_json(repo: Path, *extra: str, seconds: float = 20.0):
    result = run_bounded("scan", str(repo), "--format", "json", "--policy", "production-service", *extra,
                         seconds=seconds)
    return result


def refused_warning(result, path: str, *words: str) -> str:
    """The report warning that says `path` was refused (and why)."""
    report = json.loads(result.out)
    hits = [w for w in report["warnings"] if path in w and "refused" in w]
    assert hits, f"no warning refuses {path}: {report['warnings']}\n" + result.describe()
    for word in words:
        assert word in hits[0], hits[0]
    return hits[0]


def cases(name: str, table):
    return [pytest.param(*row, marks=pytest.mark.hostile("repo", f"{name}-{row[0]}"), id=row[0]) for row in table]


# ---- repository content: alias bombs and deep nesting in each kind of YAML file ----------------------

@pytest.mark.parametrize("kind, path, content", cases("yaml-alias-bomb", REPO_YAML))
def test_alias_bomb_in_repository_yaml_is_refused(make_repo, kind, path, content):
    repo = make_repo({"README.md": "# svc\n", **BESIDE.get(kind, {}), path: content + bomb()})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "alias")


@pytest.mark.parametrize("kind, path, content", cases("yaml-deep-nesting", REPO_YAML))
def test_deep_nesting_in_repository_yaml_is_refused(make_repo, kind, path, content):
    repo = make_repo({"README.md": "# svc\n", **BESIDE.get(kind, {}), path: content + f"x-deep: {deep()}\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nested deeper than")


@pytest.mark.hostile("repo", "yaml-recursive-alias-workflow")
def test_recursive_alias_is_refused(make_repo):
    path = ".github/workflows/ci.yml"
    repo = make_repo({path: WORKFLOW + "x-loop: &loop [*loop, {again: *loop}]\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "contains it")


@pytest.mark.hostile("repo", "yaml-many-documents-catalog-info")
def test_many_documents_in_one_stream(make_repo):
    path = "catalog-info.yaml"
    repo = make_repo({path: CATALOG + "---\nkind: Group\nmetadata: {name: g}\n" * 40_000})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nodes")


@pytest.mark.hostile("repo", "yaml-many-plain-nodes-workflow")
def test_plain_node_flood_is_refused(make_repo):
    """No aliases at all: a 1.9 MB flow list of a million numbers (3 s and 360 MB to build as nodes)."""
    path = ".github/workflows/ci.yml"
    repo = make_repo({path: WORKFLOW + "x-flood: [" + "0," * 900_000 + "0]\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nodes")


@pytest.mark.hostile("repo", "yaml-huge-scalar-workflow")
def test_huge_scalar_is_read(make_repo):
    """One 1.5 MB scalar is ordinary data (a big inline script): read, not refused, and quick."""
    path = ".github/workflows/ci.yml"
    repo = make_repo({path: WORKFLOW + "      - run: echo " + "a" * 1_500_000 + "\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    report = json.loads(result.out)
    assert not [w for w in report["warnings"] if path in w], report["warnings"]
    ci = next(r for r in report["results"] if r["check"] == "ci.present")
    assert ci["status"] == "pass", ci


# ---- JSON, JSON5 and TOML nesting ----------------------------------------------------------------------

@pytest.mark.hostile("repo", "json-deep-nesting-package-json")
def test_deep_json_package_json(make_repo):
    path = "package.json"
    repo = make_repo({path: '{"name": "x", "renovate": {"extends": ' + "[" * 50_000 + "]" * 50_000 + "}}",
                      "jest.config.js": "coverageThreshold"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nested deeper than")
    deps = next(r for r in json.loads(result.out)["results"] if r["check"] == "deps.update_tool")
    assert deps["status"] != "error" and "RecursionError" not in deps["message"], deps


@pytest.mark.hostile("repo", "json5-deep-nesting-renovate")
def test_deep_json5_renovate(make_repo):
    path = "renovate.json5"
    repo = make_repo({path: "// comment makes it JSON5\n{extends: " + deep(3000) + "}\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    deps = next(r for r in json.loads(result.out)["results"] if r["check"] == "deps.update_tool")
    assert path in deps["message"] and "nested deeper than" in deps["message"], deps
    assert deps["status"] == "fail", deps


@pytest.mark.hostile("repo", "json-deep-nesting-renovate-json")
def test_moderately_deep_json_renovate(make_repo):
    """995 levels: within Python's own limits, so only our bound keeps it from the walkers."""
    path = "renovate.json"
    repo = make_repo({path: '{"extends": ' + deep(995) + "}"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    deps = next(r for r in json.loads(result.out)["results"] if r["check"] == "deps.update_tool")
    assert "nested deeper than" in deps["message"] and deps["status"] == "fail", deps


@pytest.mark.hostile("repo", "toml-deep-nesting-pyproject")
def test_deep_toml_pyproject(make_repo):
    path = "pyproject.toml"
    repo = make_repo({path: "[tool.coverage.report]\nfail_under = 90\nx = " + deep(20_000) + "\n",
                      "ruff.toml": "x = " + deep(20_000) + "\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nested deeper than")
    refused_warning(result, "ruff.toml", "nested deeper than")


@pytest.mark.hostile("repo", "toml-deep-tables-golangci")
def test_deep_toml_tables(make_repo):
    """Dotted table headers nest without brackets: 5,000 levels from one line."""
    path = ".golangci.toml"
    repo = make_repo({path: "[" + ".".join(["a"] * 5000) + "]\nx = 1\n[linters]\nenable = ['gosec']\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "nested deeper than")


# ---- .standards.yml and policies: file:line:column and exit 2 ------------------------------------------

@pytest.mark.hostile("repo", "yaml-alias-bomb-standards-yml")
def test_alias_bomb_in_standards_yml(make_repo):
    repo = make_repo({".standards.yml": "policy: baseline\n" + bomb()})
    result = run_bounded("scan", str(repo), "--format", "json")
    assert_held(result, (2,))
    assert re.search(r"\.standards\.yml:\d+:\d+: refused: YAML aliases", result.err), result.describe()


@pytest.mark.hostile("repo", "yaml-deep-nesting-standards-yml")
def test_deep_nesting_in_standards_yml(make_repo):
    repo = make_repo({".standards.yml": f"policy: baseline\nwaivers: {deep()}\n"})
    result = run_bounded("scan", str(repo), "--format", "json")
    assert_held(result, (2,))
    assert re.search(r"\.standards\.yml:2:\d+: refused: .*nested deeper than", result.err), result.describe()


@pytest.mark.hostile("repo", "yaml-alias-bomb-policy-validate")
def test_alias_bomb_in_policy_validate(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + "rules:\n  - check: readme.present\n    params:\n" + bomb(indent="      "))
    result = run_bounded("policy", "validate", str(policy))
    assert_held(result, (2,))
    assert re.search(rf"{re.escape(str(policy))}:\d+:\d+: refused: YAML aliases", result.err + result.out), \
        result.describe()


@pytest.mark.hostile("repo", "yaml-alias-bomb-policy-scan")
def test_alias_bomb_in_policy_scan(make_repo, tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + "gate: {min_score: 1}\nrules: [{check: readme.present}]\nx-bomb:\n"
                      + bomb(indent="  "))
    result = run_bounded("scan", str(make_repo({"README.md": "# x\n"})), "--policy", str(policy))
    assert_held(result, (2,))
    assert re.search(rf"{re.escape(str(policy))}:\d+:\d+: refused: YAML aliases", result.err), result.describe()


@pytest.mark.hostile("repo", "yaml-deep-nesting-policy")
def test_deep_nesting_in_policy(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + f"rules:\n  - check: readme.present\n    params: {{x: {deep()}}}\n")
    result = run_bounded("policy", "validate", str(policy))
    assert_held(result, (2,))
    assert re.search(rf"{re.escape(str(policy))}:6:\d+: refused: .*nested deeper than", result.err + result.out), \
        result.describe()


@pytest.mark.hostile("repo", "policy-oversized-file")
def test_oversized_policy(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + "rules: []\n# " + "x" * (40 * 1024 * 1024) + "\n")
    result = run_bounded("policy", "validate", str(policy))
    assert_held(result, (2,))
    assert str(policy) in result.err + result.out and "larger than" in result.err + result.out, result.describe()


@pytest.mark.hostile("repo", "policy-10000-rules")
def test_ten_thousand_rules_load_in_linear_time(make_repo, tmp_path):
    checks = "".join(f"  - {{id: acme.c{i}, title: Check {i}, category: knowledge, type: file_exists, "
                     f"params: {{globs: [README.md]}}}}\n" for i in range(10_000))
    rules = "".join(f"  - {{check: acme.c{i}, weight: 2}}\n" for i in range(10_000))
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + "checks:\n" + checks + "rules:\n" + rules)
    # alone: 13 s and 230 MB before (two parses, the cyclic collector re-walking the growing data),
    # 4 s and 170 MB after; the bounds leave room for a busy machine
    result = run_bounded("policy", "validate", str(policy), seconds=60)
    assert_held(result, (0,), seconds=12)
    result = run_bounded("scan", str(make_repo({"README.md": "# x\n"})), "--policy", str(policy),
                         "--format", "json", seconds=60)
    assert_held(result, (0,), seconds=20)
    assert len(json.loads(result.out)["results"]) == 10_000


NON_FINITE = [
    ("nan-weight", "rules:\n  - check: readme.present\n    weight: .nan\n", 6, "weight"),
    ("inf-weight", "rules:\n  - check: readme.present\n    weight: .inf\n", 6, "weight"),
    ("neg-inf-weight", "rules:\n  - check: readme.present\n    weight: -.inf\n", 6, "weight"),
    ("nan-gate", "gate: {min_score: .NaN}\nrules: []\n", 4, "min_score"),
    ("inf-gate", "gate:\n  min_score: .Inf\nrules: []\n", 5, "min_score"),
]


@pytest.mark.parametrize("name, body, line, field", cases("policy-non-finite", NON_FINITE))
def test_non_finite_numbers_in_policy_are_rejected(make_repo, tmp_path, name, body, line, field):
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + body)
    result = run_bounded("policy", "validate", str(policy))
    assert_held(result, (2,))
    assert re.search(rf"{re.escape(str(policy))}:{line}:\d+: .*{field}.*(finite|NaN|infinit)",
                     result.err + result.out), result.describe()
    result = run_bounded("scan", str(make_repo({"README.md": "# x\n"})), "--policy", str(policy),
                         "--format", "sarif")
    assert_held(result, (2,))
    assert "NaN" not in result.out and "Infinity" not in result.out


@pytest.mark.hostile("repo", "yaml-scan-budget-many-files")
def test_scan_budget_across_files(make_repo):
    """Ten workflows, each under the per-file bound (aliases expanding to 240,000 nodes): together
    they pass the scan's budget, so the later ones are refused, by name, and the rest are read."""
    filler = "x-a: &a [" + ", ".join(["0"] * 999) + "]\nx-b: [" + ", ".join(["*a"] * 239) + "]\n"
    files = {f".github/workflows/ci{k}.yml": WORKFLOW + filler for k in range(10)}
    result = scan_json(make_repo(files))
    assert_held(result, (0, 1))
    report = json.loads(result.out)
    refused = [w for w in report["warnings"] if "budget" in w and "refused" in w]
    assert 0 < len(refused) < 10, report["warnings"]
    by_check = {r["check"]: r for r in report["results"]}
    assert by_check["ci.tests_on_pr"]["status"] == "pass", by_check["ci.tests_on_pr"]  # the files read
    assert by_check["ci.present"]["status"] == "fail" and "refused" in by_check["ci.present"]["message"]


@pytest.mark.hostile("repo", "json5-large-renovate")
def test_large_json5_renovate_is_read_quickly(make_repo):
    """1.9 MB of ordinary JSON5 (a comment, bare keys): a pure-Python parser needs most of a minute."""
    rules = ",\n".join(f'  {{matchPackageNames: ["pkg{i}"], enabled: true}}' for i in range(40_000))
    path = "renovate.json5"
    repo = make_repo({path: "// generated\n{packageRules: [\n" + rules + "\n]}\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    deps = next(r for r in json.loads(result.out)["results"] if r["check"] == "deps.update_tool")
    assert deps["status"] == "pass" and f"Renovate is configured in {path}" in deps["message"], deps


@pytest.mark.hostile("repo", "policy-huge-finite-weights")
def test_huge_finite_weights_score_finitely(make_repo, tmp_path):
    """Each weight is finite, their sum is not: the score is still the weighted mean, not NaN."""
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY_HEAD + "rules:\n  - {check: readme.present, weight: 1.0e+308}\n"
                      "  - {check: license.present, weight: 1.0e+308}\n")
    result = run_bounded("scan", str(make_repo({"README.md": "# x\n"})), "--policy", str(policy), "--format", "json")
    assert_held(result, (0, 1))
    assert "NaN" not in result.out and "Infinity" not in result.out, result.out
    report = json.loads(result.out)
    assert report["score"] == 25.0 and report["categories"]["knowledge"]["score"] == 50.0, report["categories"]


@pytest.mark.hostile("repo", "yaml-alias-bomb-markdown-front-matter")
def test_alias_bomb_in_markdown_front_matter(make_repo):
    path = "docs/runbooks/api.md"
    repo = make_repo({path: "---\n" + bomb() + "---\n# API runbook\n\n## Alerts\n\nRestart it.\n"})
    result = scan_json(repo)
    assert_held(result, (0, 1))
    refused_warning(result, path, "alias")


@pytest.mark.hostile("repo", "yaml-collection-keys")
def test_collections_as_keys_are_a_parse_error(make_repo):
    """`? [a, b]: 1` composes, but no Python mapping can hold it: a broken file, named, not a crash."""
    path = ".github/workflows/ci.yml"
    repo = make_repo({".standards.yml": "policy: baseline\n? {a: 1}\n: x\n"})
    result = run_bounded("scan", str(repo), "--format", "json")
    assert_held(result, (2,))
    assert re.search(r"\.standards\.yml:2:\d+: invalid YAML: found unhashable key", result.err), result.describe()
    result = scan_json(make_repo({path: WORKFLOW + "? [a, b]\n: 1\n"}))
    assert_held(result, (0, 1))
    ci = next(r for r in json.loads(result.out)["results"] if r["check"] == "ci.present")
    assert path in ci["message"] and "unhashable" in ci["message"], ci
