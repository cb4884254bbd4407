"""Benchmark secrets.committed on a synthetic 100,000-file git repository.

    .venv/bin/python benchmarks/bench_secrets.py [--files 100000] [--runs 5] [--dir /tmp/bench-secrets]

Builds (once, then reuses) a repository shaped like a large monorepo: source files of 0.2-4 KB in
nested packages, vendored `node_modules/`, lock files, binaries, and a handful of planted secrets.
Then times, in the same run and on the same warm page cache:
- ours: `secrets.committed` through the evaluator (listing, selecting, reading, RE2 search);
- baseline: `git grep -P -I -n` over every tracked file with the same combined pattern (C, threaded).
Prints medians, the ratio, and peak memory of our scan.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from standards_check.context import CheckContext
from standards_check.evaluators.security import secrets_committed
from standards_check.secretscan import SECRET_PATTERNS
from standards_check.snapshot import open_snapshot

WORDS = ("def", "return", "value", "import", "class", "self", "config", "request", "handler",
         "result", "for", "in", "if", "else", "name", "items", "append", "logger", "error", "data")
# Planted secrets, assembled at run time so this file holds no secret-shaped literal.
PLANTED = {
    "services/billing/settings.py": "AWS_KEY = '" + "AKIA" + "Q3EGRTW9ZL5MX7PB" + "'\n",
    "tools/deploy/ci.env": "GH_TOKEN=" + "ghp" + "_" + "x9Rk2LmQ7vB4nT8pW1sZ6cY3dF5gH0jK2aE4" + "\n",
    "ops/keys/id_rsa": "-----BEGIN " + "RSA PRIVATE KEY-----\n"
                       + "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n"
                       + "-----END RSA PRIVATE KEY-----\n",
}


def _source(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(5, 100)):
        indent = "    " * rng.randint(0, 3)
        lines.append(indent + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8))))
    return "\n".join(lines) + "\n"


def build(root: Path, files: int) -> None:
    marker = root / ".bench-complete"
    if marker.exists():
        return
    rng = random.Random(42)
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for i in range(files - len(PLANTED)):
        kind = i % 50
        if kind == 0:
            rel = f"node_modules/pkg{i % 700}/lib/index{i}.js"
        elif kind == 1:
            rel = f"assets/img{i}.png"
        elif kind == 2:
            rel = f"packages/p{i % 300}/package-lock.json" if i % 100 == 2 else f"web/bundle{i}.min.js"
        else:
            rel = f"src/pkg{i % 997}/mod{i % 37}/file{i}.py"
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".png"):
            target.write_bytes(b"\x89PNG\r\n\x1a\n\0" + rng.randbytes(512))
        else:
            target.write_text(_source(rng))
    for rel, text in PLANTED.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@b"}
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "bench"], check=True, env=env)
    marker.write_text("ok\n")


CATALOG = Path(__file__).resolve().parents[1] / "checks" / "secrets.committed.yaml"
PARAMS = {name: spec["default"] for name, spec in yaml.safe_load(CATALOG.read_text())["params"].items()}


def time_ours(root: Path, ref: str | None) -> tuple[float, str]:
    start = time.perf_counter()
    with open_snapshot(root, ref=ref) as snapshot:
        outcome = secrets_committed(CheckContext(snapshot), PARAMS)
    return time.perf_counter() - start, outcome.message


def time_git_grep(root: Path) -> float:
    pattern = "|".join(f"(?:{p})" for _, _, p in SECRET_PATTERNS)
    start = time.perf_counter()
    proc = subprocess.run(["git", "-C", str(root), "grep", "-P", "-I", "-n", "-c", "-e", pattern],
                          capture_output=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/tmp/bench-secrets-100k")
    args = parser.parse_args()
    root = Path(args.dir)
    build(root, args.files)
    time_ours(root, None)  # warm the page cache
    ours = [time_ours(root, None) for _ in range(args.runs)]
    at_ref = [time_ours(root, "HEAD") for _ in range(args.runs)]
    grep = [time_git_grep(root) for _ in range(args.runs)]
    med_ours = statistics.median(t for t, _ in ours)
    med_ref = statistics.median(t for t, _ in at_ref)
    med_grep = statistics.median(grep)
    print(f"repository: {args.files} files at {root}")
    print(f"result: {ours[0][1]}")
    print(f"secrets.committed, work tree: median {med_ours:.3f} s over {args.runs} runs")
    print(f"secrets.committed, --ref HEAD: median {med_ref:.3f} s over {args.runs} runs")
    print(f"baseline git grep -P -I (threaded C, all files): median {med_grep:.3f} s")
    print(f"ratio ours/baseline: work tree {med_ours / med_grep:.2f}x, ref {med_ref / med_grep:.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
