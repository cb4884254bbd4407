"""The JSON Schemas editors use: stable absolute `$id`s, the `# yaml-language-server: $schema=` lines
in what we ship, every shipped policy, catalog entry, policy test and example `.standards.yml`
valid against its schema, and waivers held to the waiver definition (by the schema, for editors;
by the scanner, which reports a malformed waiver instead of refusing the file)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from jsonschema import Draft202012Validator

from standards_check import links, yamlio
from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, run_cli, scan_json

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = sorted(schema_path("").glob("*.schema.json"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

# what each shipped file is, and the schema it must name and meet
SHIPPED = {
    "policy": sorted(ROOT.glob("policies/*/*.yaml")) + sorted(ROOT.glob("examples/policy-repo/policies/*/*.yaml")),
    "check": sorted(ROOT.glob("checks/*.yaml")),
    "policy-test": sorted(ROOT.glob("examples/policy-repo/tests/*/expect.yaml")),
    "repo-config": [ROOT / "examples" / "repository" / ".standards.yml"],
}


def _schema(name: str) -> dict:
    return json.loads(schema_path(f"{name}.schema.json").read_text())


def test_every_schema_has_a_stable_absolute_unique_id() -> None:
    ids = {}
    for path in SCHEMAS:
        schema = json.loads(path.read_text())
        name = path.name.removesuffix(".schema.json")
        url = urlparse(schema["$id"])
        assert url.scheme == "https" and url.netloc and not url.fragment, path.name
        assert schema["$id"] == links.schema_url(name), path.name
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema.get("title") and schema.get("description"), f"{path.name}: SchemaStore wants both"
        Draft202012Validator.check_schema(schema)
        ids[schema["$id"]] = path.name
    assert len(ids) == len(SCHEMAS) >= 5


def test_schema_urls_follow_the_project_address() -> None:
    owner_repo = links.project_url().removeprefix("https://github.com/")
    assert links.schema_url("policy") == (
        f"https://raw.githubusercontent.com/{owner_repo}/main/src/standards_check/schemas/policy.schema.json")
    # the address serves the file at that path of the repository
    assert (ROOT / urlparse(links.schema_url("policy")).path.split("/main/", 1)[1]).is_file()


@pytest.mark.parametrize("kind, path", [(kind, p) for kind, paths in SHIPPED.items() for p in paths],
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_shipped_files_name_their_schema_and_meet_it(kind: str, path: Path) -> None:
    text = path.read_text()
    match = MODELINE.match(text.splitlines()[0])
    assert match, f"{path}: first line should be the yaml-language-server modeline"
    assert match.group(1) == links.schema_url(kind)
    errors = sorted(e.message for e in Draft202012Validator(_schema(kind)).iter_errors(yamlio.load(text)))
    assert errors == []


def test_every_shipped_kind_has_files() -> None:
    assert all(SHIPPED.values())
    assert len(SHIPPED["policy"]) >= 4 and len(SHIPPED["check"]) >= 30


def test_check_jsonschema_accepts_the_shipped_files_too() -> None:
    """The command line a contributor (or SchemaStore's tests) would run."""
    from check_jsonschema import main as cj_main

    for kind, paths in SHIPPED.items():
        with pytest.raises(SystemExit) as exit_info:
            cj_main(["--schemafile", str(schema_path(f"{kind}.schema.json")), *map(str, paths)])
        assert exit_info.value.code == 0, kind


def test_a_modeline_does_not_disturb_the_policy_loader(tmp_path: Path) -> None:
    result = run_cli("policy", "validate", *map(str, SHIPPED["policy"][:2]))
    assert result.exit_code == 0, result.output


def test_the_waiver_items_refer_to_the_waiver_definition() -> None:
    schema = _schema("repo-config")
    assert schema["properties"]["waivers"]["items"] == {"$ref": "#/$defs/waiver"}
    validator = Draft202012Validator(schema)
    good = {"check": "slo.present", "reason": "batch job", "expires": "2027-03-31"}
    assert not list(validator.iter_errors({"waivers": [good]}))
    for bad in ({"check": "slo.present"},                          # no reason, no expiry
                {**good, "expires": "next year"},                  # not a date
                {**good, "approve_by": "@sre"}):                   # a misspelt key
        assert list(validator.iter_errors({"waivers": [bad]})), bad


def test_a_waiver_the_schema_rejects_is_reported_not_applied(make_repo) -> None:
    repo = make_repo({
        "README.md": "# svc\n",
        ".standards.yml": "waivers:\n"
                          "  - {check: license.present, reason: vendored, expires: 2099-01-01, approve_by: me}\n",
    })
    code, report = scan_json(repo)
    lic = results_by_check(report)["license.present"]
    assert lic["status"] == "fail" and lic["waiver"]["state"] == "invalid"
    assert any("malformed waiver at .standards.yml:2" in w and "approve_by" in w for w in report["warnings"])


def test_a_waiver_that_is_not_a_mapping_is_a_bad_file(make_repo) -> None:
    repo = make_repo({"README.md": "# svc\n", ".standards.yml": "waivers:\n  - license.present\n"})
    result = run_cli("scan", str(repo))
    assert result.exit_code == 2
    assert ".standards.yml:2" in result.output and "is not of type 'object'" in result.output
