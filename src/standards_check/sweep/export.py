"""Exports of a sweep from the results store: the JSON contract (DESIGN.md §2) and CSV."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

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
    return json.dumps(data, indent=2) + "\n"


CSV_COLUMNS = ["name", "status", "error", "score", "level", "passed", "policy", "team",
               *[f"{c}_score" for c in CATEGORIES], "failing_checks", "commit", "scanned_at"]


def render_csv(results: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(results, key=lambda r: r["repo"]):
        cats = r.get("categories") or {}
        writer.writerow([
            r["repo"], r["status"], r["error"] or "", _num(r["score"]), _num(r["level"]),
            "" if r["passed"] is None else str(r["passed"]).lower(), r.get("policy") or "",
            r.get("team") or "", *[_num(cats.get(c)) for c in CATEGORIES],
            " ".join(r.get("failing") or []), r.get("commit_sha") or "", r["scanned_at"],
        ])
    return out.getvalue()


def _num(value: Any) -> str:
    return "" if value is None else str(value)
