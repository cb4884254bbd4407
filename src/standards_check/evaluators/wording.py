"""Wording shared by evaluators' messages: agreement, dates (plurals: standards_check.text)."""
from __future__ import annotations

import datetime as _dt

from standards_check.text import plural


def all_of(count: int, word: str) -> str:
    """'All 3 decision records' / 'The decision record' (then a verb agreeing via `verb`)."""
    return f"The {word}" if count == 1 else f"All {plural(count, word)}"


def verb(count: int, one: str, many: str) -> str:
    """The verb form agreeing with `count`: verb(1, "is", "are") -> "is"."""
    return one if count == 1 else many


def day(epoch: int) -> str:
    """The UTC calendar day of a git timestamp, e.g. '2026-03-01'."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%d")
