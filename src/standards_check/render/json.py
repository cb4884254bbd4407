"""The report JSON contract (DESIGN.md §3), validated against schemas/report.schema.json in tests."""
from __future__ import annotations

import json

from standards_check.report import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
