"""The git commands the secret scan runs for bulk work, all in one place.

`git grep` reads and searches every file in C (threads, no Python per file); the index and ls-tree
give each file's blob id, which keys the scan cache. Every command here runs with the options that
keep a hostile repository's configuration from running anything: no fsmonitor hook, no hooks, no
textconv, literal pathspecs, and no pager, prompt or colour.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Iterable

import re2

from standards_check import gitcmd

# gitcmd's settings neutralise the repository's program-running config; grep itself never runs
# textconv unless asked (--no-textconv says so anyway) and gets no colour.
_EXTRA = ("-c", "diff.external=", "-c", "color.ui=false")
_ARGV_BYTES = 100_000  # pathspecs per git grep call, well below any platform's argument limit


def _env() -> dict[str, str]:
    env = {**gitcmd.env(),  # no transport: a missing blob is missing, never fetched from someone's remote
           "GIT_LITERAL_PATHSPECS": "1"}  # a file named ":(exclude)*" is that file
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def git_argv(root: Path | str, *args: str) -> list[str]:
    """argv for a read-only git command on `root` that runs nothing from the repository's config."""
    return gitcmd.argv(root, *_EXTRA, *args)


def _run(root: Path | str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(git_argv(root, *args), capture_output=True, env=_env(), check=False)


def grep_files(root: Path | str, literals: Iterable[str], rev: str | None = None,
               paths: list[str] | None = None, cached: bool = False) -> set[str] | None:
    """Paths (relative to `root`, as ls-files/ls-tree list them) of tracked files that contain any of
    `literals`: in the work tree, or the index's blobs (`cached`), or with `rev` that commit's;
    `paths` limits the search. Binary files count too (without -I: .gitattributes could otherwise
    hide a file). Links are not read. None when git cannot answer (the caller then reads the
    files itself)."""
    found: set[str] = set()
    for chunk in _chunks(paths) if paths is not None else [[]]:
        part = Grep(root, literals, rev, chunk, cached).result()
        if part is None:
            return None
        found |= part
    return found


class Grep:
    """One `git grep -l` started now, in the background; `result()` collects it."""

    def __init__(self, root: Path | str, literals: Iterable[str], rev: str | None = None,
                 paths: list[str] | None = None, cached: bool = False) -> None:
        args = ["grep", "-l", "-z", "-F", "--no-color", "--no-textconv", "--no-recurse-submodules"]
        if cached:
            args.append("--cached")
        for literal in literals:
            args += ["-e", literal]
        if rev is not None:
            args.append(rev)
            # A ref snapshot lists the whole tree (ls-tree --full-tree); grep from the top to match.
            cdup = _run(root, "rev-parse", "--show-cdup").stdout.decode("utf-8", "surrogateescape").strip()
            root = os.path.join(root, cdup) if cdup else root
        self.prefix = f"{rev}:" if rev is not None else ""
        self._proc = subprocess.Popen(git_argv(root, *args, "--", *(paths or ())), stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, env=_env())
        self._found: set[str] | None = None

    def result(self) -> set[str] | None:
        if self._proc.returncode is None:
            try:
                out, _ = gitcmd.communicate(self._proc, "git grep")
            except gitcmd.GitBlocked:  # a FIFO among the files git opens: the caller reads them itself
                return None
            if self._proc.returncode in (0, 1):  # 1: nothing found
                prefix = self.prefix
                names = out.decode("utf-8", "surrogateescape").split("\0")
                self._found = {n[len(prefix):] if prefix and n.startswith(prefix) else n for n in names if n}
        return self._found

    def cancel(self) -> None:
        if self._proc.returncode is None:
            self._proc.kill()
            self._proc.communicate()


def _chunks(paths: list[str]) -> Iterable[list[str]]:
    chunk: list[str] = []
    size = 0
    for path in paths:
        chunk.append(path)
        size += len(path) + 1
        if size > _ARGV_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# A record whose stage (just before its first tab) is a conflict's; RE2: linear, in C.
_CONFLICT_STAGE = re2.compile(rb"(?:^|\x00)[^\t\x00]* [123]\t")


class IndexState:
    """The index's blob ids and the work tree's edits, asked of git in the background as soon as a
    work-tree snapshot opens (while the catalog and policy load):
    - `git ls-files -s -v`: path -> blob id of the tracked regular files git grep reads from the
      work tree (stage 0, not flagged assume-unchanged or skip-worktree);
    - `git diff-files`: the paths whose file may differ from that blob (stat data, as `git status`
      checks)."""

    def __init__(self, root: Path | str) -> None:
        def start(*args: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(git_argv(root, *args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=_env())

        self._listing = start("ls-files", "-s", "-v", "-z")
        # diff-files hashes a racily clean file to compare it, through the clean filter: none runs
        self._diff = start(*gitcmd.no_filters(root), "diff-files", "--name-only", "--relative", "-z")
        self._raw: bytes | None = None
        self._blobs: dict[str, str] | None = None
        self._modified: set[str] | None = None

    def _listed(self) -> bytes | None:
        if self._listing.returncode is None:
            out, _ = self._listing.communicate()
            self._raw = out if self._listing.returncode == 0 else None
        return self._raw

    def blobs(self) -> dict[str, str] | None:
        """None when git could not answer."""
        raw = self._listed()
        if self._blobs is None and raw is not None:
            self._blobs = _parse_stage_listing(raw)
        return self._blobs

    def paths(self) -> frozenset[str]:
        """Every path in the index."""
        raw = self._listed() or b""
        return frozenset(r.partition("\t")[2] for r in raw.decode("utf-8", "surrogateescape").split("\0") if r)

    def key(self) -> tuple[str, int] | None:
        """(a digest of the listing, its number of entries) when every entry is plain (tag H,
        stage 0: git would notice an edit), else None. Bytes-level tests, no parse."""
        raw = self._listed()
        if raw is None:
            return None
        entries = raw.count(b"\0")
        tagged_h = raw.count(b"\0H ") + raw.startswith(b"H ")  # records start the output or follow a NUL
        if tagged_h != entries or _CONFLICT_STAGE.search(raw):
            return None
        return hashlib.sha1(raw).hexdigest(), entries

    def modified(self) -> set[str] | None:
        """None when git could not answer."""
        if self._diff.returncode is None:
            out, _ = self._diff.communicate()
            if self._diff.returncode == 0:
                self._modified = set(out.decode("utf-8", "surrogateescape").split("\0"))
                self._modified.discard("")
        return self._modified

    def close(self) -> None:
        for proc in (self._listing, self._diff):
            if proc.returncode is None:
                proc.kill()
                proc.communicate()


def _parse_stage_listing(out: bytes) -> dict[str, str]:
    """path -> blob id of the plain regular files (tag H, stage 0)."""
    records = out.decode("utf-8", "surrogateescape").split("\0")
    records.pop()  # after the last NUL
    # "H 100644 <blob> 0\t<path>": with SHA-1 ids the fields sit at fixed columns, which spares a
    # split per record on 100,000 of them; anything else (SHA-256) is split.
    blobs = {r[52:]: r[9:49] for r in records if r[51:52] == "\t" and r[49:51] == " 0"
             and r.startswith(("H 100644 ", "H 100755 "))}
    for record in records:
        if record[51:52] != "\t":
            meta, _, path = record.partition("\t")
            fields = meta.split(" ")
            if len(fields) == 4 and fields[0] == "H" and fields[1] in ("100644", "100755") and fields[3] == "0":
                blobs[path] = fields[2]
    return blobs


def tree_id(root: Path | str, commit: str) -> str | None:
    """The id of a commit's root tree: everything below it, addressed by content."""
    proc = _run(root, "rev-parse", "--verify", "-q", f"{commit}^{{tree}}")
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None
