"""Time the delivery checks, one by one, in-process on real repositories (not a timed test).

    python benchmarks/bench_delivery.py PATH [PATH...] [--runs 5]

Each run opens the snapshot afresh (facts are parsed again); prints the median of the whole set and
of each check. Use full clones: the history checks skip in shallow ones.
"""
from __future__ import annotations

import argparse
import statistics
import time

from standards_check.context import CheckContext
from standards_check.evaluators.delivery import EVALUATORS
from standards_check.snapshot import open_snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for path in args.paths:
        totals: list[float] = []
        per_check: dict[str, list[float]] = {}
        for _ in range(args.runs):
            start = time.perf_counter()
            with open_snapshot(path) as snapshot:
                ctx = CheckContext(snapshot)
                for check_id, evaluate in EVALUATORS.items():
                    began = time.perf_counter()
                    evaluate(ctx, {})
                    per_check.setdefault(check_id, []).append(time.perf_counter() - began)
            totals.append(time.perf_counter() - start)
        print(f"{path}: {len(snapshot.paths)} files, median {statistics.median(totals):.3f} s")
        for check_id, times in per_check.items():
            print(f"  {check_id:26} {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
