"""Run one `run:` step of action.yml as the runner would: bash, the step's env with its `${{ }}`
expressions replaced by the values given, GITHUB_ACTION_PATH, RUNNER_TEMP and GITHUB_OUTPUT set.
Used by tests/test_action_install.py and benchmarks/bench_action_install.py."""
from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class StepRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    seconds: float


def step(step_id: str, action: Path = ROOT / "action.yml") -> dict:
    steps = yaml.safe_load(action.read_text())["runs"]["steps"]
    return next(s for s in steps if s.get("id") == step_id)


def run_step(step_id: str, runner_temp: Path, expressions: dict[str, str], action_path: Path = ROOT,
             extra_env: dict[str, str] | None = None) -> StepRun:
    spec = step(step_id, action_path / "action.yml")
    env = {**os.environ, **(extra_env or {})}
    for name, value in spec.get("env", {}).items():
        match = re.fullmatch(r"\$\{\{\s*(.+?)\s*\}\}", str(value))
        env[name] = expressions[match.group(1)] if match else str(value)
    output = runner_temp / f"output-{step_id}-{time.monotonic_ns()}"
    output.touch()
    env.update(GITHUB_ACTION_PATH=str(action_path), RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(output))
    started = time.monotonic()
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", spec["run"]], env=env, cwd=runner_temp,
                          capture_output=True, text=True)
    seconds = time.monotonic() - started
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return StepRun(proc.returncode, proc.stdout, proc.stderr, outputs, seconds)
