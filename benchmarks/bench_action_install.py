#!/usr/bin/env python3
"""The Action's own overhead: its install step before and after the venv cache (not a timed test).

Runs the install step of action.yml as the runner runs it (tests/action_steps.py), with this
checkout as the action's path, and prints the median of --runs runs of:

- before: the step as it was up to 0.1.0 (BEFORE below: a new venv and `pip install` of the action
  on every run), with pip's download cache warm, as that step's own pip cache left it;
- after, cache hit: what actions/cache does on a hit, untar the zstd archive of the venv (its
  download time is not counted; the archive size is printed), then the step, which finds the venv;
- after, cache miss: the step with nothing restored (a new venv, `pip install --no-cache-dir`).

    python benchmarks/bench_action_install.py --runs 5
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.action_steps import run_step  # noqa: E402

# The install step of action.yml up to 0.1.0, verbatim.
BEFORE = r'''
"$PYTHON" -m venv "$RUNNER_TEMP/standards-check-venv"
bin="$RUNNER_TEMP/standards-check-venv/bin"
[ -d "$bin" ] || bin="$RUNNER_TEMP/standards-check-venv/Scripts"  # Windows
"$bin/python" -m pip install --quiet "$GITHUB_ACTION_PATH"
echo "bin=$bin" >> "$GITHUB_OUTPUT"
'''


def before(temp: Path, pip_cache: Path) -> float:
    shutil.rmtree(temp / "standards-check-venv", ignore_errors=True)
    env = {**os.environ, "PYTHON": sys.executable, "PIP_CACHE_DIR": str(pip_cache),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "RUNNER_TEMP": str(temp), "GITHUB_ACTION_PATH": str(ROOT),
           "GITHUB_OUTPUT": os.devnull}
    started = time.monotonic()
    subprocess.run(["bash", "-eo", "pipefail", "-c", BEFORE], env=env, check=True)
    return time.monotonic() - started


def after(temp: Path, hit: bool) -> float:
    run = run_step("install", temp, {"steps.python.outputs.python-path": sys.executable,
                                     "steps.venv-cache.outputs.cache-hit": "true" if hit else ""})
    if run.returncode != 0 or ("restored from the cache" in run.stdout) != hit:
        raise SystemExit(f"install step: {run.returncode} {run.stdout} {run.stderr[-2000:]}")
    return run.seconds


def restore(temp: Path, archive: Path) -> float:
    shutil.rmtree(temp / "standards-check-venv", ignore_errors=True)
    started = time.monotonic()
    subprocess.run(["tar", "--use-compress-program", "zstd -d", "-xf", str(archive), "-C", str(temp)], check=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("zstd"):
        raise SystemExit("zstd is needed to simulate actions/cache's archive")
    with tempfile.TemporaryDirectory() as tmp:
        temp, pip_cache = Path(tmp) / "runner-temp", Path(tmp) / "pip-cache"
        temp.mkdir()
        before(temp, pip_cache)  # warms pip's cache, as the old step's actions/cache did
        old = [before(temp, pip_cache) for _ in range(args.runs)]
        miss = []
        for _ in range(args.runs):
            shutil.rmtree(temp / "standards-check-venv", ignore_errors=True)
            miss.append(after(temp, hit=False))
        archive = Path(tmp) / "venv.tzst"
        subprocess.run(["tar", "--use-compress-program", "zstd -T0", "-cf", str(archive), "-C", str(temp),
                        "standards-check-venv"], check=True)
        untar, hit = [], []
        for _ in range(args.runs):
            untar.append(restore(temp, archive))
            hit.append(after(temp, hit=True))
        med = statistics.median
        print(f"runs: {args.runs}, Python {sys.version.split()[0]}, medians in seconds")
        print(f"before (new venv + pip install, warm pip cache): {med(old):.2f}")
        print(f"after, cache miss (new venv + pip install --no-cache-dir): {med(miss):.2f}")
        print(f"after, cache hit: untar {med(untar):.2f} + step {med(hit):.2f} = "
              f"{med([u + h for u, h in zip(untar, hit)]):.2f} (archive {archive.stat().st_size / 1e6:.1f} MB, "
              "download not counted)")


if __name__ == "__main__":
    main()
