"""`standards-check report`: the latest sweep of a results store as HTML, JSON or CSV, shields.io
endpoint badges (`badge`: a directory of JSON files) or Backstage Tech Insights facts (`backstage`).

Exit codes: 0 the report was written; 1 it was written but the store is damaged (the damaged
rows are listed on standard error and in the report, as errors; everything readable is
rendered); 2 usage error, or a file that is not a results store.
"""
from __future__ import annotations

import sys
from pathlib import Path

from standards_check.errors import UserError
from standards_check.escape import printable
from standards_check.sweep.store import Store
from standards_check.text import plural

FORMATS = ("html", "json", "csv", "badge", "backstage")


def report_command(*, store_path: Path, fmt: str = "html", output: Path | None = None,
                   sweep_id: int | None = None) -> int:
    if fmt not in FORMATS:
        raise UserError(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "badge" and output is None:
        raise UserError("--format badge writes a directory of files: give it with --output DIR")
    warnings: list[str] = []
    with Store(store_path, create=False) as store:
        sweep = store.sweep(sweep_id) if sweep_id is not None else store.latest_sweep()
        results, damaged = store.read_results(sweep.id)
        if fmt == "badge":
            from standards_check.sweep.badges import write_badges

            assert output is not None
            write_badges(results, output)
            text = ""
        elif fmt == "backstage":
            from standards_check.sweep.backstage import render_backstage

            text, warnings = render_backstage(results)
        elif fmt == "json":
            from standards_check.sweep.export import render_json

            text = render_json(results, damaged)
        elif fmt == "csv":
            from standards_check.sweep.export import render_csv

            text = render_csv(results, store.score_changes(sweep, results))
        else:
            from standards_check.sweep.scorecard import render_scorecard

            text = render_scorecard(store, sweep, results, damaged)
    if fmt != "badge":  # the badges are written already
        if output is None:
            sys.stdout.write(text)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
    for warning in warnings:
        print(f"standards-check: warning: {printable(warning)}", file=sys.stderr)
    if damaged:
        print(f"standards-check: the store {store_path} is damaged; the report shows the rest "
              f"({plural(len(damaged), 'problem')}):", file=sys.stderr)
        for line in damaged:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0
