"""Hostile repository content that tries to break or steer the output.

File names git holds as arbitrary bytes, terminal escape sequences, bidi overrides, newlines,
HTML and Markdown in owners, `uses:` values and waiver reasons, and spreadsheet formulas in
repository names. Each case scans a real repository in a bounded child process and checks the
output for real: JSON with a strict decoder and the report schema, SARIF's URIs, JUnit with an
XML parser, Markdown and text for what must never reach them.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest
from cmarkgfm.cmark import Options

from standards_check.resources import schema_path
from tests.conftest import SHARED_SCHEMAS, commit_all, git
from tests.hostile.harness import Bounded, assert_held, run_bounded

WORKFLOW = (b"on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            b"      - uses: some-org/setup-tool@v1\n      - run: pytest\n")
# Whatever a person's terminal would act on: C0 but TAB/LF, DEL, C1, bidi embeddings/overrides/isolates.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$")
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"


def _workflow_named(make_repo, name: bytes, content: bytes = WORKFLOW) -> Path:
    """A repository whose one workflow (with an unpinned action, so it is a finding) has this name."""
    repo = make_repo({"README.md": "# svc\n"}, commit=False)
    folder = os.fsencode(repo / ".github" / "workflows")
    os.makedirs(folder)
    fd = os.open(folder + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    commit_all(repo)
    return repo


def _scan(repo: Path, fmt: str, *extra: str) -> Bounded:
    result = run_bounded("scan", repo, "--format", fmt, *extra)
    assert_held(result, (0, 1))
    return result


def _strict_text(data: bytes) -> str:
    """The stream as UTF-8, failing on any byte that is not (an undecodable name written raw)."""
    return data.decode("utf-8", "strict")


def _no_terminal_controls(result: Bounded) -> None:
    for name, stream in (("stdout", result.stdout), ("stderr", result.stderr)):
        text = _strict_text(stream)
        found = sorted({f"U+{ord(c):04X}" for c in TERMINAL_CONTROLS.findall(text)})
        assert not found, f"{name} carries terminal controls {found}: " + result.describe()


def _every_string(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_every_string(k), *_every_string(v))]
    if isinstance(value, list):
        return [s for v in value for s in _every_string(v)]
    return []


def _strict_json(data: bytes) -> object:
    """Parse as a strict decoder does: UTF-8 only, and no lone surrogate (not even as a \\u escape)."""
    document = json.loads(_strict_text(data))
    for text in _every_string(document):
        text.encode("utf-8")  # a lone surrogate from a "\udcff" escape fails here
    return document


def _locations(report: dict, check: str) -> list[str]:
    return [loc["path"] for r in report["results"] if r["check"] == check for loc in r["locations"]]


# ---- file names that are not UTF-8 -----------------------------------------------------------


@pytest.mark.hostile("repo", "non-utf8-name-json")
def test_non_utf8_file_name_in_json_is_valid_json_with_the_bytes_shown(make_repo) -> None:
    repo = _workflow_named(make_repo, b"ci-\xff\xfe.yml")
    result = _scan(repo, "json")
    report = _strict_json(result.stdout)
    schema = json.loads(schema_path("report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert ".github/workflows/ci-\\xff\\xfe.yml" in _locations(report, "workflows.pinned_actions")


@pytest.mark.hostile("repo", "non-utf8-name-sarif")
def test_non_utf8_file_name_in_sarif_is_a_percent_encoded_uri(make_repo) -> None:
    repo = _workflow_named(make_repo, b"ci \xff%#.yml")
    result = _scan(repo, "sarif")
    log = _strict_json(result.stdout)
    assert isinstance(log, dict)
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"] for loc in r["locations"]]
    assert all(URI_REFERENCE.match(uri) for uri in uris), uris
    raw = [urllib.parse.unquote_to_bytes(uri) for uri in uris]
    assert b".github/workflows/ci \xff%#.yml" in raw, uris
    official = SHARED_SCHEMAS / "sarif-schema-2.1.0.json"
    if official.is_file():  # also in CI; the renderer tests check the schema with the fixture
        jsonschema.Draft4Validator(json.loads(official.read_text())).validate(log)


@pytest.mark.hostile("repo", "non-utf8-name-junit")
def test_non_utf8_file_name_in_junit_is_well_formed_xml(make_repo) -> None:
    repo = _workflow_named(make_repo, b"ci-\xff.yml")
    result = _scan(repo, "junit")
    text = _strict_text(result.stdout)
    assert not XML_ILLEGAL.search(text)
    root = ET.fromstring(result.stdout)
    failure = root.find(".//testcase[@name='workflows.pinned_actions']/failure")
    assert failure is not None and ".github/workflows/ci-\\xff.yml" in (failure.text or "")


@pytest.mark.hostile("repo", "non-utf8-name-text")
def test_non_utf8_file_name_in_text_shows_the_bytes(make_repo) -> None:
    repo = _workflow_named(make_repo, b"ci-\xff\x80.yml")
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert ".github/workflows/ci-\\xff\\x80.yml:6" in result.out


@pytest.mark.hostile("repo", "non-utf8-name-markdown")
def test_non_utf8_file_name_in_markdown_is_utf8_and_shown(make_repo) -> None:
    repo = _workflow_named(make_repo, b"ci-\xff.yml")
    result = _scan(repo, "markdown")
    text = _strict_text(result.stdout)
    assert "ci-\\xff.yml" in text or "ci-\\\\xff.yml" in text, text


# ---- terminal escape sequences ---------------------------------------------------------------


@pytest.mark.hostile("repo", "ansi-csi-in-file-name")
def test_ansi_sequences_in_a_file_name_do_not_reach_the_terminal(make_repo, tmp_path: Path) -> None:
    # Written to a file: click drops CSI sequences itself when stdout is not a terminal, but not
    # on a terminal, and not in a file a person will `cat`.
    repo = _workflow_named(make_repo, b"\x1b[2J\x1b[1;32mall-good\x1b[0m.yml")
    out = tmp_path / "report.txt"
    result = _scan(repo, "text", "--output", str(out))
    _no_terminal_controls(result)
    text = _strict_text(out.read_bytes())
    assert not TERMINAL_CONTROLS.search(text), text
    assert "\\x1b[2J" in text  # shown, not dropped


@pytest.mark.hostile("repo", "osc52-clipboard-in-file-name")
def test_osc52_clipboard_write_in_a_file_name_is_neutralised(make_repo) -> None:
    repo = _workflow_named(make_repo, f"ci{OSC52}.yml".encode())
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert "\\x1b]52;c;" in result.out


@pytest.mark.hostile("repo", "bel-and-c1-csi-in-file-name")
def test_bel_and_c1_controls_in_a_file_name_are_neutralised(make_repo) -> None:
    # U+009B is the one-character CSI of C1: some terminals act on it like ESC [.
    repo = _workflow_named(make_repo, "ci\x07\u009b31m.yml".encode())
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert "ci\\x07\\x9b31m.yml" in result.out


@pytest.mark.hostile("repo", "bidi-override-in-file-name")
def test_bidi_overrides_in_a_file_name_cannot_reorder_what_is_shown(make_repo) -> None:
    repo = _workflow_named(make_repo, "ci\u202elmy.exe\u2066x\u2069.yml".encode())
    for fmt in ("text", "markdown"):
        result = _scan(repo, fmt)
        _no_terminal_controls(result)
        assert "\\u202e" in result.out


@pytest.mark.hostile("repo", "newline-in-file-name-fakes-lines")
def test_a_newline_in_a_file_name_cannot_forge_output_lines(make_repo) -> None:
    forged = "standards-check: error: nothing to see, gate passed"
    repo = _workflow_named(make_repo, f"ci\n{forged}\r\nScore 100 · Gate passed.yml".encode())
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    lines = result.out.splitlines()
    assert not any(line.startswith(("standards-check:", "Score 100")) for line in lines), result.out
    assert "\\n" + forged in result.out


@pytest.mark.hostile("repo", "waiver-check-id-escapes-in-warning")
def test_a_waiver_for_an_unknown_check_is_warned_about_without_its_escapes(make_repo) -> None:
    config = ("waivers:\n  - check: \"x\\e]52;c;cHduZWQ=\\a\\e[8m\"\n"
              "    reason: no such check here\n    expires: 2099-01-01\n")
    repo = make_repo({"README.md": "# svc\n", ".standards.yml": config})
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert "x\\x1b]52;c;cHduZWQ=" in result.out


@pytest.mark.hostile("repo", "waiver-reason-escapes-text")
def test_a_waiver_reason_with_escapes_is_neutralised_in_text(make_repo) -> None:
    config = ("waivers:\n  - check: codeowners.present\n"
              "    reason: \"planned\\e[2K\\rall rules pass\\e]0;pwned\\a\"\n    expires: 2099-01-01\n")
    repo = make_repo({"README.md": "# svc\n", ".standards.yml": config})
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert "planned\\x1b[2K\\rall rules pass" in result.out


@pytest.mark.hostile("repo", "codeowners-owner-escapes-text")
def test_escapes_in_a_codeowners_owner_are_neutralised_in_text(make_repo) -> None:
    codeowners = f"* @acme/web @x{OSC52}\n".encode()
    repo = make_repo({"README.md": "# svc\n", ".github/CODEOWNERS": codeowners})
    result = _scan(repo, "text")
    _no_terminal_controls(result)
    assert "@x\\x1b]52;c;" in result.out


@pytest.mark.hostile("repo", "owners-command-repository-file-names")
def test_owners_command_on_hostile_file_names_from_the_repository(make_repo) -> None:
    # `git ls-files -z | xargs -0 standards-check owners`: the names come from the repository.
    names = [b"src/\x1b]52;c;cHduZWQ=\x07.py", b"src/\xff\xfe.py", "src/\u202eyp.txt".encode()]
    repo = make_repo({"README.md": "# svc\n", ".github/CODEOWNERS": "/src/ @acme/web\n"})
    args = [os.fsdecode(name) for name in names]
    result = run_bounded("owners", "--repo", repo, *args)
    assert_held(result, (0,))
    _no_terminal_controls(result)
    assert result.out.count("@acme/web") == 3 and "src/\\xff\\xfe.py" in result.out, result.out
    as_json = run_bounded("owners", "--repo", repo, "--format", "json", *args)
    assert_held(as_json, (0,))
    owners = _strict_json(as_json.stdout)
    assert isinstance(owners, dict) and owners["src/\\xff\\xfe.py"] == ["@acme/web"], owners


# ---- HTML and Markdown in --format markdown --------------------------------------------------

INJECTED_HTML = "<img src=x onerror=alert(1)>"


def _table_cells(row: str) -> list[str]:
    """A GFM table row's cells, split as cmark-gfm splits them (before any inline parsing): at each
    `|` that a backslash does not escape."""
    cells, cell, chars = [], "", iter(row)
    for char in chars:
        if char == "\\":
            cell += char + next(chars, "")
        elif char == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += char
    return cells[1:]  # the text before the leading pipe; the trailing pipe ends the last cell


def _no_raw_html(result: Bounded, *needles: str) -> str:
    text = _strict_text(result.stdout)
    for needle in needles:
        assert needle not in text, f"{needle!r} reached the Markdown raw:\n{text}"
    return text


@pytest.mark.hostile("repo", "codeowners-owner-html-markdown")
def test_html_in_a_codeowners_owner_is_escaped_in_markdown(make_repo) -> None:
    owner = "<img/src=x/onerror=alert(1)>"  # one word, so the whole tag is the owner quoted
    repo = make_repo({"README.md": "# svc\n", ".github/CODEOWNERS": f"* @acme/web {owner}\n"})
    text = _no_raw_html(_scan(repo, "markdown"), "<img", "onerror=alert(1)>")
    assert "owner '&lt;img/src=x/onerror=alert(1)&gt;'" in text


@pytest.mark.hostile("repo", "waiver-reason-html-and-links-markdown")
def test_html_and_links_in_a_waiver_reason_are_escaped_in_markdown(make_repo) -> None:
    reason = "ok <b>trust me</b> [details](https://evil.example/x) ![t](https://evil.example/p.png) @acme/sre"
    config = f"waivers:\n  - check: codeowners.present\n    reason: '{reason}'\n    expires: 2099-01-01\n"
    repo = make_repo({"README.md": "# svc\n", ".standards.yml": config})
    text = _no_raw_html(_scan(repo, "markdown"), "<b>", "[details](", "![t](", "@acme/sre")
    assert "&lt;b&gt;trust me&lt;/b&gt;" in text
    assert "\\[details\\](https\\://evil.example/x)" in text


@pytest.mark.hostile("repo", "uses-value-html-markdown")
def test_html_in_a_uses_value_is_escaped_in_markdown(make_repo) -> None:
    workflow = WORKFLOW.replace(b"some-org/setup-tool@v1", b'"evil/x<script>alert(1)</script>@v1"')
    repo = _workflow_named(make_repo, b"ci.yml", workflow)
    text = _no_raw_html(_scan(repo, "markdown"), "<script>", "</script>")
    assert "evil/x&lt;script&gt;" in text


@pytest.mark.hostile("repo", "catalog-owner-img-onerror-markdown")
def test_html_in_a_catalog_owner_is_escaped_in_markdown(make_repo) -> None:
    catalog = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\n"
               f"spec: {{type: service, lifecycle: production, owner: '{INJECTED_HTML}'}}\n")
    repo = make_repo({"README.md": "# svc\n", "catalog-info.yaml": catalog})
    text = _no_raw_html(_scan(repo, "markdown", "--policy", "production-service"), "<img")
    assert "owner '&lt;img src=x onerror=alert(1)&gt;'" in text


@pytest.mark.hostile("repo", "backticks-and-html-in-file-name-markdown")
def test_a_file_name_cannot_leave_its_code_span_in_markdown(make_repo) -> None:
    repo = _workflow_named(make_repo, b"a`<img src=x onerror=alert(1)>`b.yml")
    text = _strict_text(_scan(repo, "markdown").stdout)
    row = next(line for line in text.splitlines() if line.startswith("| `workflows.pinned_actions`"))
    # one code span, its fence longer than the name's backticks: the tag inside is literal text
    assert "| ``.github/workflows/a`<img src=x onerror=alert(1)>`b.yml:6`` |" in row, row


@pytest.mark.hostile("repo", "pipe-and-html-in-file-name-markdown")
def test_a_file_name_cannot_split_a_markdown_table_cell(make_repo) -> None:
    repo = _workflow_named(make_repo, b"a\\|<img src=x onerror=alert(1)>|b.yml")
    text = _no_raw_html(_scan(repo, "markdown"), "<img")
    row = next(line for line in text.splitlines() if line.startswith("| `workflows.pinned_actions`"))
    assert len(_table_cells(row)) == 6, row
    assert "a\\\\\\|&lt;img src=x onerror=alert(1)&gt;\\|b.yml:6" in row, row


# ---- JUnit -----------------------------------------------------------------------------------


@pytest.mark.hostile("repo", "junit-cdata-end-and-controls-in-name")
def test_junit_stays_well_formed_with_cdata_ends_and_controls(make_repo) -> None:
    repo = _workflow_named(make_repo, b"]]><x a='1'>\x1b[31m\x0c\x01.yml")
    result = _scan(repo, "junit")
    text = _strict_text(result.stdout)
    assert not XML_ILLEGAL.search(text)
    root = ET.fromstring(result.stdout)
    failure = root.find(".//testcase[@name='workflows.pinned_actions']/failure")
    assert failure is not None
    assert "]]><x a='1'>\\x1b[31m\\x0c\\x01.yml" in (failure.text or "")  # shown, not dropped


# ---- CSV -------------------------------------------------------------------------------------


@pytest.mark.hostile("repo", "csv-formula-repository-names")
def test_csv_report_neutralises_formulas_in_repository_names(make_repo, tmp_path: Path) -> None:
    names = ['=HYPERLINK("https:', "+1+2", "-2+3", "@SUM(1)", "\tx", "plain-name"]
    fleet = tmp_path / "fleet"
    for name in names:
        make_repo({"README.md": "# svc\n"}, name=f"fleet/{name}")
    store = tmp_path / "sweep.db"
    swept = run_bounded("sweep", "--dir", fleet, "--store", store, "--jobs", "2", seconds=120)
    assert_held(swept, (0,))
    result = run_bounded("report", "--store", store, "--format", "csv")
    assert_held(result, (0,))
    rows = list(csv.DictReader(io.StringIO(_strict_text(result.stdout))))
    shown = {row["name"] for row in rows}
    assert shown == {"'" + n if n[0] in "=+-@\t" else n for n in names}, shown
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r", row


@pytest.mark.hostile("repo", "non-utf8-and-escape-repository-dir-names-sweep")
def test_sweep_reports_repository_directories_with_hostile_names(make_repo, tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name in (b"svc-\xff", f"svc{OSC52}".encode()):
        made = make_repo({"README.md": "# svc\n"}, name=os.fsdecode(b"made-" + name))
        os.rename(made, os.fsencode(fleet) + b"/" + name)
    store = tmp_path / "sweep.db"
    swept = run_bounded("sweep", "--dir", fleet, "--store", store, "--jobs", "2", seconds=120)
    assert_held(swept, (0,))
    _no_terminal_controls(swept)
    as_json = run_bounded("report", "--store", store, "--format", "json")
    assert_held(as_json, (0,))
    report = _strict_json(as_json.stdout)
    assert isinstance(report, dict)
    assert {r["name"] for r in report["repositories"]} == {"svc-\\xff", f"svc{OSC52}"}
    assert {r["status"] for r in report["repositories"]} == {"ok"}
    as_csv = run_bounded("report", "--store", store, "--format", "csv")
    assert_held(as_csv, (0,))
    _no_terminal_controls(as_csv)
    html = tmp_path / "scorecard.html"
    as_html = run_bounded("report", "--store", store, "--format", "html", "--output", html)
    assert_held(as_html, (0,))
    assert "svc-\\xff" in _strict_text(html.read_bytes())


@pytest.mark.hostile("repo", "ci-workflow-commands-from-hostile-file-names")
def test_ci_step_output_cannot_be_forged_by_file_names(make_repo, tmp_path: Path) -> None:
    # the runner reads `::command::` lines from stdout: a file name must not start one of its own
    name = b"ci\n::error file=FORGED.md,line=1::forged\n\x1b[31m\xff<img src=x onerror=alert(1)>.yml"
    repo = _workflow_named(make_repo, name)
    runner = tmp_path / "runner"
    runner.mkdir()
    event = runner / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main", "after": "0" * 40}))
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_REPOSITORY": "acme/svc", "GITHUB_WORKSPACE": str(repo), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "GITHUB_OUTPUT": str(runner / "output.txt"),
           "RUNNER_TEMP": str(runner / "tmp"), "GITHUB_TOKEN": "", "INPUT_GITHUB_TOKEN": "",
           "GITHUB_SHA": git(repo, "rev-parse", "HEAD").strip()}
    result = run_bounded("ci", cwd=repo, env=env, seconds=60)
    assert_held(result, (0, 1))
    _no_terminal_controls(result)
    lines = result.out.splitlines()
    assert not [line for line in lines if "forged" in line and not line.startswith("::")], result.out
    assert not any(line.startswith("::error file=FORGED.md") for line in lines), result.out
    summary = _strict_text((runner / "summary.md").read_bytes())
    page = cmarkgfm.github_flavored_markdown_to_html(summary, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page, page
    assert "ci\\n::error file=FORGED.md,line=1::forged\\n\\x1b[31m\\xff" in page, page
    report_file = next((runner / "tmp").rglob("report.json"))
    report = _strict_json(report_file.read_bytes())
    jsonschema.Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(report)
