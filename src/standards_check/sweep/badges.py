"""shields.io endpoint badges for a sweep: one JSON file per repository and one for the organisation.

The files follow the endpoint badge schema (https://shields.io/badges/endpoint-badge):
`{"schemaVersion": 1, "label", "message", "color", "isError"?, "cacheSeconds"?}`. Serve the
directory anywhere shields.io can fetch it and point `https://img.shields.io/endpoint?url=...` at a file.

Repository names are untrusted (an API, a URL file), so file names are never taken from them as
they are: each is a slug of safe characters plus a digest of the exact name (`slug`), so no name
can leave the directory, and names that differ only in case, or in `/` against `_`, get different
files even on a case-insensitive file system. `index.json` maps each repository name to its file.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from standards_check import rx
from standards_check.errors import UserError
from standards_check.escape import unsurrogate_data

LABEL = "standards"
ORGANISATION_FILE = "_organisation.json"
INDEX_FILE = "index.json"
CACHE_SECONDS = 3600  # shields.io caches at least 300 s; a sweep runs at most a few times a day
# (lowest score, colour): the first whose bound the score reaches. shields.io's named colours.
COLOURS = ((90.0, "brightgreen"), (75.0, "green"), (60.0, "yellowgreen"), (40.0, "yellow"),
           (20.0, "orange"), (0.0, "red"))
_UNSAFE = rx.compile(r"[^a-z0-9]+")
SLUG_MAX = 60


def colour(score: float) -> str:
    return next(c for bound, c in COLOURS if score >= bound)


def slug(name: str) -> str:
    """A file name stem for a repository: lower-case letters and digits joined by `-` (at most
    SLUG_MAX of them), then `-` and the first 10 hex digits of the SHA-256 of the exact name. It never
    starts with `_` or `.`, so it cannot be `_organisation`, `index` or a hidden or parent directory."""
    readable = _UNSAFE.sub("-", name.lower()).strip("-")[:SLUG_MAX].strip("-") or "repo"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{readable}-{digest}"


def repository_badge(result: dict[str, Any]) -> dict[str, Any]:
    """`score · level N`, coloured by the score; an errored repository is an error badge."""
    score, level = result.get("score"), result.get("level")
    if result.get("status") != "ok" or not isinstance(score, (int, float)) or not isinstance(level, int):
        return {"schemaVersion": 1, "label": LABEL, "message": "error", "color": "lightgrey",
                "isError": True, "cacheSeconds": CACHE_SECONDS}
    return {"schemaVersion": 1, "label": LABEL, "message": f"{_number(score)} · level {level}",
            "color": colour(float(score)), "cacheSeconds": CACHE_SECONDS}


def organisation_badge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """`mean score · passed/scored passing`, coloured by the mean score of the scored repositories
    (an errored repository counts in neither); no scored repository at all is an error badge."""
    scored = [r for r in results if r.get("status") == "ok" and isinstance(r.get("score"), (int, float))]
    if not scored:
        return {"schemaVersion": 1, "label": LABEL, "message": "no results", "color": "lightgrey",
                "isError": True, "cacheSeconds": CACHE_SECONDS}
    mean = round(sum(float(r["score"]) for r in scored) / len(scored), 1)
    passed = sum(1 for r in scored if r.get("passed") is True)
    return {"schemaVersion": 1, "label": LABEL,
            "message": f"{_number(mean)} · {passed}/{len(scored)} passing",
            "color": colour(mean), "cacheSeconds": CACHE_SECONDS}


def write_badges(results: list[dict[str, Any]], directory: Path) -> dict[str, str]:
    """Write every badge and the index into `directory` (created if missing). Returns the index
    (repository name -> file name). A path that exists and is not a directory is a UserError."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"--output {directory} is not a directory (the badge format writes one file "
                        "per repository into a directory)")
    directory.mkdir(parents=True, exist_ok=True)
    index: dict[str, str] = {}
    used: set[str] = set()
    for result in sorted(results, key=lambda r: r["repo"]):
        name = result["repo"]
        file = f"{slug(name)}.json"
        if file in used:  # two names with one digest prefix: never overwrite another's badge
            raise UserError(f"two repositories map to the badge file {file}; rename one")
        used.add(file)
        index[name] = file
        _write(directory / file, repository_badge(result))
    _write(directory / ORGANISATION_FILE, organisation_badge(results))
    _write(directory / INDEX_FILE, {"organisation": ORGANISATION_FILE, "repositories": index})
    return index


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(unsurrogate_data(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _number(value: float) -> str:
    return f"{round(float(value), 1):g}"
