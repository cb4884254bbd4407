"""Wording shared by every message: the one pluraliser."""
from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """The count and the noun agreeing with it: '1 runbook', '3 runbooks', '2 catalog entities',
    '4 private keys'; `words` for a plural that is not the word plus 's' or 'ies'
    ('placeholder match' -> 'placeholder matches')."""
    if count == 1:
        return f"{count} {word}"
    if words is not None:
        return f"{count} {words}"
    if word.endswith("y") and word[-2:-1] not in ("", "a", "e", "i", "o", "u"):
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}s"
