"""The CI fact reads each system through the module its READERS table names, and every system the
reports can name has a reader."""
from __future__ import annotations

from standards_check.facts import PARSERS
from standards_check.facts.ci import READERS, SYSTEM_NAMES, parse_ci


def test_every_named_system_has_a_reader_module() -> None:
    assert set(READERS) == set(SYSTEM_NAMES)
    for system, module in READERS.items():
        assert module.__name__.startswith("standards_check.facts.ci."), system
        assert callable(module.read), system


def test_the_facts_table_reaches_the_package_parser() -> None:
    assert PARSERS["ci"] is parse_ci
