"""The CI model shared by every system's reader: files, jobs and steps, the YAML loader
(with GitLab's `!reference`) and the small helpers the readers share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from standards_check import yamlio
from standards_check.snapshot import RepoSnapshot
from standards_check.values import as_list  # noqa: F401 - the CI readers import it from here

GITHUB, GITLAB, CIRCLECI, AZURE, JENKINS, TRAVIS, BITBUCKET, BUILDKITE = (
    "github", "gitlab", "circleci", "azure", "jenkins", "travis", "bitbucket", "buildkite")
DRONE, WOODPECKER = "drone", "woodpecker"
SYSTEM_NAMES = {GITHUB: "GitHub Actions", GITLAB: "GitLab CI", CIRCLECI: "CircleCI",
                AZURE: "Azure Pipelines", JENKINS: "Jenkins", TRAVIS: "Travis CI",
                BITBUCKET: "Bitbucket Pipelines", BUILDKITE: "Buildkite", DRONE: "Drone",
                WOODPECKER: "Woodpecker CI"}
MAX_DEPTH = 4


@dataclass(frozen=True)
class CiStep:
    script: str                 # shell text (or a synthesised command, e.g. an Azure Maven task)
    path: str
    line: int | None
    excludes_pr: bool = False   # a step-level condition keeps it from running on PRs
    advisory: bool = False      # its failure does not fail the run (continue-on-error, allow_failure)
    inputs: tuple[tuple[str, str], ...] = ()  # an action's `with:` inputs, as text


@dataclass
class CiJob:
    system: str
    name: str
    path: str
    line: int | None
    on_pr: bool
    pr_note: str = ""           # e.g. "pull_request (paths: src/**)" or why it does not run on PRs
    steps: list[CiStep] = field(default_factory=list)
    actions: list[CiStep] = field(default_factory=list)  # `uses:`/orb/task references, as text


@dataclass(frozen=True)
class CiFile:
    system: str
    path: str
    error: str | None = None
    error_line: int | None = None


@dataclass
class CiPipelines:
    files: list[CiFile] = field(default_factory=list)
    jobs: list[CiJob] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # parse memo

    def load(self, snapshot: RepoSnapshot, path: str, system: str) -> tuple[Any, dict, CiFile] | None:
        """A CI file parsed once per model (templates and actions are used by many jobs)."""
        if path not in self._loaded:
            self._loaded[path] = load_file(snapshot, path, system)
        return self._loaded[path]

    @property
    def valid_files(self) -> list[CiFile]:
        return [f for f in self.files if f.error is None]

    @property
    def broken_files(self) -> list[CiFile]:
        return [f for f in self.files if f.error is not None]

    def pr_jobs(self) -> list[CiJob]:
        return [job for job in self.jobs if job.on_pr]


class _CiLoader(yamlio.StringDateLoader):  # type: ignore[misc, valid-type]
    """The safe loader plus GitLab's `!reference [job, key]` (kept as a marker list)."""


class GitlabReference(list):
    pass


def _reference(loader: Any, node: yaml.Node) -> GitlabReference:
    return GitlabReference(loader.construct_sequence(node, deep=True))


_CiLoader.add_constructor("!reference", _reference)


def load_file(snapshot: RepoSnapshot, path: str, system: str) -> tuple[Any, dict, CiFile] | None:
    text = snapshot.read_text(path)
    if text is None:
        return None
    try:
        data, positions = yamlio.load_with_positions(text, loader=_CiLoader, source=path)
    except yamlio.YamlSyntaxError as exc:
        return None, {}, CiFile(system, path, exc.message, exc.line)
    if data is None:
        return None, {}, CiFile(system, path, "empty file", 1)
    if not isinstance(data, (dict, list)):
        return None, {}, CiFile(system, path, "not a mapping of pipeline keys", 1)
    return data, positions, CiFile(system, path)


def load_mapping(snapshot: RepoSnapshot, path: str, system: str, model: CiPipelines) -> tuple[dict, dict] | None:
    """Load a CI file and record it in the model (with its error, if any); (data, positions) when
    it is a mapping of pipeline keys."""
    loaded = load_file(snapshot, path, system)
    if loaded is None:
        return None
    data, positions, ci_file = loaded
    model.files.append(ci_file)
    return (data, positions) if isinstance(data, dict) else None


def line_of(positions: dict, *path: Any) -> int | None:
    return yamlio.position_of(positions, path)[0] if positions else None


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def script_text(value: Any) -> str:
    """A script given as a string or a (nested) list of strings."""
    if isinstance(value, GitlabReference):
        return ""
    if isinstance(value, list):
        return "\n".join(script_text(v) for v in value)
    return str(value) if value is not None else ""


_VENDORED = {"vendor", "node_modules", "third_party", "third-party", "thirdparty", "3rdparty",
             "external", "externals", "bower_components", ".yarn", "testdata", "fixtures"}


def is_vendored(path: str) -> bool:
    """Copies of other projects (vendored dependencies, test fixtures) are not this repository's CI."""
    return any(part in _VENDORED for part in path.split("/")[:-1])
