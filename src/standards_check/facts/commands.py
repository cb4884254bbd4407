"""What a CI shell command does: runs tests, only lints, or something else.

Text-level judgement of the command lines CI systems run (`run:`, `script:`, `sh '...'`). Nothing
is executed. Commands are split into simple commands (on newlines, `&&`, `||`, `;`, `|`), comments
and `echo`/`printf` arguments are ignored, wrappers (`sudo`, `uv run`, `poetry run`, `python -m`,
`bundle exec`, `npx`, `xvfb-run`, `env`, `VAR=value`) are peeled off, and the head is matched
against a table of test runners and linters.

Indirections a repository defines itself are followed a few levels deep through a `ScriptIndex`:
`make ci` (the Makefile recipe and prerequisites), `npm run ci` (package.json scripts), `just`
recipes, `tox -e lint` (lint-only environments are not tests), `pre-commit run` (tests only when a
hook runs a test runner) and repository scripts such as `./scripts/test.sh`.
"""
from __future__ import annotations

import posixpath
from standards_check import rx
import shlex
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from standards_check import dataio
from standards_check.facts import taskfiles
from standards_check.facts.launchers import unwrap as unwrap_launcher

if TYPE_CHECKING:
    from standards_check.snapshot import RepoSnapshot

TEST, LINT, BUILD = "test", "lint", "build"
_MAX_DEPTH = 3


@dataclass(frozen=True)
class Finding:
    kind: str   # TEST | LINT | BUILD
    tool: str   # what was recognised, e.g. "pytest", "npm test", "make ci -> pytest"


# --------------------------------------------------------------------------------------------
# splitting a script into simple commands
# --------------------------------------------------------------------------------------------
_GH_EXPR = rx.compile(r"\$\{\{.*?\}\}")
_SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "(", ")", "|&"}


def simple_commands(script: str) -> list[list[str]]:
    """Token lists of the simple commands of a shell script (comments dropped)."""
    script = _GH_EXPR.sub("EXPR", script).replace("\\\r\n", " ").replace("\\\n", " ")
    commands: list[list[str]] = []
    for raw_line in script.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        tokens = _tokens(line)
        current: list[str] = []
        for token in tokens:
            if token in _SEPARATORS:
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(token)
        if current:
            commands.append(current)
    return commands


_PLAIN_TOKENS = rx.compile(r"&&|\|\||;;|[;|&()]|[^\s;|&()]+")


def _tokens(line: str) -> list[str]:
    if not any(ch in line for ch in "'\"\\#`"):  # no quoting: a regular expression is 20x faster than shlex
        return _PLAIN_TOKENS.findall(line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes (a heredoc, a multi-line string): fall back to words
        return [t for t in rx.split(r"\s+|(&&|\|\||;|\|)", line.split(" #")[0]) if t]


# --------------------------------------------------------------------------------------------
# wrappers peeled off the front of a command
# --------------------------------------------------------------------------------------------
_ENV_ASSIGN = rx.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PLAIN_WRAPPERS = {"sudo", "time", "exec", "nice", "nohup", "command", "stdbuf", "catchsegv",
                   "npx", "bunx", "pnpx", "uvx", "pipx", "dbus-run-session", "unbuffer", "retry",
                   "gtimeout", "xvfb-run", "eatmydata", "call", "ddev",
                   "if", "then", "else", "elif", "do", "while", "until", "!", "{"}
_RUN_WRAPPERS = {"uv", "poetry", "pipenv", "pdm", "rye", "conda", "mamba", "micromamba", "pixi"}
_NO_OP_HEADS = {"echo", "printf", "cat", "cd", "export", "set", "source", ".", "mkdir", "rm", "cp",
                "mv", "ls", "pwd", "true", "false", ":", "test", "[", "[[",
                "fi", "for", "done", "case", "esac", "curl", "wget", "git", "chmod",
                "touch", "tee", "grep", "sed", "awk", "pip", "pip3", "apt-get", "apt", "brew",
                "choco", "yum", "dnf", "apk", "which", "sleep", "exit", "return", "local", "unset",
                "cat", "tar", "unzip", "ln", "find", "xargs", "env_file", "read", "trap", "wait",
                "shift", "eval", "docker-compose-up"}
_PYTHON = rx.compile(r"^(?:.*/)?(?:python|pypy)(?:[0-9.]*[t]?)?(?:\.exe)?$|^\$\{?PYTHON\}?$|^py$")


def _strip_wrappers(tokens: list[str]) -> list[str]:
    """Drop env assignments and wrappers so the real program is first."""
    tokens = list(tokens)
    for _ in range(12):
        if not tokens:
            return tokens
        head = tokens[0]
        base = posixpath.basename(head)
        if _ENV_ASSIGN.match(head):
            tokens = tokens[1:]
        elif base == "env":
            tokens = tokens[1:]
            while tokens and (tokens[0].startswith("-") or _ENV_ASSIGN.match(tokens[0])):
                tokens = tokens[1:]
        elif base in ("timeout", "gtimeout"):
            tokens = tokens[1:]
            while tokens and tokens[0].startswith("-"):
                tokens = tokens[1:]
            tokens = tokens[1:]  # the duration
        elif base in _PLAIN_WRAPPERS:
            tokens = tokens[1:]
            while tokens and tokens[0].startswith("-"):
                tokens = tokens[1:]
        elif base in _RUN_WRAPPERS and len(tokens) > 1 and tokens[1] in ("run", "exec"):
            tokens = _skip_options(tokens[2:], with_value={"--group", "--with", "--extra", "-n",
                                                           "--name", "-p", "--python", "-e",
                                                           "--environment", "--package", "--env"})
        elif base == "bundle" and len(tokens) > 1 and tokens[1] == "exec":
            tokens = tokens[2:]
        elif base in ("npm", "pnpm", "yarn") and len(tokens) > 1 and tokens[1] == "exec":
            tokens = _skip_options(tokens[2:], with_value=set())
            if tokens and tokens[0] == "--":
                tokens = tokens[1:]
        elif _PYTHON.match(head) and len(tokens) > 2 and tokens[1] == "-m":
            tokens = tokens[2:]
        elif _PYTHON.match(head) and len(tokens) > 1 and tokens[1].startswith("-") and tokens[1] != "-m":
            tokens = [tokens[0]] + tokens[2:]  # python -u -m pytest
        elif base in ("coverage", "coverage3") and len(tokens) > 1 and tokens[1] == "run":
            rest = _skip_options(tokens[2:], with_value={"--rcfile", "--source", "--omit",
                                                         "--include", "--data-file", "--context"})
            if rest and rest[0] == "-m":
                rest = rest[1:]
            tokens = rest
        elif base in ("nyc", "c8"):
            tokens = _skip_options(tokens[1:], with_value={"--reporter", "-r", "--report-dir",
                                                           "--temp-dir", "--lines", "--branches",
                                                           "--functions", "--statements"})
        else:
            wrapped = unwrap_launcher(tokens)
            if wrapped is None:
                return tokens
            tokens = wrapped
    return tokens


def _skip_options(tokens: list[str], with_value: set[str]) -> list[str]:
    index = 0
    while index < len(tokens) and tokens[index].startswith("-") and tokens[index] != "--":
        option = tokens[index]
        index += 2 if option in with_value else 1
    return tokens[index:]


# --------------------------------------------------------------------------------------------
# names that mean tests or lint
# --------------------------------------------------------------------------------------------
_TEST_NAME = rx.compile(r"(?i)(^|[-_:./ ])(unit|integration|e2e)?tests?($|[-_:./ ])|^check$|"
                        r"^ci[-_:]?test|^spec$|^specs$|^coverage$|^cover$|^test|test$")
_LINT_NAME = rx.compile(r"(?i)^(lint|linters?|style|format|fmt|typecheck|typing|types|type|mypy|"
                        r"flake8|pep8|pylint|ruff|eslint|prettier|black|isort|docs?|pre-?commit|"
                        r"check-format|format-check|spell(ing)?|codespell|vet|tidy|audit|security|"
                        r"bandit|clippy|build|dist|package|packaging|release|publish|docs-.*|lint.*|"
                        r".*-lint|.*:lint|lint:.*)$")
_TEST_TOKENS = {"test", "tests", "unittest", "unittests", "spec", "specs", "e2e", "itest", "citest",
                "unit", "integration", "testall", "alltests", "runtests"}
_NOT_TEST_TOKENS = {"install", "tools", "tool", "deps", "dep", "setup", "prepare", "generate", "gen",
                    "parallelize", "lint", "fmt", "format", "build", "clean", "image", "images", "docker",
                    "directives", "report", "upload", "publish", "list", "shards", "split", "matrix",
                    "results", "data", "fixtures", "env", "environment", "infra", "cluster", "db",
                    "bin", "binary", "binaries", "deploy", "push", "compile", "vet", "tidy", "mod",
                    "download", "bootstrap", "init", "stop", "down", "up", "start", "cleanup", "teardown"}


def _name_says_test(name: str) -> str | None:
    """"strong" for `test`, `unit-test`, `test:e2e`, `check`; "weak" when a test word stands beside
    words of another job (`install-test-tools`, `check_test_directives`); None otherwise."""
    lowered = name.lower()
    if lowered in ("check", "test", "tests", "spec", "default-test"):
        return "strong"
    tokens = [t for t in rx.split(r"[-_:./ +]", lowered) if t]
    if not any(t in _TEST_TOKENS or t.startswith("test") or t.endswith("test") for t in tokens):
        return None
    if any(t in _NOT_TEST_TOKENS for t in tokens) or "check" in tokens:
        return "weak"
    if tokens in (["unit"], ["integration"]):
        return "weak"
    return "strong"


_TEST_HEADS = {
    "pytest": "pytest", "py.test": "pytest", "nose2": "nose2", "nosetests": "nose",
    "trial": "trial", "green": "green", "behave": "behave", "ward": "ward", "unittest": "unittest",
    "jest": "jest", "vitest": "vitest", "mocha": "mocha", "ava": "ava", "karma": "karma",
    "jasmine": "jasmine", "tap": "tap", "tape": "tape", "cypress": "cypress", "wdio": "wdio",
    "gotestsum": "gotestsum", "ginkgo": "ginkgo", "rspec": "rspec", "cucumber": "cucumber",
    "phpunit": "phpunit", "pest": "pest", "paratest": "paratest", "codecept": "codecept",
    "ctest": "ctest", "prove": "prove", "busted": "busted", "elm-test": "elm-test",
    "bats": "bats", "tox": "tox", "nox": "nox", "testthat": "testthat", "vstest.console": "vstest",
    "vstest.console.exe": "vstest", "xunit": "xunit", "nunit3-console": "nunit",
    "gradle-test": "gradle", "stestr": "stestr", "robot": "robot",
}
_SUBCOMMAND_TESTS = {  # head -> subcommands that run tests
    "go": {"test"}, "richgo": {"test"}, "cargo": {"test", "nextest", "tarpaulin", "llvm-cov", "miri"},
    "cross": {"test"}, "bazel": {"test", "coverage"}, "bazelisk": {"test", "coverage"},
    "dotnet": {"test", "vstest"}, "mix": {"test"}, "swift": {"test"}, "sbt": {"test", "+test",
    "testonly", "it:test", "coverage"}, "lein": {"test", "midje"}, "stack": {"test"},
    "cabal": {"test"}, "flutter": {"test"}, "dart": {"test"}, "deno": {"test"}, "bun": {"test"},
    "meson": {"test"}, "xcodebuild": {"test", "test-without-building"}, "zig": {"test"},
    "rails": {"test", "spec"}, "dune": {"test", "runtest"}, "playwright": {"test"},
    "hatch": {"test"}, "pdm": {"test"}, "django-admin": {"test"}, "manage.py": {"test"},
    "melos": {"test"}, "turbo": {"test"}, "nx": {"test"}, "lerna": {"test"}, "gotest": {"test"},
    "earthly": {"+test"}, "vendor/bin/phpunit": set(), "composer": {"test"}, "ninja": {"test"},
    "tarantool": set(), "R": {"check"}, "devtools": set(), "clj": set(), "julia": set(),
}
_LINT_HEADS = {
    "ruff", "flake8", "pylint", "mypy", "pyright", "black", "isort", "pycodestyle", "pydocstyle",
    "eslint", "prettier", "tslint", "stylelint", "biome", "golangci-lint", "gofmt", "goimports",
    "staticcheck", "revive", "rubocop", "standardrb", "shellcheck", "hadolint", "yamllint",
    "markdownlint", "markdownlint-cli2", "actionlint", "codespell", "typos", "vale", "cpplint",
    "clang-format", "clang-tidy", "ktlint", "detekt", "swiftlint", "phpcs", "phpstan", "psalm",
    "checkstyle", "spotless", "tflint", "terraform", "cfn-lint", "commitlint", "zizmor",
    "check-manifest", "twine", "pyupgrade", "autoflake", "bandit", "semgrep", "vulture", "tsc",
    "pre-commit", "prek", "lefthook", "editorconfig-checker", "sqlfluff", "buf", "helm",
    "super-linter",
}
_LINT_SUBCOMMANDS = {"go": {"vet", "fmt", "mod", "build", "generate", "install", "run"},
                     "cargo": {"clippy", "fmt", "build", "check", "deny", "audit", "doc", "publish"},
                     "dotnet": {"build", "format", "restore", "publish", "pack"}}
_MAVEN_TEST_GOALS = {"test", "verify", "install", "package", "integration-test", "deploy",
                     "surefire:test", "failsafe:integration-test"}
_SCRIPT_EXT = (".sh", ".bash", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".ps1", ".bat",
               ".cmd", ".zsh", "")


class ScriptIndex:
    """Looks up what a repository defines for itself: Makefile targets, package.json scripts,
    just recipes, tox environments, pre-commit hooks and script files. Reads each file once."""

    # The memos live on the instance (not in a cache on the methods, keyed by it, which would keep
    # every index and its snapshot alive for the life of a sweep worker).
    def __init__(self, snapshot: RepoSnapshot) -> None:
        self.snapshot = snapshot
        self._script_tests: dict[tuple[str, int], Finding | None] = {}
        self._makefiles: dict[str, tuple[dict[str, tuple[list[str], list[str]]], str | None]] = {}
        self._packages: dict[str, dict[str, str]] = {}
        self._runners: dict[str, tuple[dict[str, list[str]], str | None]] = {}

    def _makefile(self, directory: str) -> tuple[dict[str, tuple[list[str], list[str]]], str | None]:
        """target -> (prerequisites, recipe lines); and the default goal."""
        if directory not in self._makefiles:
            self._makefiles[directory] = self._read_makefile(directory)
        return self._makefiles[directory]

    def _read_makefile(self, directory: str) -> tuple[dict[str, tuple[list[str], list[str]]], str | None]:
        for name in ("GNUmakefile", "makefile", "Makefile"):
            text = self.snapshot.read_text(posixpath.join(directory, name) if directory else name)
            if text is not None:
                return _parse_makefile(text)
        return {}, None

    def has_makefile(self, directory: str) -> bool:
        return bool(self._makefile(directory)[0])

    def make_recipe(self, directory: str, target: str | None) -> list[str] | None:
        targets, default = self._makefile(directory)
        target = target or default
        if target is None or target not in targets:
            return None
        lines: list[str] = []
        seen: set[str] = set()
        queue = [target]
        while queue and len(seen) < 20:
            name = queue.pop(0)
            if name in seen or name not in targets:
                continue
            seen.add(name)
            prerequisites, recipe = targets[name]
            lines.extend(recipe)
            queue.extend(prerequisites)
        return lines

    def _package_scripts(self, directory: str) -> dict[str, str]:
        if directory not in self._packages:
            self._packages[directory] = self._read_package_scripts(directory)
        return self._packages[directory]

    def _read_package_scripts(self, directory: str) -> dict[str, str]:
        path = posixpath.join(directory, "package.json") if directory else "package.json"
        text = self.snapshot.read_text(path)
        if text is None:
            return {}
        try:
            data = dataio.load_json(text, source=path)
        except ValueError:
            return {}
        scripts = data.get("scripts") if isinstance(data, dict) else None
        return {str(k): str(v) for k, v in scripts.items()} if isinstance(scripts, dict) else {}

    def has_package_json(self, directory: str) -> bool:
        return self.snapshot.exists(posixpath.join(directory, "package.json") if directory else "package.json")

    def npm_script(self, directory: str, name: str) -> str | None:
        return self._package_scripts(directory).get(name)

    def runner_tasks(self, runner: str) -> tuple[dict[str, list[str]], str | None]:
        """The tasks of a task runner's file at the root (see facts/taskfiles.py), and its default."""
        if runner not in self._runners:
            self._runners[runner] = self._read_runner_tasks(runner)
        return self._runners[runner]

    def _read_runner_tasks(self, runner: str) -> tuple[dict[str, list[str]], str | None]:
        path = self.snapshot.first(taskfiles.RUNNER_FILES[runner])
        text = self.snapshot.read_text(path) if path else None
        return taskfiles.read_tasks(runner, text) if text is not None else ({}, None)

    def runner_recipe(self, runner: str, name: str | None) -> list[str] | None:
        """The lines a task runs (None: the runner's default task), or None when not defined."""
        tasks, default = self.runner_tasks(runner)
        name = name if name is not None else default
        return tasks.get(name) if name is not None else None

    @cached_property
    def precommit_test_hooks(self) -> tuple[str, ...]:
        """Hooks of .pre-commit-config.yaml that run a test runner (ids or entries)."""
        text = self.snapshot.read_text(".pre-commit-config.yaml")
        if text is None:
            return ()
        from standards_check import yamlio
        try:
            data = yamlio.load(text, source=".pre-commit-config.yaml")
        except yamlio.YamlSyntaxError:
            return ()
        found = []
        for repo in (data or {}).get("repos", []) if isinstance(data, dict) else []:
            for hook in (repo or {}).get("hooks", []) if isinstance(repo, dict) else []:
                if not isinstance(hook, dict):
                    continue
                entry = str(hook.get("entry", ""))
                hook_id = str(hook.get("id", ""))
                if entry and any(f.kind == TEST for f in classify(entry, None, depth=_MAX_DEPTH)):
                    found.append(hook_id or entry)
                elif rx.search(r"(?i)(^|[-_])(pytest|tests?|unittest)($|[-_])", hook_id) and not entry:
                    found.append(hook_id)
        return tuple(found)

    def script_test(self, path: str, depth: int) -> Finding | None:
        """The first test run of a repository shell script, memoised (CI calls the same scripts
        from many jobs)."""
        key = (posixpath.normpath(path), depth)
        if key not in self._script_tests:
            lines = self.script_lines(path)
            found = None
            if lines is not None:
                for tokens in simple_commands("\n".join(lines)):
                    finding = classify_command(tokens, self, depth + 1)
                    if finding is not None and finding.kind == TEST:
                        found = finding
                        break
            self._script_tests[key] = found
        return self._script_tests[key]

    def script_lines(self, path: str) -> list[str] | None:
        """The lines of a script file in the repository (None when absent or not text)."""
        path = posixpath.normpath(path.lstrip("./") if path.startswith("./") else path)
        if not self.snapshot.exists(path):
            return None
        text = self.snapshot.read_text(path)
        if text is None or len(text) > 50_000:
            return None
        return text.splitlines()


def _parse_makefile(text: str) -> tuple[dict[str, tuple[list[str], list[str]]], str | None]:
    targets: dict[str, tuple[list[str], list[str]]] = {}
    default: str | None = None
    current: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        if line.startswith("\t"):
            for name in current:
                targets[name][1].append(line.strip().lstrip("@-+"))
            continue
        match = rx.match(r"^([A-Za-z0-9_.%/\- ]+?)\s*::?([^=].*|)$", line)
        if match and "=" not in match.group(1):
            names = match.group(1).split()
            prerequisites, _, inline = match.group(2).split("#", 1)[0].partition(";")
            current = []
            for name in names:
                if name.startswith(".") and name.isupper() or name in (".PHONY", ".DEFAULT_GOAL"):
                    continue
                targets.setdefault(name, ([], []))
                targets[name][0].extend(p for p in prerequisites.split() if "$" not in p and "|" != p)
                if inline.strip():
                    targets[name][1].append(inline.strip())
                current.append(name)
                if default is None and not name.startswith("."):
                    default = name
            continue
        goal = rx.match(r"^\.DEFAULT_GOAL\s*:?=\s*(\S+)", line)
        if goal:
            default = goal.group(1)
        elif line.strip() and not line.startswith("#"):
            current = []
    return targets, default


# --------------------------------------------------------------------------------------------
# classification
# --------------------------------------------------------------------------------------------
def classify(script: str, index: ScriptIndex | None = None, depth: int = 0) -> list[Finding]:
    """Every test, lint or build finding in a script (in order)."""
    findings: list[Finding] = []
    for tokens in simple_commands(script):
        finding = classify_command(tokens, index, depth)
        if finding is not None:
            findings.append(finding)
    return findings


def runs_tests(script: str, index: ScriptIndex | None = None) -> Finding | None:
    return next((f for f in classify(script, index) if f.kind == TEST), None)


def classify_command(tokens: list[str], index: ScriptIndex | None, depth: int = 0) -> Finding | None:
    tokens = _strip_wrappers(tokens)
    if not tokens:
        return None
    head = tokens[0]
    base = posixpath.basename(head)
    args = tokens[1:]
    if base in ("bash", "sh", "zsh", "dash", "pwsh", "powershell", "cmd") and args:
        if args[0] in ("-c", "-Command", "/c", "-lc", "-ec", "-exc", "-xc") and len(args) > 1:
            return _best(classify(args[1], index, depth + 1))
        script = next((a for a in args if not a.startswith("-")), None)
        return _from_script_file(script, index, depth) if script else None
    if base in _NO_OP_HEADS and ("/" not in head or head.startswith(("/bin/", "/usr/bin/"))):
        return None  # the shell's own `test`, `echo`...; `./scripts/test` is a repository script
    if base == "circleci-orb" and args:  # an orb job/command named like a test run (`python/test`)
        return Finding(TEST, f"orb {args[0]}")
    if base in ("docker", "docker-compose", "podman", "nix", "nix-shell", "kubectl", "ssh", "vagrant",
                "flatpak-builder", "schroot", "chroot", "toolbox", "distrobox", "devcontainer",
                "make-in-docker"):
        return _search_inside(args, index, depth)
    if base in _TEST_HEADS:
        return _judge_named_runner(_TEST_HEADS[base], args, index)
    if base in ("npm", "yarn", "pnpm", "bun"):
        return _judge_package_manager(base, args, index, depth)
    if base in ("make", "gmake", "mingw32-make", "nmake"):
        return _judge_make(args, index, depth)
    if base in ("mvn", "mvnw", "mvnw.cmd", "mvn.cmd"):
        return _judge_maven(args)
    if base in ("gradle", "gradlew", "gradlew.bat", "gradle.bat"):
        return _judge_gradle(args)
    if base in ("just", "task", "go-task", "mise", "mage", "invoke", "inv", "rake", "grunt", "gulp", "doit", "poe",
                "ant", "dagger", "earthly", "cake", "nuke", "fastlane", "scons", "waf", "bb"):
        return _judge_task_runner(base, args, index, depth)
    if base in ("hatch",) and args[:1] == ["run"] and len(args) > 1:
        name = args[1].split(":")[-1]
        if _TEST_NAME.search(name) and not _LINT_NAME.match(name):
            return Finding(TEST, f"hatch run {args[1]}")
    if base == "composer" and args:
        name = args[1] if args[0] in ("run", "run-script") and len(args) > 1 else args[0]
        if _TEST_NAME.search(name):
            return Finding(TEST, f"composer {name}")
    if base in ("cmake",) and "--target" in args:
        target = args[args.index("--target") + 1] if args.index("--target") + 1 < len(args) else ""
        if target in ("test", "check", "RUN_TESTS"):
            return Finding(TEST, f"cmake --target {target}")
        return Finding(BUILD, "cmake")
    if base == "ninja" and _non_options(args, {"-C", "-j", "-f"})[:1] in (["test"], ["check"]):
        return Finding(TEST, "ninja test")
    if base == "R" and args[:2] == ["CMD", "check"]:
        return Finding(TEST, "R CMD check")
    if base in ("Rscript", "julia") and rx.search(r"devtools::test|testthat|Pkg\.test|rcmdcheck", " ".join(args)):
        return Finding(TEST, base)
    if base in ("setup.py",) or (base.startswith("python") and args[:2] == ["setup.py", "test"]):
        return Finding(TEST, "setup.py test") if "test" in args else None
    if base in _SUBCOMMAND_TESTS or base in _LINT_SUBCOMMANDS:
        sub = next((a for a in args if not a.startswith(("-", "+")) or a == "+test"), "")
        if base == "manage.py" or (_PYTHON.match(head) and args[:1] == ["manage.py"]):
            sub = args[1] if base != "manage.py" and len(args) > 1 else sub
        if sub.lower() in _SUBCOMMAND_TESTS.get(base, set()):
            if any(a in ("-c", "--no-run", "-list", "--list", "-run=^$", "-run=XXX") for a in args) or \
                    ("-run" in args and args[args.index("-run") + 1:args.index("-run") + 2] in (["^$"], ["XXX"], ["none"])):
                return Finding(BUILD, f"{base} {sub} (compiles, runs no test)")
            return Finding(TEST, f"{base} {sub}")
        if sub in _LINT_SUBCOMMANDS.get(base, set()):
            return Finding(LINT if sub not in ("build", "install", "restore", "publish", "pack", "run", "generate") else BUILD, f"{base} {sub}")
    if _PYTHON.match(head) and args:
        if args[0] == "manage.py" and args[1:2] == ["test"]:
            return Finding(TEST, "manage.py test")
        if args[0] == "-c":
            return None
        return _from_script_file(args[0], index, depth, interpreter=True)
    if base in ("node", "ts-node", "tsx", "ruby", "perl", "php", "deno") and args:
        if base == "node" and "--test" in args:
            return Finding(TEST, "node --test")
        script = next((a for a in args if not a.startswith("-")), None)
        return _from_script_file(script, index, depth, interpreter=True) if script else None
    if base in _LINT_HEADS:
        if base in ("pre-commit", "prek") and index is not None:
            hooks = index.precommit_test_hooks
            if hooks:
                return Finding(TEST, f"pre-commit (test hook {hooks[0]})")
        return Finding(LINT, base)
    if "/" in head or head.endswith(_SCRIPT_EXT[:-1]):
        return _from_script_file(head, index, depth)
    return None


def _best(findings: list[Finding]) -> Finding | None:
    for kind in (TEST, LINT, BUILD):
        for finding in findings:
            if finding.kind == kind:
                return finding
    return None


def _non_options(args: list[str], with_value: set[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in with_value:
            skip = True
            continue
        if arg.startswith("-") or _ENV_ASSIGN.match(arg):
            continue
        out.append(arg)
    return out


def _search_inside(args: list[str], index: ScriptIndex | None, depth: int) -> Finding | None:
    """`docker compose run app pytest`: look for a runner anywhere in the arguments."""
    for start in range(len(args)):
        base = posixpath.basename(args[start])
        if base in _TEST_HEADS or base in ("npm", "yarn", "pnpm", "make", "go", "cargo", "mvn",
                                           "gradle", "./gradlew", "gradlew", "tox", "bash", "sh",
                                           "dotnet", "bundle", "rake", "python", "python3"):
            found = classify_command(args[start:], index, depth + 1)
            if found is not None and found.kind == TEST:
                return found
    return None


_PYTHON_ENV = rx.compile(r"^(py\d*|pypy\d*|\d+\.\d+t?|python\d*)([-.]|$)")


def _judge_named_runner(name: str, args: list[str], index: ScriptIndex | None) -> Finding:
    if name in ("tox", "nox"):
        envs = _selected_envs(name, args)
        label = name if not envs else f"{name} -e {','.join(envs)}"
        if not envs or any(_PYTHON_ENV.match(e) or _name_says_test(e) or "EXPR" in e or "$" in e for e in envs):
            return Finding(TEST, label)  # the default envs, a Python version, or a test env
        if all(_LINT_NAME.match(env) for env in envs):
            return Finding(LINT, label)
        return Finding(BUILD, label)  # docs, build, prepare-release...
    if name == "pytest" and any(a in ("--collect-only", "--co", "--version", "--help") for a in args):
        return Finding(BUILD, "pytest --collect-only")
    if name == "cypress" and args[:1] not in (["run"],):
        return Finding(BUILD, "cypress")
    if name == "vitest" and args[:1] in (["bench"],):
        return Finding(BUILD, "vitest bench")
    return Finding(TEST, name)


def _selected_envs(name: str, args: list[str]) -> list[str]:
    flags = {"tox": ("-e", "--envlist", "-m"), "nox": ("-s", "-e", "--session", "--sessions", "-t", "-k")}[name]
    for position, arg in enumerate(args):
        for flag in flags:
            if arg == flag and position + 1 < len(args):
                return [e for e in rx.split(r"[ ,]", args[position + 1]) if e]
            if arg.startswith(flag + "=") and len(flag) > 2:
                return [e for e in rx.split(r"[ ,]", arg.split("=", 1)[1]) if e]
    return []


_PM_OPTIONS_WITH_VALUE = {"--prefix", "-w", "--workspace", "--filter", "-F", "-C", "--dir", "--cwd",
                          "--scope", "--ignore", "--loglevel", "--cache"}


def _judge_package_manager(base: str, args: list[str], index: ScriptIndex | None, depth: int) -> Finding | None:
    directory = ""
    for flag in ("--prefix", "-C", "--dir", "--cwd"):
        if flag in args and args.index(flag) + 1 < len(args):
            directory = args[args.index(flag) + 1].strip("./") if args[args.index(flag) + 1] not in (".", "./") else ""
    words = _non_options(args, _PM_OPTIONS_WITH_VALUE)
    if not words:
        return Finding(BUILD, f"{base} install") if base == "yarn" else None
    sub = words[0]
    if base != "bun" or sub != "test":  # `bun test` is bun's own runner, not a script
        named = words[1] if sub in ("run", "run-script") and len(words) > 1 else (
            "test" if sub in ("t", "tst") else sub)
        empty = _missing_script(index, directory, named, "--if-present" in args)
        if empty:
            return Finding(BUILD, f"{base} {sub} ({empty})")
    if sub in ("test", "t", "tst") or (base in ("yarn", "pnpm") and sub.startswith("test")):
        return Finding(TEST, f"{base} {sub}")
    if base == "bun" and sub == "test":
        return Finding(TEST, "bun test")
    if sub in ("run", "run-script") and len(words) > 1:
        script = words[1]
    elif base in ("yarn", "pnpm", "bun") and sub not in ("install", "add", "ci", "i", "exec", "dlx",
                                                        "workspace", "workspaces", "global", "why",
                                                        "config", "set", "cache", "audit", "outdated",
                                                        "remove", "upgrade", "up", "link", "pack",
                                                        "publish", "version", "info", "list", "init"):
        script = sub
    elif sub in ("ci", "install", "i", "add", "build", "pack", "publish"):
        return Finding(BUILD, f"{base} {sub}")
    elif sub in ("workspace",) and len(words) > 2:  # yarn workspace pkg test
        return _judge_package_manager(base, words[2:], index, depth)
    else:
        return None
    verdict = _name_says_test(script)
    if verdict == "strong":
        return Finding(TEST, f"{base} run {script}")
    if index is not None and depth < _MAX_DEPTH:
        body = index.npm_script(directory, script)
        if body:
            inner = _best(classify(body, index, depth + 1))
            if inner is not None:
                return Finding(inner.kind, f"{base} run {script} -> {inner.tool}")
    if verdict == "weak" and not (index and index.npm_script(directory, script)):
        return Finding(TEST, f"{base} run {script}")
    if _LINT_NAME.match(script):
        return Finding(LINT, f"{base} run {script}")
    return Finding(BUILD, f"{base} run {script}")


def _missing_script(index: ScriptIndex | None, directory: str, name: str, if_present: bool) -> str | None:
    """Why `npm test` runs nothing: no such script under `--if-present`, or npm's placeholder."""
    if index is None or not index.has_package_json(directory):
        return None
    body = index.npm_script(directory, name)
    if body is None:
        return "no such script, so it does nothing" if if_present else None
    if "no test specified" in body:
        return "npm's placeholder test script, which only fails"
    return None


def _judge_make(args: list[str], index: ScriptIndex | None, depth: int) -> Finding | None:
    directory = ""
    if "-C" in args and args.index("-C") + 1 < len(args):
        directory = args[args.index("-C") + 1].strip("/")
        directory = "" if directory in (".", "./") else directory.removeprefix("./")
    targets = _non_options(args, {"-C", "-f", "-j", "-l", "-o", "-W", "--directory", "--file"})
    for target in targets:
        if _name_says_test(target) == "strong":
            return Finding(TEST, f"make {target}")
    if index is not None and depth < _MAX_DEPTH:
        goals: list[str | None] = list(targets) or [None]  # no target: the Makefile's default goal
        for goal in goals:
            recipe = index.make_recipe(directory, goal)
            if recipe:
                inner = _best(classify("\n".join(_make_to_shell(line) for line in recipe), index, depth + 1))
                if inner is not None:
                    return Finding(inner.kind, f"make {goal or ''} -> {inner.tool}".replace("  ", " "))  # the Makefile does not define it here (an included or generated target)
    for target in targets:
        if _name_says_test(target) == "weak" and not (index and index.has_makefile(directory)):
            return Finding(TEST, f"make {target}")  # no Makefile to read (autotools): trust the name
    if any(_LINT_NAME.match(t) for t in targets):
        return Finding(LINT, f"make {targets[0]}")
    return Finding(BUILD, f"make {' '.join(targets)}".strip())


def _make_to_shell(line: str) -> str:
    """Make variables such as $(PYTHON) or ${GO} read as the program they usually name."""
    return rx.sub(r"\$[({]([A-Za-z_]+)[)}]", lambda m: m.group(1).lower() if m.group(1) in (
        "PYTHON", "GO", "NPM", "CARGO", "PYTEST", "TOX", "MAKE", "YARN", "PNPM") else
        "go test" if m.group(1) == "GOTEST" else "X", line)


def _judge_maven(args: list[str]) -> Finding:
    joined = " ".join(args)
    goals = [a for a in args if not a.startswith("-")]
    if rx.search(r"-DskipTests(\b|=true)|-Dmaven\.test\.skip=true|-DskipUTs", joined):
        return Finding(BUILD, "mvn (tests skipped)")
    found = [g for g in goals if g in _MAVEN_TEST_GOALS or g.endswith(":test")]
    if not found:
        return Finding(BUILD, f"mvn {' '.join(goals)}".strip())
    if rx.search(r"-D(maven\.test\.failure\.ignore|surefire\.testFailureIgnore)(=true)?(\s|$)", joined + " "):
        return Finding(BUILD, f"mvn {found[0]} (test failures ignored)")
    return Finding(TEST, f"mvn {found[0]}")


def _judge_gradle(args: list[str]) -> Finding:
    excluded = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-x", "--exclude-task")}
    tasks = _non_options(args, {"-x", "--exclude-task", "-p", "--project-dir", "-b", "--build-file",
                                "--max-workers", "-I", "--init-script"})
    for task in tasks:
        name = task.rsplit(":", 1)[-1]
        if name in ("test", "check", "build") and "test" not in excluded or rx.search(r"[tT]est", name):
            if name in excluded:
                continue
            return Finding(TEST, f"gradle {task}")
    return Finding(BUILD, f"gradle {' '.join(tasks)}".strip())


def _judge_task_runner(base: str, args: list[str], index: ScriptIndex | None, depth: int) -> Finding | None:
    runner = taskfiles.RUNNER_HEADS.get(base)
    targets = taskfiles.targets(runner, args) if runner else \
        _non_options(args, {"-f", "--justfile", "-d", "--dir", "-t", "--taskfile", "-C"})
    for target in targets:
        if _name_says_test(target) == "strong":
            return Finding(TEST, f"{base} {target}")
    if runner and index is not None and depth < _MAX_DEPTH:
        goals: list[str | None] = list(targets) or [None]  # no task named: the runner's default task
        for goal in goals:
            recipe = index.runner_recipe(runner, goal)
            if recipe:
                inner = _best(classify("\n".join(recipe), index, depth + 1))
                if inner is not None:
                    return Finding(inner.kind, f"{base} {goal or '(default)'} -> {inner.tool}")
    if base in ("rake", "rails") and not targets:
        return Finding(BUILD, "rake")
    for target in targets:
        if _name_says_test(target) == "weak" and not (runner and index and index.runner_recipe(runner, target)):
            return Finding(TEST, f"{base} {target}")
    if any(_LINT_NAME.match(t.split(":")[-1]) for t in targets):
        return Finding(LINT, f"{base} {targets[0]}")
    return Finding(BUILD, f"{base} {' '.join(targets)}".strip()) if targets else None


_TEST_SCRIPT = rx.compile(r"(?i)(^|/)(unit|integration|e2e)?[-_]?tests?(/|$)|(^|[-_/])(run[-_]?)?tests?"
                          r"([-_.][^/]*)?$|runtests|run_tests|(^|/)check\.sh$|[-_]tests?\.")


def _from_script_file(path: str | None, index: ScriptIndex | None, depth: int,
                      interpreter: bool = False) -> Finding | None:
    """A repository script: judged by what it runs, else by its name (`scripts/test.sh`)."""
    if not path or path.startswith("-") or "EXPR" in path:
        return None
    clean = path[2:] if path.startswith("./") else path
    shell_script = clean.endswith((".sh", ".bash", ".zsh")) or "." not in posixpath.basename(clean)
    if index is not None and depth < _MAX_DEPTH and shell_script:
        inner = index.script_test(clean, depth)
        if inner is not None:
            return Finding(TEST, f"{clean} -> {inner.tool}")
    if _TEST_SCRIPT.search(clean.rsplit(".", 1)[0] if "." in posixpath.basename(clean) else clean):
        return Finding(TEST, clean)
    return None


# --------------------------------------------------------------------------------------------
# every command a script reaches, through the indirections the repository defines
# --------------------------------------------------------------------------------------------
_REACH_BUDGET = 2_000  # simple commands visited per script, whatever the nesting


def reached_commands(script: str, index: ScriptIndex, via: str = "") -> list[tuple[str, str]]:
    """(how it was reached, command text) for each simple command `script` runs, directly (via "")
    or through what the repository defines: Makefile targets, package.json scripts, the tasks of
    task runners (just, task, mise, rake, invoke, nox, tox), `sh -c` strings and script files.
    Launchers (`poetry run`, `docker compose run svc`, `nix develop -c`...) are unwrapped, so the
    text starts with the program that does the work. `via` reads like `make lint -> tox -e sec`."""
    out: list[tuple[str, str]] = []
    _reach(script, index, via, 0, [_REACH_BUDGET], out, set())
    return out


def _reach(script: str, index: ScriptIndex, via: str, depth: int, budget: list[int],
           out: list[tuple[str, str]], seen: set[str]) -> None:
    for tokens in simple_commands(script):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        tokens = _strip_wrappers(tokens)
        if not tokens:
            continue
        out.append((via, " ".join(tokens)))
        if depth >= _MAX_DEPTH + 1:
            continue
        for label, body in _callee_bodies(tokens, index):
            key = label or body
            if key in seen:
                continue
            seen.add(key)
            step = via if not label else (f"{via} -> {label}" if via else label)
            _reach(body, index, step, depth + 1, budget, out, seen)


_PM_BUILTINS = {"install", "add", "ci", "i", "exec", "dlx", "workspace", "workspaces", "global", "why",
                "config", "set", "cache", "audit", "outdated", "remove", "upgrade", "up", "link", "pack",
                "publish", "version", "info", "list", "init", "x"}


def _callee_bodies(tokens: list[str], index: ScriptIndex) -> list[tuple[str, str]]:
    """(label, script text) of what a command hands over to: "" labels an inline `sh -c` string."""
    head, args = tokens[0], tokens[1:]
    base = posixpath.basename(head)
    if base in ("bash", "sh", "zsh", "dash") and args:
        if args[0] in ("-c", "-lc", "-ec", "-exc", "-xc", "-euc", "-eux", "-eu") and len(args) > 1:
            return [("", args[1])]
        script = next((a for a in args if not a.startswith("-")), None)
        return _script_body(script, index)
    if base in ("make", "gmake"):
        directory = ""
        if "-C" in args and args.index("-C") + 1 < len(args):
            directory = args[args.index("-C") + 1].strip("/")
            directory = "" if directory in (".", "./") else directory.removeprefix("./")
        bodies = []
        make_goals: list[str | None] = list(_non_options(args, {"-C", "-f", "-j", "-l", "-o", "-W", "--directory",
                                                                "--file"})) or [None]
        for goal in make_goals:
            recipe = index.make_recipe(directory, goal)
            if recipe:
                bodies.append((f"make {goal or '(default)'}".strip(),
                               "\n".join(_make_to_shell(line) for line in recipe)))
        return bodies
    if base in ("npm", "yarn", "pnpm", "bun"):
        words = _non_options(args, _PM_OPTIONS_WITH_VALUE)
        directory = ""
        for flag in ("--prefix", "-C", "--dir", "--cwd"):
            if flag in args and args.index(flag) + 1 < len(args) and args[args.index(flag) + 1] not in (".", "./"):
                directory = args[args.index(flag) + 1].strip("./")
        if not words:
            return []
        name = words[1] if words[0] in ("run", "run-script") and len(words) > 1 else (
            "test" if words[0] in ("test", "t", "tst") else
            words[0] if base != "npm" and words[0] not in _PM_BUILTINS else None)
        body = index.npm_script(directory, name) if name else None
        return [(f"{base} run {name}", body)] if body else []
    runner = taskfiles.RUNNER_HEADS.get(base)
    if runner:
        bodies = []
        runner_goals: list[str | None] = list(taskfiles.targets(runner, args)) or [None]
        for goal in runner_goals:
            recipe = index.runner_recipe(runner, goal)
            if recipe:
                bodies.append((f"{base} {goal or '(default)'}", "\n".join(recipe)))
        return bodies
    if "/" in head or head.endswith(_SCRIPT_EXT[:-1]):
        return _script_body(head, index)
    return []


def _script_body(path: str | None, index: ScriptIndex) -> list[tuple[str, str]]:
    if not path or "EXPR" in path:
        return []
    clean = path[2:] if path.startswith("./") else path
    if not (clean.endswith((".sh", ".bash", ".zsh")) or "." not in posixpath.basename(clean)):
        return []
    lines = index.script_lines(clean)
    return [(clean, "\n".join(lines))] if lines else []
