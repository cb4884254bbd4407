"""`policy test [DIR]`: a policy repository's own tests, like `conftest verify` or `opa test`.

Each `DIR/tests/<case>/` holds `repo/` (the files of a repository tree, committed into a temporary
git repository so history checks see one commit) and `expect.yaml` (`policy:` and any of `passed`,
`level`, `score_min`, `score_max`, `results`). A case's NAME resolves in `DIR/policies/` first.
Every case is read and checked before any runs: a malformed one is a UserError (exit 2).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from standards_check import gitcmd, yamlio
from standards_check.errors import Problem, UserError
from standards_check.resources import schema_path
from standards_check.text import plural

_GIT_ENV = {"GIT_AUTHOR_NAME": "standards-check", "GIT_AUTHOR_EMAIL": "policy-test@standards-check.invalid",
            "GIT_COMMITTER_NAME": "standards-check", "GIT_COMMITTER_EMAIL": "policy-test@standards-check.invalid",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass(frozen=True)
class Case:
    name: str
    directory: Path
    expect: dict[str, Any]
    file: str  # expect.yaml as shown in messages


@dataclass
class Outcome:
    case: str
    failures: list[str] = field(default_factory=list)  # "rule: expected X, got Y"
    score: float | None = None
    level: int | None = None

    @property
    def held(self) -> bool:
        return not self.failures


@lru_cache(maxsize=None)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_path("policy-test.schema.json").read_text()))


def load_cases(directory: Path) -> list[Case]:
    from standards_check.schema_errors import problems_from_schema

    tests = directory / "tests"
    if not tests.is_dir():
        raise UserError(f"no policy tests: {tests} is not a directory (tests/<case>/repo/ and expect.yaml)")
    cases, problems = [], []
    for case_dir in sorted(p for p in tests.iterdir() if p.is_dir()):
        shown = f"{tests.name}/{case_dir.name}"
        expect_file = case_dir / "expect.yaml"
        if not expect_file.is_file():
            problems.append(Problem(f"{shown}/expect.yaml", "missing: every case needs expect.yaml"))
            continue
        if not (case_dir / "repo").is_dir():
            problems.append(Problem(f"{shown}/repo", "missing: every case needs a repo/ directory"))
            continue
        try:
            data, positions = yamlio.load_with_positions(expect_file.read_text())
        except yamlio.YamlSyntaxError as exc:
            problems.append(Problem(f"{shown}/expect.yaml", exc.message, exc.line, exc.column))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(f"{shown}/expect.yaml", "must be a mapping with policy: and expectations", 1, 1))
            continue
        found = problems_from_schema(_validator(), data, positions, f"{shown}/expect.yaml")
        if not found and not set(data) - {"policy"}:
            found = [Problem(f"{shown}/expect.yaml", "expects nothing: add passed, level, score_min, "
                             "score_max or results", 1, 1)]
        problems.extend(found)
        if not found:
            cases.append(Case(case_dir.name, case_dir, data, f"{shown}/expect.yaml"))
    if problems:
        raise UserError("malformed policy tests", problems)
    if not cases:
        raise UserError(f"no policy tests in {tests} (tests/<case>/repo/ and expect.yaml)")
    return cases


def _policy(directory: Path, ref: str, loader: Any) -> Any:
    from standards_check.policy import _NAME_REF, bundled_policies, looks_like_path, pick_version
    from standards_check import policysource

    own = directory / "policies"
    match = _NAME_REF.match(ref)
    if match and own.is_dir() and match.group(1) in bundled_policies(str(own)):
        return loader.load(str(pick_version(ref, bundled_policies(str(own)), f"policies in {own}")))
    if looks_like_path(ref) and not policysource.is_git_ref(ref) and not Path(ref).is_absolute():
        return loader.load(str(directory / ref))
    return loader.load(ref)


def _commit_tree(source: Path, into: Path) -> None:
    """Copy the case's tree and commit it; nothing in it runs (no hooks, no templates, no filters:
    a `.git` of the tree itself, whose config could name programs, is not copied)."""
    shutil.copytree(source, into, symlinks=True,
                    ignore=lambda folder, names: [".git"] if Path(folder) == source and ".git" in names else [])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **_GIT_ENV}
    for args in (["init", "-q", "--template=", "-b", "main"], ["add", "-A"],
                 ["-c", "commit.gpgSign=false", "commit", "-q", "--no-verify", "--allow-empty", "-m",
                  "policy test case"]):
        proc = subprocess.run(gitcmd.argv(into, *args), env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise UserError(f"cannot commit the test tree {source}: {proc.stderr.strip()}")


def run_case(directory: Path, case: Case, loader: Any) -> Outcome:
    from standards_check.engine import scan
    from standards_check.snapshot import open_snapshot

    policy = _policy(directory, case.expect["policy"], loader)
    with tempfile.TemporaryDirectory(prefix="standards-check-policy-test-") as temp:
        tree = Path(temp) / case.name
        _commit_tree(case.directory / "repo", tree)
        with open_snapshot(tree) as snapshot:
            report = scan(snapshot, policy)
    expect, outcome = case.expect, Outcome(case.name, score=report.score, level=report.level)

    def differ(rule: str, expected: Any, actual: Any) -> None:
        outcome.failures.append(f"{rule}: expected {expected}, got {actual}")

    if "passed" in expect and expect["passed"] != report.passed:
        reasons = "; ".join(report.gate.reasons)
        differ("passed", str(expect["passed"]).lower(), str(report.passed).lower() + (f" ({reasons})" if reasons else ""))
    if "level" in expect and expect["level"] != report.level:
        differ("level", expect["level"], report.level)
    if "score_min" in expect and report.score < expect["score_min"]:
        differ("score_min", f"score >= {expect['score_min']:g}", f"{report.score:g}")
    if "score_max" in expect and report.score > expect["score_max"]:
        differ("score_max", f"score <= {expect['score_max']:g}", f"{report.score:g}")
    results = {r.check: r for r in report.results}
    for check, status in sorted(expect.get("results", {}).items()):
        result = results.get(check)
        actual = result.status if result else "absent"
        if actual != status:
            differ(f"results.{check}", status, actual + (f" ({result.message})" if result and result.message else ""))
    return outcome


def run_tests(directory: Path) -> list[Outcome]:
    from standards_check.policy import PolicyLoader

    cases = load_cases(directory)
    loader = PolicyLoader()
    return [run_case(directory, case, loader) for case in cases]


def render_text(outcomes: list[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        if outcome.held:
            lines.append(f"ok    {outcome.case}  (score {outcome.score:g}, level {outcome.level})")
        else:
            lines.extend(f"FAIL  {outcome.case}: {failure}" for failure in outcome.failures)
    failed = sum(not o.held for o in outcomes)
    lines.append(f"{plural(len(outcomes), 'case')}, {failed} failed")
    return "\n".join(lines) + "\n"


def render_junit(outcomes: list[Outcome]) -> str:
    """JUnit XML for CI; texts pass through `escape.printable`, as XML 1.0 cannot carry control characters."""
    from standards_check.escape import printable

    failed = sum(not o.held for o in outcomes)
    suite = ElementTree.Element("testsuite", name="standards-check policy test", tests=str(len(outcomes)),
                                failures=str(failed), errors="0", skipped="0")
    for outcome in outcomes:
        case = ElementTree.SubElement(suite, "testcase", classname="policy-test", name=printable(outcome.case))
        if not outcome.held:
            failure = ElementTree.SubElement(case, "failure", message=printable(outcome.failures[0]),
                                             type="expectation")
            failure.text = printable("\n".join(outcome.failures), lines=True)
    suites = ElementTree.Element("testsuites", tests=str(len(outcomes)), failures=str(failed))
    suites.append(suite)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
