"""The catalog entries of the knowledge/operations checks: valid, documented, bound to an evaluator."""
from __future__ import annotations

import json

import jsonschema
import pytest

from standards_check import yamlio
from standards_check.evaluators import REGISTRY
from standards_check.resources import data_dir, schema_path

IDS = ["adr.present", "adr.format", "adr.fresh", "runbook.present", "runbook.sections", "runbook.fresh",
       "oncall.defined", "incident.postmortem_template", "catalog.owner"]


@pytest.mark.parametrize("check_id", IDS)
def test_catalog_entry_is_valid_and_bound(check_id):
    entry = yamlio.load((data_dir("checks") / f"{check_id}.yaml").read_text())
    jsonschema.validate(entry, json.loads(schema_path("check.schema.json").read_text()))
    assert entry["id"] == check_id and check_id in REGISTRY
    for name, spec in (entry.get("params") or {}).items():
        jsonschema.Draft202012Validator.check_schema(spec)
        jsonschema.validate(spec["default"], spec)  # every default satisfies its own schema
