"""`scan --format html`: one repository's report as a self-contained page, through the CLI on real
repositories, parsed back with html.parser."""
from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import run_cli
from tests.html_page import parse

README = "# payments\n\n" + "The payments service: how to build, test and run it, and who to ask. " * 3 + "\n"
WORKFLOW = ("on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: some-org/setup-tool@v1\n      - run: pytest\n")


def _html(repo: Path, *args: str) -> tuple[int, str]:
    result = run_cli("scan", str(repo), "--format", "html", "--as-of", "2026-06-01", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


def test_the_page_shows_score_level_gate_failures_and_passes(make_repo) -> None:
    repo = make_repo({"README.md": README, ".github/workflows/ci.yml": WORKFLOW,
                      ".github/CODEOWNERS": "* @acme/payments\n"})
    code, html = _html(repo)
    json_code, report = _json(repo)
    assert code == json_code
    page = parse(html)
    assert page.active() == []  # no script, no external resource, no handler
    assert html.startswith("<!doctype html>")
    assert f"{report['score']:.1f}" in page.section("score")
    assert page.section("gate").startswith("Gate " + ("passed" if report["passed"] else "failed"))
    for reason in report["gate"]["reasons"]:
        assert reason in page.section("gate")
    failures = page.section("failures")
    failing = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert failing and f"Failures ({len(failing)})" in failures
    for r in failing:
        assert r["check"] in failures and " ".join(r["message"].split()) in failures
    # where, why and how to fix, for a failing rule that names a file and is in the catalog
    pinned = next(r for r in failing if r["check"] == "workflows.pinned_actions")
    assert f"{pinned['locations'][0]['path']}:{pinned['locations'][0]['line']}" in failures
    assert "Why it matters:" in failures and "How to fix:" in failures
    assert "standards-check checks explain workflows.pinned_actions" in failures
    passes = page.section("passes")
    assert "codeowners.present" in passes and "readme.present" in passes
    assert "codeowners.present" not in failures


def test_a_repository_level_failure_says_so_and_a_waiver_is_listed(make_repo) -> None:
    config = ("waivers:\n  - check: codeowners.present\n    reason: 'owned by the platform team'\n"
              "    expires: 2026-06-20\n    approved_by: '@acme/sre'\n")
    repo = make_repo({"README.md": README, ".standards.yml": config})
    _code, html = _html(repo)
    page = parse(html)
    assert "the repository as a whole" in page.section("failures")  # ci.present: no file to point at
    waived = page.section("waived")
    assert "codeowners.present owned by the platform team (until 2026-06-20, approved by @acme/sre)" in waived
    assert "expires 2026-06-20 (19 days left)" in waived


def test_html_is_written_to_a_file_with_output(make_repo, tmp_path: Path) -> None:
    repo = make_repo({"README.md": README})
    out = tmp_path / "report.html"
    result = run_cli("scan", str(repo), "--format", "html", "--output", str(out))
    assert result.exit_code in (0, 1), result.output
    assert "<h1>" + repo.name + "</h1>" in out.read_text(encoding="utf-8")


def _json(repo: Path) -> tuple[int, dict]:
    import json

    result = run_cli("scan", str(repo), "--format", "json", "--as-of", "2026-06-01")
    return result.exit_code, json.loads(result.stdout)


def test_a_pull_request_scan_shows_the_change(make_repo) -> None:
    from tests.conftest import commit_all, write_files

    repo = make_repo({"README.md": README, ".github/CODEOWNERS": "* @acme/payments\n"})
    (repo / ".github/CODEOWNERS").unlink()
    write_files(repo, {"docs/x.md": "x\n"})
    commit_all(repo, "drop owners")
    _code, html = _html(repo, "--base", "HEAD~1")
    change = parse(html).section("change")
    assert "vs HEAD~1" in change and "codeowners.present" in change.partition("new failures:")[2]
