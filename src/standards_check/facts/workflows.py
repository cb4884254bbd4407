"""GitHub Actions workflows (`.github/workflows/*.yml|yaml`), parsed once with positions.

Shared by delivery and security checks. A workflow that does not parse is kept with its error, so a
check can report it instead of silently passing over it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from standards_check import yamlio
from standards_check.snapshot import RepoSnapshot

WORKFLOW_DIR = ".github/workflows/"


@dataclass
class Workflow:
    path: str
    text: str
    data: dict[Any, Any] = field(default_factory=dict)  # keys are str, but a bare `on` reads as True
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    error: str | None = None
    error_line: int | None = None

    @property
    def triggers(self) -> dict[str, Any]:
        """`on:` normalised to {event: config-or-None}. PyYAML reads a bare `on` key as True."""
        on = self.data.get("on", self.data.get(True))
        if isinstance(on, str):
            return {on: None}
        if isinstance(on, list):
            return {str(event): None for event in on}
        if isinstance(on, dict):
            return {str(event): config for event, config in on.items()}
        return {}

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        jobs = self.data.get("jobs")
        if not isinstance(jobs, dict):
            return {}
        return {str(name): job for name, job in jobs.items() if isinstance(job, dict)}

    def line(self, *path: Any) -> int | None:
        """The line where the value at `path` (keys and indexes) is written, or its nearest parent."""
        line, _ = yamlio.position_of(self.positions, path)
        return line


def parse_workflows(snapshot: RepoSnapshot) -> list[Workflow]:
    workflows = []
    for path in snapshot.under(".github/workflows"):
        rest = path[len(WORKFLOW_DIR):]
        if "/" in rest or not rest.endswith((".yml", ".yaml")):
            continue  # GitHub reads only files directly in the directory
        text = snapshot.read_text(path)
        if text is None:
            continue
        try:
            data, positions = yamlio.load_with_positions(text, source=path)
        except yamlio.YamlSyntaxError as exc:
            workflows.append(Workflow(path, text, error=exc.message, error_line=exc.line))
            continue
        if not isinstance(data, dict):
            workflows.append(Workflow(path, text, error="not a mapping of workflow keys", error_line=1))
            continue
        workflows.append(Workflow(path, text, data, positions))
    return workflows


def own_repository(snapshot: RepoSnapshot) -> str | None:
    """`owner/name` of the scanned repository (lower case) when its origin says so, else None."""
    name = getattr(snapshot, "name", "") or ""
    return name.lower() if name.count("/") == 1 else None


def first_party_path(uses: str, own: str | None) -> str | None:
    """The repository path an action or reusable workflow reference names inside the scanned
    repository: `./dir` (a local action), or `OWNER/REPO/path@ref` when OWNER/REPO is this
    repository (the same code, perhaps at another ref). None for anything else."""
    target = uses.strip().partition("@")[0]
    if target.startswith("./"):
        return target[2:].strip("/")
    if own is None:
        return None
    parts = target.split("/")
    if len(parts) >= 2 and f"{parts[0]}/{parts[1]}".lower() == own:
        return "/".join(parts[2:])
    return None
