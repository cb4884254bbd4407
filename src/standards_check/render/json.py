"""The report JSON contract (DESIGN.md §3), validated against schemas/report.schema.json in tests."""
from __future__ import annotations

from standards_check.escape import json_text
from standards_check.report import Report


def render_json(report: Report, *, color: bool = False) -> str:
    return json_text(report.to_dict()) + "\n"
