"""The one pluraliser and the one as_list."""
from __future__ import annotations

import pytest

from standards_check.text import plural
from standards_check.values import as_list, list_or_empty


@pytest.mark.parametrize("count, word, words, expected", [
    (1, "runbook", None, "1 runbook"), (0, "runbook", None, "0 runbooks"), (3, "runbook", None, "3 runbooks"),
    (2, "catalog entity", None, "2 catalog entities"), (1, "policy", None, "1 policy"),
    (4, "policy", None, "4 policies"), (2, "private key", None, "2 private keys"), (5, "day", None, "5 days"),
    (2, "entry", "entries", "2 entries"), (2, "fixture match", "fixture matches", "2 fixture matches"),
    (1, "fixture match", "fixture matches", "1 fixture match"), (2, "y", None, "2 ys"),
])
def test_plural(count, word, words, expected):
    assert plural(count, word, words) == expected


def test_as_list_wraps_a_single_value_and_reads_none_as_nothing():
    items = ["a", "b"]
    assert as_list(items) is items
    assert as_list("ci/a.yml") == ["ci/a.yml"]
    assert as_list({"local": "x"}) == [{"local": "x"}]
    assert as_list(None) == [] and as_list(0) == [0]


def test_list_or_empty_drops_a_value_of_the_wrong_shape():
    assert list_or_empty(["S"]) == ["S"]
    assert list_or_empty("S") == [] and list_or_empty(None) == [] and list_or_empty({"a": 1}) == []
