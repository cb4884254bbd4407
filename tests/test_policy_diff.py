"""`policy diff OLD NEW (--dir|--urls|--store)` through the CLI, on real git repositories and a real
sweep store."""
from __future__ import annotations

import json
from pathlib import Path

from tests.cli_helpers import run_cli
from tests.conftest import git

README = "# Payments\n\n" + "This service takes payments. Build with make, test with make test.\n" * 3
OLD = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: team, version: 1.0.0}
gate: {min_score: 60, min_level: 1}
rules:
  - {check: readme.present, level: 1, weight: 2}
  - {check: license.present, level: 1, weight: 1, severity: warning}
  - {check: contributing.present, level: 2}
"""
# license becomes an error with more weight; readme asks for more bytes; security.policy is new;
# contributing.present goes; codeowners.present is announced for 2030.
NEW = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: team, version: 2.0.0}
gate: {min_score: 60, min_level: 1}
rules:
  - {check: readme.present, level: 1, weight: 2, params: {min_bytes: 50}}
  - {check: license.present, level: 1, weight: 3}
  - {check: security.policy, level: 2}
  - {check: codeowners.present, level: 1, effective: "2030-01-01"}
"""


def _policies(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(NEW)
    return str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")


def _diff(*args: str) -> dict:
    result = run_cli("policy", "diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _make(make_repo, tmp_path: Path) -> Path:
    make_repo({"README.md": README, "LICENSE": "MIT\n", "SECURITY.md": "Mail security@example.com\n"},
              name="srv/complete")
    make_repo({"README.md": README, "CONTRIBUTING.md": "Open a pull request; run make test first.\n"},
              name="srv/nolicense")  # passes OLD (a missing licence is a warning there), fails NEW
    make_repo({"README.md": "# tiny\n\nA short readme of sixty bytes or so, no more.\n", "LICENSE": "MIT\n"},
              name="srv/tiny")
    return tmp_path / "srv"


def test_dir_preview_json(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    data = _diff(old, new, "--dir", str(_make(make_repo, tmp_path)))
    repos = {r["name"]: r for r in data["repositories"]}
    assert set(repos) == {"complete", "nolicense", "tiny"}
    assert repos["nolicense"]["old"]["passed"] is True and repos["nolicense"]["new"]["passed"] is False
    assert repos["nolicense"]["old"] == {"score": 75.0, "level": 5, "passed": True}
    assert repos["nolicense"]["new"] == {"score": 33.3, "level": 0, "passed": False}
    # license.present already failed (as a warning) under OLD: not new, though it now blocks
    assert repos["nolicense"]["new_failures"] == ["security.policy"]
    assert repos["tiny"]["old"]["passed"] is False and repos["tiny"]["new"]["passed"] is True
    assert repos["tiny"]["fixed"] == ["readme.present"]
    assert repos["complete"]["old"]["level"] == 1  # contributing.present (level 2) fails under OLD
    assert repos["complete"]["new"] == {"score": 100.0, "level": 5, "passed": True}
    assert all(r["upcoming"] == ["codeowners.present"] for r in repos.values())
    assert data["summary"] == {"repositories": 3, "errors": 0, "gate_flips_to_fail": 1,
                               "gate_flips_to_pass": 1, "level_down": 1, "level_up": 2}
    rules = data["rules"]
    assert rules["added"] == ["codeowners.present", "security.policy"]
    assert rules["removed"] == ["contributing.present"]
    assert rules["reweighted"] == [{"check": "license.present",
                                    "old": {"weight": 1.0, "level": 1, "severity": "warning"},
                                    "new": {"weight": 3.0, "level": 1, "severity": "error"}}]
    assert rules["reparameterised"] == [{"check": "readme.present", "old": {"min_bytes": 100},
                                         "new": {"min_bytes": 50}}]
    assert data["old"]["version"] == "1.0.0" and data["new"]["version"] == "2.0.0"
    # license.present runs once for both policies (same params); readme.present twice (new params):
    # per repository 3 + 4 rules, of which license.present is shared.
    assert data["evaluations"] == {"checks_run": 3 * 6, "checks_if_scanned_separately": 3 * 7}


def test_same_policy_twice_evaluates_each_check_once(make_repo, tmp_path):
    old, _ = _policies(tmp_path)
    data = _diff(old, old, "--dir", str(_make(make_repo, tmp_path)))
    assert data["evaluations"] == {"checks_run": 9, "checks_if_scanned_separately": 18}
    assert all(r["old"] == r["new"] and not r["new_failures"] and not r["fixed"] for r in data["repositories"])
    assert data["rules"] == {"added": [], "removed": [], "reweighted": [], "reparameterised": [], "effective": []}


def test_text_and_markdown(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = str(_make(make_repo, tmp_path))
    text = run_cli("policy", "diff", old, new, "--dir", root)
    assert text.exit_code == 0  # a preview, even though a repository would start failing
    assert "  added: codeowners.present, security.policy" in text.stdout
    assert "  re-parameterised: readme.present (min_bytes 100 → 50)" in text.stdout
    assert "  reweighted: license.present (weight 1 → 3, severity warning → error)" in text.stdout
    assert ("✗ nolicense: 75 L5 pass → 33.3 L0 FAIL; new failures: security.policy; "
            "upcoming: codeowners.present") in text.stdout
    assert "3 repositories: 1 would start failing the gate, 1 would start passing" in text.stdout
    md = run_cli("policy", "diff", old, new, "--dir", root, "--format", "markdown")
    assert md.stdout.startswith("## ⚠️ Policy preview: team 1.0.0 → team 2.0.0")
    assert "| nolicense | 75 L5 pass | 33.3 L0 FAIL | `security.policy` | – | `codeowners.present` |" in md.stdout


def test_as_of_makes_the_campaign_count(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    data = _diff(old, new, "--dir", str(_make(make_repo, tmp_path)), "--as-of", "2030-01-01")
    repos = {r["name"]: r for r in data["repositories"]}
    assert repos["complete"]["new"]["passed"] is False
    assert "codeowners.present" in repos["complete"]["new_failures"]


def test_store_preview_reads_the_sweeps_clones(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = _make(make_repo, tmp_path)
    store = tmp_path / "org.db"
    swept = run_cli("sweep", "--dir", str(root), "--store", str(store), "--policy", old, "--jobs", "1")
    assert swept.exit_code == 0, swept.output
    # A later commit in a clone is not what the sweep saw: the preview reads the swept commit.
    (root / "nolicense" / "LICENSE").write_text("MIT\n")
    git(root / "nolicense", "add", "-A")
    git(root / "nolicense", "commit", "-qm", "licence")
    data = _diff(old, new, "--store", str(store))
    repos = {r["name"]: r for r in data["repositories"]}
    assert set(repos) == {"complete", "nolicense", "tiny"}
    assert repos["nolicense"]["new"]["passed"] is False  # with the new LICENSE it would pass
    assert data["summary"]["gate_flips_to_fail"] == 1


def test_urls_preview_clones_into_the_cache(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = _make(make_repo, tmp_path)
    urls = tmp_path / "repos.txt"
    lines = []
    for name in ("complete", "nolicense"):
        git(root / name, "config", "uploadpack.allowFilter", "true")
        lines.append((root / name).as_uri())
    lines.append((tmp_path / "gone").as_uri())
    urls.write_text("\n".join(lines) + "\n")
    data = _diff(old, new, "--urls", str(urls), "--cache-dir", str(tmp_path / "cache"))
    repos = {r["name"]: r for r in data["repositories"]}
    assert repos["srv/nolicense"]["new_failures"] == ["security.policy"]
    assert repos["srv/nolicense"]["new"]["passed"] is False
    gone = next(r for name, r in repos.items() if name.endswith("gone"))
    assert gone["error"] and gone["old"] is None and "clone failed" in gone["error"]
    assert data["summary"]["errors"] == 1 and data["summary"]["repositories"] == 3


def test_exactly_one_source_and_valid_policies(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    result = run_cli("policy", "diff", old, new)
    assert result.exit_code == 2 and "exactly one of --dir, --urls or --store" in result.output
    result = run_cli("policy", "diff", old, str(tmp_path / "nope.yaml"), "--dir", str(tmp_path))
    assert result.exit_code == 2 and "policy file not found" in result.stderr


def test_parallel_and_serial_previews_agree(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = str(_make(make_repo, tmp_path))
    assert _diff(old, new, "--dir", root, "--jobs", "1") == _diff(old, new, "--dir", root, "--jobs", "3")


def test_store_of_a_url_sweep_reads_its_partial_clones(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = _make(make_repo, tmp_path)
    urls = tmp_path / "repos.txt"
    for name in ("complete", "nolicense"):
        git(root / name, "config", "uploadpack.allowFilter", "true")
    urls.write_text("".join((root / name).as_uri() + "\n" for name in ("complete", "nolicense")))
    store = tmp_path / "org.db"
    swept = run_cli("sweep", "--urls", str(urls), "--store", str(store), "--policy", old,
                    "--cache-dir", str(tmp_path / "cache"), "--jobs", "1")
    assert swept.exit_code == 0, swept.output
    data = _diff(old, new, "--store", str(store))
    repos = {r["name"]: r for r in data["repositories"]}
    assert repos["srv/nolicense"]["new_failures"] == ["security.policy"]
    assert repos["srv/complete"]["new"]["passed"] is True and repos["srv/complete"]["error"] is None


def test_help():
    result = run_cli("policy", "diff", "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    for option in ("--dir", "--urls", "--store", "--as-of", "--jobs", "--format"):
        assert option in result.stdout


def test_markdown_lists_changed_repositories_worst_first(make_repo, tmp_path):
    old, new = _policies(tmp_path)
    root = _make(make_repo, tmp_path)
    same = tmp_path / "same.yaml"  # NEW without the rules that change anything for `complete`
    same.write_text(OLD.replace("version: 1.0.0", "version: 1.0.1"))
    md = run_cli("policy", "diff", old, str(same), "--dir", str(root), "--format", "markdown")
    assert "### Repositories that change (0 of 3)" in md.stdout and "| Repository |" not in md.stdout
    assert "3 repositories score the same under both policies." in md.stdout
    md = run_cli("policy", "diff", old, new, "--dir", str(root), "--format", "markdown")
    rows = [line for line in md.stdout.splitlines() if line.startswith("| ") and not line.startswith(("| Repository", "| ---"))]
    assert [row.split(" | ")[0] for row in rows] == ["| nolicense", "| complete", "| tiny"]
