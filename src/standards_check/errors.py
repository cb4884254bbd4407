"""The one user-facing error type: the CLI prints it on one line and exits 2."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a file a user wrote, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class UserError(Exception):
    """Bad input from the user (path, ref, policy, config). Exit code 2, no traceback."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def lines(self) -> list[str]:
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]
