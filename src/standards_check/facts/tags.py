"""Git history shared by the delivery checks: every tag with its date and commit, read once.

Tags are listed with one `git for-each-ref` call, oldest first by their own date (the tagger date
of an annotated tag, the commit date of a lightweight one), with the commit they point to. A plain
directory or a shallow clone gives None: history there is missing or incomplete.
"""
from __future__ import annotations

from dataclasses import dataclass

from standards_check.snapshot import GitError, NoHistory, RepoSnapshot


@dataclass(frozen=True)
class Tag:
    name: str
    time: int       # seconds since the epoch
    commit: str     # the commit the tag points to (peeled)


def parse_tags(snapshot: RepoSnapshot) -> list[Tag] | None:
    if not snapshot.has_history or snapshot.is_shallow:
        return None
    try:
        out = snapshot.git("for-each-ref", "--sort=creatordate",
                           "--format=%(refname:short)%09%(creatordate:unix)%09%(objectname)%09%(*objectname)",
                           "refs/tags")
    except (GitError, NoHistory):
        return None
    tags = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        name, when, obj, peeled = parts
        tags.append(Tag(name, int(when or 0), peeled or obj))
    return tags
