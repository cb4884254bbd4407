"""CODEOWNERS, read exactly as GitHub reads it (and as GitLab does, for GitLab's own syntax).

Where the file is
    GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` and ignores the
    others. GitLab reads `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`. We search GitHub's
    three in GitHub's order; only when none exists do we fall back to `.gitlab/CODEOWNERS`, which
    GitHub never reads, so that a GitLab-hosted repository's ownership is still seen.

How a line is read (GitHub, https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners)
    `PATTERN OWNER...`; `#` starts a comment, at the start of a line or of a word after a pattern.
    Owners are `@user`, `@org/team` or an e-mail address. "If any line in your CODEOWNERS file
    contains invalid syntax, that line will be skipped": a line with `!` negation, a `[ ]` range, a
    `\\#` escape, or a malformed owner is skipped as a whole (it takes no part in "last match wins").
    A file of 3 MB or more is not loaded at all.

How a pattern matches (gitignore rules with GitHub's differences, verified against the examples of
GitHub's documentation and the pattern table of hmarr/codeowners, which was checked against GitHub)
    - a pattern with a leading or middle slash is anchored at the root; one without (`*.js`, `apps/`,
      `logs`) matches at any depth, like a leading `**/`;
    - `*` and `?` never cross `/`; `**` spans any number of directories;
    - a pattern ending in `/` (or `/**`) owns everything below that directory; one ending in a plain
      name owns that file or everything below a directory of that name; one ending in `/*` owns only
      the direct children (`docs/*` owns `docs/a.md`, not `docs/x/b.md`);
    - paths are case-sensitive; the last matching line wins; a winning line without owners leaves the
      path unowned.

GitLab (https://docs.gitlab.com/user/project/codeowners/reference/)
    `.gitlab/CODEOWNERS`, and a root or `docs/` file with `[Section]` headings in a repository that
    does not show only GitHub (see `detect_dialect`), is read in GitLab's dialect: each section answers for itself (last match within the section), a path's owners are
    those of every section that matches it, in file order; a heading may give default owners for the
    entries below it; `!pattern` excludes a path within its section; a pattern without a leading `/`
    matches at any depth even when it contains one. GitHub would instead reject every heading line.

Matching is fast without trying every rule on every path: rules are sorted into dictionaries by
literal path, literal file name, literal suffix (`*.js`) and literal leading directory, and a rule's
verdict on a directory is computed once for all the files below it (see `_RuleIndex`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import re2

from standards_check import rx

# A compiled glob (`re` or `rx` pattern): `.match(string)` is truthy when it matches the whole string.
_Glob = Any

if TYPE_CHECKING:
    from standards_check.snapshot import RepoSnapshot

GITHUB_LOCATIONS: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
GITLAB_LOCATION = ".gitlab/CODEOWNERS"
MAX_BYTES = 3 * 1024 * 1024  # "CODEOWNERS files must be under 3 MB in size"

GITHUB, GITLAB, AUTO = "github", "gitlab", "auto"

# GitHub account names: letters, digits and hyphens; Enterprise Managed Users add `_shortcode`.
_USER = r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_USER_RE = re.compile(rf"@{_USER}")
_TEAM_RE = re.compile(rf"@{_USER}/[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# GitLab: @user, @group/subgroup/..., @@role, e-mail.
_GITLAB_OWNER_RE = re.compile(r"@@?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
# `[Section]`, `^[Optional section]`, `[Section][2]`, optionally followed by default owners.
_SECTION_RE = re.compile(r"^\s*(\^)?\[([^\]]+)\](?:\[(\d+)\])?(?:\s+(.*))?$")


@dataclass(frozen=True)
class CodeownersRule:
    """One line that assigns owners: `pattern` and its owners in the order the line gives them."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    section: str | None = None  # GitLab only
    negated: bool = False  # GitLab only: `!pattern` excludes within its section


@dataclass(frozen=True)
class CodeownersProblem:
    """A line GitHub rejects or silently skips, or a malformed owner. `skipped`: the line is ignored."""

    line: int
    message: str
    source: str
    skipped: bool = True


@dataclass
class Codeowners:
    """A parsed CODEOWNERS file. `Codeowners.parse(text).owners_for("src/a.py") -> ["@team"]`."""

    rules: tuple[CodeownersRule, ...]
    problems: tuple[CodeownersProblem, ...]
    entry_lines: int  # lines that are neither blank nor comments (rules, headings, invalid lines)
    path: str | None = None
    dialect: str = GITHUB
    _matcher: _Matcher | None = field(default=None, repr=False, compare=False)

    # ---- parsing ------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, path: str | None = None, dialect: str = AUTO) -> Codeowners:
        if dialect not in (GITHUB, GITLAB, AUTO):
            raise ValueError(f"unknown CODEOWNERS dialect {dialect!r}")
        lines = text.splitlines()
        if dialect == AUTO:
            dialect = GITLAB if (path == GITLAB_LOCATION or _has_sections(lines)) else GITHUB
        parse_line = _parse_gitlab_line if dialect == GITLAB else _parse_github_line
        rules: list[CodeownersRule] = []
        problems: list[CodeownersProblem] = []
        state = _GitlabState()
        entries = 0
        for number, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            entries += 1
            rule, line_problems = parse_line(number, stripped, state)
            problems.extend(line_problems)
            if rule is not None:
                rules.append(rule)
        return cls(tuple(rules), tuple(problems), entries, path, dialect)

    # ---- matching -----------------------------------------------------------------------------
    @property
    def matcher(self) -> _Matcher:
        if self._matcher is None:
            self._matcher = _Matcher(self.rules, gitlab=self.dialect == GITLAB)
        return self._matcher

    def owners_for(self, path: str) -> list[str]:
        """The owners of one repository path (POSIX, relative to the root), in CODEOWNERS order."""
        return self.owners_for_many([path])[path]

    def owners_for_many(self, paths: Iterable[str]) -> dict[str, list[str]]:
        """Owners of many paths at once; far faster than calling `owners_for` in a loop."""
        paths = [normalise_path(p) if p[:1] == "/" or p[:2] == "./" or p[-1:] == "/" else p for p in paths]
        return dict(zip(paths, self.matcher.owners(paths)))

    def owned(self, paths: Sequence[str]) -> list[bool]:
        """Whether each path has at least one owner; paths must be normalised repository paths
        (as `RepoSnapshot.paths` are). The fastest question to ask of many paths."""
        if not self.matcher.gitlab:
            ruleset = self.matcher.sections[0][0] if self.matcher.sections else None
            if ruleset is None:
                return [False] * len(paths)
            has_owners = [bool(rule.owners) for rule in self.rules] + [False]
            return [has_owners[i] for i in ruleset.winners(paths)]
        return [bool(found) for found in self.matcher.owners(paths)]

    def rules_for_many(self, paths: Iterable[str]) -> dict[str, list[CodeownersRule]]:
        """The deciding rule of each path: one (GitHub) or one per matching section (GitLab)."""
        paths = [normalise_path(p) for p in paths]
        return dict(zip(paths, self.matcher.deciding_rules(paths)))

    def rule_for(self, path: str) -> CodeownersRule | None:
        """The line that decides a path's owners on GitHub (the last match), or None."""
        found = self.rules_for_many([path])[normalise_path(path)]
        return found[-1] if found else None


def normalise_path(path: str) -> str:
    """A repository path as CODEOWNERS sees it: no leading `./` or `/`, no trailing `/`."""
    if not path.startswith(("./", "/")) and not path.endswith("/"):
        return path
    while path.startswith("./"):
        path = path[2:]
    return path.strip("/")


# ---- line parsing -----------------------------------------------------------------------------
def _split_words(line: str, escapes: bool = True) -> list[str]:
    """Words split at unescaped whitespace; after the first word (the pattern) `#` starts a comment."""
    words: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if escapes and ch == "\\" and i + 1 < len(line):
            current.append(line[i : i + 2])
            i += 2
            continue
        if ch in " \t":
            if current:
                words.append("".join(current))
                current = []
        elif ch == "#" and words:
            break  # an inline comment: anywhere after the pattern, as GitHub reads `@a #note`
        else:
            current.append(ch)
        i += 1
    if current:
        words.append("".join(current))
    return words


def _pattern_problem(pattern: str) -> str | None:
    """Why GitHub would skip a line with this pattern, or None."""
    if pattern.startswith("\\#"):
        return "escaping '#' with '\\' is not supported in CODEOWNERS, so GitHub skips this line"
    if pattern.startswith("!"):
        return "'!' negation is not supported in CODEOWNERS, so GitHub skips this line"
    if "[" in pattern or "]" in pattern:
        return "'[ ]' character ranges are not supported in CODEOWNERS, so GitHub skips this line"
    if "***" in pattern:
        return f"pattern {pattern!r} has three consecutive '*', which is not a valid pattern"
    return None


def _github_owner_ok(owner: str) -> bool:
    return bool(_USER_RE.fullmatch(owner) or _TEAM_RE.fullmatch(owner) or _EMAIL_RE.fullmatch(owner))


def _owner_problem(owner: str) -> str:
    if owner.startswith("@") and owner.count("/") > 1:
        return f"owner {owner!r} is malformed: a team is written @org/team, with one '/'"
    if not owner.startswith("@") and "@" not in owner:
        return f"owner {owner!r} is malformed: write @user, @org/team or an e-mail address"
    return f"owner {owner!r} is malformed: not a valid @user, @org/team or e-mail address"


def _parse_github_line(
    number: int, line: str, state: _GitlabState
) -> tuple[CodeownersRule | None, list[CodeownersProblem]]:
    words = _split_words(line)
    pattern, owners = words[0], words[1:]
    if _SECTION_RE.match(line):
        problem: str | None = "a '[Section]' heading is GitLab syntax; GitHub skips this line"
    else:
        problem = _pattern_problem(pattern)
    if problem:
        return None, [CodeownersProblem(number, problem, line)]
    bad = [o for o in owners if not _github_owner_ok(o)]
    if bad:
        return None, [
            CodeownersProblem(number, _owner_problem(o) + "; GitHub skips the whole line", line)
            for o in bad
        ]
    problems = []
    if pattern == "/":
        problems.append(CodeownersProblem(
            number, "pattern '/' never matches anything (did you mean '*'?)", line, skipped=False))
    elif _looks_like_owner(pattern) and (not owners or pattern.startswith("@")):
        problems.append(CodeownersProblem(
            number, f"line starts with owner {pattern!r}: the pattern is missing", line, skipped=False))
    return CodeownersRule(number, pattern, tuple(owners)), problems


def _looks_like_owner(word: str) -> bool:
    return bool(_TEAM_RE.fullmatch(word) or _EMAIL_RE.fullmatch(word)) or (
        word.startswith("@") and bool(_USER_RE.fullmatch(word))
    )


@dataclass
class _GitlabState:
    section: str | None = None
    default_owners: tuple[str, ...] = ()


def _parse_gitlab_line(
    number: int, line: str, state: _GitlabState
) -> tuple[CodeownersRule | None, list[CodeownersProblem]]:
    heading = _SECTION_RE.match(line)
    if heading:
        _optional, name, _approvals, rest = heading.groups()
        state.section = name.strip().lower()  # GitLab section names are case-insensitive
        defaults = _split_words(rest or "")
        bad = [o for o in defaults if not _gitlab_owner_ok(o)]
        state.default_owners = tuple(o for o in defaults if _gitlab_owner_ok(o))
        return None, [
            CodeownersProblem(number, _owner_problem(o) + "; GitLab ignores it", line, skipped=False)
            for o in bad
        ]
    words = _split_words(line)
    pattern, owners = words[0], words[1:]
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    problems = [
        CodeownersProblem(number, _owner_problem(o) + "; GitLab ignores it", line, skipped=False)
        for o in owners if not _gitlab_owner_ok(o)
    ]
    good = tuple(o for o in owners if _gitlab_owner_ok(o)) or state.default_owners
    if not pattern:
        return None, [CodeownersProblem(number, "'!' without a pattern", line)]
    return CodeownersRule(number, pattern, good, state.section, negated), problems


def _gitlab_owner_ok(owner: str) -> bool:
    return bool(_GITLAB_OWNER_RE.fullmatch(owner) or _EMAIL_RE.fullmatch(owner))


def _has_sections(lines: Sequence[str]) -> bool:
    for raw in lines:
        match = _SECTION_RE.match(raw)
        # `[abc]*.js @x` is a (bad) pattern, not a heading: a heading is the bracket group alone,
        # or followed by owners.
        if match and all(_gitlab_owner_ok(w) for w in _split_words(match.group(4) or "")):
            return True
    return False


# ---- pattern compilation ------------------------------------------------------------------------
# A pattern is compiled to a matcher of one string (a directory or a file path) and a mode that says
# how that string relates to the path being asked about:
ANY = "any"        # the path itself or any directory above it matches (`foo`, `/a/b.txt`, `*.js`)
BELOW = "below"    # a directory above the path matches (`foo/`, `a/**`)
CHILD = "child"    # the path's own directory matches (`docs/*`, `/*`)


@dataclass(frozen=True)
class _Compiled:
    index: int
    mode: str
    segments: tuple[str, ...]  # body segments, `**` kept as a marker

    @property
    def regex(self) -> _Glob:
        return _segments_regex(self.segments)


def _unescape(segment: str) -> str:
    return re.sub(r"\\(.)", r"\1", segment)


def _is_literal(segment: str) -> bool:
    return segment != "**" and not re.search(r"(?<!\\)[*?]", segment)


def compile_pattern(pattern: str, index: int = 0, gitlab: bool = False) -> _Compiled | None:
    """Translate a CODEOWNERS pattern; None when it can never match (`/`, empty)."""
    segments = pattern.split("/")
    if segments[0] == "":
        segments = segments[1:]  # a leading slash anchors at the root
    elif gitlab or len(segments) == 1 or (len(segments) == 2 and segments[1] == ""):
        if segments[0] != "**":
            segments = ["**", *segments]  # no slash (or only a trailing one): any depth
    if len(segments) > 1 and segments[-1] == "":
        segments[-1] = "**"  # a trailing slash: everything below
    segments = [s for i, s in enumerate(segments) if not (s == "**" and i and segments[i - 1] == "**")]
    if not segments or segments == [""] or "" in segments:
        return None
    if segments == ["**"]:
        return _Compiled(index, ANY, ("**",))
    if segments[-1] == "**":
        return _Compiled(index, BELOW, tuple(segments[:-1]))
    if segments[-1] == "*":
        return _Compiled(index, CHILD, tuple(segments[:-1]))
    return _Compiled(index, ANY, tuple(segments))


def _segment_regex(segment: str) -> str:
    out = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        out.append("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch))
        i += 1
    return "".join(out)


def _glob(regex: str, wildcards: int) -> _Glob:
    """Compile a translated glob so that it matches in time linear in the string.

    With at most one unbounded wildcard (`*` or `**`) Python's engine tries each split point once and
    compares a fixed-width rest, so `re` is linear and the fastest. Two or more wildcards make it
    backtrack through every combination of split points (`*a*a*a*b` against a long name takes years),
    so those go to RE2, which never backtracks.
    """
    if wildcards <= 1:
        return re.compile(regex + r"\Z", re.DOTALL)
    return rx.compile(regex + r"\Z", rx.DOTALL)


def _wildcards(segment: str) -> int:
    """Unbounded wildcards in one segment: each unescaped `*` (a `**` segment is one)."""
    if segment == "**":
        return 1
    count = i = 0
    while i < len(segment):
        if segment[i] == "\\":
            i += 2
            continue
        count += segment[i] == "*"
        i += 1
    return count


def _segments_regex(segments: Sequence[str]) -> _Glob:
    """A full-match regex over one directory or path string. `**` is zero or more directories."""
    return _glob(*_segments_source(segments))


def _segments_source(segments: Sequence[str]) -> tuple[str, int]:
    """(the regex source, its number of unbounded wildcards) of `_segments_regex`."""
    if not segments:
        return "", 0  # only the root directory, written ""
    if list(segments) == ["**"]:
        return "(?s:.*)", 1  # any directory, the root included
    out = []
    need_slash = False
    for i, seg in enumerate(segments):
        if seg == "**":
            # leading: any directories before (absorbing the separator); elsewhere: zero or more
            # directories, each with its separator
            out.append("(?:.+/)?" if i == 0 else "(?:/.+)?")
            need_slash = i > 0
            continue
        if need_slash:
            out.append("/")
        out.append(_segment_regex(seg))
        need_slash = True
    return "".join(out), sum(_wildcards(s) for s in segments)


class _GlobList:
    """Globs of rules, asked for the highest rule index whose glob matches a string.

    A short list is tried glob by glob, best first, stopping at the first match. A long one (a file
    of thousands of wildcard rules) is asked through RE2 sets, each matching a thousand globs in
    one pass over the string, so 100,000 such rules cost a hundred passes per path instead of
    100,000 matches.
    """

    SMALL = 16
    CHUNK = 1024
    SET_TEXT = 4096  # longer strings are tried glob by glob (a set's DFA memory grows with the text)

    def __init__(self) -> None:
        self.items: list[tuple[int, _Glob, str]] = []  # (rule index, glob, its regex source)
        self._sets: list[tuple[int, int, Any]] | None = None  # (first item, its rule index, set)

    def add(self, idx: int, source: str, wildcards: int) -> None:
        self.items.append((idx, _glob(source, wildcards), source))
        self._sets = None

    def __bool__(self) -> bool:
        return bool(self.items)

    def _prepare(self) -> list[tuple[int, int, Any]]:
        if self._sets is None:
            self.items.sort(key=lambda item: -item[0])
            self._sets = []
            if len(self.items) > self.SMALL:
                options = re2.Options()
                options.log_errors = False
                options.max_mem = 64 << 20
                for start in range(0, len(self.items), self.CHUNK):
                    chunk = re2.Set.FullMatchSet(options)
                    for _idx, _compiled, source in self.items[start:start + self.CHUNK]:
                        chunk.Add("(?s)" + source)
                    chunk.Compile()
                    self._sets.append((start, self.items[start][0], chunk))
        return self._sets

    def best(self, string: str, floor: int = -1) -> int:
        """The highest index above `floor` whose glob matches `string`, else `floor`."""
        sets = self._prepare()
        if sets and len(string) <= self.SET_TEXT:
            for start, top, chunk in sets:
                if top <= floor:
                    break
                matched = chunk.Match(string)
                if matched:  # the chunk's items are best first, so its lowest position is the best
                    idx = self.items[start + min(matched)][0]
                    return idx if idx > floor else floor
            return floor
        for idx, compiled, _source in self.items:
            if idx <= floor:
                break
            if compiled.match(string):
                return idx
        return floor


class _RuleIndex:
    """The highest rule index whose compiled pattern matches a given string, without trying them all.

    Rules are filed by their shape: a literal path (`docs/a.md`) in a dict; a literal name at any
    depth (`Makefile`, `**/logs`) by name; `*<literal>` at any depth (`*.js`) by suffix; a rule with
    a literal leading directory (`src/*/test`) by that directory; the rest are tried on every string.
    """

    def __init__(self, compiled: Iterable[_Compiled]) -> None:
        self.literal: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.suffixes: dict[str, int] = {}
        self.suffix_lengths: list[int] = []
        self.name_globs = _GlobList()
        self.prefixed: dict[str, list[tuple[int, _Glob]]] = {}
        self.rest = _GlobList()
        self.empty = True
        for rule in compiled:
            self.empty = False
            self._file(rule)
        self.suffix_lengths = sorted({len(s) for s in self.suffixes})
        self.lead_depth = max((k.count("/") + 1 for k in self.prefixed), default=0)
        self._name_cache: dict[str, int] = {}
        self._above_cache: dict[str, list[tuple[int, _Glob]]] = {}

    def _file(self, rule: _Compiled) -> None:
        segs, idx = rule.segments, rule.index
        if segs and all(_is_literal(s) for s in segs):
            key = "/".join(_unescape(s) for s in segs)
            self.literal[key] = max(idx, self.literal.get(key, -1))
            return
        if len(segs) == 2 and segs[0] == "**" and segs[1] != "**":
            name = segs[1]
            if _is_literal(name):
                key = _unescape(name)
                self.names[key] = max(idx, self.names.get(key, -1))
            elif name.startswith("*") and _is_literal(name[1:]) and name[1:]:
                key = _unescape(name[1:])
                self.suffixes[key] = max(idx, self.suffixes.get(key, -1))
            else:
                self.name_globs.add(idx, _segment_regex(name), _wildcards(name))
            return
        lead = []
        for seg in segs:
            if not _is_literal(seg):
                break
            lead.append(_unescape(seg))
        if lead:
            self.prefixed.setdefault("/".join(lead), []).append((idx, rule.regex))
        else:
            self.rest.add(idx, *_segments_source(segs))

    def best_name(self, name: str) -> int:
        """Best rule among those that look only at one path component (`*.js`, `Makefile`)."""
        cached = self._name_cache.get(name)
        if cached is not None:
            return cached
        best = self.names.get(name, -1)
        for length in self.suffix_lengths:
            if length <= len(name):
                found = self.suffixes.get(name[-length:], -1)
                if found > best:
                    best = found
        if self.name_globs:
            best = self.name_globs.best(name, best)
        self._name_cache[name] = best
        return best

    def _prefixed_above(self, directory: str) -> list[tuple[int, _Glob]]:
        """Prefixed rules whose literal lead is `directory` or a directory above it, best first."""
        found = self._above_cache.get(directory)
        if found is not None:
            return found
        chain = []  # the directories below the nearest one already known (no recursion: any depth)
        while directory and directory not in self._above_cache:
            chain.append(directory)
            directory = directory.rpartition("/")[0]
        found = self._above_cache.setdefault(directory, []) if directory else self._above_cache.setdefault("", [])
        for directory in reversed(chain):
            found = sorted([*found, *self.prefixed.get(directory, ())], key=lambda pair: -pair[0])
            self._above_cache[directory] = found
        return found

    def best(self, string: str, name_best: int | None = None) -> int:
        """Best rule matching `string` as a whole (a directory or a file path)."""
        best = self.literal.get(string, -1) if self.literal else -1
        parent, _, name = string.rpartition("/")
        if name_best is None:
            name_best = self._name_cache.get(name)
            if name_best is None:
                name_best = self.best_name(name)
        if name_best > best:
            best = name_best
        if self.prefixed:
            for idx, regex in self.prefixed.get(string, ()):
                if idx > best and regex.match(string):
                    best = idx
            if parent.count("/") >= self.lead_depth:  # deeper directories hold no leads
                parent = "/".join(parent.split("/", self.lead_depth)[: self.lead_depth])
            for idx, regex in self._prefixed_above(parent):
                if idx <= best:
                    break
                if regex.match(string):
                    best = idx
                    break
        if self.rest:
            best = self.rest.best(string, best)
        return best


class _RuleSet:
    """One list of rules where the last match wins (a whole GitHub file, or one GitLab section)."""

    def __init__(self, rules: Sequence[tuple[int, CodeownersRule]], gitlab: bool) -> None:
        by_mode: dict[str, list[_Compiled]] = {ANY: [], BELOW: [], CHILD: []}
        for idx, rule in rules:
            compiled = compile_pattern(rule.pattern, idx, gitlab)
            if compiled is not None:
                by_mode[compiled.mode].append(compiled)
        self.files = _RuleIndex(by_mode[ANY])              # tried on the path itself
        self.dirs = _RuleIndex(by_mode[ANY] + by_mode[BELOW])  # tried on each directory above
        self.parents = _RuleIndex(by_mode[CHILD])          # tried on the path's own directory

    def winners(self, paths: Sequence[str]) -> list[int]:
        """For each path, the index of the last rule that matches it, or -1.

        Everything that depends only on a file's directory is computed once per directory: the best
        rule matching that directory or one above it, the best `dir/*` rule, and the rules with a
        literal lead that could still match a file in it. Per file there remain a few dictionary
        lookups (full path, name) and the rare wildcard rule that must see the file name.
        """
        inherited: dict[str, int] = {"": -1}  # directory -> best rule matching it or one above
        per_dir: dict[str, tuple[int, list[tuple[int, _Glob]]]] = {}
        files, dirs, parents = self.files, self.dirs, self.parents
        literal, names, exact_leads, rest = files.literal, files._name_cache, files.prefixed, files.rest
        best_name = files.best_name

        def directory(d: str) -> int:
            found = inherited.get(d)
            if found is not None:
                return found
            chain = []  # from `d` up to the nearest directory already known ("" always is)
            while found is None:
                chain.append(d)
                d = d.rpartition("/")[0]
                found = inherited.get(d)
            for d in reversed(chain):
                own = dirs.best(d) if not dirs.empty else -1
                if own > found:
                    found = own
                inherited[d] = found
            return found

        def dir_state(d: str) -> tuple[int, list[tuple[int, _Glob]]]:
            base = directory(d)
            if not parents.empty:
                c = parents.best(d, name_best=None if d else -1)
                if c > base:
                    base = c
            above: list[tuple[int, _Glob]] = []
            if exact_leads:
                key = d
                if d.count("/") >= files.lead_depth:
                    key = "/".join(d.split("/", files.lead_depth)[: files.lead_depth])
                above = [pair for pair in files._prefixed_above(key) if pair[0] > base]
            state = per_dir[d] = (base, above)
            return state

        result: list[int] = []
        append = result.append
        last_dir: str | None = None
        state: tuple[int, list[tuple[int, _Glob]]] = (-1, [])
        for path in paths:
            d, _, name = path.rpartition("/")
            if d != last_dir:  # sorted input visits each directory's files together
                last_dir = d
                state = per_dir.get(d) or dir_state(d)
            best, above = state
            found = literal.get(path, -1)
            if found > best:
                best = found
            cached = names.get(name)
            found = best_name(name) if cached is None else cached
            if found > best:
                best = found
            if exact_leads:
                for idx, regex in exact_leads.get(path, ()):
                    if idx > best and regex.match(path):
                        best = idx
                for idx, regex in above:
                    if idx <= best:
                        break
                    if regex.match(path):
                        best = idx
                        break
            if rest:
                best = rest.best(path, best)
            append(best)
        return result


class _Matcher:
    def __init__(self, rules: Sequence[CodeownersRule], gitlab: bool) -> None:
        self.rules = rules
        self.gitlab = gitlab
        # GitLab: each section answers for itself, with its `!` exclusions kept apart.
        groups: dict[str | None, list[tuple[int, CodeownersRule]]] = {}
        for idx, rule in enumerate(rules):
            key = rule.section if gitlab else None
            groups.setdefault(key, []).append((idx, rule))
        self.sections = [
            (
                _RuleSet([(i, r) for i, r in group if not r.negated], gitlab),
                _RuleSet([(i, r) for i, r in group if r.negated], gitlab)
                if any(r.negated for _, r in group) else None,
            )
            for group in groups.values()
        ]

    def deciding_rules(self, paths: Sequence[str]) -> list[list[CodeownersRule]]:
        decided: list[list[CodeownersRule]] = [[] for _ in paths]
        for ruleset, exclusions in self.sections:
            winners = ruleset.winners(paths)
            excluded = exclusions.winners(paths) if exclusions else None
            for n, idx in enumerate(winners):
                if idx >= 0 and (excluded is None or excluded[n] < 0):
                    decided[n].append(self.rules[idx])
        if self.gitlab:
            for found in decided:
                found.sort(key=lambda r: r.line)
        return decided

    def owners(self, paths: Sequence[str]) -> list[list[str]]:
        if not self.gitlab:
            # one section: the last matching line's owners, as written
            winners = self.sections[0][0].winners(paths) if self.sections else [-1] * len(paths)
            by_rule = [list(rule.owners) for rule in self.rules] + [[]]  # [-1]: no rule matched
            return [by_rule[i].copy() for i in winners]
        result = []
        for found in self.deciding_rules(paths):
            owners: list[str] = []
            for rule in found:
                owners.extend(o for o in rule.owners if o not in owners)
            result.append(owners)
        return result


# ---- the fact -----------------------------------------------------------------------------------
@dataclass
class CodeownersFile:
    """What the scanner found: the file used (or None), where it looked, and the parsed rules."""

    path: str | None
    searched: tuple[str, ...] = GITHUB_LOCATIONS
    codeowners: Codeowners | None = None
    text: str | None = None
    error: str | None = None  # the file exists but could not be read
    rejected: bool = False  # GitHub itself would not load it (3 MB or more)
    ignored: tuple[str, ...] = ()  # other CODEOWNERS files the platform does not read

    def parsed(self, dialect: str = AUTO) -> Codeowners | None:
        """The rules read in `dialect` (`auto` keeps what was detected)."""
        if self.codeowners is None or self.text is None:
            return None
        if dialect in (AUTO, self.codeowners.dialect):
            return self.codeowners
        return Codeowners.parse(self.text, self.path, dialect)


def parse_codeowners(snapshot: RepoSnapshot) -> CodeownersFile:
    """The CODEOWNERS GitHub would use in this snapshot, parsed (GitLab's location as a fallback)."""
    found = snapshot.first(GITHUB_LOCATIONS) or snapshot.first([GITLAB_LOCATION])
    # Other CODEOWNERS files in a place GitHub or GitLab looks (also in other cases, which GitHub
    # does not read): named in messages, since they are silently ignored. Exact candidates only, so
    # no index of every path is built.
    ignored = tuple(
        p for p in (
            f"{d}{name}" for d in (".github/", "", "docs/", ".gitlab/")
            for name in ("CODEOWNERS", "codeowners", "Codeowners", "CodeOwners")
        )
        if p != found and snapshot.exists(p)
    )
    if found is None:
        return CodeownersFile(None, ignored=ignored)
    data = snapshot.read_bytes(found)
    if data is None:
        reason = snapshot.skipped.get(found, "not a readable file")
        return CodeownersFile(found, error=reason, ignored=ignored)
    if len(data) >= MAX_BYTES:
        return CodeownersFile(found, ignored=ignored, rejected=True,
                              error=f"{len(data)} bytes, and GitHub does not load a CODEOWNERS of 3 MB or more")
    if b"\0" in data[:8000]:
        return CodeownersFile(found, error="a binary file", rejected=True, ignored=ignored)
    text = data.decode("utf-8-sig", "replace")
    dialect = detect_dialect(snapshot, found, text)
    return CodeownersFile(found, codeowners=Codeowners.parse(text, found, dialect), text=text, ignored=ignored)


def detect_dialect(snapshot: RepoSnapshot, path: str, text: str) -> str:
    """Whose rules the file is written for. GitLab never reads `.github/CODEOWNERS` and GitHub never
    reads `.gitlab/CODEOWNERS`; elsewhere `[Section]` headings mean GitLab, unless the repository
    shows only GitHub (a `.github/` directory and no `.gitlab-ci.yml`), where the headings are
    mistakes GitHub skips."""
    if path.startswith(".github/"):
        return GITHUB
    if path.startswith(".gitlab/"):
        return GITLAB
    if not _has_sections(text.splitlines()):
        return GITHUB
    github_only = snapshot.is_dir(".github") and not snapshot.exists(".gitlab-ci.yml")
    return GITHUB if github_only else GITLAB


def rules_for_directory(codeowners: Codeowners, directory: str) -> list[CodeownersRule]:
    """The deciding rules GitHub applies to a directory (`docs/`): those that would decide a file
    at its place (`docs`, `*`, a rule for a directory above), and also the rules that name the
    directory itself with a trailing slash or `/**` (`/docs/`), which no file query sees. The last
    match wins (per section on GitLab)."""
    directory = normalise_path(directory)
    gitlab = codeowners.dialect == GITLAB
    position = {rule: index for index, rule in enumerate(codeowners.rules)}
    best: dict[str | None, tuple[int, CodeownersRule]] = {}
    for rule in codeowners.rules_for_many([directory])[directory]:
        best[rule.section] = (position[rule], rule)
    for index, rule in enumerate(codeowners.rules):
        if rule.negated:
            continue
        compiled = compile_pattern(rule.pattern, index, gitlab)
        if compiled is None or compiled.mode != BELOW or not compiled.regex.fullmatch(directory):
            continue
        if rule.section not in best or index > best[rule.section][0]:
            best[rule.section] = (index, rule)
    return [rule for _, rule in sorted(best.values(), key=lambda pair: pair[0])]


def owners_for_directory(codeowners: Codeowners, directory: str) -> list[str]:
    """The owners of a directory (see `rules_for_directory`), in CODEOWNERS order."""
    rules = rules_for_directory(codeowners, directory)
    if codeowners.dialect != GITLAB:
        return list(rules[-1].owners) if rules else []
    return list(dict.fromkeys(owner for rule in rules for owner in rule.owners))
