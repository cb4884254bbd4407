"""Stable public addresses: where a check's documentation lives.

Code scanning (SARIF `helpUri`), check-run annotations and PR comments link here, so the pattern
is a contract: it must keep resolving for every released check ID.
"""
from __future__ import annotations

PROJECT_URL = "https://github.com/standards-check/standards-check"
_CHECK_DOC = PROJECT_URL + "/blob/main/checks/{check}.yaml"


def check_doc_url(check_id: str) -> str:
    """The catalog entry of a check: what it looks at, why, how to fix it, an example."""
    return _CHECK_DOC.format(check=check_id)
