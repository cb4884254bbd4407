"""Benchmark: scanning a 100,000-file git repository, and CLI start-up.

    python benchmarks/bench_scan.py [--files 100000] [--runs 7] [--policy NAME|FILE ...]

Builds (once, cached under .cache/bench/) a git repository of realistic shape, then times whole
processes and reports medians, peak memory (max RSS of each child, from wait4) and ratios against
baselines measured in the same run, because the machine is shared and noisy:
- `git ls-files -z` (the listing every worktree scan starts with) and `git ls-tree -r HEAD`;
- `python -c pass` (interpreter start-up) for `standards-check --help`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = [sys.executable, "-m", "standards_check"]


def build_repo(path: Path, files: int) -> None:
    """A monorepo-like tree: services with code, tests, docs, configs; practice files at the root."""
    if (path / ".git").is_dir() and (path / ".bench-files").read_text() == str(files):
        return
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    practice = {
        "README.md": "# monorepo\n" + "Explains the build, the tests and who to ask.\n" * 5,
        "LICENSE": "Apache-2.0\n", "CONTRIBUTING.md": "How to contribute.\n", "SECURITY.md": "security@example.com\n",
        ".github/CODEOWNERS": "* @acme/platform\n" + "".join(f"/services/svc{i}/ @acme/team{i % 40}\n" for i in range(200)),
        ".github/pull_request_template.md": "## What\n## Tests\n",
        ".github/workflows/ci.yml": "on: [pull_request]\npermissions: {contents: read}\njobs:\n  test:\n"
                                    "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                                    "      - run: make test\n",
        ".github/dependabot.yml": "version: 2\nupdates:\n  - {package-ecosystem: pip, directory: /, schedule: {interval: weekly}}\n",
        "docs/adr/0001-record-architecture-decisions.md": "# 1. Record architecture decisions\n\nDate: 2026-01-01\n\n"
        "## Status\n\nAccepted\n\n## Context\n\nx\n\n## Decision\n\ny\n\n## Consequences\n\nz\n",
        "docs/runbooks/payments.md": "# Overview\n# Alerts\n# Diagnosis\n# Mitigation\n# Escalation\n",
        "slo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec:\n  service: api\n"
                    "  budgetingMethod: Occurrences\n  objectives: [{target: 0.99}]\n"
                    "  timeWindow: [{duration: 28d, isRolling: true}]\n",
    }
    written = 0
    for rel, text in practice.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
        written += 1
    service = 0
    while written < files:
        base = path / "services" / f"svc{service}"
        for sub in ("src", "tests", "docs", "config"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for i in range(min(100, files - written)):
            sub, ext = (("src", ".py"), ("tests", ".py"), ("docs", ".md"), ("config", ".yaml"))[i % 4]
            (base / sub / f"f{i}{ext}").write_text(f"# {service}/{i}\nvalue = {i}\n")
            written += 1
        service += 1
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-q", "-m", "bench"], check=True, env=env)
    (path / ".bench-files").write_text(str(files))
    (path / ".git" / "info" / "exclude").write_text(".bench-files\n")


# An installed package has compiled bytecode (pip writes it); let the warm-up run write it here too,
# even where the environment sets PYTHONDONTWRITEBYTECODE, so every timed run imports like a user's.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss // 1024


def measure(name: str, cmd: list[str], runs: int, cwd: Path | None = None) -> dict:
    run(cmd, cwd)  # warm the page cache and .pyc files
    samples = [run(cmd, cwd) for _ in range(runs)]
    times = [t for t, _ in samples]
    return {"name": name, "median": statistics.median(times), "min": min(times),
            "rss": max(r for _, r in samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--policy", action="append",
                        help="policy to scan with (repeatable; default: the core checks and production-service)")
    parser.add_argument("--repo", type=Path, default=ROOT / ".cache" / "bench" / "repo")
    args = parser.parse_args()

    build_repo(args.repo, args.files)
    repo = str(args.repo)
    policies = args.policy or [str(Path(__file__).with_name("core-checks.yaml")), "production-service"]
    rows = [
        measure("python -c pass", [sys.executable, "-c", "pass"], args.runs),
        measure("standards-check --help", [*EXE, "--help"], args.runs),
        measure("git ls-files -z", ["git", "-C", repo, "ls-files", "-z"], args.runs),
        measure("git ls-tree -r HEAD", ["git", "-C", repo, "ls-tree", "-r", "-z", "HEAD"], args.runs),
    ]
    ratio_to = {"standards-check --help": "python -c pass"}
    for policy in policies:
        label = Path(policy).stem if policy.endswith(".yaml") else policy
        worktree, at_ref = f"scan worktree, {label}", f"scan --ref HEAD, {label}"
        rows.append(measure(worktree, [*EXE, "scan", repo, "--policy", policy, "--format", "json"], args.runs))
        rows.append(measure(at_ref, [*EXE, "scan", repo, "--ref", "HEAD", "--policy", policy, "--format", "json"],
                            args.runs))
        ratio_to[worktree], ratio_to[at_ref] = "git ls-files -z", "git ls-tree -r HEAD"
    base = {row["name"]: row["median"] for row in rows}
    print(f"{args.files} tracked files, {args.runs} runs each, medians (whole processes)")
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'peak MiB':>9}  ratio")
    for row in rows:
        ref = ratio_to.get(row["name"])
        ratio = f"{row['median'] / base[ref]:.1f}x {ref}" if ref else ""
        print(f"{row['name']:<40} {row['median']:>9.3f} {row['min']:>7.3f} {row['rss']:>9}  {ratio}")
    print(f"\nreproduce: python benchmarks/bench_scan.py --files {args.files} --runs {args.runs}"
          + "".join(f" --policy {p}" for p in args.policy or []))


if __name__ == "__main__":
    main()
