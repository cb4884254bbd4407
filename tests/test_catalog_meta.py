"""Meta tests: the catalog, the evaluators and the shipped policies agree."""
from __future__ import annotations

import pytest

from standards_check.catalog import load_catalog, load_entry
from standards_check.evaluators import REGISTRY
from standards_check.policy import bundled_policies, resolve_policy, validate_files
from standards_check.resources import data_dir


def test_every_catalog_file_is_valid():
    for path in sorted(data_dir("checks").glob("*.yaml")):
        spec, problems = load_entry(path)
        assert not problems, problems


def test_every_builtin_catalog_entry_has_an_evaluator_and_back():
    catalog = load_catalog()
    builtin = {spec.id for spec in catalog if not spec.is_declarative}
    assert builtin - set(REGISTRY) == set(), "catalog entries without an evaluator"
    assert set(REGISTRY) - builtin == set(), "evaluators without a catalog entry"


def test_the_registry_table_matches_what_each_family_implements():
    import importlib

    from standards_check.evaluators import FAMILIES

    for family, checks in FAMILIES.items():
        module = importlib.import_module(f"standards_check.evaluators.{family}")
        assert set(module.EVALUATORS) == set(checks), family
        assert all(callable(REGISTRY[check]) for check in checks)


def test_every_fact_parser_resolves():
    from standards_check.facts import PARSERS

    assert all(callable(PARSERS[name]) for name in PARSERS)


def test_every_catalog_entry_documents_what_why_fix_and_an_example():
    for spec in load_catalog():
        assert spec.what.strip() and spec.why.strip() and spec.fix.strip(), spec.id
        assert spec.example.strip(), f"{spec.id} has no example"
        assert spec.references, f"{spec.id} cites no reference"


@pytest.mark.parametrize("name", sorted(bundled_policies()))
def test_shipped_policies_validate_and_name_only_real_checks(name):
    files = [str(path) for path in bundled_policies()[name].values()]
    assert validate_files(files) == []
    policy = resolve_policy(name)
    catalog = load_catalog()
    for rule in policy.rules:
        assert rule.check in catalog or rule.check in policy.custom_checks


def test_production_service_extends_baseline_and_adds_rules():
    baseline = {r.check for r in resolve_policy("baseline").rules}
    production = {r.check for r in resolve_policy("production-service").rules}
    assert baseline <= production
    assert resolve_policy("production-service").gate.min_level >= resolve_policy("baseline").gate.min_level
