"""The hostile suite keeps its size: at least 50 kinds of hostile repository and 20 API faults."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import HOSTILE_KEY

MINIMUM = {"repo": 50, "api": 20}


def test_hostile_suite_has_its_cases(request: pytest.FixtureRequest) -> None:
    seen = request.config.stash.get(HOSTILE_KEY, None)
    collected = {Path(str(item.path)).name for item in request.session.items}
    every = {path.name for path in Path(__file__).parent.glob("test_*.py")}
    if not every <= collected:
        pytest.skip("only part of the hostile suite was collected")
    assert seen is not None
    for kind, minimum in MINIMUM.items():
        assert len(seen[kind]) >= minimum, f"{len(seen[kind])} hostile {kind} cases: {sorted(seen[kind])}"
