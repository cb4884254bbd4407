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


def test_every_shipped_catalog_entry_is_valid():
    """The installed tool loads its own catalog without validating it (a faster start); the build
    (hatch_build.py) and this test are where it is validated."""
    from standards_check.resources import data_dir

    paths = sorted(data_dir("checks").glob("*.yaml"))
    assert len(paths) > 20
    for path in paths:
        spec, problems = load_entry(path)
        assert problems == [] and spec is not None, problems
        unvalidated, _ = load_entry(path, validate=False)
        assert unvalidated == spec


@pytest.mark.parametrize("args", [["--help"], ["checks", "list"], ["checks", "explain", "secrets.committed"],
                                  ["checks", "explain", "readme.present"]])
def test_catalog_commands_start_without_jsonschema(args):
    import subprocess
    import sys

    code = ("import sys\nfrom standards_check.cli import main\nsys.argv = ['standards-check', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print('jsonschema' in sys.modules, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "False"
