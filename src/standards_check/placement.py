"""Where a finding is shown: the locations to report it at, and the file that carries findings about
the repository as a whole. Shared by the renderers (SARIF, Code Quality) and the publishers
(annotations); a pure function of the Report — the engine records the repository config it read
(`Report.anchor`), so nothing here looks at the filesystem."""
from __future__ import annotations

from standards_check.model import Location
from standards_check.report import Report, Result

# Where repository-level findings go when the report names no better file (see repository_anchor).
DEFAULT_ANCHOR = ".standards.yml"


def repository_anchor(report: Report) -> str:
    """The file on which findings about the whole repository are shown.

    In order: the repository config (`.standards.yml`, also under `.github/`) that the scan read
    (`Report.anchor`); the README that the `readme.present` check found; else `.standards.yml` — a
    stable path, and the place where a team records waivers for such findings (code scanning lists
    an alert on a missing file too, without a code preview).
    """
    if report.anchor and _is_repo_relative(report.anchor):
        return report.anchor
    for result in report.results:
        if result.check == "readme.present" and result.locations:
            return result.locations[0].path
    return DEFAULT_ANCHOR


def _is_repo_relative(path: str) -> bool:
    return bool(path) and not path.startswith(("/", "../")) and ":" not in path.split("/")[0]


def split_locations(result: Result) -> tuple[list[Location], list[Location]]:
    """The locations to report a finding at, and the others (related).

    Locations with lines are each a finding. Locations without one are file-level evidence — the
    files found, or the places looked at ("no CODEOWNERS in .github/, the root, docs/") — so the
    finding is reported once, at the first, with the rest as related locations.
    """
    located = [loc for loc in result.locations if loc.path]
    if len(located) > 1 and all(loc.line is None for loc in located):
        return located[:1], located[1:]
    return located, []


__all__ = ["DEFAULT_ANCHOR", "repository_anchor", "split_locations"]
