"""Fetch the blobs the checks are likely to read in one round trip, instead of one each.

A blob-less partial clone fetches a missing blob lazily when `cat-file` asks for it: one `git
fetch` (one connection, one round trip to the forge) per file read. Checks read a dozen or more
practice files per repository, so before scanning we ask for the likely ones together, the way
git's own lazy fetch does it (`fetch --stdin` of object ids, no negotiation). Files outside the
list still arrive lazily; a failed prefetch only costs the time it took.

Likely = the few files at the root, everything under `.github/` and `.gitlab/`, and the
documentation and YAML files of the directories practice files live in — picked by plain string
tests on the path (no regular expressions over every path), capped in number.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Iterable

from standards_check.sweep.fetch import git_env

MAX_BLOBS = 400
TOP_DIRS = (".github/", ".gitlab/", "docs/", "doc/", "runbooks/", "slo/", "slos/", "adr/",
            "decisions/", "ops/", "alerts/", "monitoring/", "catalog/", ".circleci/", "LICENSES/")
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".yaml", ".yml", ".json", ".adoc")
NAMES = {"codeowners", "catalog-info.yaml", "catalog-info.yml", ".gitlab-ci.yml", "jenkinsfile",
         ".standards.yml", ".standards.yaml", "renovate.json", ".pre-commit-config.yaml"}


def likely_paths(paths: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    for path in paths:
        name = path.rpartition("/")[2]
        if "/" not in path or name.lower() in NAMES:
            chosen.append(path)
        elif path.startswith(TOP_DIRS) and path.count("/") <= 4 and (
                path.startswith((".github/", ".gitlab/")) or name.lower().endswith(DOC_SUFFIXES)):
            chosen.append(path)
        if len(chosen) >= MAX_BLOBS:
            break
    return chosen


def prefetch(snapshot: Any, root: Path) -> int:
    """Fetch the missing blobs of the likely paths of a ref snapshot; return how many were asked."""
    entries = getattr(snapshot, "_entries", None)  # RefSnapshot: path -> (mode, object id)
    if not entries or not snapshot.commit:
        return 0
    wanted = {entries[p][1] for p in likely_paths(snapshot.paths) if entries[p][0] not in ("160000",)}
    if not wanted:
        return 0
    listing = subprocess.run(
        ["git", "-C", str(root), "rev-list", "--objects", "--missing=print", "--no-walk", snapshot.commit],
        capture_output=True, text=True, env=git_env(), check=False)
    missing = sorted(wanted & {line[1:].split()[0] for line in listing.stdout.splitlines()
                               if line.startswith("?")})
    if not missing:
        return 0
    subprocess.run(
        ["git", "-C", str(root), "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q", "origin",
         "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
         "--stdin"], input="\n".join(missing) + "\n", capture_output=True, text=True, env=git_env(),
        check=False)
    return len(missing)
