"""Benchmark: resolve the owners of 100,000 paths against a CODEOWNERS of 1,000 rules.

Synthetic but shaped like real files (kubernetes, grafana, vscode): mostly anchored directories,
some file-type rules (`*.md`), names at any depth (`**/testdata`), direct-children rules
(`/docs/*`), wildcards inside paths (`/pkg/*/api/`) and owner-less overrides.

Reports the median of several runs, and for scale two baselines measured in the same run on the
same paths: iterating the paths and splitting each into directory and name (the floor any matcher
pays), and the obvious loop of `fnmatch` over every rule for a 1% sample of the paths (scaled).

    python benchmarks/bench_codeowners.py [--rules 1000] [--paths 100000] [--runs 7]
"""
from __future__ import annotations

import argparse
import fnmatch
import random
import statistics
import sys
import time

from standards_check.facts.codeowners import Codeowners

EXTS = [".go", ".py", ".ts", ".tsx", ".md", ".yaml", ".json", ".sh", ".proto", ".rs", ".java", ".txt"]


def synthetic_paths(count: int, rng: random.Random) -> list[str]:
    """About eight files a directory, as in large real repositories."""
    tops = [f"top{i}" for i in range(40)] + ["docs", "pkg", "src", "test", "vendor"]
    dirs = set()
    while len(dirs) < count // 8:
        depth = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])
        parts = [rng.choice(tops)]
        for d in range(1, depth + 1):
            parts.append(f"svc{rng.randrange(60)}" if d == 1 else
                         rng.choice([f"mod{rng.randrange(25)}", "api", "internal", "testdata", "logs"]))
        dirs.add("/".join(parts))
    ordered = sorted(dirs)
    paths = set()
    while len(paths) < count:
        paths.add(f"{rng.choice(ordered)}/file{rng.randrange(400)}{rng.choice(EXTS)}")
    return sorted(paths)


def synthetic_rules(count: int, rng: random.Random) -> str:
    lines = ["# synthetic CODEOWNERS", "* @acme/everyone"]
    while len(lines) < count + 1:
        kind = rng.random()
        owner = f"@acme/team-{rng.randrange(200)}"
        if kind < 0.55:
            lines.append(f"/top{rng.randrange(40)}/svc{rng.randrange(60)}/ {owner}")
        elif kind < 0.65:
            lines.append(f"/top{rng.randrange(40)}/svc{rng.randrange(60)}/mod{rng.randrange(25)}/ {owner} @u{rng.randrange(99)}")
        elif kind < 0.72:
            lines.append(f"*{rng.choice(EXTS)} {owner}")
        elif kind < 0.78:
            lines.append(f"**/{rng.choice(['testdata', 'logs', 'api'])} {owner}")
        elif kind < 0.84:
            lines.append(f"/top{rng.randrange(40)}/*/api/ {owner}")
        elif kind < 0.89:
            lines.append(f"/top{rng.randrange(40)}/svc{rng.randrange(60)}/*{rng.choice(EXTS)} {owner}")
        elif kind < 0.93:
            lines.append(f"/docs/* {owner}")
        elif kind < 0.96:
            lines.append(f"/top{rng.randrange(40)}/**/internal/ {owner}")
        else:
            lines.append(f"/top{rng.randrange(40)}/svc{rng.randrange(60)}/file{rng.randrange(400)}.go")
    return "\n".join(lines) + "\n"


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--paths", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paths = synthetic_paths(args.paths, rng)
    text = synthetic_rules(args.rules, rng)

    def resolve() -> dict[str, list[str]]:
        return Codeowners.parse(text).owners_for_many(paths)  # parse + compile + match, cold

    times = [timed(resolve) for _ in range(args.runs)]
    owned_times = [timed(lambda: Codeowners.parse(text).owned(paths)) for _ in range(args.runs)]
    iterate = [timed(lambda: [p.rpartition("/") for p in paths]) for _ in range(args.runs)]

    co = Codeowners.parse(text)
    patterns = [r.pattern.lstrip("/") for r in co.rules]
    sample = paths[:: 100]

    def naive() -> None:
        for p in sample:
            for pat in reversed(patterns):
                if fnmatch.fnmatchcase(p, pat):
                    break

    naive_time = timed(naive) * len(paths) / len(sample)
    owned = sum(1 for owners in resolve().values() if owners)
    median = statistics.median(times)
    print(f"rules={len(co.rules)} paths={len(paths)} owned={owned} runs={args.runs}")
    print(f"owners_for_many (parse+match): median {median:.3f} s  (min {min(times):.3f}, max {max(times):.3f})")
    print(f"owned (what coverage asks):     median {statistics.median(owned_times):.3f} s")
    print(f"baseline, split every path:     median {statistics.median(iterate):.3f} s  -> ratio {median / statistics.median(iterate):.1f}x")
    print(f"baseline, fnmatch loop (est.):  {naive_time:.1f} s  -> {naive_time / median:.0f}x slower than owners_for_many")
    print(f"reproduce: python benchmarks/bench_codeowners.py --rules {args.rules} --paths {args.paths} --runs {args.runs} --seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
