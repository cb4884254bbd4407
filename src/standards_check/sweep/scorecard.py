"""The HTML scorecard: one self-contained file a manager reads without explanation.

This module gathers the page's view from the results store and the catalog; `render.scorecard`
renders it from a Jinja2 template (autoescaped: repository names, messages and owners are untrusted
text). The charts are pygal's: it draws SVG on the server, so the page needs no JavaScript and no
network to show its charts, prints well, and every label is escaped by pygal's XML builder; its
default tooltip script (loaded from the web) is switched off with `js=[]`.
"""
from __future__ import annotations

import sqlite3
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from standards_check.render.common import grade, heat  # the same bands as one repository's page
from standards_check.report import CATEGORIES
from standards_check.sweep.store import Store, Sweep

LEVEL_NAMES = {0: "Not yet", 1: "Foundations", 2: "Delivery", 3: "Operations", 4: "Scaling", 5: "Excellence"}
NO_TEAM = "(no owner)"


@dataclass
class TeamRow:
    name: str
    repos: int = 0
    errors: int = 0
    score: float | None = None
    pass_rate: float | None = None
    level: float | None = None
    categories: dict[str, float | None] = field(default_factory=dict)


def _mean(values: list[float | None] | list[float]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 1) if present else None


def build_view(store: Store, sweep: Sweep, results: list[dict[str, Any]],
               damaged: list[str] | None = None) -> dict[str, Any]:
    ok = [r for r in results if r["status"] == "ok"]
    errors = [r for r in results if r["status"] != "ok"]
    level_names = dict(LEVEL_NAMES)
    for r in ok:
        name = (r.get("report") or {}).get("level_name")
        if name and r["level"] is not None:
            level_names[r["level"]] = name
    levels = Counter(r["level"] for r in ok)

    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        teams[r.get("team") or NO_TEAM].append(r)
    team_rows = []
    for name, members in teams.items():
        scored = [m for m in members if m["status"] == "ok"]
        team_rows.append(TeamRow(
            name=name, repos=len(members), errors=len(members) - len(scored),
            score=_mean([m["score"] for m in scored]),
            pass_rate=_mean([100.0 * bool(m["passed"]) for m in scored]),
            level=_mean([m["level"] for m in scored]),
            categories={c: _mean([(m.get("categories") or {}).get(c) for m in scored]) for c in CATEGORIES},
        ))
    team_rows.sort(key=lambda t: (t.score is None, t.score if t.score is not None else 0, t.name))
    used_categories = [c for c in CATEGORIES
                       if any((r.get("categories") or {}).get(c) is not None for r in ok)]

    failing = Counter(check for r in ok for check in (r.get("failing") or []))
    rules = []
    for check, count in failing.most_common(10):
        title, fix, category = _describe(check, ok)
        rules.append({"check": check, "title": title, "fix": fix, "category": category, "count": count,
                      "share": round(100.0 * count / len(ok), 0) if ok else 0})

    try:
        previous = store.previous_sweep(sweep)
        changes = store.score_changes(sweep, results)
    except (sqlite3.DatabaseError, ValueError, TypeError):  # a damaged store: no change column
        previous, changes = None, {}
    repos = []
    for r in sorted(results, key=lambda r: (r["status"] == "ok", r["score"] or 0, r["repo"])):
        report = r.get("report") or {}
        failures = [res for res in report.get("results", []) if res.get("status") in ("fail", "error")]
        repos.append({**r, "failures": failures, "anchor": "repo-" + _slug(r["repo"]),
                      "level_name": level_names.get(r["level"]) if r["level"] is not None else None,
                      "change": changes.get(r["repo"])})

    scores = [r["score"] for r in ok]
    try:
        trend = store.trend(sweep.source, sweep.shard)
    except sqlite3.DatabaseError:  # a damaged store: the damage is listed, the trend left out
        trend = []
    labels = trend_labels([t["started_at"] for t in trend])
    waivers = sorted(({"repo": r["repo"], **w} for r in ok for w in (r.get("report") or {}).get("expiring_waivers") or []),
                     key=lambda w: (w.get("expires") or "", w["repo"], w.get("check") or ""))
    return {
        "sweep": sweep,
        "title": _title(sweep.source),
        "org_score": _mean(scores),
        "median_score": round(statistics.median(scores), 1) if scores else None,
        "pass_rate": _mean([100.0 * bool(r["passed"]) for r in ok]),
        "total": len(results), "ok": len(ok), "errors": errors,
        "expected": sweep.total,
        "levels": [(lvl, level_names.get(lvl, f"Level {lvl}"), levels.get(lvl, 0)) for lvl in range(0, 6)],
        "teams": team_rows,
        "categories": used_categories,
        "rules": rules,
        "repos": repos,
        "trend": trend,
        "previous": ({"started_at": previous.started_at, "label": _label_of(previous, trend, labels)}
                     if previous else None),
        "charts": _charts(levels, level_names, trend, labels),
        "campaigns": campaigns(store, sweep),
        "expiring_waivers": waivers,
        "heat": heat, "grade": grade,
        "damaged": list(damaged or []),
    }


def campaigns(store: Store, sweep: Sweep) -> list[dict[str, Any]]:
    """Every rule whose `effective` date is after this sweep: its date, how many repositories meet
    it now, and the same count at each earlier sweep of this source (sweep after sweep)."""
    day = sweep.started_at[:10]
    by_rule: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.rule_progress(sweep.source, sweep.shard):
        if row["sweep_id"] <= sweep.id:
            by_rule[(row["check_id"], row["effective"])].append(row)
    out = []
    for (check, effective), history in by_rule.items():
        latest = history[-1]
        if effective <= day or latest["sweep_id"] != sweep.id:
            continue
        out.append({"check": check, "effective": effective, "met": latest["met"] or 0,
                    "applicable": latest["applicable"] or 0,
                    "share": round(100.0 * (latest["met"] or 0) / latest["applicable"]) if latest["applicable"] else None,
                    "history": [{"date": h["started_at"][:10], "met": h["met"] or 0, "applicable": h["applicable"] or 0}
                                for h in history]})
    return sorted(out, key=lambda c: (c["effective"], c["check"]))


def _describe(check: str, ok: list[dict[str, Any]]) -> tuple[str, str, str]:
    """Title, fix and category of a check: from the catalog, else from a report that ran it."""
    try:
        from standards_check.catalog import load_catalog

        spec = load_catalog().get(check)
        return spec.title, spec.remediation, spec.category
    except Exception:  # a check this version's catalog does not know (an older or newer sweep)
        for r in ok:
            for res in (r.get("report") or {}).get("results", []):
                if res.get("check") == check:
                    return res.get("title", check), res.get("remediation", ""), res.get("category", "")
        return check, "", ""


def trend_labels(started: list[str]) -> list[str]:
    """One distinct label per sweep: its date; with the time (UTC) when another sweep ran that day;
    with `#n` when even the minute is shared."""
    days = Counter(s[:10] for s in started)
    labels = [s[:16].replace("T", " ") if days[s[:10]] > 1 else s[:10] for s in started]
    seen: Counter = Counter()
    totals = Counter(labels)
    out = []
    for label in labels:
        seen[label] += 1
        out.append(f"{label} #{seen[label]}" if totals[label] > 1 else label)
    return out


def _label_of(sweep: Sweep, trend: list[dict[str, Any]], labels: list[str]) -> str:
    for row, label in zip(trend, labels):
        if row["id"] == sweep.id:
            return label
    return sweep.started_at[:16].replace("T", " ")


def _charts(levels: Counter, level_names: dict[int, str], trend: list[dict[str, Any]],
            labels: list[str]) -> dict[str, str]:
    import pygal
    from pygal.style import Style

    style = Style(
        background="transparent", plot_background="transparent", foreground="#1f2937",
        foreground_strong="#111827", foreground_subtle="#9ca3af", opacity=".9", opacity_hover="1",
        colors=("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed"),
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        label_font_size=13, major_label_font_size=13, value_font_size=13, legend_font_size=13,
        title_font_size=15, value_label_font_size=13,
    )
    common = dict(style=style, js=[], disable_xml_declaration=True, explicit_size=False,
                  print_values=True, print_zeroes=False, legend_at_bottom=True)

    lv = pygal.Bar(height=320, width=560, show_legend=False, show_y_guides=True, truncate_label=-1,
                   x_label_rotation=0, margin_right=20, **common)
    lv.title = "Repositories per maturity level reached"
    lv.x_labels = [level_names.get(k, f"Level {k}") if k else "None yet" for k in range(0, 6)]
    lv.add("repositories", [levels.get(k, 0) for k in range(0, 6)])

    tr = pygal.Line(height=320, width=560, range=(0, 100), dots_size=4, x_label_rotation=0,
                    margin_right=40,
                    show_minor_x_labels=False, truncate_label=-1, **{**common, "print_values": False})
    tr.title = "Organisation score and gate pass rate per sweep (%)"
    tr.x_labels = labels
    tr.x_labels_major = tr.x_labels[:: max(1, len(trend) // 8)]
    tr.add("mean score", [round(t["score"], 1) if t["score"] is not None else None for t in trend])
    tr.add("gate pass rate", [round(100 * t["pass_rate"], 1) if t["pass_rate"] is not None else None
                              for t in trend])

    return {"levels": _svg(lv), "trend": _svg(tr)}


def _svg(chart: Any) -> str:
    """The chart's SVG without pygal's scripts: its config script only feeds the tooltip script
    that `js=[]` leaves out, so the page carries no JavaScript at all."""
    from pygal.etree import etree

    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "script":
                parent.remove(child)
    return str(etree.tostring(root, encoding="unicode"))


def _title(source: str) -> str:
    kind, _, what = source.partition(":")
    if kind == "github":
        return what.rpartition("/")[2]  # the owner
    return Path(what).name or source if kind in ("urls", "dir") else source


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def render_scorecard(store: Store, sweep: Sweep, results: list[dict[str, Any]],
                     damaged: list[str] | None = None) -> str:
    from standards_check.render.scorecard import render_scorecard_page

    return render_scorecard_page(build_view(store, sweep, results, damaged))
