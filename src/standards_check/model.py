"""What a check returns: an outcome with evidence. Checks know nothing of policies or formats."""
from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, SKIP, ERROR, WAIVED = "pass", "fail", "skip", "error", "waived"
UPCOMING = "upcoming"  # failed (or could not be evaluated) before the rule's `effective` date: not gated


@dataclass(frozen=True, order=True)
class Location:
    """Evidence: a repository-relative path (POSIX), and a 1-based line when known."""

    path: str
    line: int | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line}

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Outcome:
    """The judgement of one check: status, a score in 0..1 (partial credit), a message, evidence."""

    status: str
    score: float
    message: str
    locations: tuple[Location, ...] = field(default=())
    # The verdict rests on dates or history, not only on the files (a changelog "stale" because of
    # newer release tags); catalog entries marked time_dependent are so whatever they return.
    time_based: bool = False
    # A fix for THIS finding, when the catalog's general one would mislead (the practice is there
    # but one entry is wrong: say what to change in the existing file, not "add the file").
    fix: str | None = None

    def with_fix(self, fix: str | None) -> Outcome:
        from dataclasses import replace

        return replace(self, fix=fix)

    def from_history(self) -> Outcome:
        """This outcome, marked as resting on dates or history."""
        from dataclasses import replace

        return replace(self, time_based=True)

    @classmethod
    def passed(cls, message: str, locations: list[Location] | tuple = ()) -> Outcome:
        return cls(PASS, 1.0, message, tuple(locations))

    @classmethod
    def failed(cls, message: str, locations: list[Location] | tuple = (), score: float = 0.0) -> Outcome:
        return cls(FAIL, max(0.0, min(1.0, score)), message, tuple(locations))

    @classmethod
    def partial(cls, score: float, message: str, locations: list[Location] | tuple = (), threshold: float = 1.0) -> Outcome:
        """Pass when score reaches threshold, else fail with partial credit."""
        score = max(0.0, min(1.0, score))
        status = PASS if score >= threshold else FAIL
        return cls(status, 1.0 if status == PASS else score, message, tuple(locations))

    @classmethod
    def in_place(cls, score: float, message: str, locations: list[Location] | tuple = (), *, fix: str) -> Outcome:
        """The practice is in place but imperfect: a pass (it does not fail the gate or the level)
        with partial credit, and the fix that says what to correct in what exists."""
        return cls(PASS, max(0.0, min(1.0, score)), message, tuple(locations), fix=fix)

    @property
    def needs_attention(self) -> bool:
        return self.status == PASS and self.score < 1.0

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls(SKIP, 0.0, reason)

    @classmethod
    def errored(cls, message: str, locations: list[Location] | tuple = ()) -> Outcome:
        return cls(ERROR, 0.0, message, tuple(locations))
