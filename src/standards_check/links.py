"""Stable public addresses: where a check's documentation lives.

Code scanning (SARIF `helpUri`), check-run annotations and PR comments link here, so the pattern
is a contract: it must keep resolving for every released check ID.
"""
from __future__ import annotations

PROJECT_URL = "https://github.com/standards-check/standards-check"
_CHECK_DOC = PROJECT_URL + "/blob/main/checks/{check}.yaml"


# Each JSON Schema's `$id`, and the address editors fetch it from (`# yaml-language-server: $schema=`):
# the file on the default branch, served raw. Changing a schema keeps it backward compatible, so
# the address stays the same across releases (tests/test_editor_schemas.py holds the two together).
SCHEMA_BASE = PROJECT_URL.replace("https://github.com/", "https://raw.githubusercontent.com/", 1) + \
    "/main/src/standards_check/schemas/"


def schema_url(name: str) -> str:
    """The stable `$id` of a shipped schema, e.g. schema_url("policy") for policy.schema.json."""
    return f"{SCHEMA_BASE}{name}.schema.json"


def check_doc_url(check_id: str) -> str:
    """The catalog entry of a check: what it looks at, why, how to fix it, an example."""
    return _CHECK_DOC.format(check=check_id)
