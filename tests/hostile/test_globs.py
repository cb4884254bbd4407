"""Hostile globs for the one glob engine (standards_check.globs): GitLab include wildcards, Backstage
Location targets and policy globs, each against a deep tree, matched in linear time, never a crash."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.harness import assert_held, run_bounded

SECONDS = 20.0
DEEP = "/".join(["a"] * 400)


def _results(repo: Path, policy: str | Path = "production-service") -> dict[str, dict]:
    result = run_bounded("scan", repo, "--format", "json", "--policy", policy, seconds=SECONDS)
    assert_held(result, (0, 1))
    return {r["check"]: r for r in json.loads(result.out)["results"]}


@pytest.mark.hostile("repo", "gitlab-include-doublestar-chain")
def test_gitlab_include_doublestar_chain_against_a_deep_tree(make_repo) -> None:
    include = "**/a/" * 6 + "**/b.yml"
    repo = make_repo({".gitlab-ci.yml": f"include:\n  - local: '{include}'\n  - local: 'ci/[z-a]*.yml'\n",
                      DEEP + "/c.yml": "x:\n  script: [echo]\n",
                      "a/a/a/a/a/a/b.yml": "test:\n  script: [pytest]\n"})
    results = _results(repo)
    # the one file the chain names is included: its test job runs on merge requests
    assert results["ci.tests_on_pr"]["status"] == "pass", results["ci.tests_on_pr"]


@pytest.mark.hostile("repo", "catalog-location-glob-pathological")
def test_catalog_location_targets_with_pathological_globs(make_repo) -> None:
    targets = ["./" + "**/a/" * 6 + "**/b.yaml", "./" + "*a" * 40 + "*b.yaml", "./[z-a].yaml", "./{" * 40 + "x"]
    location = ("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets:\n"
                + "".join(f"    - '{t}'\n" for t in targets))
    owned = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {owner: team-a}\n"
    repo = make_repo({"catalog-info.yaml": location, DEEP + "/c.yaml": "x: 1\n", "a/a/a/a/a/a/b.yaml": owned})
    results = _results(repo)
    assert results["catalog.owner"]["status"] == "pass"
    assert "svc" in results["catalog.owner"]["message"] or "team-a" in results["catalog.owner"]["message"]


@pytest.mark.hostile("repo", "policy-glob-reversed-range")
def test_policy_glob_with_a_reversed_range(make_repo, tmp_path: Path) -> None:
    """`[z-a]` is a valid glob to wcmatch (a class matching nothing) but not a valid RE2 class."""
    policy = tmp_path / "custom.yaml"
    policy.write_text("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: custom, version: 1.0.0}\n"
                      "checks:\n  - id: acme.rule\n    title: A custom rule\n    category: delivery\n"
                      "    type: file_exists\n    params: {globs: ['docs/[z-a].md', 'docs/[!z-a].md']}\n"
                      "    fix: Add it.\nrules:\n  - {check: acme.rule}\n")
    repo = make_repo({"docs/b.md": "x\n", "docs/long.md": "y\n"})
    rule = _results(repo, policy)["acme.rule"]
    assert rule["status"] == "pass" and "found 1 file" in rule["message"], rule
