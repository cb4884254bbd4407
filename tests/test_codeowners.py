"""CODEOWNERS as GitHub reads it: patterns, precedence, validation, coverage, the `owners` command."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from .cli_helpers import run_cli, scan_json, results_by_check
from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.facts.codeowners import Codeowners, parse_codeowners
from standards_check.model import FAIL, PASS, SKIP, Location
from standards_check.snapshot import open_snapshot

from .conftest import commit_all, write_files

# ---- GitHub's documented example -----------------------------------------------------------------
# The example file of "About code owners" (docs.github.com), with the owners its comments promise.
GITHUB_EXAMPLE = """\
# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
"""

GITHUB_EXAMPLE_OWNERS = {
    "README.md": ["@global-owner1", "@global-owner2"],
    "src/index.js": ["@js-owner"],                      # the later *.js wins over *
    "main.go": ["docs@example.com"],
    "notes/todo.txt": ["@octo-org/octocats"],
    "build/logs/today.log": ["@octocat"],               # /build/logs/ (line 6), then **/logs (line 11)
    "docs/getting-started.md": ["@doctocat"],           # docs/* (7) then /docs/ (9) wins
    "docs/build-app/troubleshooting.md": ["@doctocat"],
    "scripts/deploy.sh": ["@doctocat", "@octocat"],
    "deeply/nested/logs/x.log": ["@octocat"],
    "apps/web/main.py": ["@octocat"],
    "apps/github/main.py": [],                          # the owner-less line leaves it unowned
    "apps/github": [],
    "apps/githubber/x.py": ["@octocat"],
    "lib/apps/x.py": ["@octocat"],                      # apps/ matches at any depth
}


def test_github_documented_example() -> None:
    co = Codeowners.parse(GITHUB_EXAMPLE)
    assert co.problems == ()
    assert co.owners_for_many(GITHUB_EXAMPLE_OWNERS) == GITHUB_EXAMPLE_OWNERS
    for path, expected in GITHUB_EXAMPLE_OWNERS.items():
        assert co.owners_for(path) == expected, path


def test_docs_star_is_direct_children_only() -> None:
    co = Codeowners.parse("docs/* docs@example.com\n")
    assert co.owners_for("docs/getting-started.md") == ["docs@example.com"]
    assert co.owners_for("docs/build-app/troubleshooting.md") == []
    assert co.owners_for("x/docs/a.md") == []  # a middle slash anchors at the root


def test_deciding_rule_and_line_numbers() -> None:
    co = Codeowners.parse(GITHUB_EXAMPLE)
    rule = co.rule_for("apps/github/x")
    assert rule is not None and rule.line == 13 and rule.owners == ()
    assert co.rule_for("src/a.js").line == 3
    assert Codeowners.parse("/only/ @a\n").rule_for("elsewhere") is None


# ---- pattern semantics, one pattern at a time ------------------------------------------------------
PATTERNS = [
    ("foo", {"foo": 1, "foo.txt": 0, "foo/bar": 1, "bar/foo": 1, "bar/foo.txt": 0, "bar/foo/baz": 1}),
    ("/foo", {"foo": 1, "fool.txt": 0, "foo/bar/baz": 1, "bar/foo": 0}),
    ("foo/", {"foo": 0, "foo/bar": 1, "bar/foo": 0, "bar/foo/baz": 1}),
    ("/foo/", {"foo": 0, "foo/bar": 1, "foo/bar/baz": 1, "bar/foo/baz": 0}),
    ("foo/bar", {"foo/bar": 1, "foo/bart": 0, "foo/bar/baz": 1, "baz/foo/bar": 0}),
    ("foo/bar/", {"foo/bar": 0, "foo/bar/baz": 1, "baz/foo/bar/qux": 0}),
    ("*", {"foo": 1, "foo/bar": 1, "a/b/c/d": 1}),
    ("/*", {"foo": 1, "foo/bar": 0}),
    ("f*", {"foo": 1, "foo/bar": 1, "bar/foo/baz": 1, "bar/baz": 0, "xfoo": 0}),
    ("/f*", {"foo": 1, "foo/bar": 1, "bar/foo": 0}),
    ("f*/", {"foo": 0, "foo/bar": 1, "bar/foo/baz": 1}),
    ("/*/", {"foo": 0, "foo/bar": 1, "bar/foo/baz": 1}),
    ("foo/*", {"foo": 0, "foo/bar": 1, "foo/bar/baz": 0, "bar/foo/baz": 0}),
    ("foo/*.txt", {"foo/bar.txt": 1, "foo/bar/baz.txt": 0, "qux/foo/bar.txt": 0}),
    ("foo/*/baz", {"foo/baz": 0, "foo/bar/baz": 1, "foo/bar/baz/qux": 1, "foo/a/b/baz": 0}),
    ("f?o", {"foo": 1, "fo": 0, "fooo": 0}),
    ("f\\*o", {"f*o": 1, "foo": 0}),
    ("*.js", {"a.js": 1, "x/y/a.js": 1, "a.jsx": 0, "x.js/b.c": 1, "A.JS": 0}),
    ("**/logs", {"logs/a": 1, "build/logs/a": 1, "a/b/logs/c": 1, "logsx/a": 0}),
    ("**/foo/bar", {"foo/bar": 1, "q/foo/bar/baz": 1, "foo/baz/bar": 0}),
    ("foo/**/bar", {"foo/bar": 1, "foo/x/y/bar/z": 1, "q/foo/bar": 0}),
    ("foo/bar/**", {"foo/bar": 0, "foo/bar/baz": 1, "q/foo/bar/baz": 0}),
    ("foo/**/", {"foo": 0, "foo/bar": 1, "foo/bar/baz": 1}),
    ("foo/**/*", {"foo": 0, "foo/bar": 1, "foo/a/b": 1}),
    ("foo/**/bar/b*", {"foo/bar/baz": 1, "foo/bar/qux": 0, "foo/q/bar/baz": 1}),
    ("**", {"a": 1, "a/b": 1}),
    ("/", {"a": 0, "a/b": 0}),
    ("Docs/", {"docs/a.md": 0, "Docs/a.md": 1}),  # case-sensitive
    ("my\\ dir/", {"my dir/a": 1, "my/a": 0}),
]


@pytest.mark.parametrize("pattern,table", PATTERNS, ids=[p for p, _ in PATTERNS])
def test_pattern_matches_like_github(pattern: str, table: dict[str, int]) -> None:
    co = Codeowners.parse(f"{pattern} @o\n")
    got = co.owners_for_many(table)
    assert {p: int(bool(o)) for p, o in got.items()} == table


def _reference_regex(pattern: str) -> re.Pattern[str]:
    """A direct, slow translation of one pattern to one regex over the whole path (no indexing)."""
    segs = pattern.split("/")
    if segs[0] == "":
        segs = segs[1:]
    elif len(segs) == 1 or (len(segs) == 2 and segs[1] == ""):
        segs = ["**", *segs] if segs[0] != "**" else segs
    if len(segs) > 1 and segs[-1] == "":
        segs[-1] = "**"
    out, need_slash, last = "", False, len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0 and i == last:
                out += ".+"
            elif i == 0:
                out += "(?:.+/)?"
                need_slash = False
            elif i == last:
                out += "/.*"
            else:
                out += "(?:/.+)?"
                need_slash = True
        elif seg == "*":
            out += ("/" if need_slash else "") + "[^/]+"
            need_slash = True
        else:
            body = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in seg)
            out += ("/" if need_slash else "") + body + ("(?:/.*)?" if i == last else "")
            need_slash = True
    return re.compile(out + r"\Z")


def test_indexed_matcher_agrees_with_a_plain_translation() -> None:
    rng = random.Random(7)
    words = ["a", "b", "src", "docs", "logs", "x.js", "y.py", "a.md"]
    globs = ["*", "**", "*.js", "*.py", "a*", "?", "s*c", "*s"]

    def pattern() -> str:
        n = rng.choice([1, 1, 2, 2, 3])
        segs = [rng.choice(words + globs) for _ in range(n)]
        if segs == ["**"] * n:
            segs[-1] = "a"
        text = "/".join(segs).replace("**/**", "**")
        return rng.choice(["", "/"]) + text + rng.choice(["", "", "/"])

    paths = sorted({"/".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(600)})
    for _ in range(40):
        patterns = [pattern() for _ in range(rng.randint(1, 12))]
        text = "".join(f"{p} @o{i}\n" if rng.random() < 0.85 else f"{p}\n" for i, p in enumerate(patterns))
        co = Codeowners.parse(text)
        got = co.owners_for_many(paths)
        regexes = [(_reference_regex(r.pattern), list(r.owners)) for r in co.rules]
        for path in paths:
            expected: list[str] = []
            for regex, owners in reversed(regexes):
                if regex.match(path):
                    expected = owners
                    break
            assert got[path] == expected, (text, path)


# ---- reading lines ---------------------------------------------------------------------------------
def test_owner_forms_and_order_are_kept() -> None:
    co = Codeowners.parse("*  @z-user @org/team_a  dev.ops+x@example.co.uk\t@Octo_acme\n")
    assert co.problems == ()
    assert co.owners_for("a") == ["@z-user", "@org/team_a", "dev.ops+x@example.co.uk", "@Octo_acme"]


def test_comments_blank_lines_and_crlf() -> None:
    co = Codeowners.parse("# c\r\n\r\n  \r\n/a/ @x # trailing\r\n/b/ @y#glued comment\r\n/c#d/ @z\r\n")
    assert co.entry_lines == 3 and co.problems == ()
    assert [r.line for r in co.rules] == [4, 5, 6]
    assert co.owners_for("a/f") == ["@x"]
    assert co.owners_for("b/f") == ["@y"]
    assert co.owners_for("c#d/f") == ["@z"]  # in a pattern `#` is an ordinary character


VALIDATION = [
    # (line text, expected problem fragment, whether GitHub skips the line)
    ("!/secret/ @a", "negation", True),
    ("/src/[ab]/ @a", "character ranges", True),
    ("\\#hash @a", "escaping '#'", True),
    ("/src/ @a notanowner", "'notanowner' is malformed", True),
    ("/src/ @org/team/sub", "one '/'", True),
    ("/src/ @-bad", "malformed", True),
    ("[Backend]", "GitLab syntax", True),
    ("/ @a", "never matches", False),
    ("@acme/team", "the pattern is missing", False),
    ("@alice @bob", "the pattern is missing", False),
    ("docs@example.com", "the pattern is missing", False),
    ("/src/ a@b", "malformed", True),
]


@pytest.mark.parametrize("line,fragment,skipped", VALIDATION, ids=[v[0] for v in VALIDATION])
def test_validation_reports_line_numbers(line: str, fragment: str, skipped: bool) -> None:
    text = f"# header\n* @fallback\n\n{line}\n/ok/ @a\n"
    co = Codeowners.parse(text, dialect="github")
    assert len({p.line for p in co.problems}) == 1, co.problems
    problem = co.problems[0]
    assert problem.line == 4 and fragment in problem.message and problem.skipped is skipped
    assert problem.source == line
    if skipped:  # GitHub skips the line: it takes no part in "last match wins"
        assert 4 not in {r.line for r in co.rules}
        assert co.owners_for("src/x") == ["@fallback"]


def test_valid_file_has_no_problems() -> None:
    co = Codeowners.parse(GITHUB_EXAMPLE + "/path\\ with\\ space/ @a\n/ünïcode/ @b\n")
    assert co.problems == ()
    assert co.owners_for("path with space/x") == ["@a"]
    assert co.owners_for("ünïcode/x") == ["@b"]


# ---- GitLab's dialect --------------------------------------------------------------------------------
GITLAB_FILE = """\
* @everyone
[Docs] @docs-team
/docs/
*.md @md-owner
[Backend][2] @backend
/app/
!/app/generated/
^[Optional Security]
/app/auth/ @security @backend
"""


def test_gitlab_sections_combine_owners() -> None:
    co = Codeowners.parse(GITLAB_FILE)
    assert co.dialect == "gitlab" and co.problems == ()
    assert co.owners_for("docs/a.txt") == ["@everyone", "@docs-team"]
    assert co.owners_for("docs/a.md") == ["@everyone", "@md-owner"]
    assert co.owners_for("app/x.rb") == ["@everyone", "@backend"]
    assert co.owners_for("app/generated/x.rb") == ["@everyone"]  # excluded within its section
    assert co.owners_for("app/auth/x.rb") == ["@everyone", "@backend", "@security"]


def test_gitlab_file_read_as_github_flags_headings() -> None:
    co = Codeowners.parse(GITLAB_FILE, dialect="github")
    assert {p.line for p in co.problems} == {2, 5, 7, 8}
    assert co.owners_for("docs/a.txt") == []  # `/docs/` has no owners on GitHub


def test_gitlab_unanchored_path_with_slash_matches_at_any_depth() -> None:
    assert Codeowners.parse("[S]\ninternal/README.md @a\n").owners_for("docs/internal/README.md") == ["@a"]
    assert Codeowners.parse("internal/README.md @a\n").owners_for("docs/internal/README.md") == []


# ---- finding the file ----------------------------------------------------------------------------------
def _ctx(repo: Path) -> CheckContext:
    return CheckContext(open_snapshot(repo))


def _run(check: str, repo: Path, **params: object) -> object:
    return REGISTRY[check](_ctx(repo), params)


def test_first_location_wins_and_others_are_named(make_repo) -> None:
    repo = make_repo({
        "CODEOWNERS": "* @root\n",
        "docs/CODEOWNERS": "* @docs\n",
        ".github/CODEOWNERS": "* @github\n",
        "a.txt": "x",
    })
    fact = parse_codeowners(open_snapshot(repo))
    assert fact.path == ".github/CODEOWNERS"
    assert fact.codeowners.owners_for("a.txt") == ["@github"]
    outcome = _run("codeowners.present", repo)
    assert outcome.status == PASS
    assert "CODEOWNERS, docs/CODEOWNERS is ignored" in outcome.message


@pytest.mark.parametrize("location", ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"])
def test_each_location_is_found(make_repo, location: str) -> None:
    repo = make_repo({location: "* @o\n", "a.txt": "x"})
    outcome = _run("codeowners.present", repo)
    assert outcome.status == PASS and outcome.locations == (Location(location),)
    assert ("GitLab reads it" in outcome.message) == location.startswith(".gitlab")


def test_missing_file_fails_naming_the_three_locations(make_repo) -> None:
    repo = make_repo({"src/CODEOWNERS": "* @o\n", ".github/codeowners": "* @o\n", "a": "x"})
    outcome = _run("codeowners.present", repo)
    assert outcome.status == FAIL and outcome.score == 0
    assert [loc.path for loc in outcome.locations] == [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]
    assert ".github/codeowners is not read" in outcome.message
    assert _run("codeowners.valid", repo).status == SKIP
    coverage = _run("codeowners.coverage", repo, min_coverage=0.9)
    assert coverage.status == FAIL and coverage.score == 0


def test_file_without_rules_is_half_present(make_repo) -> None:
    repo = make_repo({".github/CODEOWNERS": "# TODO: add owners\n", "a": "x"})
    outcome = _run("codeowners.present", repo)
    assert outcome.status == FAIL and outcome.score == 0.5 and "no rules" in outcome.message


# ---- evaluators on real repositories -----------------------------------------------------------------------
def test_valid_check_scores_share_of_good_lines(make_repo) -> None:
    repo = make_repo({
        ".github/CODEOWNERS": "* @a\n!/x/ @b\n/y/ @b\n/z/[ab] @c\n",
        "a": "x",
    })
    outcome = _run("codeowners.valid", repo, dialect="auto")
    assert outcome.status == FAIL
    assert outcome.score == pytest.approx(0.5)
    assert outcome.locations == (Location(".github/CODEOWNERS", 2), Location(".github/CODEOWNERS", 4))
    assert outcome.message.startswith("2 of 4 rule lines of .github/CODEOWNERS have problems")
    assert "line 2" in outcome.message


def test_valid_check_passes_clean_file(make_repo) -> None:
    repo = make_repo({"CODEOWNERS": GITHUB_EXAMPLE, "a": "x"})
    outcome = _run("codeowners.valid", repo)
    assert outcome.status == PASS and "All 12 rule lines" in outcome.message


def test_valid_check_reads_gitlab_sections_unless_told_otherwise(make_repo) -> None:
    repo = make_repo({".gitlab/CODEOWNERS": GITLAB_FILE, "a": "x"})
    assert _run("codeowners.valid", repo, dialect="auto").status == PASS
    as_github = _run("codeowners.valid", repo, dialect="github")
    assert as_github.status == FAIL and "GitLab syntax" in as_github.message


def test_coverage_names_largest_unowned_directories(make_repo) -> None:
    files = {f"services/pay/f{i}.go": "x" for i in range(6)}
    files.update({f"vendor/lib{i}/a.c": "x" for i in range(5)})
    files.update({f"tools/t{i}.sh": "x" for i in range(3)})
    files.update({"services/gen/x.go": "x", "README.md": "x", ".github/CODEOWNERS": "/services/ @acme/svc\n/services/gen/\n"})
    repo = make_repo(files)
    outcome = _run("codeowners.coverage", repo, min_coverage=0.9)
    # 6 of 17 files owned
    assert outcome.status == FAIL
    assert outcome.score == pytest.approx(6 / 17)
    assert "35.3% of 17 tracked files have an owner in .github/CODEOWNERS (policy asks 90%)" in outcome.message
    assert outcome.message.endswith(
        "unowned: vendor/ (5 files), tools/ (3 files), .github/ (1 file), services/gen/ (1 file), "
        "1 file elsewhere"  # README.md, at the root
    )
    assert [loc.path for loc in outcome.locations] == [
        ".github/CODEOWNERS", "vendor/", "tools/", ".github/", "services/gen/"]


def test_coverage_passes_at_threshold_and_counts_untracked_but_not_ignored(make_repo) -> None:
    repo = make_repo({".github/CODEOWNERS": "*.py @py\n", "a.py": "", "b.py": "", "c.txt": "", ".gitignore": "*.log\n"})
    write_files(repo, {"new.py": "", "debug.log": ""})  # untracked: counted; ignored: not
    outcome = _run("codeowners.coverage", repo, min_coverage=0.5)
    assert outcome.status == PASS and outcome.score == 1.0
    assert "50% of 6 tracked files" in outcome.message
    outcome = _run("codeowners.coverage", repo, min_coverage=0.9)
    assert outcome.status == FAIL and outcome.score == pytest.approx(0.5)


def test_coverage_reads_the_committed_ref(make_repo) -> None:
    repo = make_repo({".github/CODEOWNERS": "* @all\n", "a": "x"})
    write_files(repo, {".github/CODEOWNERS": "/nothing/ @x\n"})
    commit_all(repo, "narrow ownership")
    snapshot = open_snapshot(repo, ref="HEAD~1")
    outcome = REGISTRY["codeowners.coverage"](CheckContext(snapshot), {"min_coverage": 0.9})
    assert outcome.status == PASS and "100%" in outcome.message


# ---- the owners command ---------------------------------------------------------------------------------------
@pytest.fixture
def owned_repo(make_repo) -> Path:
    return make_repo({
        ".github/CODEOWNERS": "* @acme/all\n/docs/ @docs docs@example.com\n/docs/generated/\n",
        "docs/a.md": "x",
        "src/deep/x.py": "x",
    })


def test_owners_text(owned_repo: Path) -> None:
    result = run_cli("owners", *["--repo", str(owned_repo), "docs/a.md", "src/x.py", "docs/generated/b.md"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "docs/a.md            @docs docs@example.com  (.github/CODEOWNERS:2)",
        "src/x.py             @acme/all  (.github/CODEOWNERS:1)",
        "docs/generated/b.md  (no owner: .github/CODEOWNERS:3 has none)",
    ]


def test_owners_json(owned_repo: Path) -> None:
    result = run_cli(
        "owners", "--repo", owned_repo, "--format", "json", "./docs/a.md", "docs/generated/b.md", "src/x.py")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "./docs/a.md": ["@docs", "docs@example.com"],  # each path as given
        "docs/generated/b.md": [],
        "src/x.py": ["@acme/all"],
    }


def test_owners_from_a_codeowners_file(tmp_path: Path) -> None:
    file = tmp_path / "CODEOWNERS"
    file.write_text("/only/ @a\n")
    result = run_cli("owners", *["--codeowners", str(file), "--format", "json", "only/x", "y"])
    assert result.exit_code == 0 and json.loads(result.output) == {"only/x": ["@a"], "y": []}


def test_owners_from_a_gitlab_file_reads_sections(tmp_path: Path) -> None:
    file = tmp_path / ".gitlab" / "CODEOWNERS"
    file.parent.mkdir()
    file.write_text("* @all\n[Docs] @docs\n/docs/\n")
    result = run_cli("owners", "--codeowners", file, "--format", "json", "docs/a.md")
    assert json.loads(result.output) == {"docs/a.md": ["@all", "@docs"]}


def test_owners_paths_relative_to_current_directory(owned_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(owned_repo / "docs")
    result = run_cli("owners", *["--format", "json", "a.md"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"a.md": ["@docs", "docs@example.com"]}


@pytest.mark.parametrize("args,fragment", [
    (["--repo", "{missing}", "a"], "path does not exist"),
    (["--repo", "{plain}", "a"], "no CODEOWNERS in"),
    (["--codeowners", "{missing}", "a"], "no such CODEOWNERS file"),
    (["--repo", "{plain}", "--codeowners", "{plain}", "a"], "either --repo or --codeowners"),
])
def test_owners_errors_are_one_line_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    args = [a.format(missing=tmp_path / "nope", plain=plain) for a in args]
    result = run_cli("owners", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr


def test_owners_needs_a_path() -> None:
    result = run_cli("owners")
    assert result.exit_code == 2


def test_owners_help() -> None:
    result = run_cli("owners", *["--help"])
    assert result.exit_code == 0 and "exactly as GitHub reads it" in result.output


# ---- shapes found in real repositories (fixtures written here, after reading their files) -------------------
REAL_SHAPES = [
    # grafana/k6: an escaped space and an owner-less directory
    ("* @core\n/release\\ notes/\n", {"release notes/v1.md": [], "release/notes.md": ["@core"]}),
    # pulumi/pulumi: an owner-less line followed by an inline comment
    ("* @platform\n/changelog/pending/ # no code owner needed\n", {"changelog/pending/x.yaml": [], "changelog/y": ["@platform"]}),
    # hashicorp/terraform: a middle slash anchors even without a leading one
    ("* @core\nbuiltin/provisioners/file @core @files\n", {
        "builtin/provisioners/file/x.go": ["@core", "@files"], "x/builtin/provisioners/file/y.go": ["@core"]}),
    # temporalio/temporal: direct children, and wildcards inside a name
    ("* @server\n/chasm/* @found\n/service/history/*archival* @found\n", {
        "chasm/a.go": ["@found"], "chasm/lib/b.go": ["@server"],
        "service/history/foo_archival.go": ["@found"], "service/history/sub/x_archival.go": ["@server"]}),
    # argoproj/argo-cd: `**` as the default and `/dir/**`
    ("** @approvers\n/docs/** @approvers @docs\nDockerfile.* @approvers @ci\n", {
        "docs/a/b.md": ["@approvers", "@docs"], "build/Dockerfile.dev": ["@approvers", "@ci"], "x": ["@approvers"]}),
]


@pytest.mark.parametrize("text,expected", REAL_SHAPES)
def test_real_repository_shapes(text: str, expected: dict[str, list[str]]) -> None:
    co = Codeowners.parse(text)
    assert co.problems == ()
    assert co.owners_for_many(expected) == expected


def test_gitlab_runner_shape_sections_with_default_owners() -> None:
    text = "* @maintainers\n.gitignore @group @maintainers\n\n[Hosted Runners] @platform\nmagefiles/hosted.go\n"
    co = Codeowners.parse(text, path=".gitlab/CODEOWNERS")
    assert co.owners_for(".gitignore") == ["@group", "@maintainers"]
    assert co.owners_for("magefiles/hosted.go") == ["@maintainers", "@platform"]


def test_cpython_shape_character_range_is_skipped() -> None:
    # python/cpython#112206: GitHub reported "This CODEOWNERS file contains errors" for this line
    co = Codeowners.parse("Python/ceval.c @markshannon\nPython/ceval*.[ch] @markshannon @gvanrossum\n")
    assert [(p.line, "character ranges" in p.message) for p in co.problems] == [(2, True)]
    assert co.owners_for("Python/ceval_gil.c") == []


def test_coverage_never_rounds_unowned_files_up_to_100(tmp_path: Path) -> None:
    files = {f"src/f{i}.go": "" for i in range(1999)}
    files.update({"changelog/pending/a.yaml": "", ".github/CODEOWNERS": "* @p\n/changelog/pending/ # none\n"})
    write_files(tmp_path, files)  # a plain directory: 2,001 files without the cost of committing them
    outcome = _run("codeowners.coverage", tmp_path, min_coverage=0.9)
    assert outcome.status == PASS and outcome.message.startswith("99.9% of 2,001 tracked files")
    assert outcome.message.endswith("unowned: changelog/ (1 file)")


def test_prow_owners_files_are_named_when_codeowners_is_missing(make_repo) -> None:
    outcome = _run("codeowners.present", make_repo({"OWNERS": "approvers: [a]\n", "x": ""}))
    assert outcome.status == FAIL and "OWNERS files (Prow)" in outcome.message


# ---- end to end: a scan through the CLI -------------------------------------------------------------------------
POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: ownership, version: 1.0.0}
gate: {min_score: 90}
rules:
  - {check: codeowners.present}
  - {check: codeowners.valid}
  - {check: codeowners.coverage, params: {min_coverage: 0.8}}
"""


def test_scan_reports_ownership_checks(make_repo, tmp_path: Path) -> None:
    repo = make_repo({
        ".github/CODEOWNERS": "/src/ @acme/core\n!/src/gen/ @acme/core\n",
        "src/a.py": "", "src/b.py": "", "tools/x.sh": "", "README.md": "",
    })
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    results = results_by_check(report)
    assert results["codeowners.present"]["status"] == "pass"
    valid = results["codeowners.valid"]
    assert valid["status"] == "fail" and valid["score"] == 0.5
    assert valid["locations"] == [{"path": ".github/CODEOWNERS", "line": 2}]
    coverage = results["codeowners.coverage"]
    assert coverage["status"] == "fail" and coverage["score"] == pytest.approx(0.4)
    assert "40% of 5 tracked files" in coverage["message"] and "tools/ (1 file)" in coverage["message"]
    assert code == 1


@pytest.mark.parametrize("files,dialect", [
    ({".github/CODEOWNERS": GITLAB_FILE}, "github"),            # GitLab never reads .github/
    ({".gitlab/CODEOWNERS": "* @a\n"}, "gitlab"),
    ({"CODEOWNERS": GITLAB_FILE}, "gitlab"),                    # headings, nothing says GitHub
    ({"CODEOWNERS": GITLAB_FILE, ".github/workflows/ci.yml": "on: push\n"}, "github"),
    ({"CODEOWNERS": GITLAB_FILE, ".github/x": "", ".gitlab-ci.yml": "test: {}\n"}, "gitlab"),
    ({"CODEOWNERS": "* @a\n", ".gitlab-ci.yml": "test: {}\n"}, "github"),  # no headings: same rules
])
def test_dialect_follows_location_and_repository(make_repo, files: dict[str, str], dialect: str) -> None:
    fact = parse_codeowners(open_snapshot(make_repo({**files, "a": ""})))
    assert fact.codeowners.dialect == dialect


def test_oversized_and_binary_files(make_repo) -> None:
    big = make_repo({"CODEOWNERS": "* @a\n" + "# padding\n" * 330_000, "a": ""})  # > 3 MB
    snapshot = open_snapshot(big, max_bytes=4 * 1024 * 1024)
    outcome = REGISTRY["codeowners.present"](CheckContext(snapshot), {})
    assert outcome.status == FAIL and "3 MB" in outcome.message
    snapshot = open_snapshot(big)  # the scanner's own 2 MB cap: GitHub would read it, we could not
    assert REGISTRY["codeowners.present"](CheckContext(snapshot), {}).status == PASS
    assert REGISTRY["codeowners.coverage"](CheckContext(snapshot), {"min_coverage": 0.9}).status == "error"
    binary = make_repo({".github/CODEOWNERS": b"\0\1\2", "a": ""})
    assert _run("codeowners.present", binary).status == FAIL


def test_many_wildcard_rules_match_alike_through_rule_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past a few wildcard rules the matcher asks RE2 sets; the answers are those of one rule at a time."""
    from standards_check.facts import codeowners as module

    rules = ["* @all"] + [f"*x{n}*/* @t{n}" for n in range(60)] + [f"**/d{n}/**/*.py @p{n}" for n in range(60)] \
        + ["*a*b*/ @ab"]
    text = "\n".join(rules) + "\n"
    paths = ["x1/f", "ax12z/f", "x59/g/h", "src/d3/e/f.py", "d59/f.py", "d59/f.pyc", "ab/c", "zazb/y/w", "q"]
    sets = Codeowners.parse(text).owners_for_many(paths)
    monkeypatch.setattr(module._GlobList, "SMALL", 10**9)
    one_by_one = Codeowners.parse(text).owners_for_many(paths)
    assert sets == one_by_one
    assert sets["x1/f"] == ["@t1"] and sets["ax12z/f"] == ["@t12"] and sets["x59/g/h"] == ["@all"]
    assert sets["src/d3/e/f.py"] == ["@p3"] and sets["d59/f.py"] == ["@p59"] and sets["d59/f.pyc"] == ["@all"]
    assert sets["zazb/y/w"] == ["@ab"] and sets["q"] == ["@all"]
