"""What an evaluator receives: the snapshot, and facts parsed from it once per snapshot."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from standards_check.snapshot import RepoSnapshot

FactParser = Callable[[RepoSnapshot], Any]


class CheckContext:
    """Gives evaluators the snapshot, memoised facts (`ctx.fact("codeowners")`) and the moment to judge
    as of (`now`, seconds since the epoch; None: the checks' own default, the scanned commit's date for
    history windows and the wall clock for ages). Diff mode passes ONE `now` to both sides, so a time
    window does not move between base and head."""

    def __init__(self, snapshot: RepoSnapshot, parsers: Mapping[str, FactParser] | None = None,
                 now: float | None = None) -> None:
        self.snapshot = snapshot
        self.now = now
        self._parsers = parsers if parsers is not None else _default_parsers()
        self._facts: dict[str, Any] = {}

    def fact(self, name: str) -> Any:
        if name not in self._facts:
            try:
                parser = self._parsers[name]
            except KeyError:
                raise KeyError(f"unknown fact {name!r}; known: {sorted(self._parsers)}") from None
            self._facts[name] = parser(self.snapshot)
        return self._facts[name]


def _default_parsers() -> Mapping[str, FactParser]:
    from standards_check.facts import PARSERS

    return PARSERS
