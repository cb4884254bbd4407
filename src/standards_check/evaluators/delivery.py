"""Delivery checks: CI exists, tests gate pull requests, coverage gates, changelogs, and the DORA
signals git history can show (release cadence, lead time, revert rate)."""
from __future__ import annotations

import configparser
from standards_check import rx
import statistics
import time
from dataclasses import dataclass

from standards_check import dataio
from standards_check.context import CheckContext
from standards_check.facts.ci import SYSTEM_NAMES, CiJob, CiPipelines, CiStep, is_vendored, strip_c_comments
from standards_check.facts.tags import Tag as _Tag
from standards_check.facts.commands import LINT, TEST, Finding, ScriptIndex, classify
from standards_check.model import Location, Outcome
from standards_check.snapshot import GitError, NoHistory, RepoSnapshot

_MAX_LOCATIONS = 10


# ============================================================================================
# ci.present
# ============================================================================================
def ci_present(ctx: CheckContext, params: dict) -> Outcome:
    model: CiPipelines = ctx.fact("ci")
    valid, broken = model.valid_files, model.broken_files
    broken_locations = [Location(f.path, f.error_line) for f in broken]
    if not valid and not broken:
        return Outcome.failed(
            "No CI configuration found (looked for GitHub Actions workflows, .gitlab-ci.yml, "
            ".circleci/config.yml, azure-pipelines.yml, Jenkinsfile, .travis.yml, "
            "bitbucket-pipelines.yml, .buildkite/pipeline.yml, .drone.yml and .woodpecker.yml).")
    systems = sorted({SYSTEM_NAMES[f.system] for f in valid})
    broken_text = "; ".join(f"{f.path}:{f.error_line or 1} {f.error}" for f in broken[:3])
    if not valid:
        return Outcome.failed(f"CI configuration exists but none of it is usable: {broken_text}.",
                              broken_locations, score=0.25)
    locations = [Location(f.path, 1) for f in valid][:_MAX_LOCATIONS]
    if broken:
        return Outcome.failed(
            f"CI runs with {', '.join(systems)}, but {len(broken)} of {len(model.files)} CI files "
            f"are broken: {broken_text}.", broken_locations + locations, score=0.5)
    return Outcome.passed(f"CI is configured with {', '.join(systems)} ({len(valid)} file(s)).", locations)


# ============================================================================================
# ci.tests_on_pr
# ============================================================================================
@dataclass(frozen=True)
class _Gate:
    job: CiJob
    step: CiStep
    finding: Finding


def _job_findings(job: CiJob, index: ScriptIndex, advisory: bool = False) -> list[tuple[CiStep, Finding]]:
    """Findings of the steps that can fail the job (or, with advisory=True, of those that cannot),
    up to the first test run."""
    found = []
    for step in job.steps:
        if step.excludes_pr and job.on_pr or step.advisory != advisory:
            continue
        for finding in classify(step.script, index):
            found.append((step, finding))
            if finding.kind == TEST:
                return found
    return found


def _unique_locations(gates: list[_Gate]) -> list[Location]:
    return list(dict.fromkeys(Location(g.step.path, g.step.line) for g in gates))[:_MAX_LOCATIONS]


def ci_tests_on_pr(ctx: CheckContext, params: dict) -> Outcome:
    outcome = _tests_on_pr(ctx)
    model: CiPipelines = ctx.fact("ci")
    if outcome.status == "fail" and model.notes:
        # what is defined outside the repository may hold the tests: say so rather than hide it
        note = model.notes[0].split(": ", 1)[-1]
        more = f" and {len(model.notes) - 1} more" if len(model.notes) > 1 else ""
        message = f"{outcome.message.rstrip('.')} (not read: {note}{more})."
        return Outcome(outcome.status, outcome.score, message, outcome.locations)
    return outcome


def _tests_on_pr(ctx: CheckContext) -> Outcome:
    model: CiPipelines = ctx.fact("ci")
    if not model.valid_files:
        return Outcome.failed("No usable CI configuration, so no tests run on pull requests.")
    index = ScriptIndex(ctx.snapshot)
    gates: list[_Gate] = []
    lint_only: list[_Gate] = []
    other: list[_Gate] = []
    not_on_pr: list[_Gate] = []
    advisory: list[_Gate] = []
    for job in model.jobs:
        findings = _job_findings(job, index)
        if job.on_pr:
            advisory.extend(_Gate(job, s, f) for s, f in _job_findings(job, index, advisory=True) if f.kind == TEST)
        tests = [(s, f) for s, f in findings if f.kind == TEST]
        if job.on_pr and tests:
            gates.append(_Gate(job, *tests[0]))
        elif job.on_pr:
            lint_only.extend(_Gate(job, s, f) for s, f in findings if f.kind == LINT)
            other.extend(_Gate(job, s, f) for s, f in findings if f.kind != LINT)
        elif tests:
            not_on_pr.append(_Gate(job, *tests[0]))
    if gates:
        first = gates[0]
        others = len(gates) - 1
        message = (f"{SYSTEM_NAMES[first.job.system]} job `{first.job.name}` runs {first.finding.tool} "
                   f"on pull requests ({first.job.pr_note})")
        message += f", and {others} more job(s) run tests." if others else "."
        return Outcome.passed(message, _unique_locations(gates))
    if advisory:
        first = advisory[0]
        return Outcome.failed(
            f"Tests run on pull requests ({first.finding.tool} in job `{first.job.name}`) but their failure "
            f"is allowed (continue-on-error / allow_failure), so they do not gate the merge.",
            _unique_locations(advisory), score=0.5)
    if not_on_pr:
        first = not_on_pr[0]
        return Outcome.failed(
            f"Tests run in CI ({first.finding.tool} in job `{first.job.name}`) but not on pull requests: "
            f"{first.job.pr_note}.", _unique_locations(not_on_pr), score=0.3)
    if lint_only:
        tools = ", ".join(dict.fromkeys(g.finding.tool for g in lint_only))
        builds = ", ".join(dict.fromkeys(g.finding.tool for g in other))
        what = f"only lints ({tools})" if not builds else f"lints ({tools}) and builds ({builds})"
        return Outcome.failed(
            f"Pull-request CI {what}; no job runs tests.",
            _unique_locations(lint_only), score=0.2)
    if other:
        tools = ", ".join(dict.fromkeys(g.finding.tool for g in other))
        return Outcome.failed(
            f"Pull-request CI runs {tools}, but no step runs tests.", _unique_locations(other), score=0.1)
    pr_jobs = model.pr_jobs()
    if pr_jobs:
        names = ", ".join(f"`{j.name}`" for j in pr_jobs[:5])
        return Outcome.failed(f"CI runs on pull requests (jobs {names}) but no step runs a test runner.",
                              [Location(j.path, j.line) for j in pr_jobs][:_MAX_LOCATIONS], score=0.1)
    return Outcome.failed("CI is configured but no job runs on pull requests.",
                          [Location(f.path, 1) for f in model.valid_files][:_MAX_LOCATIONS])


# ============================================================================================
# ci.coverage_gate
# ============================================================================================
_COMMAND_GATES = [
    (rx.compile(r"--cov-fail-under[= ]+(\d+(?:\.\d+)?)"), "pytest --cov-fail-under"),
    (rx.compile(r"\bcoverage3?\s+report\b[^\n]*--fail-under[= ]+(\d+(?:\.\d+)?)"), "coverage report --fail-under"),
    (rx.compile(r"\bdiff-cover\b[^\n]*--fail-under[= ]+(\d+(?:\.\d+)?)"), "diff-cover --fail-under"),
    (rx.compile(r"\bcargo\s+(?:tarpaulin|llvm-cov)\b[^\n]*--fail-under(?:-lines|-regions|-functions)?[= ]+(\d+)"), "cargo coverage --fail-under"),
    (rx.compile(r"--coverageThreshold"), "jest --coverageThreshold"),
    (rx.compile(r"\bnyc\s+check-coverage\b|\bc8\b[^\n]*--check-coverage"), "nyc/c8 check-coverage"),
    (rx.compile(r"\bgo-test-coverage\b[^\n]*(?:--config|--threshold-\w+[= ]+[1-9])"), "go-test-coverage"),
]
_GO_COVER_COMPARE = rx.compile(r"go\s+tool\s+cover\s+-func", rx.S)
_COMPARISON = rx.compile(r"-lt\b|-le\b|\bbc\b|<\s*\$?\{?\w|\bthreshold\b|\bTHRESHOLD\b|awk[^\n]*[<>]|exit 1", rx.I)
# Actions that fail the job below a threshold, with the inputs that make them do so (their
# defaults only report).
_COVERAGE_ACTIONS = {
    "vladopajic/go-test-coverage": lambda i: any(k.startswith("threshold") and _number(v) for k, v in i.items())
    or bool(i.get("config")),
    "irongut/codecoveragesummary": lambda i: i.get("fail_below_min", "").lower() == "true",
    "5monkeys/cobertura-action": lambda i: i.get("fail_below_threshold", "").lower() == "true",
}
_COVERAGE_MEASURED = rx.compile(r"--cov\b|--cov=|coverage run|--coverage|-coverprofile|nyc |c8 |"
                                r"jacoco|tarpaulin|llvm-cov|simplecov|codecov|coveralls")


def _number(value: object) -> float | None:
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        return None


def ci_coverage_gate(ctx: CheckContext, params: dict) -> Outcome:
    snapshot = ctx.snapshot
    gates: list[tuple[str, Location]] = []
    measured: list[tuple[str, Location]] = []
    model: CiPipelines = ctx.fact("ci")
    for job in model.jobs:
        for step in job.steps:
            for pattern, name in _COMMAND_GATES:
                match = pattern.search(step.script)
                if match and (not match.groups() or (_number(match.group(1)) or 0) > 0):
                    gates.append((f"{name} in CI job `{job.name}`", Location(step.path, step.line)))
            if _GO_COVER_COMPARE.search(step.script) and _COMPARISON.search(step.script):
                gates.append((f"a go coverage threshold in CI job `{job.name}`", Location(step.path, step.line)))
            if _COVERAGE_MEASURED.search(step.script):
                measured.append((f"coverage measured in job `{job.name}`", Location(step.path, step.line)))
        for action in job.actions:
            name = action.script.split("@")[0].lower()
            judge = _COVERAGE_ACTIONS.get(name)
            if judge is not None and judge(dict(action.inputs)):
                gates.append((f"{action.script.split('@')[0]} in job `{job.name}`", Location(action.path, action.line)))
            elif judge is not None:
                measured.append((f"{action.script.split('@')[0]} without a failing threshold", Location(action.path, action.line)))
            elif rx.search(r"(?i)codecov/codecov-action|coverallsapp/github-action", action.script):
                measured.append(("coverage uploaded", Location(action.path, action.line)))
    gates.extend(_python_coverage_config(snapshot))
    gates.extend(_task_file_gates(snapshot))
    codecov_gates, codecov_measured = _codecov(snapshot)
    gates.extend(codecov_gates)
    measured.extend(codecov_measured)
    gates.extend(_js_coverage_config(snapshot))
    gates.extend(_jvm_ruby_go_coverage_config(snapshot))
    if gates:
        unique = list(dict.fromkeys(gates))
        names = "; ".join(dict.fromkeys(g[0] for g in unique[:3]))
        return Outcome.passed(f"Coverage is gated: {names}.", [g[1] for g in unique][:_MAX_LOCATIONS])
    if measured:
        return Outcome.failed(
            "Coverage is measured but nothing fails when it drops: no threshold "
            "(e.g. --cov-fail-under, fail_under, codecov target, coverageThreshold) was found.",
            [m[1] for m in measured][:_MAX_LOCATIONS], score=0.3)
    return Outcome.failed("No coverage threshold found in CI or in coverage configuration.")


def _line_of(text: str, pattern: str) -> int | None:
    match = rx.search(pattern, text, rx.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _python_coverage_config(snapshot: RepoSnapshot) -> list[tuple[str, Location]]:
    found = []
    for path, section in ((".coveragerc", "report"), ("setup.cfg", "coverage:report"),
                          ("tox.ini", "coverage:report")):
        text = snapshot.read_text(path)
        if text is None:
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(text)
            value = parser.get(section, "fail_under", fallback=None)
        except configparser.Error:
            value = None
        if value is not None and (_number(value) or 0) > 0:
            found.append((f"fail_under = {value} in {path}", Location(path, _line_of(text, r"^\s*fail_under\s*="))))
    for path in ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini"):
        text = snapshot.read_text(path)
        if text is None:
            continue
        if path == "pyproject.toml":
            value = _pyproject_fail_under(text)
            if value:
                found.append((f"fail_under = {value} in pyproject.toml",
                              Location(path, _line_of(text, r"^\s*fail_under\s*="))))
        match = rx.search(r"--cov-fail-under[= ]+(\d+(?:\.\d+)?)", text)
        if match and (_number(match.group(1)) or 0) > 0:
            found.append((f"--cov-fail-under={match.group(1)} in {path}",
                          Location(path, text.count("\n", 0, match.start()) + 1)))
    return found


# Files where CI commands are often kept instead of the CI configuration itself.
_TASK_FILES = ("Makefile", "makefile", "GNUmakefile", "noxfile.py", "tox.ini", "justfile", "Justfile",
               "Taskfile.yml", "Taskfile.yaml", "package.json", "Rakefile", "magefile.go")
_NOX_FAIL_UNDER = rx.compile(r"""["']--(?:cov-)?fail-under[=]?(\d+(?:\.\d+)?)?["']""")


def _task_file_gates(snapshot: RepoSnapshot) -> list[tuple[str, Location]]:
    """Coverage thresholds in the task runner files CI calls (`make coverage`, nox sessions)."""
    found = []
    for path in _TASK_FILES:
        text = snapshot.read_text(path)
        if not text:
            continue
        for pattern, name in _COMMAND_GATES:
            match = pattern.search(text)
            if match and (not match.groups() or (_number(match.group(1)) or 0) > 0):
                found.append((f"{name} in {path}", Location(path, text.count("\n", 0, match.start()) + 1)))
                break
        else:
            nox = _NOX_FAIL_UNDER.search(text) if path == "noxfile.py" else None
            if nox and (nox.group(1) is None or (_number(nox.group(1)) or 0) > 0):
                found.append((f"a --fail-under in {path}", Location(path, text.count("\n", 0, nox.start()) + 1)))
            elif _GO_COVER_COMPARE.search(text) and _COMPARISON.search(text):
                line = _line_of(text, r"go\s+tool\s+cover\s+-func")
                found.append((f"a go coverage threshold in {path}", Location(path, line)))
    return found


def _pyproject_fail_under(text: str) -> str | None:
    try:
        data = dataio.load_toml(text, source="pyproject.toml")
    except ValueError:
        return None
    value = data.get("tool", {}).get("coverage", {}).get("report", {}).get("fail_under")
    return str(value) if value is not None and (_number(value) or 0) > 0 else None


_CODECOV_PATHS = ("codecov.yml", ".codecov.yml", "codecov.yaml", ".codecov.yaml", ".github/codecov.yml",
                  ".github/.codecov.yml", "dev/codecov.yml", "dev/.codecov.yml", ".gitlab/codecov.yml")


def _codecov(snapshot: RepoSnapshot) -> tuple[list[tuple[str, Location]], list[tuple[str, Location]]]:
    from standards_check import yamlio
    gates, measured = [], []
    for path in _CODECOV_PATHS:
        text = snapshot.read_text(path)
        if text is None:
            continue
        measured.append((f"codecov configured in {path}", Location(path, 1)))
        try:
            data, positions = yamlio.load_with_positions(text, source=path)
        except yamlio.YamlSyntaxError:
            continue
        status = ((data or {}).get("coverage") or {}).get("status") if isinstance(data, dict) else None
        if not isinstance(status, dict):
            continue
        for kind in ("project", "patch"):
            entries = status.get(kind)
            if not isinstance(entries, dict):
                continue
            for name, config in entries.items():
                if not isinstance(config, dict) or config.get("informational") is True:
                    continue
                target, threshold = config.get("target"), config.get("threshold")
                line = yamlio.position_of(positions, ("coverage", "status", kind, name, "target"))[0]
                if target is not None and str(target) != "auto" and (_number(target) or 0) > 0:
                    gates.append((f"codecov {kind} target {target} in {path}", Location(path, line)))
                elif target in (None, "auto") and threshold is not None:
                    gates.append((f"codecov {kind} may not drop more than {threshold} in {path}",
                                  Location(path, line or yamlio.position_of(positions, ("coverage", "status", kind, name))[0])))
    return gates, measured


def _js_coverage_config(snapshot: RepoSnapshot) -> list[tuple[str, Location]]:
    found = []
    candidates = snapshot.named(*(f"jest.config.{e}" for e in ("js", "ts", "mjs", "cjs", "json")),
                                *(f"vitest.config.{e}" for e in ("js", "ts", "mjs", "mts", "cjs")),
                                *(f"vite.config.{e}" for e in ("js", "ts", "mjs", "mts")),
                                ".nycrc", ".nycrc.json", ".nycrc.yml", ".nycrc.yaml", ".c8rc", ".c8rc.json")
    for path in [p for p in candidates if not is_vendored(p)][:50]:
        text = snapshot.read_text(path) or ""
        if not path.endswith((".json", ".yml", ".yaml", ".nycrc", ".c8rc")):
            text = strip_c_comments(text)  # jest's generated config lists `// coverageThreshold: undefined`
        for pattern, name in ((r"coverageThreshold\s*:\s*\{|\"coverageThreshold\"\s*:\s*\{", "jest coverageThreshold"),
                              (r"thresholds\s*:|\b(lines|statements|branches|functions)\s*:\s*\d", "coverage thresholds"),
                              (r"check-coverage\"?\s*[:=]\s*true", "check-coverage")):
            if pattern.startswith("thresholds") and "coverage" not in text:
                continue
            line = _line_of(text, pattern)
            if line:
                found.append((f"{name} in {path}", Location(path, line)))
                break
    for path in [p for p in snapshot.named("package.json") if not is_vendored(p)][:50]:
        manifest = snapshot.read_text(path)
        if not manifest or ("coverageThreshold" not in manifest and "check-coverage" not in manifest):
            continue
        try:
            data = dataio.load_json(manifest, source=path)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("jest"), dict) and data["jest"].get("coverageThreshold"):
            found.append((f"jest coverageThreshold in {path}", Location(path, _line_of(manifest, r"coverageThreshold"))))
        for key in ("nyc", "c8"):
            if isinstance(data.get(key), dict) and data[key].get("check-coverage"):
                found.append((f"{key} check-coverage in {path}", Location(path, _line_of(manifest, r"check-coverage"))))
    return found


def _jvm_ruby_go_coverage_config(snapshot: RepoSnapshot) -> list[tuple[str, Location]]:
    found = []
    for path in [p for p in snapshot.named("pom.xml") if p.count("/") <= 2 and not is_vendored(p)][:30]:
        text = snapshot.read_text(path) or ""
        if "jacoco" in text and "<minimum>" in text:
            found.append((f"JaCoCo minimum in {path}", Location(path, _line_of(text, r"<minimum>"))))
    for path in [p for p in snapshot.named("build.gradle", "build.gradle.kts") if p.count("/") <= 2][:30]:
        text = snapshot.read_text(path) or ""
        if "jacocoTestCoverageVerification" in text and rx.search(r"minimum", text):
            found.append((f"jacocoTestCoverageVerification in {path}",
                          Location(path, _line_of(text, r"jacocoTestCoverageVerification"))))
        elif "koverVerify" in text or rx.search(r"kover\s*\{[\s\S]*minBound", text):
            found.append((f"Kover verification in {path}", Location(path, _line_of(text, r"kover"))))
    for path in [".simplecov", "spec/spec_helper.rb", "test/test_helper.rb", "spec/rails_helper.rb"]:
        helper = snapshot.read_text(path)
        if helper and rx.search(r"^\s*minimum_coverage\b", helper, rx.M):
            found.append((f"SimpleCov minimum_coverage in {path}", Location(path, _line_of(helper, r"^\s*minimum_coverage\b"))))
    for path in (".testcoverage.yml", ".testcoverage.yaml"):
        config = snapshot.read_text(path)
        threshold = r"^\s*(file|package|total)\s*:\s*[1-9]"
        if config and rx.search(threshold, config, rx.M):
            found.append((f"go-test-coverage thresholds in {path}", Location(path, _line_of(config, threshold))))
    return found


# ============================================================================================
# release.changelog
# ============================================================================================
_CHANGELOG_NAMES = [f"{stem}{ext}" for stem in ("CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASE_NOTES",
                                                "RELEASE-NOTES", "RELEASES", "CHANGELOG-unreleased")
                    for ext in ("", ".md", ".rst", ".txt", ".adoc", ".markdown", ".org")]
_FRAGMENT_DIRS = ("changelog.d", ".changeset", "changes", "newsfragments", ".changes", "changelog",
                  "changelogs/fragments", "releasenotes/notes", "changelog/unreleased", "doc/changelog.d",
                  "docs/changelog.d", "news")
_TOOL_FILES = {"release-please-config.json": "release-please", ".release-please-manifest.json": "release-please",
               ".releaserc": "semantic-release", ".releaserc.json": "semantic-release",
               ".releaserc.yml": "semantic-release", ".releaserc.yaml": "semantic-release",
               ".releaserc.js": "semantic-release", "release.config.js": "semantic-release",
               "release.config.cjs": "semantic-release", "release.config.mjs": "semantic-release",
               ".goreleaser.yml": "GoReleaser", ".goreleaser.yaml": "GoReleaser", "goreleaser.yml": "GoReleaser",
               "goreleaser.yaml": "GoReleaser", "cliff.toml": "git-cliff", ".changie.yaml": "changie",
               ".changie.yml": "changie", "towncrier.toml": "towncrier", ".github/release.yml": "GitHub release notes",
               ".github/release.yaml": "GitHub release notes", "knope.toml": "knope", ".cz.toml": "commitizen"}


def release_changelog(ctx: CheckContext, params: dict) -> Outcome:
    snapshot = ctx.snapshot
    found_file = None
    allowed_dirs = ("", "docs", "doc", ".github")
    matches = [p for p in snapshot.named(*_CHANGELOG_NAMES) if p.rpartition("/")[0] in allowed_dirs
               and ("/" not in p or not p.rpartition("/")[2].lower().startswith("releases"))]
    if matches:  # prefer the root, then the order of _CHANGELOG_NAMES
        order = {name.lower(): i for i, name in enumerate(_CHANGELOG_NAMES)}
        found_file = min(matches, key=lambda p: (p.count("/"), order.get(p.rpartition("/")[2].lower(), 99)))
    evidence: list[tuple[str, Location]] = []
    for directory in _FRAGMENT_DIRS:
        entries = [e for e in snapshot.under(directory)[:200]
                   if not e.rpartition("/")[2].startswith(".") and not e.rpartition("/")[2].lower().startswith("readme")]
        if entries or (directory in (".changeset",) and snapshot.exists(".changeset/config.json")):
            evidence.append((f"changelog fragments in {directory}/", Location((entries or [".changeset/config.json"])[0])))
    for path, tool in _TOOL_FILES.items():
        if snapshot.exists(path):
            evidence.append((tool, Location(path, 1)))
    pyproject = snapshot.read_text("pyproject.toml") or ""
    if "[tool.towncrier]" in pyproject:
        evidence.append(("towncrier", Location("pyproject.toml", _line_of(pyproject, r"^\[tool\.towncrier\]"))))
    package = snapshot.read_text("package.json") or ""
    if rx.search(r"\"release\"\s*:\s*\{|semantic-release|@changesets/cli", package):
        evidence.append(("semantic-release/changesets in package.json", Location("package.json", _line_of(package, r"semantic-release|changesets|\"release\""))))
    if found_file is None and not evidence:
        packages = [p for p in snapshot.named("CHANGELOG.md", "CHANGELOG.rst", "CHANGES.md", "HISTORY.md", "CHANGELOG")
                    if 1 <= p.count("/") <= 3 and not is_vendored(p)]
        if packages:  # a monorepo: each package keeps its own
            return Outcome.passed(f"Packages keep their own changelogs ({len(packages)}, e.g. {packages[0]}).",
                                  [Location(p, 1) for p in packages][:_MAX_LOCATIONS])
        return Outcome.failed("No changelog, release-notes fragments or release-notes tool found.")
    if found_file is None:
        names = ", ".join(dict.fromkeys(e[0] for e in evidence))
        return Outcome.passed(f"Release notes are produced with {names}.", [e[1] for e in evidence][:_MAX_LOCATIONS])
    text = snapshot.read_text(found_file) or ""
    locations = [Location(found_file, 1)] + [e[1] for e in evidence]
    if len(text.strip()) < params.get("min_bytes", 50) and not evidence:
        return Outcome.failed(f"{found_file} exists but is nearly empty ({len(text.strip())} bytes).",
                              locations, score=0.3)
    stale = _changelog_stale(ctx, found_file, params) if not evidence else None
    if stale:
        return Outcome.failed(stale, locations[:_MAX_LOCATIONS], score=0.6).from_history()
    extra = f" (with {', '.join(dict.fromkeys(e[0] for e in evidence))})" if evidence else ""
    return Outcome.passed(f"Changes are recorded in {found_file}{extra}.", locations[:_MAX_LOCATIONS])


def _changelog_stale(ctx: CheckContext, path: str, params: dict) -> str | None:
    """A changelog untouched since before the latest release tags (a few git calls)."""
    snapshot = ctx.snapshot
    if not snapshot.has_history or snapshot.is_shallow:
        return None
    head = snapshot.commit or "HEAD"
    try:
        tags = _release_tags(ctx, params.get("tag_pattern", DEFAULT_TAG_PATTERN))
        # In a monorepo, packages tag their own releases (`ignore-0.4.33`, `pkg/v1.2.0`); a root
        # changelog follows the unprefixed tags when there are any.
        plain = [t for t in tags if rx.match(r"^v?\d", t.name)]
        tags = plain or tags
        if len(tags) < 2:
            return None
        changed = snapshot.git("log", "-1", "--format=%ct", head, "--", path).strip()
    except (GitError, NoHistory):
        return None
    if not changed:
        return None
    # Only releases made from this line of history count: tags on a maintenance branch update
    # that branch's changelog, not this one's. A few ancestry tests, newest first.
    newer: list[_Tag] = []
    for tag in reversed([t for t in tags if t.time > int(changed) + 86400][-6:]):
        try:
            snapshot.git("merge-base", "--is-ancestor", tag.commit, head)
            newer.insert(0, tag)
        except GitError:
            continue  # not an ancestor: another branch's release
    if len(newer) >= 2:
        return (f"{path} was last changed before the last {len(newer)} releases "
                f"(latest {newer[-1].name}); it looks stale.")
    return None


# ============================================================================================
# History: release cadence, lead time, revert rate
# ============================================================================================
DEFAULT_TAG_PATTERN = r"^(?:.*[/@-])?v?\d+\.\d+(?:\.\d+)?$"


def _release_tags(ctx: CheckContext, pattern: str) -> list[_Tag]:
    """Release tags (names matching `pattern`) in date order, from the memoised tag list. The
    policy's pattern runs on the repository's tag names, so it is RE2 (linear time), as every
    pattern a policy author writes."""
    from standards_check.evaluators.declarative import compile_pattern

    regex = compile_pattern(pattern)
    return [tag for tag in ctx.fact("tags") or [] if regex.search(tag.name)]


def _history_unavailable(snapshot: RepoSnapshot) -> str | None:
    if not snapshot.has_history:
        return "not a git repository with history, so release history cannot be read"
    if snapshot.is_shallow:
        return "a shallow clone: history is incomplete (fetch with full depth to judge it)"
    return None


def _invalid_pattern(pattern: str) -> str | None:
    from standards_check.evaluators.declarative import PatternError, compile_pattern

    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return f"tag_pattern: {exc}"
    return None


def _releases(ctx: CheckContext, params: dict, none_found: str) -> tuple[list[_Tag], float, int] | Outcome:
    """(release tags in date order, start of the window, window in days), or the Outcome that
    ends the check early: no history, a bad tag_pattern, no release tags."""
    snapshot = ctx.snapshot
    reason = _history_unavailable(snapshot)
    if reason:
        return Outcome.skipped(reason)
    pattern = params.get("tag_pattern", DEFAULT_TAG_PATTERN)
    invalid = _invalid_pattern(pattern)
    if invalid:
        return Outcome.errored(invalid)
    tags = _release_tags(ctx, pattern)
    if not tags:
        return Outcome.skipped(none_found)
    window = int(params.get("window_days", 180))
    return tags, _window_end(ctx) - window * 86400, window


def release_cadence(ctx: CheckContext, params: dict) -> Outcome:
    found = _releases(ctx, params, "no release tags (matching tag_pattern) in the repository")
    if isinstance(found, Outcome):
        return found
    tags, since, window = found
    wanted = float(params.get("min_per_30_days", 1))
    end = since + window * 86400
    # several tags on one commit (`v1.2.0` and `api/v1.2.0` in a monorepo) are one release
    recent = list({t.commit: t for t in tags if since <= t.time <= end}.values())
    rate = len(recent) / (window / 30)
    latest = tags[-1]
    evidence = [Location(f"refs/tags/{latest.name}")]
    message = (f"{len(recent)} release(s) in the last {window} days ({rate:.2f} per 30 days; "
               f"policy asks {wanted:g}); latest {latest.name} on {_date(latest.time)}.")
    if wanted <= 0:
        return Outcome.passed(message, evidence)
    return Outcome.partial(rate / wanted, message, evidence)


def lead_time(ctx: CheckContext, params: dict) -> Outcome:
    found = _releases(ctx, params, "no release tags (matching tag_pattern), so lead time cannot be measured")
    if isinstance(found, Outcome):
        return found
    tags, since, window = found
    limit = float(params.get("max_median_days", 14))
    delays, per_tag = _release_delays(ctx.snapshot, tags, since, window)
    if not delays:
        return Outcome.skipped(f"no release in the last {window} days contains new commits")
    median = statistics.median(delays)
    message = (f"Median lead time from commit to release tag is {median:.1f} days over {len(delays)} "
               f"commit(s) in {per_tag} release(s) of the last {window} days (policy asks at most {limit:g}).")
    evidence = [Location(f"refs/tags/{tags[-1].name}")]
    if median <= limit:
        return Outcome.passed(message, evidence)
    return Outcome.failed(message, evidence, score=limit / median if median else 0.0)


def _release_delays(snapshot: RepoSnapshot, tags: list[_Tag], since: float, window: int) -> tuple[list[float], int]:
    """Days from each commit to the first release tag (in date order) that contains it, for the
    releases dated since `since`. One `git log` of the commit graph over twice the window, then a
    walk from each tag that stops at commits an earlier tag already holds: each commit is visited
    once (the same answer as `git rev-list TAG --not EARLIER_TAGS` per tag, without a call per tag)."""
    horizon = int(since - 2 * window * 86400)
    tips = list(dict.fromkeys(t.commit for t in tags if t.time >= horizon))
    if not tips:
        return [], 0
    try:
        out = snapshot.git("log", "--format=%H %ct %P", f"--since={horizon}", *tips, "--")
    except GitError:
        return [], 0
    graph: dict[str, tuple[int, list[str]]] = {}
    for line in out.splitlines():
        sha, committed, *parents = line.split()
        graph[sha] = (int(committed), parents)
    first_release = not any(t.time < horizon for t in tags)
    claimed: set[str] = set()
    delays: list[float] = []
    releases = 0
    for tag in tags:
        if tag.time < horizon or tag.commit not in graph:
            continue
        stack, found = [tag.commit], []
        while stack:
            sha = stack.pop()
            if sha in claimed or sha not in graph:
                continue
            claimed.add(sha)
            when, parents = graph[sha]
            if len(parents) <= 1:  # merges are not changes of their own
                found.append(when)
            stack.extend(parents)
        if tag.time < since:
            first_release = False
            continue  # an earlier release: it only claims its commits
        if first_release:
            found = [t for t in found if t >= since]  # the first release holds all earlier history
            first_release = False
        delays.extend(max(0.0, (tag.time - t) / 86400) for t in found)
        releases += 1 if found else 0  # a second tag on a released commit adds no release
    return delays, releases


def revert_rate(ctx: CheckContext, params: dict) -> Outcome:
    snapshot = ctx.snapshot
    reason = _history_unavailable(snapshot)
    if reason:
        return Outcome.skipped(reason)
    window = int(params.get("window_days", 180))
    limit = float(params.get("max_rate", 0.05))
    minimum = int(params.get("min_commits", 10))
    since = _window_end(ctx) - window * 86400
    out = snapshot.git("log", "--no-merges", f"--since={since}", "--format=%h%x1f%s%x1f%b%x1e",
                       snapshot.commit or "HEAD", "--")
    total = 0
    reverts: list[str] = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, _, rest = record.partition("\x1f")
        subject, _, body = rest.partition("\x1f")
        total += 1
        if subject.startswith(('Revert "', "Revert '")) or "This reverts commit" in body:
            reverts.append(sha)
    if total < minimum:
        return Outcome.skipped(f"only {total} commit(s) in the last {window} days; at least {minimum} are needed")
    rate = len(reverts) / total
    shown = f" (e.g. {', '.join(reverts[:3])})" if reverts else ""
    message = (f"{len(reverts)} of {total} commits in the last {window} days are reverts "
               f"({rate:.1%}; policy allows {limit:.1%}){shown}.")
    if rate <= limit:
        return Outcome.passed(message)
    return Outcome.failed(message, score=limit / rate if rate else 0.0)


def _window_end(ctx: CheckContext) -> float:
    """The window ends at the moment the context judges as of (diff mode: one moment for base and
    head), else at the scanned commit's date, so the same commit always gives the same result."""
    if ctx.now is not None:
        return ctx.now
    snapshot = ctx.snapshot
    try:
        out = snapshot.git("log", "-1", "--format=%ct", snapshot.commit or "HEAD").strip()
        return float(out) if out else time.time()
    except (GitError, NoHistory):
        return time.time()


def _date(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


EVALUATORS = {
    "ci.present": ci_present,
    "ci.tests_on_pr": ci_tests_on_pr,
    "ci.coverage_gate": ci_coverage_gate,
    "release.changelog": release_changelog,
    "delivery.release_cadence": release_cadence,
    "delivery.lead_time": lead_time,
    "delivery.revert_rate": revert_rate,
}
