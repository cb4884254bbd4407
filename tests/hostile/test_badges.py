"""Hostile repository names and catalog names against `report --format badge|backstage`.

Names come from an API or a URL file: they may climb out of the badge directory, carry terminal
controls, be longer than a file name may be, or differ only in case or in `/` against `_` (and so
collide on a case-insensitive file system or after a naive slug). Each case runs the report in a
bounded child process and checks what lands on disk: nothing outside the output directory, one
valid shields.io endpoint file per repository, an index that maps every exact name to its own file,
and Backstage entity names the catalog accepts.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from standards_check.sweep.store import Store
from tests.hostile.harness import assert_held, run_bounded
from tests.sweep_helpers import FakeGitHub, repo_item, sample_row
from tests.test_sweep_portals import SHIELDS_ENDPOINT, TECH_INSIGHTS

SAFE_FILE = re.compile(r"^[a-z0-9-]{1,71}\.json$")
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _store(path: Path, names: list[str]) -> Path:
    import random

    rng = random.Random(3)
    with Store(path) as store:
        sweep, _ = store.start_or_resume(source="urls:repos.txt", policy=None, policy_map=None,
                                         tool_version="0", shard=None, run_id=None, total=len(names))
        for i, name in enumerate(names):
            if i % 3 == 2:
                store.add_result(sweep.id, {"repo": name, "status": "error", "error": f"clone failed: {name}",
                                            "scanned_at": "2026-01-01T00:00:00+00:00"})
            else:
                store.add_result(sweep.id, sample_row(name, "@acme/x", 0.6, rng))
        store.finish(sweep.id)
    return path


def _every_file(root: Path) -> set[Path]:
    return {Path(d) / f for d, _, files in os.walk(root) for f in files}


def _badges_hold(tmp_path: Path, names: list[str]) -> None:
    """Badges for `names`: all inside the directory, safe file names, one per exact name, valid."""
    work = tmp_path / "work"
    work.mkdir()
    store = _store(tmp_path / "s.db", names)
    before = _every_file(tmp_path) - _every_file(work)
    out = work / "badges"
    result = run_bounded("report", "--store", store, "--format", "badge", "--output", out, cwd=work)
    assert_held(result, (0,))
    assert _every_file(tmp_path) - _every_file(work) == before, "wrote outside the output directory"
    assert {p.parent for p in _every_file(work)} == {out}
    index = json.loads((out / "index.json").read_text())
    assert set(index["repositories"]) == set(names)
    files = list(index["repositories"].values())
    assert len(set(f.lower() for f in files)) == len(names), "two repositories share a badge file"
    assert sorted(p.name for p in out.iterdir()) == sorted([*files, "_organisation.json", "index.json"])
    for file in [*files, "_organisation.json"]:
        assert file == "_organisation.json" or SAFE_FILE.match(file), file
        jsonschema.validate(json.loads((out / file).read_text()), SHIELDS_ENDPOINT)
    for i, name in enumerate(sorted(names)):  # the error rows are error badges, the rest scored
        badge = json.loads((out / index["repositories"][name]).read_text())
        assert ("isError" in badge) == (names.index(name) % 3 == 2)


def _facts_hold(tmp_path: Path, store: Path) -> dict[str, Any]:
    result = run_bounded("report", "--store", store, "--format", "backstage")
    assert_held(result, (0,))
    document = json.loads(result.out)
    jsonschema.validate(document, TECH_INSIGHTS)
    assert not TERMINAL_CONTROLS.search(result.err), "a warning carries a raw control character"
    refs = [(f["entity"]["namespace"], f["entity"]["name"].lower()) for f in document["facts"]]
    assert len(set(refs)) == len(refs), "two fact rows for one entity"
    return document


@pytest.mark.hostile("repo", "badge-name-traversal")
def test_names_that_climb_out_of_the_directory(tmp_path: Path) -> None:
    _badges_hold(tmp_path, ["../../escaped", "../x", "/etc/cron.d/x", "a/../../b", "..", ".", "~/x",
                            "C:\\Windows\\x", "acme/..%2f..%2fx"])


@pytest.mark.hostile("repo", "badge-name-control-characters")
def test_names_with_terminal_controls_and_newlines(tmp_path: Path) -> None:
    _badges_hold(tmp_path, ["acme/\x1b]52;c;ZWNobyBwd25lZA==\x07x", "acme/line\nbreak", "acme/\u202eevil",
                            "acme/tab\there", "acme/\x7f\x9bq", "acme/\u00fcml\u00e4ut"])


@pytest.mark.hostile("repo", "badge-name-very-long")
def test_names_longer_than_a_file_name_may_be(tmp_path: Path) -> None:
    _badges_hold(tmp_path, ["acme/" + "a" * 5000, "acme/" + "a" * 5001, "acme/" + "ä" * 300,
                            "/" * 400])


@pytest.mark.hostile("repo", "badge-name-case-collision")
def test_names_differing_only_in_case(tmp_path: Path) -> None:
    _badges_hold(tmp_path, ["acme/api", "Acme/API", "ACME/api", "acme/Api", "acme/apI", "acme/API"])


@pytest.mark.hostile("repo", "badge-name-slug-collision")
def test_names_that_collide_after_slugging(tmp_path: Path) -> None:
    _badges_hold(tmp_path, ["acme/api", "acme_api", "acme-api", "acme.api", "acme api", "acme//api",
                            "acme/api/", "-acme-api-", "_organisation", "index", "___", "/"])


@pytest.mark.hostile("api", "badge-names-from-the-org-listing")
def test_hostile_full_names_from_the_api_end_to_end(tmp_path: Path) -> None:
    """The names come from a (fake) organisation listing; the repositories cannot be cloned, so each
    is recorded as an error, and still gets its own error badge inside the directory."""
    names = ["../escaped", "acme/..", "acme/API", "acme/api", "acme/a\x1b[2Jb"]
    with FakeGitHub({"/orgs/acme/repos": [repo_item(n) for n in names]}, per_page=10) as fake:
        store = tmp_path / "org.db"
        swept = run_bounded("sweep", "--org", "acme", "--api-url", fake.url, "--store", store,
                            "--cache-dir", tmp_path / "cache", "--jobs", "1", seconds=60)
        assert_held(swept, (0, 1))
    work = tmp_path / "work"
    work.mkdir()
    out = work / "b"
    result = run_bounded("report", "--store", store, "--format", "badge", "--output", out)
    assert_held(result, (0,))
    index = json.loads((out / "index.json").read_text())
    with Store(store, create=False) as s:
        recorded = {r["repo"] for r in s.results(s.latest_sweep().id)}
    assert set(index["repositories"]) == recorded and len(recorded) >= 3
    assert {p.parent for p in _every_file(work)} == {out}
    assert len(set(index["repositories"].values())) == len(recorded)
    for file in index["repositories"].values():
        badge = json.loads((out / file).read_text())
        jsonschema.validate(badge, SHIELDS_ENDPOINT)
        assert badge["isError"] is True


@pytest.mark.hostile("repo", "backstage-hostile-repository-names")
def test_backstage_entities_from_hostile_names(tmp_path: Path) -> None:
    names = ["acme/../../x", "acme/\x1b]0;pwned\x07", "acme/" + "n" * 3000, "acme/API", "acme/api",
             "acme/", "acme/.-_.", "acme/ä"]
    document = _facts_hold(tmp_path, _store(tmp_path / "s.db", names))
    kept = {f["facts"]["repository"] for f in document["facts"]}
    assert "acme/API" in kept and "acme/api" not in kept  # one entity, the first by name


@pytest.mark.hostile("repo", "backstage-hostile-catalog-name")
def test_backstage_entity_from_a_hostile_catalog_info(make_repo, tmp_path: Path) -> None:
    """metadata.name and namespace are the repository's own words: the entity still names validly."""
    for i, (name, namespace) in enumerate([("../../etc", "default"), ("x" * 500, "../up"),
                                           ('"\\u001b[2J"', "ns\\nbreak"), ("ok-name", "UPPER")]):
        catalog = (f"apiVersion: backstage.io/v1alpha1\nkind: Component\n"
                   f"metadata: {{name: {name}, namespace: {namespace}}}\nspec: {{owner: team-a}}\n")
        make_repo({"README.md": "# x\n", "catalog-info.yaml": catalog}, name=f"clones/r{i}")
    store = tmp_path / "s.db"
    swept = run_bounded("sweep", "--dir", tmp_path / "clones", "--store", store, "--jobs", "1", seconds=60)
    assert_held(swept, (0,))
    document = _facts_hold(tmp_path, store)
    names = {f["facts"]["repository"]: f["entity"] for f in document["facts"]}
    assert names["r3"] == {"namespace": "upper", "kind": "Component", "name": "ok-name"}
    assert names["r0"]["name"] == "etc" and len(names["r1"]["name"]) == 63
