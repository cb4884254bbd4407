#!/usr/bin/env python3
"""Benchmark `policy diff` against sweeps on the synthetic organisation of bench_sweep.py (not a
timed test). Times, as whole processes on the same bare clones (`--dir`):

1. `sweep --dir ... --policy OLD`, 2. `sweep --dir ... --policy NEW` (what previewing by two
sweeps would cost), 3. `policy diff OLD NEW --dir ...`, 4. `policy diff OLD NEW --store` (the
first sweep's store). Prints seconds and the check evaluations `policy diff` reports.

    python benchmarks/bench_policy_diff.py --repos 1000 --jobs 2
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import build_org  # noqa: E402


def timed(*args: str) -> tuple[float, str]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "standards_check", *args], capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--old", default="baseline")
    parser.add_argument("--new", default="production-service")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "standards-check-bench"))
    args = parser.parse_args()
    root = Path(args.workdir) / f"org-{args.repos}"
    build_org(root, args.repos)
    clones = str(root / "acme")
    out = Path(tempfile.mkdtemp())
    jobs = ["--jobs", str(args.jobs)]
    rows = []
    for label, policy in (("sweep OLD", args.old), ("sweep NEW", args.new)):
        store = out / f"{label.split()[1].lower()}.db"
        seconds, _ = timed("sweep", "--dir", clones, "--store", str(store), "--policy", policy, "--no-progress", *jobs)
        rows.append((label, seconds, None))
    seconds, text = timed("policy", "diff", args.old, args.new, "--dir", clones, "--format", "json", *jobs)
    rows.append(("policy diff --dir", seconds, json.loads(text)["evaluations"]))
    seconds, text = timed("policy", "diff", args.old, args.new, "--store", str(out / "old.db"), "--format", "json", *jobs)
    rows.append(("policy diff --store", seconds, json.loads(text)["evaluations"]))
    print(f"{args.repos} repositories, --jobs {args.jobs}, {args.old} -> {args.new}")
    for label, seconds, evaluations in rows:
        extra = f"  checks run {evaluations['checks_run']} of {evaluations['checks_if_scanned_separately']}" if evaluations else ""
        print(f"  {label:<20} {seconds:7.1f} s{extra}")


if __name__ == "__main__":
    main()
