"""`standards-check policy diff OLD NEW (--dir DIR | --urls FILE | --store FILE.db)`: the preview of a
policy change as text, markdown (for the policy repository's pull request) or JSON. Exit 0 always
(it is a preview); 2 on bad input. The data comes from `standards_check.policydiff`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import click

from standards_check.escape import markdown_inline as _md
from standards_check.escape import markdown_text as _txt
from standards_check.escape import printable, unsurrogate_data

# A pull-request comment holds at most 65,536 characters: the markdown lists the repositories that
# change, worst first, up to this many rows.
MARKDOWN_ROWS = 150


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="The git clones in DIR.")
@click.option("--urls", type=click.Path(dir_okay=False), help="The clone URLs in FILE (cloned into --cache-dir).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False),
              help="The repositories of this store's latest sweep, from the sweep's clones.")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Where --urls clones are kept (default: the sweep's, ~/.cache/standards-check/clones).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge waivers and effective dates as of this day (default: today).")
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(min=1),
              help="Repositories read in parallel.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of standard output.")
def policy_diff(old: str, new: str, directory: str | None, urls: str | None, store_path: str | None,
                cache_dir: str | None, as_of: Any, jobs: int, fmt: str, output: str | None) -> None:
    """Preview what changing policy OLD to NEW does to a set of repositories: score, level and gate
    of each under both, the rules that newly fail or are fixed, and the rules added, removed,
    reweighted or re-parameterised. OLD and NEW are policy references. Exit 0 (a preview)."""
    from standards_check import policydiff
    from standards_check.cli import _emit, say

    chosen = [name for name, value in (("--dir", directory), ("--urls", urls), ("--store", store_path)) if value]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --dir, --urls or --store")
    if directory:
        targets = policydiff.targets_from_dir(Path(directory))
    elif urls:
        from standards_check.commands.sweep import default_cache_dir

        targets = policydiff.targets_from_urls(Path(urls), Path(cache_dir) if cache_dir else default_cache_dir())
    else:
        targets = policydiff.targets_from_store(Path(store_path or ""))
    result = policydiff.preview(old, new, targets, as_of=as_of.date() if as_of else None, jobs=jobs)
    data = unsurrogate_data(result.to_dict())
    renderers: dict[str, Callable[[dict], str]] = {"json": lambda d: json.dumps(d, indent=2, ensure_ascii=False) + "\n",
                                                   "text": render_text, "markdown": render_markdown}
    _emit(renderers[fmt](data), output)
    s = data["summary"]
    if output:
        say(f"wrote {output}: {s['repositories']} repositories, {s['gate_flips_to_fail']} would start failing")


def _rule_lines(rules: dict[str, list]) -> list[str]:
    lines = []
    if rules["added"]:
        lines.append(f"added: {', '.join(rules['added'])}")
    if rules["removed"]:
        lines.append(f"removed: {', '.join(rules['removed'])}")
    for r in rules["reweighted"]:
        changed = [f"{k} {r['old'][k]:g} → {r['new'][k]:g}" if isinstance(r["old"][k], (int, float))
                   else f"{k} {r['old'][k]} → {r['new'][k]}" for k in r["old"] if r["old"][k] != r["new"][k]]
        lines.append(f"reweighted: {r['check']} ({', '.join(changed)})")
    for r in rules["reparameterised"]:
        keys = sorted(k for k in {*r["old"], *r["new"]} if r["old"].get(k) != r["new"].get(k))
        changed = [f"{k} {json.dumps(r['old'].get(k))} → {json.dumps(r['new'].get(k))}" for k in keys]
        lines.append(f"re-parameterised: {r['check']} ({', '.join(changed)})")
    for r in rules["effective"]:
        lines.append(f"effective: {r['check']} ({r['old'] or 'always'} → {r['new'] or 'always'})")
    return lines or ["no rule changed"]


def _side(side: dict[str, Any]) -> str:
    return f"{side['score']:g} L{side['level']} {'pass' if side['passed'] else 'FAIL'}"


def _summary_line(s: dict[str, int]) -> str:
    return (f"{s['repositories']} repositories: {s['gate_flips_to_fail']} would start failing the gate, "
            f"{s['gate_flips_to_pass']} would start passing; level down {s['level_down']}, "
            f"up {s['level_up']}" + (f"; {s['errors']} could not be read" if s["errors"] else ""))


def render_text(data: dict[str, Any]) -> str:
    old, new = data["old"], data["new"]
    lines = [printable(f"policy diff: {old['name']} {old['version']} → {new['name']} {new['version']}"), ""]
    lines += [printable(f"  {line}") for line in _rule_lines(data["rules"])]
    lines.append("")
    for repo in data["repositories"]:
        if repo["error"]:
            lines.append(printable(f"! {repo['name']}: {repo['error']}"))
            continue
        mark = "✗" if repo["old"]["passed"] and not repo["new"]["passed"] else (
            "✓" if repo["new"]["passed"] and not repo["old"]["passed"] else " ")
        text = f"{mark} {repo['name']}: {_side(repo['old'])} → {_side(repo['new'])}"
        if repo["new_failures"]:
            text += f"; new failures: {', '.join(repo['new_failures'])}"
        if repo["fixed"]:
            text += f"; fixed: {', '.join(repo['fixed'])}"
        if repo["upcoming"]:
            text += f"; upcoming: {', '.join(repo['upcoming'])}"
        lines.append(printable(text))
    lines += ["", _summary_line(data["summary"])]
    return "\n".join(lines) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    old, new, s = data["old"], data["new"], data["summary"]
    icon = "⚠️" if s["gate_flips_to_fail"] else "✅"
    lines = [f"## {icon} Policy preview: {_md(old['name'])} {_md(old['version'])} → "
             f"{_md(new['name'])} {_md(new['version'])}", "", _md(_summary_line(s)) + ".", "",
             "### Rules", ""]
    lines += [f"- {_md(line)}" for line in _rule_lines(data["rules"])]
    repos = data["repositories"]
    changed = [r for r in repos if r["error"] or r["old"] != r["new"] or r["new_failures"] or r["fixed"]]
    # What a reviewer must see first: repositories that would start failing, then those that drop a level.
    changed.sort(key=lambda r: (not _flips_to_fail(r), not _level_down(r), r["error"] is None))
    lines += ["", f"### Repositories that change ({len(changed)} of {len(repos)})", ""]
    if changed:
        lines += ["| Repository | Old | New | New failures | Fixed | Upcoming |", "| --- | --- | --- | --- | --- | --- |"]
    for repo in changed[:MARKDOWN_ROWS]:
        if repo["error"]:
            lines.append(f"| {_txt(repo['name'])} | – | – | could not be read: {_txt(repo['error'])} | | |")
            continue
        lines.append(f"| {_txt(repo['name'])} | {_side(repo['old'])} | {_side(repo['new'])} | "
                     f"{' '.join(f'`{c}`' for c in repo['new_failures']) or '–'} | "
                     f"{' '.join(f'`{c}`' for c in repo['fixed']) or '–'} | "
                     f"{' '.join(f'`{c}`' for c in repo['upcoming']) or '–'} |")
    if len(changed) > MARKDOWN_ROWS:
        lines += ["", f"… and {len(changed) - MARKDOWN_ROWS} more; `--format json` lists every repository."]
    if len(changed) < len(repos):
        lines += ["", f"{len(repos) - len(changed)} repositories score the same under both policies."]
    return "\n".join(lines) + "\n"


def _flips_to_fail(repo: dict[str, Any]) -> bool:
    return repo["error"] is None and repo["old"]["passed"] and not repo["new"]["passed"]


def _level_down(repo: dict[str, Any]) -> bool:
    return repo["error"] is None and repo["new"]["level"] < repo["old"]["level"]


__all__ = ["policy_diff", "render_text", "render_markdown"]
