"""Security hygiene: a disclosure policy, dependency updates, static analysis, hardened GitHub
workflows, and no committed secrets.

Each evaluator is a pure function (ctx, params) -> Outcome; documentation and parameter defaults
live in checks/<id>.yaml. Workflows come from the shared `workflows` fact; everything else is read
from the few files each check names.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import re2

from standards_check import dataio, yamlio
from standards_check.context import CheckContext
from standards_check.facts.workflows import Workflow, first_party_path, own_repository
from standards_check.model import Location, Outcome
from standards_check.snapshot import RepoSnapshot
from standards_check.text import plural
from standards_check.values import list_or_empty


def _listing(locations: list[Location], limit: int = 5) -> str:
    shown = ", ".join(str(loc) for loc in locations[:limit])
    more = len(locations) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _workflows(ctx: CheckContext) -> tuple[list[Workflow], list[Workflow]]:
    """(workflows that parsed, workflows that did not)."""
    parsed: list[Workflow] = []
    broken: list[Workflow] = []
    for workflow in ctx.fact("workflows"):
        (broken if workflow.error else parsed).append(workflow)
    return parsed, broken


def _broken_note(broken: list[Workflow]) -> str:
    if not broken:
        return ""
    return f" ({plural(len(broken), 'workflow')} could not be parsed: {', '.join(w.path for w in broken)})"


# ================================================================================================
# security.policy
# ================================================================================================

# GitHub reads SECURITY files from .github/, the root and docs/ (in that order); GitLab from the root.
_POLICY_DIRS = (".github", "", "docs")  # the order GitHub looks in
_POLICY_EXTS = ("", ".md", ".markdown", ".rst", ".txt", ".adoc")
_CHANNEL = re2.compile(
    r"(?i)[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"  # an email address
    r"|https?://[^\s)>\]]+"                                               # a URL
    r"|security/advisories|security advisor|private vulnerability report"
    r"|report a vulnerability|security tab|huntr\.dev|hackerone|bugcrowd|intigriti"
)


# Addresses written to keep spam harvesters off: `security [at] acme [dot] org`, `info[@]acme.com`,
# `security(at)acme.org`, `security at acme dot org`, `security&#64;acme.org`, `security @ acme . org`.
_BRACKETED_AT = r"\s*(?:[\[({<]\s*(?:at|@)\s*[\])}>]|&#0*64;|\s@\s)\s*"
_SPELLED_DOT = r"\s*(?:[\[({<]\s*(?:dot|\.)\s*[\])}>])\s*|\s+dot\s+"
_OBFUSCATED_EMAIL = re2.compile(
    r"(?i)[A-Za-z0-9._%+-]+" + _BRACKETED_AT + r"[A-Za-z0-9-]+(?:(?:" + _SPELLED_DOT + r"| ?\. ?)[A-Za-z0-9-]+)*"
    r"(?:" + _SPELLED_DOT + r"| ?\. ?)[A-Za-z]{2,}"
    r"|[A-Za-z0-9._%+-]+\s+at\s+[A-Za-z0-9-]+(?:(?:" + _SPELLED_DOT + r")[A-Za-z0-9-]+)*(?:" + _SPELLED_DOT
    + r")[A-Za-z]{2,}\b"
)


def find_security_policy(snapshot: RepoSnapshot) -> list[str]:
    """SECURITY files where GitHub or GitLab show them, in the order GitHub looks."""
    from standards_check.evaluators.presence import find_documents

    return find_documents(snapshot, ["security"], _POLICY_DIRS, _POLICY_EXTS)


def security_policy(ctx: CheckContext, params: dict) -> Outcome:
    found = find_security_policy(ctx.snapshot)
    if not found:
        return Outcome.failed(
            "No SECURITY.md in the root, .github/ or docs/, so reporters do not know how to disclose "
            "a vulnerability privately (an organisation-wide default in the org's .github repository "
            "cannot be seen from here)."
        )
    path = found[0]
    text = ctx.snapshot.read_text(path) or ""
    match = _CHANNEL.search(text) or _OBFUSCATED_EMAIL.search(text)
    if match is not None or not params["require_channel"]:
        line = text.count("\n", 0, match.start()) + 1 if match is not None else None
        return Outcome.passed(f"{path} tells reporters how to disclose a vulnerability.",
                              [Location(path, line)])
    return Outcome.failed(
        f"{path} exists but names no reporting channel (an email address, a URL, or GitHub's private "
        "security advisories), so a reporter cannot act on it.",
        [Location(path)], score=params["partial_score"],
    )


# ================================================================================================
# deps.update_tool
# ================================================================================================

# Renovate reads the first of these that exists (docs: configuration-options, "Configuration files").
RENOVATE_FILES = (
    "renovate.json", "renovate.json5", ".github/renovate.json", ".github/renovate.json5",
    ".gitlab/renovate.json", ".gitlab/renovate.json5", ".renovaterc", ".renovaterc.json",
    ".renovaterc.json5",
)
DEPENDABOT_FILES = (".github/dependabot.yml", ".github/dependabot.yaml")

# What Dependabot looks for in an entry's directory, by file name (lower case). Ecosystems not
# listed are not checked. Suffix rules cover ecosystems whose manifests have free names.
_MANIFEST_NAMES: dict[str, tuple[str, ...]] = {
    "npm": ("package.json",), "bun": ("package.json", "bun.lock", "bun.lockb"),
    "pip": ("requirements.txt", "requirements.in", "setup.py", "setup.cfg", "pyproject.toml",
            "pipfile", "pipfile.lock", "poetry.lock"),
    "uv": ("uv.lock", "pyproject.toml"), "cargo": ("cargo.toml",), "gomod": ("go.mod",),
    "composer": ("composer.json",), "mix": ("mix.exs",), "elm": ("elm.json",),
    "pub": ("pubspec.yaml",), "swift": ("package.swift",), "helm": ("chart.yaml",),
    "bundler": ("gemfile", "gems.rb"), "maven": ("pom.xml",),
    "gradle": ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"),
    "docker-compose": ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"),
    "dotnet-sdk": ("global.json",), "vcpkg": ("vcpkg.json",),
    "rust-toolchain": ("rust-toolchain", "rust-toolchain.toml"),
    "pre-commit": (".pre-commit-config.yaml", ".pre-commit-config.yml"),
    "conda": ("environment.yml", "environment.yaml"),
}
_MANIFEST_SUFFIXES: dict[str, tuple[str, ...]] = {
    "pip": (".txt", ".in"), "bundler": (".gemspec",), "terraform": (".tf", ".hcl"),
    "opentofu": (".tf", ".tofu"),
    "nuget": (".csproj", ".vbproj", ".fsproj", ".sln", ".slnx", ".props", ".targets", "packages.config",
              "global.json", "nuget.config"),
    "docker": ("dockerfile", ".dockerfile", "containerfile"),
    "gradle": (".gradle", ".gradle.kts", ".toml"),
}
_MANIFEST_SUBDIRS = {"pip": ("requirements",), "gradle": ("gradle",), "devcontainers": (".devcontainer",),
                     "github-actions": (".github/workflows",)}


def _dir_has_manifest(snapshot: RepoSnapshot, ecosystem: str, directory: str) -> bool | None:
    """True/False when we know the ecosystem; None when we cannot judge (unknown, a glob)."""
    if any(ch in directory for ch in "*?[{"):
        return None
    base = directory.strip("/")
    names = _MANIFEST_NAMES.get(ecosystem, ())
    suffixes = _MANIFEST_SUFFIXES.get(ecosystem, ())
    subdirs = _MANIFEST_SUBDIRS.get(ecosystem, ())
    if ecosystem == "github-actions":
        if base in ("", ".github/workflows") and snapshot.is_dir(".github/workflows"):
            return True
        return bool(snapshot.first([posixpath.join(base, n) for n in ("action.yml", "action.yaml")]))
    if ecosystem == "devcontainers":
        return bool(snapshot.first([posixpath.join(base, ".devcontainer.json")])) or snapshot.is_dir(
            posixpath.join(base, ".devcontainer"))
    if ecosystem == "gitsubmodule":
        return snapshot.exists(".gitmodules")
    if not names and not suffixes:
        return None
    prefix = base + "/" if base else ""
    # the files directly in the directory, and those anywhere below its manifest subdirectories
    candidates = [*snapshot.names_in(base),
                  *(path.rpartition("/")[2] for sub in subdirs for path in snapshot.under(prefix + sub))]
    for name in candidates:
        lower = name.lower()
        if lower in names or lower.endswith(suffixes) or (ecosystem == "docker" and "dockerfile" in lower):
            return True
    return False


def _dependabot(snapshot: RepoSnapshot, check_manifests: bool) -> _Found | None:
    path = snapshot.first(DEPENDABOT_FILES)
    if path is None:
        return None
    text = snapshot.read_text(path) or ""
    try:
        data, positions = yamlio.load_with_positions(text, source=path)
    except yamlio.YamlSyntaxError as exc:
        return _Found(0.25, f"{path} is not valid YAML ({exc.message}), so Dependabot ignores it",
                      [Location(path, exc.line)], f"Correct the YAML syntax of {path} at line {exc.line}: {exc.message}.")
    if not isinstance(data, dict) or str(data.get("version")) != "2":
        line = yamlio.position_of(positions, ("version",))[0] if isinstance(data, dict) else 1
        return _Found(0.25, f"{path} does not declare `version: 2`, so Dependabot rejects it", [Location(path, line)],
                      f"Set `version: 2` at the top of {path} (line {line}); Dependabot reads no other version.")
    updates = data.get("updates")
    if not isinstance(updates, list) or not updates:
        line = yamlio.position_of(positions, ("updates",))[0]
        return _Found(0.25, f"{path} has no `updates` entries, so Dependabot updates nothing", [Location(path, line)],
                      f"Add an entry under `updates:` in {path} for each ecosystem and directory, with "
                      "`package-ecosystem`, `directory` and `schedule.interval`.")
    incomplete, stale, ecosystems = [], [], []
    lacking_keys: list[str] = []  # "line 3 (pip): `schedule.interval`"
    gone_dirs: list[str] = []  # "`npm` at line 6: `/web`"
    for index, entry in enumerate(updates):
        line = yamlio.position_of(positions, ("updates", index))[0]
        if not isinstance(entry, dict):
            incomplete.append(Location(path, line))
            lacking_keys.append(f"line {line}: `package-ecosystem`, `directory` and `schedule.interval`")
            continue
        ecosystem = str(entry.get("package-ecosystem", ""))
        directories = entry.get("directories") or ([entry["directory"]] if "directory" in entry else [])
        schedule = entry.get("schedule")
        if not ecosystem or not directories or not (isinstance(schedule, dict) and schedule.get("interval")):
            incomplete.append(Location(path, line))
            lacking = [k for k, ok in (("package-ecosystem", ecosystem), ("directory", directories),
                                       ("schedule.interval", isinstance(schedule, dict) and schedule.get("interval")))
                       if not ok]
            lacking_keys.append(f"line {line}{f' ({ecosystem})' if ecosystem else ''}: "
                                + " and ".join(f"`{k}`" for k in lacking))
            continue
        missing = [str(d) for d in directories
                   if check_manifests and _dir_has_manifest(snapshot, ecosystem, str(d)) is False]
        if not missing:
            ecosystems.append(ecosystem)
            continue  # an entry with a gone directory errors (dependabot-core#10684): it does not count
        stale.append(Location(path, line))
        key = "`directories`" if "directories" in entry else "`directory`"
        gone_dirs.append(f"`{ecosystem}` at line {line}, {key} " + ", ".join(f"`{d}`" for d in missing[:5])
                         + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
    total = len(updates)
    good = total - len(incomplete) - len(stale)
    kinds = ", ".join(sorted(set(ecosystems)))
    if good == total:
        return _Found(1.0, f"Dependabot updates {kinds} ({path})", [Location(path, yamlio.position_of(positions, ("updates",))[0])])
    problems = []
    if incomplete:
        problems.append(f"{plural(len(incomplete), 'entry', 'entries')} lacking package-ecosystem, "
                        f"directory or schedule.interval ({_listing(incomplete)})")
    if stale:
        problems.append(f"{plural(len(stale), 'entry', 'entries')} pointing at a directory with no "
                        f"manifest of that ecosystem ({_listing(stale)})")
    score = 0.5 + 0.5 * good / total
    fix = []
    if gone_dirs:
        fix.append(f"In {path}, these entries name directories that hold no manifest of their ecosystem: "
                   f"{_first(gone_dirs)}. Point each at the folder that holds the manifest, or remove the "
                   "directory (or the entry) if that code is gone.")
    if lacking_keys:
        fix.append(f"In {path}, give these entries the keys they lack: {_first(lacking_keys)}.")
    if good:  # the practice is in place: some entries work; the others need correcting
        return _Found(score, f"Dependabot is in place ({path} updates {kinds}), "
                      "but has " + " and ".join(problems), incomplete + stale, " ".join(fix), in_place=True)
    return _Found(score, f"Dependabot is configured in {path} but has " + " and ".join(problems),
                  incomplete + stale, " ".join(fix))


def _first(items: list[str], limit: int = 5) -> str:
    """The first few items, then how many more."""
    return "; ".join(items[:limit]) + (f"; and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(frozen=True)
class _Found:
    """What one update tool's configuration shows: a score, a sentence, where, and (when it exists
    but needs correcting) what to change in it."""

    score: float
    message: str
    locations: list[Location]
    fix: str | None = None
    in_place: bool = False  # working, with some entries to correct


def _renovate(snapshot: RepoSnapshot) -> _Found | None:
    found = [p for p in RENOVATE_FILES if snapshot.exists(p)]
    config: Any = None
    path = None
    if found:
        path = found[0]
        text = snapshot.read_text(path) or ""
        try:
            config = dataio.load_json_or_json5(text, source=path)
        except ValueError as exc:
            return _Found(0.25, f"{path} does not parse as JSON5 ({exc}), so Renovate cannot read it", [Location(path)],
                          f"Correct the JSON5 syntax of {path} (Renovate reports the same error in its log).")
    elif snapshot.exists("package.json"):
        try:
            package = dataio.load_json(snapshot.read_text("package.json") or "", source="package.json")
        except ValueError:
            return None
        if isinstance(package, dict) and "renovate" in package:
            path, config = "package.json", package["renovate"]
    if path is None:
        return None
    line = None
    if not isinstance(config, dict):
        return _Found(0.25, f"{path} is not a JSON object, so Renovate cannot read it", [Location(path)])
    if config.get("enabled") is False:
        return _Found(0.0, f"{path} disables Renovate (`enabled: false`)", [Location(path)],
                      f"Remove `\"enabled\": false` from {path} to let Renovate open update pull requests.")
    if path == "package.json":
        line = yamlio.line_of_key(snapshot.read_text(path) or "", '"renovate"')
    note = f"; {', '.join(found[1:])} also exist but Renovate reads only the first" if len(found) > 1 else ""
    return _Found(1.0, f"Renovate is configured in {path}{note}", [Location(path, line)])


def deps_update_tool(ctx: CheckContext, params: dict) -> Outcome:
    snapshot = ctx.snapshot
    accepted = set(params["tools"])
    results = []
    if "dependabot" in accepted:
        results.append(_dependabot(snapshot, params["check_manifests"]))
    if "renovate" in accepted:
        results.append(_renovate(snapshot))
    if "pyup" in accepted:
        pyup = snapshot.first([".pyup.yml", ".pyup.yaml"])
        if pyup:
            results.append(_Found(1.0, f"pyup is configured in {pyup}", [Location(pyup)]))
    if "depfu" in accepted:
        depfu = snapshot.first([".depfu.yml", ".depfu.yaml"])
        if depfu:
            results.append(_Found(1.0, f"Depfu is configured in {depfu}", [Location(depfu)]))
    found = [r for r in results if r is not None]
    if not found:
        return Outcome.failed(
            "No dependency update tool is configured (no .github/dependabot.yml and no Renovate "
            "configuration in any place Renovate reads); updates configured only in an organisation's "
            "settings cannot be seen from here."
        )
    best = max(found, key=lambda r: (r.score >= 1.0, r.in_place, r.score))
    locations = [loc for r in found for loc in r.locations]
    message = "; ".join(r.message for r in sorted(found, key=lambda r: -r.score)) + "."
    if best.score >= 1.0:  # another tool's configuration may still need correcting: its fix, if any
        return Outcome.passed(message, locations).with_fix(next((r.fix for r in found if r.fix), None))
    if best.in_place and best.fix:
        return Outcome.in_place(best.score, message, locations, fix=best.fix)
    return Outcome.failed(message, locations, score=best.score).with_fix(best.fix)


# ================================================================================================
# Workflow steps, shared by the workflow checks
# ================================================================================================

@dataclass(frozen=True)
class StepRef:
    """One step (or a job-level `uses:` of a reusable workflow) and where it is written."""

    path: str
    job: str
    index: int | None          # None: the job itself calls a reusable workflow
    step: dict
    line: int | None
    script_line: int | None = None  # where `with: script:` (actions/github-script) is written

    @property
    def uses(self) -> str:
        value = self.step.get("uses")
        return value.strip() if isinstance(value, str) else ""

    @property
    def run(self) -> str:
        value = self.step.get("run")
        return value if isinstance(value, str) else ""

    @property
    def with_(self) -> dict:
        value = self.step.get("with")
        return value if isinstance(value, dict) else {}


def job_steps(workflow: Workflow, job_name: str) -> list[StepRef]:
    job = workflow.jobs.get(job_name, {})
    if isinstance(job.get("uses"), str):
        return [StepRef(workflow.path, job_name, None, job, workflow.line("jobs", job_name, "uses"))]
    steps = job.get("steps")
    if not isinstance(steps, list):
        return []
    refs = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        key = "uses" if "uses" in step else "run" if "run" in step else None
        line = workflow.line("jobs", job_name, "steps", index, key) if key else workflow.line(
            "jobs", job_name, "steps", index)
        refs.append(StepRef(workflow.path, job_name, index, step, line,
                            workflow.line("jobs", job_name, "steps", index, "with", "script")))
    return refs


def all_steps(workflows: Iterable[Workflow]) -> Iterator[StepRef]:
    for workflow in workflows:
        for job_name in workflow.jobs:
            yield from job_steps(workflow, job_name)


@dataclass
class CompositeAction:
    path: str
    steps: list[StepRef]


def composite_actions(snapshot: RepoSnapshot) -> list[CompositeAction]:
    """Composite actions kept in the repository (action.yml with `runs.steps`)."""
    actions = []
    for path in snapshot.named("action.yml", "action.yaml"):
        text = snapshot.read_text(path)
        if text is None:
            continue
        try:
            data, positions = yamlio.load_with_positions(text, source=path)
        except yamlio.YamlSyntaxError:
            continue
        runs = data.get("runs") if isinstance(data, dict) else None
        steps = runs.get("steps") if isinstance(runs, dict) else None
        if not isinstance(steps, list):
            continue
        refs = []
        for index, step in enumerate(steps):
            if isinstance(step, dict):
                key = "uses" if "uses" in step else "run"
                line = yamlio.position_of(positions, ("runs", "steps", index, key))[0]
                script_line = yamlio.position_of(positions, ("runs", "steps", index, "with", "script"))[0]
                refs.append(StepRef(path, "", index, step, line, script_line))
        actions.append(CompositeAction(path, refs))
    return actions


# ================================================================================================
# workflows.permissions
# ================================================================================================

def _write_scopes(permissions: Any) -> list[str]:
    if isinstance(permissions, dict):
        return sorted(str(k) for k, v in permissions.items() if str(v).strip() == "write")
    return []


def _is_write_all(permissions: Any) -> bool:
    return isinstance(permissions, str) and permissions.strip() == "write-all"


def workflow_permission_problems(workflow: Workflow) -> list[tuple[Location, str]]:
    """Each place where the GITHUB_TOKEN of `workflow` is broader than it needs to be."""
    problems: list[tuple[Location, str]] = []
    top_present = "permissions" in workflow.data
    top = workflow.data.get("permissions")
    jobs = workflow.jobs
    inheriting = [name for name, job in jobs.items() if "permissions" not in job]
    if top_present and _is_write_all(top):
        problems.append((Location(workflow.path, workflow.line("permissions")),
                         "grants write-all to the whole workflow"))
    elif top_present and inheriting and len(jobs) > 1 and _write_scopes(top):
        scopes = ", ".join(f"{s}: write" for s in _write_scopes(top))
        problems.append((Location(workflow.path, workflow.line("permissions")),
                         f"grants {scopes} at the top, to every job, instead of to the job that needs it"))
    if not top_present:
        for name in inheriting:
            problems.append((Location(workflow.path, workflow.line("jobs", name, "__key__")),
                             f"job `{name}` has no permissions block and the workflow sets none"))
    for name, job in jobs.items():
        if _is_write_all(job.get("permissions")):
            problems.append((Location(workflow.path, workflow.line("jobs", name, "permissions")),
                             f"job `{name}` grants write-all"))
    return problems


def workflows_permissions(ctx: CheckContext, params: dict) -> Outcome:
    parsed, broken = _workflows(ctx)
    workflows = [w for w in parsed if w.jobs]
    if not workflows:
        if broken:
            return Outcome.errored("No workflow could be parsed" + _broken_note(broken),
                                   [Location(w.path, w.error_line) for w in broken])
        return Outcome.skipped("No GitHub Actions workflows in .github/workflows/.")
    bad: list[tuple[Location, str]] = []
    bad_workflows = 0
    for workflow in workflows:
        problems = workflow_permission_problems(workflow)
        bad.extend(problems)
        bad_workflows += bool(problems)
    good = len(workflows) - bad_workflows
    if not bad:
        return Outcome.passed(
            f"All {plural(len(workflows), 'workflow')} limit the GITHUB_TOKEN with least-privilege "
            f"permissions blocks{_broken_note(broken)}.")
    examples = "; ".join(f"{loc}: {why}" for loc, why in bad[:3])
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    return Outcome.partial(
        good / len(workflows),
        f"{good} of {plural(len(workflows), 'workflow')} limit the GITHUB_TOKEN; {examples}{more}"
        f"{_broken_note(broken)}.",
        [loc for loc, _ in bad],
    )


# ================================================================================================
# workflows.pinned_actions
# ================================================================================================

_FULL_SHA = re2.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_DOCKER_DIGEST = re2.compile(r"@sha256:[0-9a-f]{64}$")


def action_is_pinned(uses: str, trusted_owners: set[str], require_docker_digest: bool,
                     allowed_tags: frozenset[str] | set[str] = frozenset(), own: str | None = None) -> bool | None:
    """True pinned, False unpinned third-party, None not subject (local, this repository's own
    `OWNER/REPO/path@ref`, trusted, docker without rule)."""
    if uses.startswith("./") or uses.startswith("../"):
        return None
    if first_party_path(uses, own) is not None:
        return None
    if uses.startswith("docker://"):
        return bool(_DOCKER_DIGEST.search(uses)) if require_docker_digest else None
    name, at, ref = uses.partition("@")
    if not at:
        return None  # not a reference to another repository (GitHub requires @ref there)
    owner = name.split("/", 1)[0].lower()
    if owner in trusted_owners or name.lower() in allowed_tags:
        return None
    return bool(_FULL_SHA.match(ref.strip()))


def workflows_pinned_actions(ctx: CheckContext, params: dict) -> Outcome:
    parsed, broken = _workflows(ctx)
    if not parsed and not broken:
        return Outcome.skipped("No GitHub Actions workflows in .github/workflows/.")
    trusted = {owner.lower() for owner in params["trusted_owners"]}
    allowed_tags = {name.lower() for name in params["allow_tags"]}
    steps = list(all_steps(parsed))
    for action in composite_actions(ctx.snapshot):
        steps.extend(action.steps)
    pinned, unpinned = 0, []
    for step in steps:
        if not step.uses:
            continue
        verdict = action_is_pinned(step.uses, trusted, params["require_docker_digest"], allowed_tags,
                                   own_repository(ctx.snapshot))
        if verdict is True:
            pinned += 1
        elif verdict is False:
            unpinned.append((Location(step.path, step.line), step.uses.partition("@")[0]))
    total = pinned + len(unpinned)
    if total == 0:
        return Outcome.passed("No third-party actions are used; trusted, local and this repository's own "
                              "actions need no pin"
                              f"{_broken_note(broken)}.")
    if not unpinned:
        return Outcome.passed(f"All {plural(total, 'third-party action use')} are pinned to a full "
                              f"commit SHA{_broken_note(broken)}.")
    names = sorted({name for _, name in unpinned})
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return Outcome.partial(
        pinned / total,
        f"{len(unpinned)} of {plural(total, 'third-party action use')} are not pinned to a full commit "
        f"SHA ({shown}){_broken_note(broken)}.",
        [loc for loc, _ in unpinned],
    )


# ================================================================================================
# workflows.dangerous_triggers
# ================================================================================================

PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
# Expressions that name the code of a pull request (or of the run that triggered workflow_run).
_UNTRUSTED_REF = re2.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/"
    r"|github\.event\.pull_request\.merge_commit_sha|github\.event\.workflow_run\.head_(?:sha|branch|commit)"
    r"|github\.event\.workflow_run\.pull_requests"
)
# In a run: script, these bring the pull request's code in when given its ref (directly, or
# through the step's env: HEAD_REF: ${{ github.head_ref }} ... git fetch origin "$HEAD_REF").
_RUN_GIT = re2.compile(r"\bgit\s+(?:-C\s+\S+\s+)?(?:fetch|checkout|switch|pull|merge|reset)\b")
# Conditions that keep forks out: the job only runs for branches of this repository.
_SAME_REPO_GUARD = re2.compile(
    r"head\.repo\.full_name\s*==\s*github\.repository|github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name"
    r"|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork"
    r"|head_repository\.full_name\s*==\s*github\.repository"
)
# Attacker-controlled values that must not be expanded into a script (GitHub Security Lab,
# "Keeping your GitHub Actions and workflows secure Part 2: Untrusted input").
_INJECTABLE = re2.compile(
    r"\$\{\{[^}]*?(?:"
    r"github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)"
    r"|github\.event\.(?:comment|review|review_comment)\.body"
    r"|github\.event\.pull_request\.head\.(?:ref|label|repo\.default_branch)"
    r"|github\.event\.pages\.[^}]*page_name"
    r"|github\.event\.(?:head_commit|commits[^}]*?)\.(?:message|author\.(?:email|name))"
    r"|github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name)))"
    r"|github\.head_ref"
    r")\b[^}]*\}\}"
)


def _line_in_script(value_line: int | None, script: str, offset: int) -> int | None:
    """The file line of `offset` in a script whose YAML value starts on `value_line`. A block
    scalar (`run: |`) starts on the line after its indicator; a one-line scalar on the key's line."""
    if value_line is None:
        return None
    block = 1 if "\n" in script else 0
    return value_line + block + script.count("\n", 0, offset)


def _guarded(*conditions: Any) -> bool:
    return any(isinstance(c, str) and _SAME_REPO_GUARD.search(c) for c in conditions)


def _untrusted_checkout(step: StepRef) -> bool:
    if step.uses.lower().startswith("actions/checkout"):
        ref = step.with_.get("ref")
        repository = step.with_.get("repository")
        return any(isinstance(v, str) and _UNTRUSTED_REF.search(v) for v in (ref, repository))
    if step.run:
        if "gh pr checkout" in step.run:
            return True
        if _RUN_GIT.search(step.run) is None:
            return False
        env = step.step.get("env")
        env_values = [v for v in env.values() if isinstance(v, str)] if isinstance(env, dict) else []
        return any(_UNTRUSTED_REF.search(text) for text in [step.run, *env_values])
    return False


def _runs_code(step: StepRef) -> bool:
    return bool(step.run) or step.uses.startswith("./")


def privileged_workflows(workflows: list[Workflow], own: str | None = None) -> dict[str, list[str]]:
    """path -> the privileged triggers it runs under: its own, or those of a workflow in this
    repository that calls it as a reusable workflow (`uses: ./.github/workflows/x.yml`, or
    `OWNER/REPO/.github/workflows/x.yml@ref` naming this repository)."""
    by_path = {w.path: w for w in workflows}
    privileged = {w.path: [t for t in PRIVILEGED_TRIGGERS if t in w.triggers
                           and not (t == "workflow_run" and _runs_after_trusted_only(w, workflows))]
                  for w in workflows}
    privileged = {path: triggers for path, triggers in privileged.items() if triggers}
    queue = list(privileged)
    while queue:
        caller = queue.pop()
        for job in by_path[caller].jobs.values():
            uses = job.get("uses")
            target = first_party_path(uses, own) if isinstance(uses, str) else None
            if target is not None:
                if target in by_path and target not in privileged:
                    privileged[target] = privileged[caller]
                    queue.append(target)
    return privileged


def _runs_after_trusted_only(workflow: Workflow, workflows: list[Workflow]) -> bool:
    """A workflow_run workflow whose triggering workflows (found here by name) never run on pull
    requests: their head is code already in the repository, not a contributor's."""
    config = workflow.triggers.get("workflow_run")
    names = config.get("workflows") if isinstance(config, dict) else None
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        return False
    by_name = {str(w.data.get("name", w.path.rpartition("/")[2])): w for w in workflows}
    triggering = [by_name.get(str(name)) for name in names]
    if any(w is None for w in triggering):
        return False  # a workflow we cannot see (or a pattern): assume it runs on pull requests
    return not any(t in w.triggers for w in triggering if w is not None
                   for t in ("pull_request", "pull_request_target"))


def dangerous_checkouts(workflow: Workflow, triggers: list[str]) -> list[tuple[Location, str]]:
    if not triggers:
        return []
    found = []
    for job_name, job in workflow.jobs.items():
        if _guarded(job.get("if")):
            continue
        steps = job_steps(workflow, job_name)
        for position, step in enumerate(steps):
            if step.index is None or _guarded(step.step.get("if")) or not _untrusted_checkout(step):
                continue
            if any(_runs_code(later) for later in steps[position + 1:]):
                found.append((Location(workflow.path, step.line),
                              f"job `{job_name}` runs on {'/'.join(triggers)}, checks out the pull "
                              "request's code and then runs it"))
                break
    return found


# The events whose payload carries each attacker-controlled value: elsewhere the value is empty
# (`github.head_ref` on push) or written by the repository's own maintainers.
PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review",
                       "pull_request_review_comment"})
_EXPRESSION_EVENTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("github.head_ref", PR_EVENTS),
    ("github.event.pull_request.", PR_EVENTS),
    ("github.event.issue.", frozenset({"issues", "issue_comment"})),
    ("github.event.discussion.", frozenset({"discussion", "discussion_comment"})),
    ("github.event.comment.", frozenset({"issue_comment", "pull_request_review_comment", "commit_comment",
                                         "discussion_comment"})),
    ("github.event.review.", frozenset({"pull_request_review"})),
    ("github.event.review_comment.", frozenset({"pull_request_review_comment"})),
    ("github.event.pages", frozenset({"gollum"})),
    ("github.event.head_commit.", frozenset({"push"})),
    ("github.event.commits", frozenset({"push"})),
    ("github.event.workflow_run.", frozenset({"workflow_run"})),
)


def _settable_by(expression: str, events: frozenset[str] | set[str] | None) -> bool:
    """Whether a workflow run by `events` (None: unknown, any) can carry an attacker's value here."""
    if events is None:
        return True
    for prefix, carriers in _EXPRESSION_EVENTS:
        if prefix in expression:
            return bool(carriers & events)
    return True


def workflow_events(workflows: list[Workflow], own: str | None = None) -> dict[str, set[str] | None]:
    """path -> the events that can run the workflow: its own triggers, and for `workflow_call` the
    triggers of the workflows here that call it (None when only other repositories call it: any)."""
    callers: dict[str, list[str]] = {}
    for workflow in workflows:
        for job in workflow.jobs.values():
            uses = job.get("uses")
            target = first_party_path(uses, own) if isinstance(uses, str) else None
            if target is not None:
                callers.setdefault(target, []).append(workflow.path)
    by_path = {w.path: w for w in workflows}
    memo: dict[str, set[str] | None] = {}

    def events(path: str, visiting: frozenset[str]) -> set[str] | None:
        if path in memo:
            return memo[path]
        own_events = set(by_path[path].triggers) - {"workflow_call"}
        result: set[str] | None = own_events
        if "workflow_call" in by_path[path].triggers:
            calling = [c for c in callers.get(path, []) if c not in visiting]
            if not calling:
                result = None  # called from elsewhere: its callers' events are unknown
            else:
                for caller in calling:
                    inherited = events(caller, visiting | {path})
                    result = None if inherited is None or result is None else result | inherited
        memo[path] = result
        return result

    return {w.path: events(w.path, frozenset({w.path})) for w in workflows}


def script_injections(steps: Iterable[StepRef], events: set[str] | None = None) -> list[tuple[Location, str]]:
    """Attacker-controlled values expanded into a `run:` script or a github-script `script:`,
    where `events` (None: unknown) can run the steps; each located at the expression's line."""
    found = []
    for step in steps:
        scripts = [(step.run, step.line)] if step.run else []
        if step.uses.lower().startswith("actions/github-script"):
            script = step.with_.get("script")
            if isinstance(script, str):
                scripts.append((script, step.script_line or step.line))
        for script, value_line in scripts:
            match = next((m for m in _INJECTABLE.finditer(script) if _settable_by(m.group(), events)), None)
            if match is not None:
                line = _line_in_script(value_line, script, match.start())
                expression = match.group().strip("${} ")
                found.append((Location(step.path, line),
                              f"`{expression}` is expanded into a script, where its author can inject commands"))
                break
    return found


def workflows_dangerous_triggers(ctx: CheckContext, params: dict) -> Outcome:
    parsed, broken = _workflows(ctx)
    if not parsed and not broken:
        return Outcome.skipped("No GitHub Actions workflows in .github/workflows/.")
    problems: list[tuple[Location, str]] = []
    bad_workflows = set()
    own = own_repository(ctx.snapshot)
    privileged = privileged_workflows(parsed, own)
    events = workflow_events(parsed, own)
    for workflow in parsed:
        found = dangerous_checkouts(workflow, privileged.get(workflow.path, []))
        if params["check_script_injection"]:
            found += script_injections(all_steps([workflow]), events.get(workflow.path))
        problems.extend(found)
        if found:
            bad_workflows.add(workflow.path)
    if params["check_script_injection"]:
        for action in composite_actions(ctx.snapshot):
            found = script_injections(action.steps)
            problems.extend(found)
            if found:
                bad_workflows.add(action.path)
    if not problems:
        detail = (f"{plural(len(privileged), 'workflow')} on pull_request_target/workflow_run "
                  f"never {'runs' if len(privileged) == 1 else 'run'} the pull request's code" if privileged
                  else "no workflow runs on pull_request_target or workflow_run")
        return Outcome.passed(f"No dangerous workflow patterns: {detail}, and no untrusted input is "
                              f"expanded into scripts{_broken_note(broken)}.")
    total = max(len(parsed), len(bad_workflows))
    problems.sort(key=lambda p: p[0])
    examples = "; ".join(f"{loc}: {why}" for loc, why in problems[:3])
    more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
    return Outcome.failed(f"{examples}{more}.", [loc for loc, _ in problems],
                          score=(total - len(bad_workflows)) / total if total else 0.0)


# ================================================================================================
# security.sast
# ================================================================================================

# `uses:` prefixes (lower case) of actions that run static analysis of the code.
_SAST_ACTIONS: tuple[tuple[str, str], ...] = (
    ("github/codeql-action/analyze", "CodeQL"),
    ("returntocorp/semgrep-action", "Semgrep"), ("semgrep/semgrep-action", "Semgrep"),
    ("sonarsource/sonarcloud-github-action", "SonarCloud"),
    ("sonarsource/sonarqube-scan-action", "SonarQube"),
    ("sonarsource/sonarcloud-github-c-cpp", "SonarCloud"),
    ("sonarsource/sonarqube-github-c-cpp", "SonarQube"),
    ("securego/gosec", "gosec"),
    ("pycqa/bandit-action", "Bandit"), ("tj-actions/bandit", "Bandit"),
    ("jpetrucciani/bandit-check", "Bandit"), ("mdegis/bandit-action", "Bandit"),
    ("shundor/python-bandit-scan", "Bandit"),
    ("devmasx/brakeman-linter-action", "Brakeman"), ("artplan1/brakeman-action", "Brakeman"),
    ("checkmarx/ast-github-action", "Checkmarx"), ("checkmarx/kics-github-action", "KICS"),
    ("microsoft/devskim-action", "DevSkim"), ("ajinabraham/njsscan-action", "njsscan"),
    ("mobsf/mobsfscan", "mobsfscan"), ("fortify/github-action", "Fortify"),
    ("veracode/veracode-uploadandscan-action", "Veracode"),
    ("veracode/veracode-pipeline-scan-action", "Veracode"),
    ("bridgecrewio/checkov-action", "Checkov"),
)
# Commands in scripts (workflow run: steps, GitLab/CircleCI/Azure/Jenkins/Travis/Bitbucket files).
_CMD = r"(?:^|[\s;&|(`'\"/])"
_SAST_COMMANDS: tuple[tuple[str, Any], ...] = tuple(
    (tool, re2.compile(pattern)) for tool, pattern in (
        ("CodeQL", _CMD + r"codeql\s+database\s+analyze"),
        ("Semgrep", _CMD + r"semgrep\s+(?:ci|scan|--config|-c\s|--sarif|--error|\.)"),
        ("Semgrep", r"(?:returntocorp|semgrep)/semgrep(?::|\s|$|@)"),
        ("SonarQube", _CMD + r"(?:sonar-scanner|sonar:sonar|dotnet[- ]sonarscanner|sonarscanner\.msbuild)"),
        ("SonarQube", r"\bgradlew?\b[^\n]*\ssonar(?:qube)?(?:\s|$)"),
        ("Bandit", _CMD + r"(?:python3? -m )?bandit\s+(?:-r|-c|--recursive|--configfile|--ini|\S+\.py|\.|src)"),
        ("gosec", _CMD + r"gosec\s"),
        ("Brakeman", _CMD + r"brakeman(?:\s|$)"),
        ("Snyk Code", _CMD + r"snyk\s+code\s+test"),
        ("njsscan", _CMD + r"njsscan\s"),
        ("Horusec", _CMD + r"horusec\s+start"),
        ("Checkov", _CMD + r"checkov\s+(?:-d|--directory|-f)"),
        ("Trivy (IaC)", _CMD + r"trivy\s+config\s"),
    )
)
# GitLab's SAST: the templates and the CI/CD component.
_GITLAB_SAST = re2.compile(r"(?i)(?:Security|Jobs)/SAST(?:-IaC)?(?:\.latest)?\.gitlab-ci\.yml"
                           r"|Auto-DevOps\.gitlab-ci\.yml|components/sast/sast")
_OTHER_CI = (".circleci/config.yml", "azure-pipelines.yml", ".azure-pipelines.yml", "Jenkinsfile",
             ".travis.yml", "bitbucket-pipelines.yml", ".drone.yml", ".woodpecker.yml")
_PRECOMMIT_SAST = {"bandit": "Bandit", "semgrep": "Semgrep", "semgrep-ci": "Semgrep", "gosec": "gosec",
                   "brakeman": "Brakeman", "njsscan": "njsscan", "checkov": "Checkov"}
_RUNS_PRECOMMIT = re2.compile(r"pre-commit\s+run|prek\s+run|pre-commit/action|tox\s+-e\s+pre-commit")


@dataclass(frozen=True)
class SastFinding:
    tool: str
    location: Location
    in_ci: bool = True


def _command_tools(text: str) -> Iterator[tuple[str, int]]:
    """(tool, offset) for each SAST command found in a script."""
    for tool, pattern in _SAST_COMMANDS:
        match = pattern.search(text)
        if match is not None:  # skip the separator the pattern starts with (it may be a newline)
            found = match.group()
            yield tool, match.start() + len(found) - len(found.lstrip(" \t\r\n;&|(`'\"/"))


def _text_line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _step_sast(step: StepRef, own: str | None = None) -> list[SastFinding]:
    found = []
    uses = step.uses.lower()
    if own and uses.startswith("./"):  # the repository's own action, by the name others use for it
        local = first_party_path(uses, own)
        uses = f"{own}/{local}" if local else uses
    if uses:
        for prefix, tool in _SAST_ACTIONS:
            if uses.startswith(prefix):
                found.append(SastFinding(tool, Location(step.path, step.line)))
        if uses.startswith("snyk/actions/") and "code" in str(step.with_.get("command", "")):
            found.append(SastFinding("Snyk Code", Location(step.path, step.line)))
        if uses.startswith("aquasecurity/trivy-action") and (
                step.with_.get("scan-type") == "config" or "misconfig" in str(step.with_.get("scanners", ""))):
            found.append(SastFinding("Trivy (IaC)", Location(step.path, step.line)))
        if uses.startswith("docker://"):
            found += [SastFinding(tool, Location(step.path, step.line)) for tool, _ in _command_tools(uses)]
        if step.index is None:  # a reusable workflow from another repository
            name = uses.partition("@")[0]
            for token, tool in (("codeql", "CodeQL"), ("semgrep", "Semgrep"), ("sonar", "SonarQube"),
                                ("sast", "SAST"), ("bandit", "Bandit"), ("gosec", "gosec")):
                if token in name:
                    found.append(SastFinding(f"{tool} (reusable workflow)", Location(step.path, step.line)))
                    break
    if step.run:
        for tool, offset in _command_tools(step.run):
            line = _line_in_script(step.line, step.run, offset)
            found.append(SastFinding(tool, Location(step.path, line)))
    return found


def _gitlab_sast(snapshot: RepoSnapshot) -> list[SastFinding]:
    found: list[SastFinding] = []
    if not snapshot.exists(".gitlab-ci.yml"):
        return found
    texts = {".gitlab-ci.yml": snapshot.read_text(".gitlab-ci.yml") or ""}
    try:
        data = yamlio.load(texts[".gitlab-ci.yml"], source=".gitlab-ci.yml")
    except yamlio.YamlSyntaxError:
        data = None
    includes = data.get("include") if isinstance(data, dict) else None
    includes = includes if isinstance(includes, list) else [includes] if includes else []
    for include in includes:  # one level of local includes: cheap, and where teams keep their jobs
        local = include.get("local") if isinstance(include, dict) else include
        if isinstance(local, str) and not local.startswith(("http://", "https://")) and "$" not in local:
            path = local.lstrip("/")
            if snapshot.exists(path) and path not in texts:
                texts[path] = snapshot.read_text(path) or ""
    for path, text in texts.items():
        match = _GITLAB_SAST.search(text)
        if match is not None:
            found.append(SastFinding("GitLab SAST", Location(path, _text_line(text, match.start()))))
        for tool, offset in _command_tools(text):
            found.append(SastFinding(tool, Location(path, _text_line(text, offset))))
    return found


def _other_ci_sast(snapshot: RepoSnapshot) -> list[SastFinding]:
    found = []
    paths = [p for p in _OTHER_CI if snapshot.exists(p)] + snapshot.under(".azure-pipelines")
    for path in paths:
        text = snapshot.read_text(path) or ""
        for tool, offset in _command_tools(text):
            found.append(SastFinding(tool, Location(path, _text_line(text, offset))))
    return found


def _reached_ci_commands(ctx: CheckContext) -> list[tuple[Any, str, str]]:
    """(CI step, how it was reached, command) for every command CI runs through an indirection the
    repository defines (a Makefile target, a package.json script, a task runner's task, a tox or
    nox session, a script file), on every CI system the `ci` fact reads. Memoised per context."""
    cached = getattr(ctx, "_reached_ci_commands", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from standards_check.facts.commands import ScriptIndex, reached_commands

    index = ScriptIndex(ctx.snapshot)
    found: list[tuple[Any, str, str]] = []
    seen: set[tuple[str, int | None, str]] = set()
    for job in ctx.fact("ci").jobs:
        for step in job.steps:
            key = (step.path, step.line, step.script)
            if key in seen:
                continue
            seen.add(key)
            found += [(step, via, text) for via, text in reached_commands(step.script, index) if via]
    setattr(ctx, "_reached_ci_commands", found)
    return found


def _followed_sast(ctx: CheckContext) -> list[SastFinding]:
    found = []
    for step, via, text in _reached_ci_commands(ctx):
        for tool, _ in _command_tools(text):
            found.append(SastFinding(f"{tool} (via {via})", Location(step.path, step.line)))
    return found


def uncalled_reusable_workflows(workflows: list[Workflow], own: str | None = None) -> set[str]:
    """Workflows that run only on `workflow_call` and that no workflow of the repository calls:
    they run only when another repository calls them, so they say nothing of this one's CI."""
    called = {first_party_path(str(job.get("uses")), own) for w in workflows for job in w.jobs.values()
              if isinstance(job.get("uses"), str)}
    return {w.path for w in workflows
            if w.triggers and set(w.triggers) <= {"workflow_call"} and w.path not in called}


def _ci_runs_precommit(ctx: CheckContext, workflows: list[Workflow]) -> bool:
    if any(_RUNS_PRECOMMIT.search(s.run or s.uses) for s in all_steps(workflows)):
        return True
    if any(_RUNS_PRECOMMIT.search(text) for _, _, text in _reached_ci_commands(ctx)):
        return True
    for path in (".gitlab-ci.yml", *_OTHER_CI):
        if ctx.snapshot.exists(path) and _RUNS_PRECOMMIT.search(ctx.snapshot.read_text(path) or ""):
            return True
    return False


def _precommit_sast(ctx: CheckContext, workflows: list[Workflow]) -> list[SastFinding]:
    path, data, positions = _precommit_config(ctx)
    repos = data.get("repos") if isinstance(data, dict) else None
    if path is None or not isinstance(repos, list):
        return []
    in_ci = _precommit_in_ci(ctx, workflows, data)
    found = []
    for r_index, repo in enumerate(repos):
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for h_index, hook in enumerate(hooks if isinstance(hooks, list) else []):
            hook_id = str(hook.get("id", "")) if isinstance(hook, dict) else ""
            if hook_id in _PRECOMMIT_SAST:
                line = yamlio.position_of(positions, ("repos", r_index, "hooks", h_index, "id"))[0]
                found.append(SastFinding(_PRECOMMIT_SAST[hook_id], Location(path, line), in_ci))
    return found


# Linters that carry a SAST rule set: Ruff's `S` rules are Bandit's, golangci-lint can run gosec.
# They count when CI runs the linter with those rules selected.
_RUNS_RUFF = re2.compile(r"\bruff\s+check\b|astral-sh/ruff-action|\bruff\s+(?:--\S+\s+)*\.(?:\s|$)")
_RUNS_GOLANGCI = re2.compile(r"golangci-lint\s+run|golangci/golangci-lint-action")
# The whole flake8-bandit group: one picked rule (ruff selects only "S602") is not a SAST gate.
_RUFF_SECURITY = re2.compile(r"^(?:S|ALL)$")


def _ci_scripts(ctx: CheckContext, workflows: list[Workflow]) -> list[str]:
    """Every script and action reference CI runs, as text (workflow steps, other CI files)."""
    texts = [s.run or s.uses for s in all_steps(workflows)]
    for path in (".gitlab-ci.yml", *_OTHER_CI):
        if ctx.snapshot.exists(path):
            texts.append(ctx.snapshot.read_text(path) or "")
    return texts


def _precommit_config(ctx: CheckContext) -> tuple[str | None, Any, dict]:
    """(path, data, positions) of .pre-commit-config.yaml, or (None, None, {})."""
    path = ctx.snapshot.first([".pre-commit-config.yaml", ".pre-commit-config.yml"])
    if path is None:
        return None, None, {}
    try:
        data, positions = yamlio.load_with_positions(ctx.snapshot.read_text(path) or "", source=path)
    except yamlio.YamlSyntaxError:
        return path, None, {}
    return path, data, positions


def _precommit_in_ci(ctx: CheckContext, workflows: list[Workflow], data: Any) -> bool:
    """pre-commit hooks run in CI: a CI step runs pre-commit, or pre-commit.ci is configured
    (a top-level `ci:` block)."""
    return (isinstance(data, dict) and "ci" in data) or _ci_runs_precommit(ctx, workflows)


def _precommit_hook_ids(data: Any) -> set[str]:
    repos = data.get("repos") if isinstance(data, dict) else None
    return {str(h.get("id")) for r in (repos if isinstance(repos, list) else []) if isinstance(r, dict)
            for h in (r.get("hooks") or []) if isinstance(h, dict)}


def _ci_runs(ctx: CheckContext, workflows: list[Workflow], pattern: Any, hook_ids: tuple[str, ...]) -> bool:
    if any(pattern.search(text) for text in _ci_scripts(ctx, workflows)):
        return True
    _, data, _ = _precommit_config(ctx)
    return bool(_precommit_hook_ids(data) & set(hook_ids)) and _precommit_in_ci(ctx, workflows, data)


def _load_toml(text: str, path: str) -> Any:
    try:
        return dataio.load_toml(text, source=path)
    except ImportError:  # Python 3.10: no TOML reader in the standard library
        return None
    except ValueError:
        return None


def _ruff_security_rules(ctx: CheckContext) -> str | None:
    """The Ruff configuration file that selects the flake8-bandit (S) rules, if any."""
    for path in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        if not ctx.snapshot.exists(path):
            continue
        data = _load_toml(ctx.snapshot.read_text(path) or "", path)
        if not isinstance(data, dict):
            continue
        ruff = data.get("tool", {}).get("ruff") if path == "pyproject.toml" else data
        if not isinstance(ruff, dict):
            continue
        lint: dict = ruff["lint"] if isinstance(ruff.get("lint"), dict) else {}
        codes = [code for key in ("select", "extend-select")
                 for code in list_or_empty(lint.get(key) or ruff.get(key))]
        if any(isinstance(c, str) and _RUFF_SECURITY.match(c) for c in codes):
            return path
        return None  # Ruff reads the first configuration it finds
    return None


def _golangci_gosec(ctx: CheckContext) -> str | None:
    """The golangci-lint configuration file that enables gosec, if any."""
    for path in (".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"):
        if not ctx.snapshot.exists(path):
            continue
        text = ctx.snapshot.read_text(path) or ""
        try:
            data = _load_toml(text, path) if path.endswith(".toml") else yamlio.load(text, source=path)
        except yamlio.YamlSyntaxError:
            return None
        linters = data.get("linters") if isinstance(data, dict) else None
        if not isinstance(linters, dict):
            return None
        enabled = [str(x) for x in linters.get("enable") or []]
        disabled = [str(x) for x in linters.get("disable") or []]
        everything = linters.get("enable-all") is True or linters.get("default") == "all"
        return path if ("gosec" in enabled or everything) and "gosec" not in disabled else None
    return None


def _linter_sast(ctx: CheckContext, workflows: list[Workflow]) -> list[SastFinding]:
    found = []
    ruff = _ruff_security_rules(ctx)
    if ruff is not None:
        in_ci = _ci_runs(ctx, workflows, _RUNS_RUFF, ("ruff", "ruff-check"))
        found.append(SastFinding("Bandit rules (Ruff S)", Location(ruff), in_ci))
    golangci = _golangci_gosec(ctx)
    if golangci is not None:
        in_ci = _ci_runs(ctx, workflows, _RUNS_GOLANGCI, ("golangci-lint", "golangci-lint-full"))
        found.append(SastFinding("gosec (golangci-lint)", Location(golangci), in_ci))
    return found


def _codeql_config(snapshot: RepoSnapshot) -> str | None:
    for path in snapshot.under(".github/codeql"):
        if path.endswith((".yml", ".yaml")):
            return path
    return None


def security_sast(ctx: CheckContext, params: dict) -> Outcome:
    parsed, broken = _workflows(ctx)
    uncalled = uncalled_reusable_workflows(parsed, own_repository(ctx.snapshot))
    parsed = [w for w in parsed if w.path not in uncalled]
    findings: list[SastFinding] = []
    for step in all_steps(parsed):
        findings += _step_sast(step, own_repository(ctx.snapshot))
    findings += _gitlab_sast(ctx.snapshot)
    findings += _other_ci_sast(ctx.snapshot)
    findings += _followed_sast(ctx)
    findings += _precommit_sast(ctx, parsed)
    findings += _linter_sast(ctx, parsed)
    if ctx.snapshot.exists(".sonarcloud.properties"):
        # SonarCloud's automatic analysis: SonarCloud itself analyses every pull request.
        findings.append(SastFinding("SonarCloud automatic analysis", Location(".sonarcloud.properties")))
    in_ci = [f for f in findings if f.in_ci]
    if in_ci:
        tools = sorted({f.tool for f in in_ci})
        return Outcome.passed(f"Static analysis runs in CI: {', '.join(tools)}{_broken_note(broken)}.",
                              sorted({f.location for f in in_ci}))
    local = [f for f in findings if not f.in_ci]
    if local:
        tools = sorted({f.tool for f in local})
        return Outcome.failed(
            f"{', '.join(tools)} are configured but no CI job runs them (they run only on developers' "
            f"machines); run them in CI, e.g. `pre-commit run --all-files`{_broken_note(broken)}.",
            [f.location for f in local], score=params["partial_score"])
    config = _codeql_config(ctx.snapshot)
    if config is not None:
        return Outcome.failed(
            f"{config} configures CodeQL, but no workflow here runs github/codeql-action/analyze "
            f"(it may run from an organisation-level workflow that cannot be seen here){_broken_note(broken)}.",
            [Location(config)], score=params["partial_score"])
    if ctx.snapshot.exists("sonar-project.properties"):
        return Outcome.failed(
            "sonar-project.properties configures a SonarQube/SonarCloud project, but no CI job here runs "
            f"the scanner{_broken_note(broken)}.",
            [Location("sonar-project.properties")], score=params["partial_score"])
    return Outcome.failed(
        "No static analysis for security (CodeQL, Semgrep, SonarQube, Bandit, gosec, GitLab SAST...) "
        "runs in CI; CodeQL's default setup lives in repository settings and cannot be seen from "
        f"files{_broken_note(broken)}.")


# ================================================================================================
# secrets.committed
# ================================================================================================

def secrets_committed(ctx: CheckContext, params: dict) -> Outcome:
    from standards_check import secretscan

    result = secretscan.scan(
        ctx.snapshot, max_files=params["max_files"], max_file_bytes=params["max_file_bytes"],
        ignore_test_fixtures=params["ignore_test_fixtures"], extra_skip_dirs=params["skip_dirs"],
    )
    notes = []
    if result.files_not_scanned:
        notes.append(f"{result.files_not_scanned} files beyond max_files={params['max_files']} were not scanned")
    ignored = result.ignored_fake + result.ignored_in_tests
    if ignored:
        notes.append(f"{plural(ignored, 'placeholder or test-fixture match', 'placeholder or test-fixture matches')} ignored")
    note = f" ({'; '.join(notes)})" if notes else ""
    if not result.findings:
        return Outcome.passed(
            f"No private keys or known token formats in {plural(result.files_scanned, 'file')} scanned{note}.")
    kinds: dict[str, int] = {}
    for finding in result.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    summary = ", ".join(f"{plural(n, k)}" for k, n in sorted(kinds.items()))
    locations = [Location(f.path, f.line) for f in result.findings]
    first = "; ".join(f"{f.kind} at {f.path}:{f.line}" for f in result.findings[:3])
    return Outcome.failed(
        f"Likely secrets are committed ({summary}): {first}{' and more' if len(locations) > 3 else ''}; "
        f"revoke them, then remove them from the code and its history{note}.",
        locations)


EVALUATORS = {
    "security.policy": security_policy,
    "deps.update_tool": deps_update_tool,
    "security.sast": security_sast,
    "workflows.permissions": workflows_permissions,
    "workflows.pinned_actions": workflows_pinned_actions,
    "workflows.dangerous_triggers": workflows_dangerous_triggers,
    "secrets.committed": secrets_committed,
}
