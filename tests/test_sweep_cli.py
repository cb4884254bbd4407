"""The sweep, merge and report commands end to end through the CLI, with the real engine."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from standards_check.cli import cli
from standards_check.sweep.store import Store
from tests.conftest import git

README = "# Payments\n\n" + "This service takes payments. Build with make, test with make test.\n" * 3
POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: sweep-test, version: 1.2.0}
gate: {min_score: 60, min_level: 1}
rules:
  - {check: readme.present, level: 1, weight: 2}
  - {check: license.present, level: 1, weight: 1}
"""


def serve(repo: Path) -> str:
    git(repo, "config", "uploadpack.allowFilter", "true")
    return repo.as_uri()


@pytest.mark.parametrize("command", ["sweep", "merge", "report"])
def test_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_sweep_then_report_json_with_the_real_engine(make_repo, tmp_path: Path) -> None:
    documented = make_repo({"README.md": README, "LICENSE": "MIT\n",
                            ".github/CODEOWNERS": "* @acme/payments\n"}, name="srv/payments")
    policy = tmp_path / "sweep-test.yaml"
    policy.write_text(POLICY)
    bare = make_repo({"main.py": "print(1)\n"}, name="srv/scratch")
    # scratch names its own policy in .standards.yml: it wins over --policy and the map
    custom = make_repo({"main.py": "x\n", ".standards.yml": "policy: production-service@1\n"},
                       name="srv/custom")
    urls = tmp_path / "repos.txt"
    urls.write_text("\n".join([serve(documented), serve(bare), serve(custom),
                               (tmp_path / "srv" / "missing").as_uri()]) + "\n")
    store = tmp_path / "org.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["sweep", "--urls", str(urls), "--store", str(store),
                                 "--cache-dir", str(tmp_path / "cache"), "--policy", str(policy),
                                 "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "4 repositories — 3 ok, 1 error, 0 already done, 0 not run" in result.output

    result = runner.invoke(cli, ["report", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    repos = {r["name"]: r for r in json.loads(result.output)["repositories"]}
    assert set(repos) == {"srv/payments", "srv/scratch", "srv/custom", "srv/missing"}
    assert repos["srv/payments"]["status"] == "ok" and repos["srv/payments"]["passed"] is True
    assert repos["srv/payments"]["score"] == 100.0 and repos["srv/payments"]["level"] >= 1
    assert repos["srv/scratch"]["passed"] is False and repos["srv/scratch"]["score"] < 50
    assert repos["srv/missing"] == {"name": "srv/missing", "score": None, "level": None,
                                    "passed": None, "status": "error",
                                    "error": repos["srv/missing"]["error"]}
    with Store(store) as s:
        rows = {r["repo"]: r for r in s.results(s.latest_sweep().id)}
    assert rows["srv/custom"]["policy"].startswith("production-service@")
    assert rows["srv/scratch"]["policy"] == "sweep-test@1.2.0"
    assert rows["srv/payments"]["team"] == "@acme/payments"

    html = tmp_path / "card.html"
    assert runner.invoke(cli, ["report", "--store", str(store), "-o", str(html)]).exit_code == 0
    assert "srv/payments" in html.read_text()


def test_policy_map_by_lifecycle(make_repo, tmp_path: Path) -> None:
    catalog = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: api}\n"
               "spec: {type: service, lifecycle: production, owner: group:payments}\n")
    make_repo({"catalog-info.yaml": catalog, "README.md": README}, name="clones/api")
    make_repo({"README.md": README}, name="clones/tool")
    pmap = tmp_path / "map.yml"
    pmap.write_text("rules:\n  - lifecycle: [production]\n    policy: production-service@1\n")
    store = tmp_path / "s.db"
    result = CliRunner().invoke(cli, ["sweep", "--dir", str(tmp_path / "clones"), "--store", str(store),
                                      "--policy-map", str(pmap)])
    assert result.exit_code == 0, result.output
    with Store(store) as s:
        rows = {r["repo"]: r for r in s.results(s.latest_sweep().id)}
    assert rows["api"]["policy"].startswith("production-service@")
    assert rows["api"]["team"] == "group:payments"  # no CODEOWNERS: the catalog owner
    assert rows["tool"]["policy"].startswith("baseline@")


@pytest.mark.parametrize("args, message", [
    (["sweep"], "exactly one of --org"),
    (["sweep", "--dir", ".", "--policy", "no-such-policy@9"], "no-such-policy"),
    (["sweep", "--dir", ".", "--shard", "3/2"], "--shard must be K/N"),
    (["report", "--store", "nope.db"], "no results store"),
])
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
