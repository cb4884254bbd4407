"""The scorecard files repositories under teams, labels every sweep distinctly, and shows each
repository's change since the previous sweep."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from click.testing import CliRunner

from standards_check.cli import cli
from standards_check.commands.report import report_command
from standards_check.sweep.store import Store
from tests.sweep_helpers import make_sample_store

README = "# Svc\n\n" + "This service does one thing. Build with make, test with make test.\n" * 3


def _catalog(owner: str) -> str:
    return ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\n"
            f"spec: {{type: service, lifecycle: production, owner: '{owner}'}}\n")


def test_teams_are_teams_not_the_first_listed_person(make_repo, tmp_path: Path) -> None:
    repos = {
        # a person listed before the team on the catch-all line: the team
        "person-first": {".github/CODEOWNERS": "* @alice @acme/payments\n"},
        # only people in CODEOWNERS, a group in catalog-info.yaml: the catalog's group
        "catalog-group": {"CODEOWNERS": "* @bob\n", "catalog-info.yaml": _catalog("group:search")},
        # a person as default owner, teams owning the code below: the team owning the most rules
        "teams-below": {".github/CODEOWNERS": "* @carol\n/src/ @acme/core\n/lib/ @acme/core\n/docs/ @acme/docs\n"},
        # a catalog owner that is a user does not beat a CODEOWNERS team
        "catalog-user": {".github/CODEOWNERS": "* @acme/identity\n", "catalog-info.yaml": _catalog("user:dave")},
        # nothing but a person: the person (better than no owner)
        "just-a-person": {".github/CODEOWNERS": "* @erin\n"},
    }
    for name, files in repos.items():
        make_repo({"README.md": README, **files}, name=f"clones/{name}")
    store = tmp_path / "s.db"
    result = CliRunner().invoke(cli, ["sweep", "--dir", str(tmp_path / "clones"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    with Store(store) as s:
        teams = {r["repo"]: r["team"] for r in s.results(s.latest_sweep().id)}
    assert teams == {"person-first": "@acme/payments", "catalog-group": "group:search",
                     "teams-below": "@acme/core", "catalog-user": "@acme/identity",
                     "just-a-person": "@erin"}


def _two_sweeps_one_day(path: Path) -> None:
    make_sample_store(path, repos=8, sweeps=1)
    with Store(path) as store:
        first = store.latest_sweep()
        results = store.results(first.id)
        for hour in (9, 15):
            sweep, _ = store.start_or_resume(source="github:acme", policy="baseline", policy_map=None,
                                             tool_version="0.1.0", shard=None, run_id=f"day-{hour}", total=8)
            store.db.execute("UPDATE sweeps SET started_at = ? WHERE id = ?",
                             (f"2026-05-04T{hour:02d}:00:00+00:00", sweep.id))
            for row in results:
                row = dict(row)
                if row["repo"] == "acme/service-01" and row["score"] is not None:
                    row["score"] = round(row["score"] + (5 if hour == 15 else 2), 1)
                store.add_result(sweep.id, row)
            store.finish(sweep.id)


def test_same_day_sweeps_get_distinct_labels_and_each_repo_shows_its_change(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    _two_sweeps_one_day(store)
    out = tmp_path / "card.html"
    assert report_command(store_path=store, fmt="html", output=out) == 0
    html = out.read_text(encoding="utf-8")
    # two sweeps on 2026-05-04: the trend's x labels carry the time, so they differ
    assert "2026-05-04 09:00" in html and "2026-05-04 15:00" in html
    # the change since the previous sweep (09:00): service-01 gained 3 points, the others none
    assert "Change since 2026-05-04 09:00" in html
    row = re.search(r"acme/service-01</a></td>.*?</tr>", html, flags=re.S)
    assert row and "▲ +3.0" in row.group(0)
    row = re.search(r"acme/service-02</a></td>.*?</tr>", html, flags=re.S)
    assert row and "= 0" in row.group(0)
    csv_out = tmp_path / "r.csv"
    assert report_command(store_path=store, fmt="csv", output=csv_out) == 0
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(csv_out.read_text()))}
    assert rows["acme/service-01"]["score_change"] == "3.0"
    assert rows["acme/service-02"]["score_change"] == "0.0"
    assert rows["acme/empty"]["score_change"] == ""  # not scored


def test_the_first_sweep_says_so(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    make_sample_store(store, repos=4, sweeps=1)
    out = tmp_path / "card.html"
    assert report_command(store_path=store, fmt="html", output=out) == 0
    html = out.read_text(encoding="utf-8")
    assert "first sweep" in html and "▲" not in html
