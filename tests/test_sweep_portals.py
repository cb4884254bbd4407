"""`report --format badge` and `report --format backstage` through the CLI, on stores built by
`sweep --dir` over real git repositories."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from standards_check.sweep.badges import slug
from tests.cli_helpers import run_cli

README = "# Payments\n\n" + "This service takes payments. Build with make, test with make test.\n" * 3
POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: portal-test, version: 1.0.0}
gate: {min_score: 60, min_level: 1}
rules:
  - {check: readme.present, level: 1, weight: 2}
  - {check: license.present, level: 1, weight: 1}
"""
CATALOG = ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: payments-api}\n"
           "spec: {type: service, lifecycle: production, owner: group:payments}\n")

# The shields.io endpoint badge schema as documented at https://shields.io/badges/endpoint-badge
# (Schema table): schemaVersion is always the number 1, label is required (may be empty), message is
# required and can't be empty; color, labelColor, isError, namedLogo, logoSvg, logoColor, logoWidth,
# style and cacheSeconds (at least 300, the Shields minimum) are optional.
SHIELDS_ENDPOINT = {
    "type": "object",
    "required": ["schemaVersion", "label", "message"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "label": {"type": "string"},
        "message": {"type": "string", "minLength": 1},
        "color": {"type": "string", "minLength": 1},
        "labelColor": {"type": "string", "minLength": 1},
        "isError": {"type": "boolean"},
        "namedLogo": {"type": "string"},
        "logoSvg": {"type": "string"},
        "logoColor": {"type": "string"},
        "logoWidth": {"type": "integer"},
        "style": {"enum": ["flat", "flat-square", "plastic", "for-the-badge", "social"]},
        "cacheSeconds": {"type": "integer", "minimum": 300},
    },
}
_NAME = {"type": "string", "pattern": r"^[A-Za-z0-9]([-_.]?[A-Za-z0-9])*$", "maxLength": 63}
# Backstage Tech Insights (@backstage-community/plugin-tech-insights-node, types.ts): a FactRetriever
# without its handler (`FactSchemaDefinition`: id, version, title?, description?, schema, entityFilter?),
# whose schema maps each fact name to {type: integer|float|string|boolean|datetime|set, description};
# the handler returns `TechInsightFact[]`: {entity: {namespace, kind, name}, facts, timestamp?}. Entity
# names follow the Backstage catalog's rule for metadata.name (1-63 of [A-Za-z0-9] joined by -_.).
TECH_INSIGHTS = {
    "type": "object",
    "required": ["id", "version", "schema", "facts"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "title": {"type": "string"}, "description": {"type": "string"},
        "entityFilter": {"type": "array", "items": {"type": "object"}},
        "schema": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["type", "description"],
            "properties": {"type": {"enum": ["integer", "float", "string", "boolean", "datetime", "set"]},
                           "description": {"type": "string"}}}},
        "facts": {"type": "array", "items": {
            "type": "object", "required": ["entity", "facts"], "additionalProperties": False,
            "properties": {
                "entity": {"type": "object", "required": ["namespace", "kind", "name"],
                           "additionalProperties": False,
                           "properties": {"namespace": _NAME, "kind": {"type": "string"}, "name": _NAME}},
                "facts": {"type": "object"},
                "timestamp": {"type": "string", "format": "date-time"}}}},
    },
}
PYTHON_TYPES: dict[str, Any] = {"integer": int, "float": float, "string": str, "boolean": bool,
                                "datetime": str, "set": list}


@pytest.fixture
def store(make_repo, tmp_path: Path) -> Path:
    """A sweep over three clones: a catalogued service, a bare repository, and an empty one."""
    make_repo({"README.md": README, "LICENSE": "MIT\n", ".github/CODEOWNERS": "* @acme/payments\n",
               "catalog-info.yaml": CATALOG}, name="clones/payments")
    make_repo({"main.py": "print(1)\n"}, name="clones/Scratch.Tool")
    make_repo({}, name="clones/empty", commit=False)
    path = tmp_path / "org.db"
    policy = tmp_path / "portal-test.yaml"
    policy.write_text(POLICY)
    result = run_cli("sweep", "--dir", tmp_path / "clones", "--store", path, "--jobs", "1",
                     "--policy", policy)
    assert result.exit_code == 0, result.output
    return path


def _badges(directory: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    index = json.loads((directory / "index.json").read_text())
    badges = {name: json.loads((directory / file).read_text()) for name, file in index["repositories"].items()}
    return index, badges


def test_badges_per_repository_and_for_the_organisation(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "site" / "badges"
    result = run_cli("report", "--store", store, "--format", "badge", "--output", out)
    assert result.exit_code == 0, result.output
    index, badges = _badges(out)
    assert set(index["repositories"]) == {"payments", "Scratch.Tool", "empty"}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*index["repositories"].values(), "_organisation.json", "index.json"])
    organisation = json.loads((out / index["organisation"]).read_text())
    for badge in [*badges.values(), organisation]:
        jsonschema.validate(badge, SHIELDS_ENDPOINT)

    report = {r["name"]: r for r in json.loads(
        run_cli("report", "--store", store, "--format", "json").stdout)["repositories"]}
    payments, scratch = report["payments"], report["Scratch.Tool"]
    assert badges["payments"]["message"] == f"{payments['score']:g} · level {payments['level']}"
    assert payments["score"] == 100 and badges["payments"]["color"] == "brightgreen"
    assert badges["Scratch.Tool"]["message"] == f"{scratch['score']:g} · level {scratch['level']}"
    assert scratch["score"] < 20 and badges["Scratch.Tool"]["color"] == "red"
    assert badges["empty"] == {"schemaVersion": 1, "label": "standards", "message": "error",
                               "color": "lightgrey", "isError": True, "cacheSeconds": 3600}
    mean = round((payments["score"] + scratch["score"]) / 2, 1)
    passing = [payments["passed"], scratch["passed"]].count(True)
    assert organisation["message"] == f"{mean:g} · {passing}/2 passing"
    assert "isError" not in organisation


def test_badge_colour_follows_the_documented_bands() -> None:
    from standards_check.sweep.badges import colour

    assert [colour(s) for s in (100, 90, 89.9, 75, 60, 59.9, 40, 20, 19.9, 0)] == [
        "brightgreen", "brightgreen", "green", "green", "yellowgreen", "yellow", "yellow", "orange",
        "red", "red"]


def test_backstage_facts_validate_and_name_the_catalog_component(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.json"
    result = run_cli("report", "--store", store, "--format", "backstage", "--output", out)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    jsonschema.validate(document, TECH_INSIGHTS, format_checker=jsonschema.FormatChecker())
    facts = {f["facts"]["repository"]: f for f in document["facts"]}
    assert set(facts) == {"payments", "Scratch.Tool", "empty"}
    # the catalog-info.yaml's metadata.name, not the directory's name
    assert facts["payments"]["entity"] == {"namespace": "default", "kind": "Component", "name": "payments-api"}
    assert facts["Scratch.Tool"]["entity"]["name"] == "Scratch-Tool"
    for entry in document["facts"]:  # every fact is declared, with a value of its declared type
        for key, value in entry["facts"].items():
            assert isinstance(value, PYTHON_TYPES[document["schema"][key]["type"]]), (key, value)
    payments = facts["payments"]["facts"]
    assert payments["status"] == "ok" and payments["passed"] is True and payments["level"] >= 1
    assert isinstance(payments["score"], float) and payments["failingChecks"] == []
    scratch = facts["Scratch.Tool"]["facts"]
    assert scratch["passed"] is False and "readme.present" in scratch["failingChecks"]
    empty = facts["empty"]["facts"]
    assert empty["status"] == "error" and "empty" in empty["error"] and "score" not in empty
    # the stored report that carries the catalog entity still meets the report schema
    from standards_check.resources import schema_path
    from standards_check.sweep.store import Store

    with Store(store, create=False) as s:
        stored = {r["repo"]: r["report"] for r in s.results(s.latest_sweep().id)}
    assert stored["payments"]["repository"]["catalog_entity"] == {
        "kind": "Component", "namespace": "default", "name": "payments-api"}
    jsonschema.validate(stored["payments"], json.loads(schema_path("report.schema.json").read_text()))
    # stdout without --output
    again = run_cli("report", "--store", store, "--format", "backstage")
    assert json.loads(again.stdout) == document


def test_backstage_entity_collision_keeps_the_first_and_warns(make_repo, tmp_path: Path) -> None:
    make_repo({"README.md": README, "catalog-info.yaml": CATALOG}, name="clones/a-payments")
    make_repo({"README.md": README, "catalog-info.yaml": CATALOG}, name="clones/b-payments-copy")
    store = tmp_path / "s.db"
    assert run_cli("sweep", "--dir", tmp_path / "clones", "--store", store).exit_code == 0
    result = run_cli("report", "--store", store, "--format", "backstage")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [f["facts"]["repository"] for f in document["facts"]] == ["a-payments"]
    assert "b-payments-copy: left out" in result.stderr and "component:default/payments-api" in result.stderr


def _damage(store: Path) -> None:
    db = sqlite3.connect(store)
    db.execute("UPDATE results SET failing = '[\"cut', score = 'x' WHERE repo = 'payments'")
    db.commit()
    db.close()


@pytest.mark.parametrize("fmt", ["badge", "backstage"])
def test_a_damaged_store_renders_the_rest_and_exits_1(store: Path, tmp_path: Path, fmt: str) -> None:
    _damage(store)
    out = tmp_path / "out"
    result = run_cli("report", "--store", store, "--format", fmt, "--output", out)
    assert result.exit_code == 1, result.output
    assert "is damaged" in result.stderr and "payments" in result.stderr
    if fmt == "badge":
        _, badges = _badges(out)
        assert badges["payments"]["isError"] is True and badges["Scratch.Tool"].get("isError") is None
    else:
        facts = {f["facts"]["repository"]: f["facts"] for f in json.loads(out.read_text())["facts"]}
        assert facts["payments"]["status"] == "error" and facts["Scratch.Tool"]["status"] == "ok"


def test_bad_usage_exits_2(store: Path, tmp_path: Path) -> None:
    assert run_cli("report", "--store", store, "--format", "shields").exit_code == 2
    assert run_cli("report", "--store", store, "--format", "badge").exit_code == 2  # no --output
    a_file = tmp_path / "badges"
    a_file.write_text("not a directory\n")
    result = run_cli("report", "--store", store, "--format", "badge", "--output", a_file)
    assert result.exit_code == 2 and "not a directory" in result.output
    assert a_file.read_text() == "not a directory\n"


def test_slugs_are_stable_safe_and_distinct() -> None:
    names = ["acme/api", "acme_api", "ACME/api", "acme/API", "../../etc/passwd", "acme/" + "x" * 500,
             "", "_organisation", "index", ".hidden", "ümlaut/name"]
    slugs = [slug(n) for n in names]
    assert len(set(slugs)) == len(names)
    assert slug("acme/api") == slug("acme/api")
    for s in slugs:
        assert s.replace("-", "").isalnum() and s.isascii() and s[0] not in "._-" and len(s) <= 71
