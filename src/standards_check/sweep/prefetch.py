"""Blob-less partial clones, read in few round trips.

A `git clone --filter=blob:none` has commits and trees but no file contents; `cat-file` fetches a
missing blob lazily, one `git fetch` (one connection, one round trip to the forge) per file. Checks
say which files they are about to read (`snapshot.prefetch(paths)`: secrets.committed reads
hundreds), so `PartialCloneSnapshot` fetches the missing ones together, the way git's own lazy
fetch does (`fetch --stdin` of object ids, no negotiation). Before the scan, the sweep also asks
for the practice files most checks read (`likely_paths`). A failed batch only costs its time:
each blob still arrives lazily when it is read.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterable

from standards_check import gitcmd
from standards_check.snapshot import RefSnapshot
from standards_check.sweep.fetch import git_env

MAX_LIKELY = 400
TOP_DIRS = (".github/", ".gitlab/", "docs/", "doc/", "runbooks/", "slo/", "slos/", "adr/",
            "decisions/", "ops/", "alerts/", "monitoring/", "catalog/", ".circleci/", "LICENSES/")
DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".yaml", ".yml", ".json", ".adoc")
NAMES = {"codeowners", "catalog-info.yaml", "catalog-info.yml", ".gitlab-ci.yml", "jenkinsfile",
         ".standards.yml", ".standards.yaml", "renovate.json", ".pre-commit-config.yaml"}
_GITLINK = "160000"


def likely_paths(paths: Iterable[str]) -> list[str]:
    """The root files, `.github/` and `.gitlab/`, and the docs and YAML of practice directories:
    chosen by plain string tests on each path (no regular expressions over every path)."""
    chosen: list[str] = []
    for path in paths:
        name = path.rpartition("/")[2]
        if "/" not in path or name.lower() in NAMES:
            chosen.append(path)
        elif path.startswith(TOP_DIRS) and path.count("/") <= 4 and (
                path.startswith((".github/", ".gitlab/")) or name.lower().endswith(DOC_SUFFIXES)):
            chosen.append(path)
        if len(chosen) >= MAX_LIKELY:
            break
    return chosen


class PartialCloneSnapshot(RefSnapshot):
    """A RefSnapshot of a partial clone whose `prefetch` fetches missing blobs in one batch. The
    clone is the sweep's own (fetch.ensure_clone), so git may fetch from its remote."""

    _git_env = staticmethod(git_env)

    grep_whole_tree = False  # git grep names the files, all fetched by prefetch first

    def __init__(self, root: Path, ref: str = "HEAD") -> None:
        super().__init__(root, ref)
        self._missing: set[str] | None = None
        self.fetches = 0  # batches fetched (for tests and measurements)

    def missing_blobs(self) -> set[str]:
        """Object ids of this commit's blobs that are not in the clone (listed once, no fetch)."""
        if self._missing is None:
            listing = subprocess.run(
                gitcmd.argv(self.root, "rev-list", "--objects", "--missing=print", "--no-walk", str(self.commit)),
                capture_output=True, text=True, env=git_env(), check=False)
            self._missing = {line[1:].split()[0] for line in listing.stdout.splitlines()
                             if line.startswith("?")}
        return self._missing

    def prefetch(self, paths: Iterable[str]) -> None:
        wanted = set()
        for path in paths:
            entry = self._entries.get(path)
            if entry is not None and entry[0] != _GITLINK and path not in self._bytes:
                wanted.add(entry[1])
        missing = sorted(wanted & self.missing_blobs()) if wanted else []
        if not missing:
            return
        self.fetches += 1
        subprocess.run(
            gitcmd.argv(self.root, "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q",
                        "origin", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
                        "--filter=blob:none", "--stdin"), input="\n".join(missing) + "\n",
            capture_output=True, text=True, env=git_env(), check=False)
        self._missing.difference_update(missing)  # type: ignore[union-attr]
