"""Workflow commands, step outputs, job summary and the posted words: literal Reports in, exact text out."""
from __future__ import annotations

import re
from dataclasses import replace

from standards_check.model import Location
from standards_check.publish.actions import (
    MAX_SUMMARY_BYTES, annotation_commands, append_step_summary, escape_data, escape_property,
    workflow_command, write_outputs,
)
from standards_check.publish.summary import Finding, comment_body, findings
from standards_check.report import Diff
from tests.action_support import result, sample_report


def test_escaping_follows_the_runner() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert workflow_command("error", "bad: thing\n::set-output name=x::y", file="a,b.yml", line=3,
                            title="t: 1") == "::error file=a%2Cb.yml,line=3,title=t%3A 1::bad: thing%0A::set-output name=x::y"
    assert workflow_command("notice", "plain") == "::notice::plain"


def test_annotations_are_capped_per_level() -> None:
    many = [Finding("c", "error", f"f{i}.yml", i + 1, "t", "m") for i in range(13)]
    many.append(Finding("w", "warning", "w.yml", 1, "t", "m"))
    lines = annotation_commands(many)
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 1
    assert lines[-1] == "::notice::3 more findings are not annotated here: see the job summary."


def test_findings_place_repository_level_results_on_the_anchor() -> None:
    found = findings(sample_report())
    assert [(f.check, f.path, f.line) for f in found][:2] == [
        ("codeowners.present", "README.md", 1), ("workflows.pinned_actions", ".github/workflows/ci.yml", 12)]
    assert found[0].severity == "error" and "whole repository" in found[0].message


def test_outputs_are_heredoc_safe(tmp_path) -> None:
    out = tmp_path / "output"
    write_outputs(out, {"score": 61.5, "passed": False, "report-json": "/tmp/r.json\nscore<<EOF\n100\nEOF"})
    text = out.read_text()
    blocks = re.findall(r"^([\w-]+)<<(ghadelimiter_[0-9a-f-]+)\n(.*?)\n\2$", text, re.M | re.S)
    assert [(name, value) for name, _, value in blocks] == [
        ("score", "61.5"), ("passed", "false"), ("report-json", "/tmp/r.json\nscore<<EOF\n100\nEOF")]


def test_step_summary_appends_and_stays_under_the_limit(tmp_path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    append_step_summary(path, "# ours")
    assert path.read_text() == "earlier step\n# ours\n"
    append_step_summary(path, "x" * (2 * MAX_SUMMARY_BYTES))
    assert path.stat().st_size <= MAX_SUMMARY_BYTES and "truncated" in path.read_text()


def test_comment_is_short_when_nothing_changed() -> None:
    same = replace(sample_report(), diff=Diff("main", 61.5, 0.0, (), (), "b" * 40))
    body = comment_body(same)
    assert "No change from the base: 3 rule(s) failing, as before." in body
    assert "<details>" not in body and len(body.splitlines()) < 12


def test_comment_defuses_mentions_and_markup() -> None:
    sneaky = replace(sample_report(), results=(
        result("codeowners.valid", "fail", "owner @acme/sre | unknown <img src=x> team", Location("CODEOWNERS", 2)),))
    body = comment_body(sneaky)
    assert "@acme" not in body and "@\u200bacme/sre" in body
    assert "<img" not in body and "\\|" in body
