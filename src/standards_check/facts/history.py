"""When files last changed, from git history, in ONE `git log` call (shared by freshness checks).

Usage from an evaluator (any family):

    from standards_check.facts import history
    try:
        changes = history.last_changes(snapshot, ["docs/adr", "RUNBOOK.md"])
    except history.NoHistory as exc:        # plain directory, or no commit yet
        return Outcome.skipped(str(exc))
    for path, change in changes.items():    # only paths below the given files/directories
        change.epoch, change.commit, change.reliable

- Paths may be files or directories (a directory stands for every file below it). They are passed
  to git as literal pathspecs, so names with `*` or `:` are safe.
- History is read from the snapshot's commit (`snapshot.commit`), so a `--ref` scan sees that ref's
  history, not the checked-out branch's.
- `reliable` is False when the change found is the boundary commit of a shallow clone: there git
  shows every file as added by that commit, so its date says nothing about when the file changed.
  A freshness check should `skip` rather than trust such a date.
- Untracked files have no history and are absent from the result.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable

from standards_check.snapshot import GitError, NoHistory, RepoSnapshot

__all__ = ["Change", "NoHistory", "last_changes", "last_change_times", "days_since", "latest"]

_MARK = "\x1e"  # record separator: starts each commit header line in the log output


@dataclass(frozen=True)
class Change:
    """The last commit that touched a path."""

    epoch: int  # committer time, seconds since the epoch (when it landed on the branch)
    commit: str
    reliable: bool = True  # False: the shallow-clone boundary, the real date is unknown


def last_changes(snapshot: RepoSnapshot, paths_or_dirs: Iterable[str]) -> dict[str, Change]:
    """The last change of every file at or below `paths_or_dirs`, from one `git log` call.

    Raises NoHistory on a plain directory or a repository without commits.
    """
    specs = sorted({p.rstrip("/") for p in paths_or_dirs if p and p.strip("/")})
    if not specs:
        return {}
    if not snapshot.has_history or not snapshot.commit:
        raise NoHistory(f"{snapshot.name} has no git history")
    shallow = snapshot.is_shallow
    try:
        out = snapshot.git(
            "log", snapshot.commit, "--no-renames", "--name-only", "-z",
            f"--format={_MARK}%H %ct %P", "--", *(f":(literal){spec}" for spec in specs),
        )
    except GitError as exc:
        raise NoHistory(f"git history could not be read: {exc.stderr or exc}") from None
    return _parse_log(out, shallow)


def _parse_log(out: str, shallow: bool) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    for record in out.split(_MARK):
        if not record:
            continue
        header, _, names = record.partition("\n")
        parts = header.replace("\0", " ").split()
        if len(parts) < 2:
            continue
        commit, epoch, parents = parts[0], int(parts[1]), parts[2:]
        # a commit without parents in a shallow clone is (almost always) the graft boundary
        change = Change(epoch, commit, reliable=not (shallow and not parents))
        for name in names.split("\0"):
            name = name.strip("\n")
            if not name:
                continue
            known = changes.get(name)
            # log order is newest first, but committer dates can be out of order: keep the newest
            if known is None or (change.epoch > known.epoch and change.reliable >= known.reliable):
                changes[name] = change
    return changes


def last_change_times(snapshot: RepoSnapshot, paths_or_dirs: Iterable[str]) -> dict[str, int]:
    """`last_changes` reduced to {path: epoch}; unreliable (shallow boundary) dates are left out."""
    return {p: c.epoch for p, c in last_changes(snapshot, paths_or_dirs).items() if c.reliable}


def latest(changes: dict[str, Change], paths: Iterable[str] | None = None) -> tuple[str, Change] | None:
    """The most recently changed path (among `paths` when given) and its change."""
    wanted = changes if paths is None else {p: changes[p] for p in paths if p in changes}
    if not wanted:
        return None
    path = max(wanted, key=lambda p: (wanted[p].epoch, p))
    return path, wanted[path]


def days_since(epoch: int, now: float | None = None) -> float:
    return ((time.time() if now is None else now) - epoch) / 86400.0
