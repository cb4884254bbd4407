"""Exports of a sweep from the results store: the JSON contract (DESIGN.md §2) and CSV."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from standards_check.escape import csv_cell, unsurrogate_data
from standards_check.report import CATEGORIES


def repositories(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `{"name","score","level","passed","status","error"}` per repository, by name."""
    return [
        {"name": r["repo"], "score": r["score"], "level": r["level"], "passed": r["passed"],
         "status": r["status"], "error": r["error"]}
        for r in sorted(results, key=lambda r: r["repo"])
    ]


def render_json(results: list[dict[str, Any]], damaged: list[str] | None = None) -> str:
    """`{"repositories": [...]}`, and `"damaged": [...]` when the store was damaged."""
    data: dict[str, Any] = {"repositories": repositories(results)}
    if damaged:
        data["damaged"] = list(damaged)
    return json.dumps(unsurrogate_data(data), indent=2) + "\n"


CSV_COLUMNS = ["name", "status", "error", "score", "level", "passed", "policy", "team",
               *[f"{c}_score" for c in CATEGORIES], "failing_checks", "commit", "scanned_at", "score_change"]


def render_csv(results: list[dict[str, Any]], changes: dict[str, float | None] | None = None) -> str:
    """Standard CSV (RFC 4180 quoting); a text cell that a spreadsheet would read as a formula
    (starting with `=`, `+`, `-`, `@`, TAB or CR) is prefixed with `'` (`escape.csv_cell`).
    `score_change` is the change since the previous sweep of the same source (empty when the
    repository was not scored then, or this is the first sweep)."""
    changes = changes or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(results, key=lambda r: r["repo"]):
        cats = r.get("categories") or {}
        writer.writerow([
            csv_cell(r["repo"]), csv_cell(r["status"]), csv_cell(r["error"] or ""), _num(r["score"]),
            _num(r["level"]), "" if r["passed"] is None else str(r["passed"]).lower(),
            csv_cell(r.get("policy") or ""), csv_cell(r.get("team") or ""),
            *[_num(cats.get(c)) for c in CATEGORIES], csv_cell(" ".join(r.get("failing") or [])),
            csv_cell(r.get("commit_sha") or ""), csv_cell(str(r["scanned_at"])),
            _num(changes.get(r["repo"])),
        ])
    return out.getvalue()


def _num(value: Any) -> str:
    return "" if value is None else str(value)
