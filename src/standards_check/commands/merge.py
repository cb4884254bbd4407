"""`standards-check merge OUT.db IN.db...`: fold shard stores into one; a run's shards become one sweep."""
from __future__ import annotations

import sys
from pathlib import Path

from standards_check.errors import UserError
from standards_check.escape import printable
from standards_check.sweep.store import Store


def merge_command(out: Path, inputs: list[Path]) -> int:
    if not inputs:
        raise UserError("merge needs at least one input store")
    for path in inputs:
        if path.resolve() == out.resolve():
            raise UserError(f"{path} is both the output and an input")
        if not path.is_file():
            raise UserError(f"no results store at {path}")
    with Store(out) as store:
        created = store.merge_from(inputs)
        for sweep in created:
            count = len(store.done_repos(sweep.id))
            shards = f" from shards {', '.join(sweep.shards)}" if sweep.shards else ""
            total = _expected_shards(sweep.shards)
            missing = f" — only {len(sweep.shards)} of {total} shards" if total and len(sweep.shards) < total else ""
            print(printable(f"sweep {sweep.id}: {sweep.source}, {count} repositories{shards}{missing}"),
                  file=sys.stderr)
        if not created:
            print("nothing new to merge", file=sys.stderr)
    return 0


def _expected_shards(shards: tuple[str, ...]) -> int | None:
    return int(shards[0].split("/")[1]) if shards else None
