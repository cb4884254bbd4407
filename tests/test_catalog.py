"""Catalog loading: declarative entries, and bad entries named by file:line."""
from __future__ import annotations

import pytest

from standards_check.catalog import load_catalog, load_entry
from standards_check.errors import UserError
from tests.cli_helpers import run_cli


def test_declarative_entry_in_a_catalog_directory(tmp_path):
    (tmp_path / "acme.dockerfile.yaml").write_text(
        "id: acme.dockerfile\ntitle: Services ship a Dockerfile\ncategory: delivery\ntype: file_exists\n"
        "what: Looks for a Dockerfile anywhere.\nwhy: Every service builds the same way.\n"
        "fix: Add a Dockerfile next to the service.\nparams: {globs: ['**/Dockerfile']}\n")
    spec = load_catalog(str(tmp_path)).get("acme.dockerfile")
    assert spec.is_declarative and spec.defaults()["globs"] == ["**/Dockerfile"]
    assert spec.defaults()["mode"] == "any"


def test_bad_entries_name_file_and_line(tmp_path):
    bad = tmp_path / "x.y.yaml"
    bad.write_text("id: x.y\ntitle: T\ncategory: speed\nwhat: w\n")
    _, problems = load_entry(bad)
    messages = [str(p) for p in problems]
    assert f"{bad}:3:11: category: 'speed' is not one of 'ownership', 'knowledge', 'delivery', 'reliability', 'security'" in messages
    assert any("'fix' is required" in m for m in messages)
    with pytest.raises(UserError):
        load_catalog(str(tmp_path))


def test_explain_unknown_check_is_exit_2():
    result = run_cli("checks", "explain", "no.such")
    assert result.exit_code == 2
    assert "unknown check 'no.such'" in result.stderr


def test_checks_list_json():
    import json

    result = run_cli("checks", "list", "--format", "json")
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["readme.present"]["implemented"] is True


def test_entry_id_must_match_its_file_name(tmp_path):
    entry = tmp_path / "a.b.yaml"
    entry.write_text("id: a.c\ntitle: Title\ncategory: delivery\nwhat: What it checks.\n"
                     "why: Why it matters.\nfix: How to fix it.\n")
    _, problems = load_entry(entry)
    assert [str(p) for p in problems] == [f"{entry}:1:5: id 'a.c' does not match the file name 'a.b.yaml'"]
