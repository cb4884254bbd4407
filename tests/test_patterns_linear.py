"""Regular expressions over repository content run in linear time.

Modules that read repository content use `standards_check.rx` (RE2) for their regular expressions,
never Python's backtracking `re`; the few that keep `re` are listed with the reason their patterns
stay linear, and those patterns are fed long runs of the characters they mention, under a bound.
"""
from __future__ import annotations

import ast
import importlib
import re
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "standards_check"

# Modules whose regular expressions never see repository content (policy versions, report ids, URLs).
NOT_CONTENT = {"policy.py", "policysource.py", "render/junit.py", "render/sarif.py", "sweep/fetch.py", "rx.py"}
# Content modules that keep `re`, and why it is safe there.
KEEPS_RE = {
    # globs with at most one wildcard (linear on re; the rest go to RE2), owner words, `\\` escapes
    "facts/codeowners.py",
    # single characters, character classes and one `+` run: linear on re; they must see lone
    # surrogates (non-UTF-8 names), which RE2 (UTF-8 only) cannot be given
    "escape.py",
}
# (Globs over repository paths go through standards_check.globs, which translates them to RE2.)


def _imports_re(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name == "re" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "re":
            return True
    return False


def test_content_modules_use_rx_not_re() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in NOT_CONTENT or rel in KEEPS_RE:
            continue
        if _imports_re(path):
            offenders.append(rel)
    assert offenders == [], f"use standards_check.rx (RE2) for patterns over repository content: {offenders}"


def _module_patterns(module_name: str) -> list[re.Pattern[str]]:
    module = importlib.import_module(module_name)
    return [value for value in vars(module).values() if isinstance(value, re.Pattern)]


def _hostile_inputs(pattern: re.Pattern[str], size: int) -> list[str]:
    chars = {c for c in pattern.pattern if c.isprintable()} | set(" \t/-_.a@#[*")
    out = []
    for c in sorted(chars):
        out += [c * size, "a" + c * size + "\0", ("a" + c) * (size // 2) + "\0"]
    return out


@pytest.mark.slow  # timed
@pytest.mark.parametrize("module_name", ["standards_check.facts.codeowners"])
def test_remaining_re_patterns_are_linear(module_name: str) -> None:
    patterns = _module_patterns(module_name)
    assert patterns, "the module's patterns were not found"
    for pattern in patterns:
        for text in _hostile_inputs(pattern, 20_000):
            start = time.perf_counter()
            pattern.search(text)
            pattern.fullmatch(text)
            elapsed = time.perf_counter() - start
            assert elapsed < 1.0, f"{pattern.pattern!r} took {elapsed:.2f}s on {text[:20]!r}... ({len(text)} chars)"


def test_rx_reads_python_patterns_and_flags() -> None:
    from standards_check import rx

    assert rx.compile(r"^(a+)\Z", rx.M).match("aaa").group(1) == "aaa"
    assert rx.search(r"B", "xb", rx.I).span() == (1, 2)
    assert rx.sub(r"<!--.*?-->", "", "a<!--x-->b<!--") == "ab<!--"
    assert rx.split(r"\s+|(&&)", "a && b") == re.split(r"\s+|(&&)", "a && b")
    assert rx.findall(r"[\p{L}\p{N}]+", "café 3 ünï") == ["café", "3", "ünï"]
    assert [m.span(1) for m in rx.finditer(r"(é+)", "aéé b é")] == [(1, 3), (6, 7)]  # character offsets
    with pytest.raises(rx.error):
        rx.compile(r"(?=a)")  # look-around: RE2 has none, so it fails when compiled


@pytest.mark.slow
def test_rx_is_linear_where_re_is_not() -> None:
    from standards_check import rx

    start = time.perf_counter()
    rx.sub(r"<!--.*?-->", "", "<!--" * 200_000)
    rx.match(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$", "# x" + " \t" * 200_000 + "y")
    assert time.perf_counter() - start < 5.0
