"""Wording shared by evaluators' messages: plurals, agreement, dates."""
from __future__ import annotations

import datetime as _dt


def all_of(count: int, word: str) -> str:
    """'All 3 decision records' / 'The decision record' (then a verb agreeing via `verb`)."""
    return f"The {word}" if count == 1 else f"All {plural(count, word)}"


def verb(count: int, one: str, many: str) -> str:
    """The verb form agreeing with `count`: verb(1, "is", "are") -> "is"."""
    return one if count == 1 else many


def plural(count: int, word: str) -> str:
    """'1 runbook', '3 runbooks', '2 catalog entities'."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


def day(epoch: int) -> str:
    """The UTC calendar day of a git timestamp, e.g. '2026-03-01'."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%d")
