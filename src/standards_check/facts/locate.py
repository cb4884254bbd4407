"""Finding known directories without walking every path: child listing by bisect, any-case lookup."""
from __future__ import annotations

import bisect
from typing import Iterable

from standards_check.snapshot import RepoSnapshot


def _child_dirs(snapshot: RepoSnapshot, directory: str) -> list[str]:
    """Names of the directories directly below `directory` ("" for the root), by jumping through the
    sorted path list with bisect: one step per child, never a walk over every path."""
    paths = snapshot.paths
    prefix = directory + "/" if directory else ""
    lo = bisect.bisect_left(paths, prefix)
    hi = bisect.bisect_left(paths, prefix[:-1] + "0") if prefix else len(paths)
    children: list[str] = []
    while lo < hi:
        rest = paths[lo][len(prefix):]
        name, slash, _ = rest.partition("/")
        if not slash:  # a file directly in the directory
            lo += 1
            continue
        children.append(name)
        lo = bisect.bisect_left(paths, prefix + name + "0", lo, hi)  # "0" sorts right after "/"
    return children


def dirs_any_case(snapshot: RepoSnapshot, dirs: Iterable[str]) -> list[str]:
    """Which of `dirs` exist, in whatever case the repository writes them (`docs/ADR`, `Runbooks`),
    in the order of `dirs`. Visits only the directories on the way to them."""
    dirs = list(dirs)
    wanted = {d.lower() for d in dirs}
    prefixes = {"/".join(d.split("/")[:depth]) for d in wanted for depth in range(1, d.count("/") + 2)}
    found: list[str] = []
    level = [""]
    while level:
        following = []
        for parent in level:
            for child in _child_dirs(snapshot, parent):
                path = f"{parent}/{child}" if parent else child
                if path.lower() in wanted:
                    found.append(path)
                if path.lower() in prefixes:
                    following.append(path)
        level = following
    order = {d.lower(): i for i, d in enumerate(dirs)}
    return sorted(found, key=lambda d: (order.get(d.lower(), len(order)), d))
