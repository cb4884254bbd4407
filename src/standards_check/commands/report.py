"""`standards-check report`: the latest sweep of a results store as HTML, JSON or CSV."""
from __future__ import annotations

import sys
from pathlib import Path

from standards_check.errors import UserError
from standards_check.sweep.store import Store

FORMATS = ("html", "json", "csv")


def report_command(*, store_path: Path, fmt: str = "html", output: Path | None = None,
                   sweep_id: int | None = None) -> int:
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}")
    with Store(store_path, create=False) as store:
        sweep = store.sweep(sweep_id) if sweep_id is not None else store.latest_sweep()
        results = store.results(sweep.id)
        if fmt == "json":
            from standards_check.sweep.export import render_json

            text = render_json(results)
        elif fmt == "csv":
            from standards_check.sweep.export import render_csv

            text = render_csv(results, store.score_changes(sweep, results))
        else:
            from standards_check.sweep.scorecard import render_scorecard

            text = render_scorecard(store, sweep, results)
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return 0
