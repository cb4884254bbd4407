"""Benchmark: scanning a 100,000-file git repository (the secret scan cold and warm), CLI start-up,
memory, and how a cold scan grows with the repository.

    python benchmarks/bench_scan.py [--files 100000] [--runs 7] [--policy NAME|FILE ...]
                                    [--scale 10000,30000] [--before SRC]

Builds (once, cached under .cache/bench/) git repositories of realistic shape, then times whole
processes and reports medians, peak memory (max RSS of each child and the git it waited for, from
wait4) and ratios against baselines measured in the same run, because the machine is shared and
noisy:
- `git grep -I -l -P` with the secret scanner's literal prefixes over the same files (work tree and
  HEAD): the floor for a scan that reads every file;
- cold: a scan with an empty scan cache (a fresh STANDARDS_CHECK_CACHE per run; the page cache is
  warm, as it is after a checkout); warm: the same scan again, its cache filled by the previous run;
  `--base HEAD~1`: both sides read from git objects, as the Action compares a pull request;
- `python -c pass` (interpreter start-up) for `standards-check --help` and `checks list`;
- scale: cold scans at --scale sizes and --files, and the slope of time over bytes of text.
--before SRC also times the scans with the package at SRC (an export of an older commit's src/),
for a before/after table from one run.
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
EXE = [sys.executable, "-m", "standards_check"]


BUILD = "2"  # bump when build_repo's output changes


def build_repo(path: Path, files: int) -> None:
    """A monorepo-like tree: services with code, tests, docs, configs; practice files at the root.
    One file in 500 holds a scanner literal in ordinary text ("ask-", "npm_"), so the few files
    git grep lists are read and matched as in a real repository; a second commit edits 1% of the
    files, for --base HEAD~1."""
    marker = path / ".bench-files"
    if (path / ".git").is_dir() and marker.is_file() and marker.read_text() == f"{files}:{BUILD}":
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
            extra = "# ask-me, or see npm_config\n" if written % 500 == 0 else ""
            (base / sub / f"f{i}{ext}").write_text(f"# {service}/{i}\n{extra}value = {i}\n")
            written += 1
        service += 1
    (path / ".git" / "info" / "exclude").write_text(".bench-files\n")
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-q", "-m", "bench"], check=True, env=env)
    for n in range(0, service, max(1, service // 10)):  # ~1% of the files: 10 per service x 10 services
        for i in range(0, 100, 10):
            target = path / "services" / f"svc{n}" / "src" / f"f{i}.py"
            if target.exists():
                target.write_text(target.read_text() + "changed = True\n")
    subprocess.run(["git", "-C", str(path), "commit", "-q", "-am", "change 1%"], check=True, env=env)
    marker.write_text(f"{files}:{BUILD}")


# An installed package has compiled bytecode (pip writes it); let the warm-up run write it here too,
# even where the environment sets PYTHONDONTWRITEBYTECODE, so every timed run imports like a user's.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
LITERALS = ["-----BEGIN", "A[KSBC][IC]A", "gh[pousr]_", "github_pat_", "gl(pat|dt|ptt|rt)-", "xox[baprs]-",
            r"hooks\.slack\.com", "k_live_", "AIza", "npm_", "pypi-", r"SG\.", "shp(at|ca|pa|ss)_", "sk-",
            "do[opr]_v1_", "AccountKey="]
GREP = ["grep", "-I", "-l", "-P", "-e", "|".join(LITERALS)]


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one whole process (with the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**CHILD_ENV, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss // 1024


def measure(name: str, cmd: list[str], runs: int, cwd: Path | None = None, env: dict[str, str] | None = None,
            cold: bool = False) -> dict:
    """Medians of `runs` runs after a warm-up. cold: each run gets an empty scan cache."""
    def once() -> tuple[float, int]:
        if not cold:
            return run(cmd, cwd, env)
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
            return run(cmd, cwd, {**(env or {}), "STANDARDS_CHECK_CACHE": cache})

    once()  # warm the page cache and .pyc files (and, when warm, the scan cache)
    samples = [once() for _ in range(runs)]
    times = [t for t, _ in samples]
    return {"name": name, "median": statistics.median(times), "min": min(times),
            "rss": max(r for _, r in samples)}


def text_bytes(repo: Path) -> int:
    """Bytes of the tracked files (all text here)."""
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, check=True).stdout
    return sum(os.path.getsize(repo / p) for p in out.decode().split("\0") if p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--policy", default="production-service", help="policy to scan with")
    parser.add_argument("--scale", default="10000,30000", help="smaller sizes for the slope ('' for none)")
    parser.add_argument("--before", type=Path, help="also time the scans with the package at this src/ directory")
    parser.add_argument("--repo", type=Path, default=ROOT / ".cache" / "bench" / "repo")
    args = parser.parse_args()

    build_repo(args.repo, args.files)
    repo = str(args.repo)
    env = {"PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as warm_cache:
        versions = [("", env)]
        if args.before:
            versions.append((" [before]", {"PYTHONPATH": str(args.before)}))
        rows = [
            measure("python -c pass", [sys.executable, "-c", "pass"], args.runs),
            measure("standards-check --help", [*EXE, "--help"], args.runs, env=env),
            measure("standards-check checks list", [*EXE, "checks", "list"], args.runs, env=env),
            measure("git grep (work tree)", ["git", "-C", repo, *GREP], args.runs),
            measure("git grep HEAD", ["git", "-C", repo, *GREP, "HEAD"], args.runs),
        ]
        ratio_to = {"standards-check --help": "python -c pass", "standards-check checks list": "python -c pass"}
        targets = {"standards-check --help": 4.0}
        scan = [*EXE, "scan", repo, "--policy", args.policy, "--format", "json"]
        for suffix, version_env in versions:
            warm_env = {**version_env, "STANDARDS_CHECK_CACHE": warm_cache}  # the old code has no cache
            for label, extra, base in (("", [], "git grep (work tree)"), (" --ref HEAD", ["--ref", "HEAD"], "git grep HEAD"),
                                      (" --base HEAD~1", ["--base", "HEAD~1"], "git grep HEAD")):
                cold, warm = f"cold scan{label}{suffix}", f"warm scan{label}{suffix}"
                rows.append(measure(cold, [*scan, *extra], args.runs, env=version_env, cold=True))
                rows.append(measure(warm, [*scan, *extra], args.runs, env=warm_env))
                ratio_to[cold] = ratio_to[warm] = base
                if not suffix and not label:
                    targets[cold], targets[warm] = 1.5, 0.5
    base = {row["name"]: row["median"] for row in rows}
    print(f"{args.files} tracked files, policy {args.policy}, {args.runs} runs each, medians (whole processes)")
    print(f"{'command':<36} {'median s':>9} {'min s':>7} {'peak MiB':>9}  ratio")
    for row in rows:
        ref = ratio_to.get(row["name"])
        ratio = f"{row['median'] / base[ref]:.2f}x {ref}" if ref else ""
        if row["name"] in targets:
            ratio += f" (target {targets[row['name']]}x)"
        print(f"{row['name']:<36} {row['median']:>9.3f} {row['min']:>7.3f} {row['rss']:>9}  {ratio}")

    sizes = sorted({int(n) for n in args.scale.split(",") if n} | {args.files})
    if len(sizes) > 1:
        print("\nscale: cold scans (work tree), medians")
        points = []
        for files in sizes:
            path = args.repo if files == args.files else args.repo.with_name(f"repo-{files}")
            build_repo(path, files)
            row = measure(f"{files}", [*EXE, "scan", str(path), "--policy", args.policy, "--format", "json"],
                          args.runs, env=env, cold=True)
            points.append((text_bytes(path) / 1e6, row["median"], row["rss"]))
            print(f"  {files:>7} files  {points[-1][0]:7.2f} MB of text  {row['median']:7.3f} s  {row['rss']:5} MiB")
        (x0, y0, _), (x1, y1, _) = points[0], points[-1]
        slope = (y1 - y0) / (x1 - x0)
        mean_x = statistics.mean(x for x, _, _ in points)
        mean_y = statistics.mean(y for _, y, _ in points)
        fit = sum((x - mean_x) * (y - mean_y) for x, y, _ in points) / sum((x - mean_x) ** 2 for x, _, _ in points)
        residual = max(abs(y - (mean_y + fit * (x - mean_x))) for x, y, _ in points)
        print(f"  slope {slope:.3f} s/MB (end points), least squares {fit:.3f} s/MB, "
              f"largest residual {residual:.3f} s, intercept {mean_y - fit * mean_x:.3f} s")
    print(f"\nreproduce: python benchmarks/bench_scan.py --files {args.files} --runs {args.runs} --policy {args.policy}"
          f" --scale '{args.scale}'" + (f" --before {args.before}" if args.before else ""))


if __name__ == "__main__":
    main()
