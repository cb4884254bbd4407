#!/usr/bin/env python3
"""Benchmark an org-wide sweep on a synthetic organisation (not a timed test).

Builds N bare git repositories of realistic shape (a few hundred files, some history, tags; some
with CODEOWNERS, CI workflows, runbooks, catalog-info.yaml), serves them over file:// with partial
clone allowed, lists them from a loopback HTTP server pretending to be the GitHub org API, and runs
`standards-check sweep --org` against it twice: cold (partial clones) and warm (fetch into the
cache). Prints repositories per minute, peak memory and API requests per repository.

    python benchmarks/bench_sweep.py --repos 1000 --jobs 2
    python benchmarks/bench_sweep.py --repos 200 --executor thread   # compare threads

The organisation is kept in --workdir between runs (built once per --repos).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
WORDS = ("request handler payment invoice customer account ledger retry timeout cache queue event "
         "schema migration client server config token session metric alert owner deploy").split()


# ---- the synthetic organisation -----------------------------------------------------------
def file_text(rng: random.Random, path: str) -> str:
    if path.endswith(".py"):
        body = []
        for _ in range(rng.randint(3, 12)):
            name = "_".join(rng.sample(WORDS, 2))
            body.append(f"def {name}(value):\n    \"\"\"{' '.join(rng.sample(WORDS, 6))}.\"\"\"\n"
                        f"    return value * {rng.randint(1, 99)}\n")
        return "\n\n".join(body)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 400))) + "\n"


def repo_files(i: int, rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    for m in range(rng.randint(8, 20)):
        for f in range(rng.randint(10, 25)):
            files[f"src/module_{m}/{WORDS[f % len(WORDS)]}_{f}.py"] = ""
    for t in range(rng.randint(10, 40)):
        files[f"tests/test_{t}.py"] = ""
    for d in range(rng.randint(2, 10)):
        files[f"docs/page_{d}.md"] = ""
    files = {p: file_text(rng, p) for p in files}
    files["README.md"] = f"# service-{i}\n\n" + file_text(rng, "README.md") if i % 7 else "# tbd\n"
    files["pyproject.toml"] = f"[project]\nname = \"service-{i}\"\n"
    if i % 3 == 0:
        files[".github/CODEOWNERS"] = f"* @acme/team-{i % 12}\n/docs/ @acme/tech-writers\n"
    if i % 2 == 0:
        files[".github/workflows/ci.yml"] = ("on: [push, pull_request]\npermissions: {contents: read}\n"
                                             "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                                             "      - uses: actions/checkout@v4\n      - run: make test\n")
    if i % 4 == 0:
        files["docs/runbook.md"] = "# Runbook\n## Alerts\n## Dashboards\n## Rollback\n" + file_text(rng, "x.md")
    if i % 5 == 0:
        files["catalog-info.yaml"] = (f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                                      f"  name: service-{i}\nspec:\n  type: service\n"
                                      f"  lifecycle: {'production' if i % 10 == 0 else 'experimental'}\n"
                                      f"  owner: group:team-{i % 12}\n")
    if i % 2 == 1:
        files["LICENSE"] = "Proprietary. Copyright Acme.\n"
    if i % 6 == 0:
        files["CONTRIBUTING.md"] = "# Contributing\n" + file_text(rng, "c.md")
        files[".github/pull_request_template.md"] = "## What\n## Why\n## How tested\n"
    return files


def build_repo(path: Path, i: int) -> None:
    """A bare repository written with one `git fast-import` (fast: no work tree, no per-file git)."""
    rng = random.Random(i)
    files = repo_files(i, rng)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True, env=GIT_ENV)
    (path / "config").open("a").write("[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n")
    when = 1_735_689_600 + i * 3600  # 2025-01-01 onwards
    chunks: list[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n%s\n" % (len(data), data)

    paths = sorted(files)
    commits = rng.randint(8, 30)
    for c in range(commits):
        msg = f"change {c}".encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(b"committer Dev <dev@acme.test> %d +0000\n" % (when + c * 86400 * 3))
        chunks.append(b"data %d\n%s\n" % (len(msg), msg))
        touched = paths if c == 0 else rng.sample(paths, 3)
        for p in touched:
            text = files[p] if c == 0 else files[p] + f"# edit {c}\n"
            chunks.append(b"M 100644 inline " + p.encode() + b"\n" + blob(text))
        if c % 10 == 9:
            chunks.append(b"reset refs/tags/v1.%d.0\nfrom refs/heads/main\n\n" % (c // 10))
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(chunks),
                   check=True, env=GIT_ENV)


def build_org(root: Path, n: int) -> list[dict]:
    marker = root / f"built-{n}.json"
    if marker.is_file():
        return json.loads(marker.read_text())
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.monotonic()
    items = []
    for i in range(n):
        path = root / "acme" / f"service-{i:04d}.git"
        build_repo(path, i)
        items.append({"full_name": f"acme/service-{i:04d}", "clone_url": path.as_uri(),
                      "archived": False, "fork": False, "size": 400,
                      "topics": ["production"] if i % 10 == 0 else [], "default_branch": "main"})
        if i % 100 == 99:
            print(f"  built {i + 1}/{n} repositories ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    marker.write_text(json.dumps(items))
    return items


# ---- a loopback org API ---------------------------------------------------------------------
class OrgAPI:
    def __init__(self, items: list[dict]) -> None:
        self.items, self.requests = items, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.requests += 1
                url = urlparse(self.path)
                q = parse_qs(url.query)
                page, per = int(q.get("page", ["1"])[0]), min(100, int(q.get("per_page", ["30"])[0]))
                chunk = outer.items[(page - 1) * per: page * per]
                body = json.dumps(chunk).encode()
                self.send_response(200 if url.path == "/api/v3/orgs/acme/repos" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if page * per < len(outer.items):
                    self.send_header("Link", f'<http://{self.headers["Host"]}{url.path}?per_page={per}'
                                             f'&page={page + 1}>; rel="next"')
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


# ---- measuring ------------------------------------------------------------------------------
def measure(args: argparse.Namespace) -> None:
    """Run in a fresh process: one sweep, then print its own and its children's peak RSS."""
    started = time.monotonic()
    if args.executor == "process":
        from standards_check.commands.sweep import sweep_command

        summary = sweep_command(org="acme", api_url=args.api, store_path=Path(args.store),
                                cache_dir=Path(args.cache), jobs=args.jobs, timeout=300,
                                progress=False, echo=lambda line: print(line, file=sys.stderr))
        counts = {"ok": summary.ok, "error": summary.error}
    else:  # threads: same work per repository, no store, no timeouts — for comparison only
        from concurrent.futures import ThreadPoolExecutor

        from standards_check.commands.sweep import _prewarm, list_specs
        from standards_check.sweep.policymap import PolicyMap
        from standards_check.sweep.worker import WorkerOptions, scan_repo

        _prewarm(None, PolicyMap())
        _, specs, _ = list_specs(org="acme", urls=None, directory=None, api_url=args.api)
        opts = WorkerOptions(cache_dir=Path(args.cache))
        with ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(lambda s: scan_repo(s, opts), list(specs)))
        counts = {"ok": sum(r["status"] == "ok" for r in rows), "error": sum(r["status"] != "ok" for r in rows)}
        for row in [r for r in rows if r["status"] != "ok"][:3]:
            print(f"  thread error: {row['repo']}: {row['error']}", file=sys.stderr)
    seconds = time.monotonic() - started
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, **counts, "self_mb": self_kb / 1024, "child_mb": child_kb / 1024}))


def run_once(args: argparse.Namespace, api: OrgAPI, label: str, store: Path, cache: Path) -> dict:
    before = api.requests
    cmd = [sys.executable, __file__, "--measure", "--api", api.url + "/api/v3", "--store", str(store),
           "--cache", str(cache), "--jobs", str(args.jobs), "--executor", args.executor]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        if "thread error" in line:
            print(line)
    if proc.returncode != 0:
        sys.exit(f"{label} run failed:\n{proc.stderr[-3000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["api_requests"] = api.requests - before
    n = data["ok"] + data["error"]
    print(f"{label:>5}: {n} repositories in {data['seconds']:.1f} s = {60 * n / data['seconds']:.0f} repos/min;"
          f" {data['ok']} ok, {data['error']} errors; peak RSS sweep process {data['self_mb']:.0f} MB,"
          f" largest worker/git child {data['child_mb']:.0f} MB;"
          f" {data['api_requests']} API requests = {data['api_requests'] / max(1, n):.3f} per repository")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", choices=("process", "thread"), default="process")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "standards-check-bench"))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return
    work = Path(args.workdir)
    print(f"building a synthetic organisation of {args.repos} repositories in {work} ...", file=sys.stderr)
    items = build_org(work / f"org-{args.repos}", args.repos)
    files = len(repo_files(0, random.Random(0)))
    print(f"organisation ready: {len(items)} repositories (e.g. {files} files in the first)", file=sys.stderr)
    api = OrgAPI(items)
    run_dir = work / f"run-{args.executor}-{args.jobs}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"sweep --org acme --jobs {args.jobs} ({args.executor}es), {os.cpu_count()} cores")
    run_once(args, api, "cold", run_dir / "cold.db", run_dir / "cache")
    run_once(args, api, "warm", run_dir / "warm.db", run_dir / "cache")
    api.server.shutdown()


if __name__ == "__main__":
    main()
