"""Drone (`.drone.yml`): pipelines as YAML documents, steps with their commands and event filters.
Woodpecker CI reads the same format (see woodpecker.py)."""
from __future__ import annotations

from typing import Any

from standards_check import yamlio
from standards_check.facts.ci.model import DRONE, CiFile, CiJob, CiPipelines, CiStep, as_list, script_text
from standards_check.snapshot import RepoSnapshot


def _events_admit_pr(condition: Any) -> bool:
    """A `trigger:`/`when:` event filter: with no `event`, every event (pull requests too) runs."""
    for clause in as_list(condition) or [{}]:
        if not isinstance(clause, dict):
            return True
        event = clause.get("event")
        if event is None:
            return True
        if isinstance(event, dict):
            include, exclude = as_list(event.get("include")), as_list(event.get("exclude"))
            if (not include or "pull_request" in map(str, include)) and "pull_request" not in map(str, exclude):
                return True
        elif "pull_request" in map(str, as_list(event)):
            return True
    return False


def read(snapshot: RepoSnapshot, model: CiPipelines) -> None:
    read_files(snapshot, model, DRONE, [p for p in (".drone.yml", ".drone.yaml") if snapshot.exists(p)])


def read_files(snapshot: RepoSnapshot, model: CiPipelines, system: str, paths: list[str]) -> None:
    """Drone and Woodpecker pipeline files (the same format; Drone filters by `trigger:`,
    Woodpecker by `when:`)."""
    for path in paths:
        text = snapshot.read_text(path)
        if text is None:
            continue
        try:  # Drone keeps several pipelines in one file, as YAML documents
            documents = [d for d in yamlio.load_all(text, source=path) if d is not None]
        except yamlio.YamlSyntaxError as exc:
            model.files.append(CiFile(system, path, exc.message, exc.line))
            continue
        if not documents or not all(isinstance(d, dict) for d in documents):
            model.files.append(CiFile(system, path, "not a mapping of pipeline keys", 1))
            continue
        model.files.append(CiFile(system, path))
        for number, document in enumerate(documents):
            if document.get("kind", "pipeline") != "pipeline":
                continue  # Drone secrets and signatures
            admits = _events_admit_pr(document.get("trigger") if system == DRONE else document.get("when"))
            name = str(document.get("name") or (path if len(documents) == 1 else f"{path}#{number + 1}"))
            job = CiJob(system, name, path, 1, admits,
                        "runs for pull requests" if admits else "its event filter leaves out pull requests")
            steps = document.get("steps", document.get("pipeline"))
            items = list(steps.items()) if isinstance(steps, dict) else [(None, s) for s in as_list(steps)]
            for step_name, step in items:
                if not isinstance(step, dict):
                    continue
                commands = step.get("commands", step.get("command"))
                if commands is None:
                    continue
                marker = f"name: {step.get('name', step_name)}"
                line = next((i for i, l in enumerate(text.splitlines(), 1) if marker in l or
                             (step_name and l.strip() == f"{step_name}:")), None)
                job.steps.append(CiStep(script_text(commands), path, line,
                                        excludes_pr=not _events_admit_pr(step.get("when"))))
            model.jobs.append(job)
