"""Hostile repository content against `scan --format html`: markup in file names, owners, `uses:`
values and waiver reasons must arrive as text on the page, never as elements, handlers or links."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import commit_all
from tests.hostile.harness import assert_held, run_bounded
from tests.html_page import parse

SCRIPT = "<script>alert(1)</script>"
NAMED = "<script>alert(1)<!--"  # a file or directory name holds no slash
IMG = "<img/src=x/onerror=alert(1)>"  # one word, so the whole tag is the owner quoted
WORKFLOW = ("on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: \"evil/x{SCRIPT}@v1\"\n      - run: pytest\n")


def _hostile_repo(make_repo) -> Path:
    config = ("waivers:\n  - check: security.policy\n"
              f"    reason: 'ok <b>trust me</b> <a href=\"https://evil.example\">x</a> {IMG}'\n"
              "    expires: 2099-01-01\n")
    repo = make_repo({"README.md": f"# svc {SCRIPT}\n", ".standards.yml": config,
                      ".github/CODEOWNERS": f"* @acme/web {IMG}\n"}, name=f"svc-{NAMED}<img src=x onerror=alert(1)>", commit=False)
    folder = repo / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / f"{NAMED}.yml").write_text(WORKFLOW, encoding="utf-8")
    commit_all(repo)
    return repo


@pytest.mark.hostile("repo", "html-report-escapes")
def test_markup_from_the_repository_is_text_on_the_html_page(make_repo) -> None:
    repo = _hostile_repo(make_repo)
    result = run_bounded("scan", repo, "--format", "html")
    assert_held(result, (0, 1))
    html = result.stdout.decode("utf-8", "strict")
    page = parse(html)
    assert page.active() == [], page.active()  # no <script>, <img>, <a>, <b>, <svg>, handler or URL
    for raw in (SCRIPT, NAMED, IMG, "<img src", "<b>", "<a href"):
        assert raw not in html
    # ...and each arrives as the text it is, so the reader sees what the repository holds.
    text = page.text
    assert f".github/workflows/{NAMED}.yml:6" in page.section("failures")  # where the unpinned action is
    assert f"(evil/x{SCRIPT})" in text  # the `uses:` value in the finding
    assert f"'{IMG}'" in text  # the CODEOWNERS owner quoted in its finding
    assert f'ok <b>trust me</b> <a href="https://evil.example">x</a> {IMG}' in text  # the waiver reason
    assert page.section("title") == f"standards-check — svc-{NAMED}<img src=x onerror=alert(1)>"  # the name
    assert f"svc-{NAMED}<img src=x onerror=alert(1)>" in text
