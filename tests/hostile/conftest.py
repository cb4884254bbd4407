"""The hostile-input suite: every case is marked `hostile(kind, name)`.

kind is "repo" (hostile repository content, policy or config read by a scan) or "api" (a
misbehaving API answer, a damaged store). The inventory test counts distinct names per kind, so the
suite's size is a fact the tests check, not a claim in a note.
"""
from __future__ import annotations

import pytest

KINDS = ("repo", "api")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hostile(kind, name): a hostile-input case of a kind (repo|api)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for item in items:
        for mark in item.iter_markers("hostile"):
            kind, name = mark.args
            assert kind in KINDS, f"{item.nodeid}: hostile kind must be one of {KINDS}"
            seen[kind].add(name)
    config.stash[HOSTILE_KEY] = seen


HOSTILE_KEY = pytest.StashKey[dict]()
