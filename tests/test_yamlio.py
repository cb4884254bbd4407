"""The bounded loaders (yamlio for YAML, dataio for JSON, JSON5 and TOML): ordinary files read as
before, the bounds are exact, refusals carry a position and are recorded once per scan."""
from __future__ import annotations

import pytest

from standards_check import dataio, yamlio
from standards_check.policy import validate_files

GITLAB_STYLE = """\
.defaults: &defaults
  image: python:3.12
  before_script: [pip install -e .]
  tags: [docker]
test:
  <<: *defaults
  script: [pytest]
lint:
  <<: *defaults
  script: [ruff check .]
"""


def test_anchors_and_merge_keys_read_as_before():
    data, positions = yamlio.load_with_positions(GITLAB_STYLE)
    assert data["test"] == {"image": "python:3.12", "before_script": ["pip install -e ."], "tags": ["docker"],
                            "script": ["pytest"]}
    assert data["lint"]["script"] == ["ruff check ."] and data["lint"]["tags"] == ["docker"]
    assert positions[(".defaults", "image")] == (2, 10)
    assert positions[("test", "script")] == (7, 11)
    # a repeated anchor is not walked again: its alias's path is recorded at the anchor
    assert positions[("test", "<<")] == positions[("lint", "<<")] == positions[(".defaults",)] == (1, 12)
    assert ("lint", "<<", "image") not in positions
    assert yamlio.position_of(positions, ("lint", "<<", "image")) == (1, 12)


def test_an_alias_counts_the_nodes_it_stands_for():
    # mapping, key a, [1, 2, 3] (4 nodes), key b, *a (4 more)
    assert yamlio.measure("a: &a [1, 2, 3]\nb: *a\n", yamlio.StringDateLoader) == 11


def test_depth_bound_is_exact_and_placed():
    ok = "x: " + "[" * (yamlio.MAX_DEPTH - 1) + "]" * (yamlio.MAX_DEPTH - 1) + "\n"
    assert yamlio.load(ok) is not None
    deep = "x: 1\ny: " + "[" * yamlio.MAX_DEPTH + "]" * yamlio.MAX_DEPTH + "\n"
    with pytest.raises(yamlio.Refused) as caught:
        yamlio.load(deep)
    assert (caught.value.line, caught.value.column) == (2, 3 + yamlio.MAX_DEPTH)
    assert str(caught.value) == f"refused: YAML nested deeper than {yamlio.MAX_DEPTH} levels"


def test_alias_expansion_stops_at_the_alias_that_crosses_the_budget():
    text = "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 300) + "]\n"
    with pytest.raises(yamlio.Refused) as caught:
        yamlio.load(text)
    assert "aliases expand past" in str(caught.value) and caught.value.line == 2


def test_a_scan_budget_charges_each_file_once_and_records_refusals():
    text = "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 200) + "]\n"
    with yamlio.scan_budget(nodes=500_000) as budget:
        yamlio.load(text, source="one.yml")
        yamlio.load(text, source="one.yml")  # the same file again: no second charge
        yamlio.load(text, source="two.yml")
        with pytest.raises(yamlio.Refused):
            yamlio.load(text, source="three.yml")
    assert set(budget.refused) == {"three.yml"} and "budget" in budget.refused["three.yml"]
    assert yamlio.load(text, source="three.yml") is not None  # no budget outside a scan


def test_json_and_toml_depth_bounds():
    nested = "[" * yamlio.MAX_DEPTH + "]" * yamlio.MAX_DEPTH
    assert isinstance(dataio.load_json(nested), list)
    with pytest.raises(yamlio.Refused, match="JSON nested deeper than"):
        dataio.load_json("[" + nested + "]")
    with pytest.raises(yamlio.Refused, match="TOML nested deeper than"):
        dataio.load_toml("x = " + "[" * 5000 + "]" * 5000)
    with pytest.raises(yamlio.Refused, match="JSON5 nested deeper than"):
        dataio.load_json_or_json5("// c\n" + "[" + nested + "]")


def test_json5_is_read_and_its_errors_are_value_errors():
    assert dataio.load_json_or_json5("{// x\n a: 'b', c: [1, 2,],}") == {"a": "b", "c": [1, 2]}
    with pytest.raises(ValueError) as caught:
        dataio.load_json_or_json5("{a: 1,, }")
    assert not isinstance(caught.value, yamlio.Refused) and "comma" in str(caught.value)


def test_non_finite_numbers_anywhere_in_a_policy(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("apiVersion: standards-check/v1\nkind: Policy\nmetadata: {name: p, version: 1.0.0}\n"
                      "rules:\n  - check: readme.present\n    params: {min_bytes: .inf}\n")
    problems = [str(p) for p in validate_files([str(policy)])]
    assert f"{policy}:6:25: rules[0].params.min_bytes: inf is not a finite number" in "\n".join(problems), problems
