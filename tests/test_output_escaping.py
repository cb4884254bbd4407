"""Repository strings in every output, checked with the parsers that read them: GitHub's own
Markdown parser (cmark-gfm, raw HTML allowed so that anything unescaped would show), the official
SARIF schema, strict JSON, and the workflow-command grammar. Literal Reports in, so the cases
cover what no scan produces yet."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest
from cmarkgfm.cmark import Options

from standards_check.escape import markdown_code, markdown_inline, markdown_text, printable
from standards_check.model import Location
from standards_check.publish.actions import annotation_commands
from standards_check.publish.summary import comment_body, findings, summary_markdown
from standards_check.render import render
from standards_check.render.sarif import render_sarif
from standards_check.report import WAIVER, Diff, ReportWarning, Waiver
from standards_check.sweep.export import render_csv
from tests.action_support import result, sample_report

EVIL = ("<img src=x onerror=alert(1)> <b>bold</b> [details](https://evil.example/x) "
        "![pixel](https://evil.example/p.png) @acme/sre *em* ~~del~~ `code` x\\|y &amp; \x1b]52;c;cHduZWQ=\x07 "
        "\u202eevil\u202c")
HOSTILE_STRINGS = [
    EVIL, "a|b", "a\\|b", "a\\\\|b", "`", "``x`", "a ` b", "x`<img src=x>`y", "]]>", "&lt;script&gt;",
    "line one\nline two", "name-\udcff\udcfe", "<https://evil.example>", "www.example.com", "#123", "\\",
    "mail me: dev@example.com or xmpp:dev@example.com", "ftp://x WWW.EXAMPLE.COM :+1: \\`",
]


def _html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _cell_html(markdown: str) -> str:
    """What GitHub makes of `markdown` as the first cell of a table row."""
    page = _html(f"| a | b |\n| --- | --- |\n| {markdown} | end |\n")
    match = re.search(r"<tbody>\s*<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S)
    assert match, page
    assert match.group(2) == "end", f"the cell was split: {page}"
    return match.group(1)


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_markdown_text_shows_exactly_the_text_and_nothing_else(text: str) -> None:
    cell = _cell_html(markdown_text(text))
    assert "<" not in cell.replace("&lt;", ""), cell  # no element of any kind: no link, image, tag
    shown = html.unescape(cell).replace("@\u200b", "@")
    assert shown == " ".join(printable(text, lines=True).split())


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_markdown_code_is_one_literal_code_span_or_escaped_text(text: str) -> None:
    cell = _cell_html(markdown_code(text))
    inner = re.fullmatch(r"<code>(.*)</code>", cell, re.S)
    body = inner.group(1) if inner else cell
    assert "<" not in body.replace("&lt;", ""), cell
    # a code span shows its text as is; CommonMark trims the one padding space
    assert html.unescape(body).replace("@\u200b", "@") == printable(text)


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_markdown_inline_makes_code_spans_and_nothing_else(text: str) -> None:
    sentence = f"Run `adr init docs/adr` for {text}, then `git add <file>`."
    cell = _cell_html(markdown_inline(sentence))
    assert not re.search(r"<(?!/?code>)", cell), cell  # code spans, and no other element
    if "`" not in text:  # a backtick of the text pairs with ours as CommonMark pairs them
        assert cell.startswith("Run <code>adr init docs/adr</code> for "), cell
        assert cell.endswith(", then <code>git add &lt;file&gt;</code>."), cell


def _hostile_report():
    report = sample_report(diff=Diff("main\x1b[2J<b>", 70.0, -3.5, ("codeowners.present",), ()))
    evil_result = result("workflows.pinned_actions", "fail", f"unpinned: {EVIL}",
                         Location(".github/workflows/a`<img src=x onerror=alert(1)>`|b\udcff.yml", 3),
                         category="security")
    waived = result("runbook.present", "waived", f"waived: {EVIL}", category="reliability",
                    waiver=Waiver("runbook.present", EVIL, "2099-01-01", "@acme/sre"))
    results = tuple(evil_result if r.check == "workflows.pinned_actions" else
                    waived if r.check == "runbook.present" else r for r in report.results)
    return replace(report, results=results, warnings=(ReportWarning(WAIVER, f"waiver for {EVIL} matches no rule"),),
                   categories={"knowledge": {"score": 50.0, "rules": 2, "failed": 1}},
                   repository={**report.repository, "name": "acme/<script>x</script>"})


@pytest.mark.parametrize("producer", [
    lambda r: render(r, "markdown"), lambda r: comment_body(r), lambda r: summary_markdown(r),
], ids=["--format markdown", "PR comment", "job summary and check run"])
def test_every_markdown_producer_escapes_repository_strings(producer) -> None:
    markdown = producer(_hostile_report())
    markdown.encode("utf-8")  # no lone surrogate
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", markdown)
    assert not re.search(r"@acme(?!\u200b)", markdown.replace("@\u200b", "")), markdown
    page = _html(markdown)
    for tag in ("<img", "<b>", "<script", "evil.example/x\">", "<a href=\"https://evil"):
        assert tag not in page, f"{tag} in\n{page}"
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "b\\xff.yml" in page


def test_text_renderer_shows_controls_as_escapes() -> None:
    text = render(_hostile_report(), "text", color=True)
    text.encode("utf-8")
    controls = set(re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text))
    assert controls == {"\x1b"}  # only our own colours
    assert not re.search("\x1b(?!\\[(?:0|1|2|31|32|33)m)", text)
    assert "\\x1b]52;c;cHduZWQ=\\x07" in text and "\\u202eevil" in text and "b\\xff.yml:3" in text


def test_json_keeps_the_data_and_writes_no_raw_controls() -> None:
    text = render(_hostile_report(), "json")
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text.replace("\n", ""))
    report = json.loads(text)
    messages = {r["check"]: r["message"] for r in report["results"]}
    assert messages["workflows.pinned_actions"] == f"unpinned: {EVIL}"  # \u escapes decode to the same
    locations = [loc["path"] for r in report["results"] for loc in r["locations"]]
    assert ".github/workflows/a`<img src=x onerror=alert(1)>`|b\\xff.yml" in locations


def test_sarif_with_hostile_paths_validates_against_the_oasis_schema(shared_schemas: Path) -> None:
    log = json.loads(render_sarif(_hostile_report()))
    schema = json.loads((shared_schemas / "sarif-schema-2.1.0.json").read_text())
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
            for loc in r["locations"]]
    assert ".github/workflows/a%60%3Cimg%20src=x%20onerror=alert(1)%3E%60%7Cb%FF.yml" in uris


def test_sarif_fingerprints_of_utf8_paths_do_not_change() -> None:
    log = json.loads(render_sarif(sample_report()))
    prints = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
              r["partialFingerprints"]["standardsCheck/v1"] for r in log["runs"][0]["results"]}
    # the values before names were escaped: code scanning must not see these alerts as new
    assert prints[".github/workflows/release.yml"] == "cb24f3cc45659df91289d0f802531f97"


def test_workflow_commands_cannot_be_forged_or_recolour_the_log() -> None:
    report = replace(sample_report(), results=(result(
        "workflows.pinned_actions", "fail", "bad\n::error::forged\x1b[31m",
        Location("a\n::warning file=x::forged\udcff.yml", 2), category="security"),))
    lines = annotation_commands(findings(report))
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\x1b" not in lines[0]
    assert lines[0].startswith("::error file=a\\n%3A%3Awarning file=x%3A%3Aforged\\xff.yml,line=2,")


def test_csv_cells_never_start_a_formula() -> None:
    rows = [{"repo": name, "status": "error", "error": "-1+1 failed", "score": None, "level": None,
             "passed": None, "policy": "@baseline", "team": "=cmd|' /C calc'!A0", "categories": {},
             "failing": ["+x"], "commit_sha": None, "scanned_at": "2026-01-01T00:00:00Z"}
            for name in ("=HYPERLINK(\"https://evil.example\",\"x\")", "\tname", "\rname", "ok-name")]
    parsed = list(csv.DictReader(io.StringIO(render_csv(rows))))
    assert [r["name"] for r in parsed] == ["'\tname", "\\rname", "'=HYPERLINK(\"https://evil.example\",\"x\")",
                                           "ok-name"]  # CR shows as \r, which no spreadsheet runs
    for row in parsed:
        assert row["error"] == "'-1+1 failed" and row["policy"] == "'@baseline" and row["team"].startswith("'=")
        assert row["failing_checks"] == "'+x"
