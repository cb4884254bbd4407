"""RepoSnapshot: everything the scanner may read of a repository, and nothing else.

Three sources, one interface:
- a git working tree: tracked files from the index plus untracked files git does not ignore;
- a git ref, read from git objects without a checkout (`--ref`, diff mode, sweeps);
- a plain directory that is not a git repository.

Paths are listed once (POSIX, relative to the snapshot root, sorted). A file is read lazily, at most
once, up to `max_bytes`; binary files read as None text. Links are resolved only while they stay
inside the repository: a link out of it reads as nothing.
"""
from __future__ import annotations

import bisect
import errno
import os
import posixpath
import stat
import subprocess
import threading
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, Iterable, Iterator

from standards_check import gitcmd, rx
from standards_check.errors import UserError

if TYPE_CHECKING:
    from standards_check.gitscan import Grep

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_SYMLINK_MODE = "120000"
_GITLINK_MODE = "160000"
_MAX_LINK_HOPS = 8
_FILTER_ATTRIBUTE = rx.compile(r"(?:^|[^\w-])(?:filter|ident)\b", rx.M)


class NoHistory(Exception):
    """The snapshot has no git history (a plain directory)."""


def run_git(cwd: Path | str, *args: str, check: bool = True) -> str:
    """Run git read-only and return stdout. Never prompts, never pages, never runs a program the
    repository's configuration names (gitcmd)."""
    proc = subprocess.Popen(gitcmd.argv(cwd, *args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=gitcmd.env())
    out, err = gitcmd.communicate(proc, f"git {args[0] if args else ''} in {cwd}")
    if check and proc.returncode != 0:
        raise GitError(args, err.decode("utf-8", "replace").strip())
    return out.decode("utf-8", "surrogateescape")


class GitError(Exception):
    def __init__(self, args: tuple[str, ...], stderr: str) -> None:
        super().__init__(f"git {' '.join(args)}: {stderr}")
        self.stderr = stderr


class BrokenRepository(UserError):
    """git cannot list the repository's files: a damaged index, a missing or corrupt tree or pack.
    A UserError, so the CLI exits 2 with the message and a sweep records it as the repository's error."""


def _first_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return (" ".join(lines[:2]) or "no message")[:300]


def _decode(data: bytes) -> str | None:
    """Text of a file, or None when it is binary (a NUL byte near the start)."""
    if b"\0" in data[:8000]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


class RepoSnapshot:
    """The read-only view of a repository that checks work on."""

    kind = "abstract"

    def __init__(self, name: str, paths: Iterable[str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.name = name
        if paths is not None:
            self.paths = tuple(sorted(set(paths)))
        self.max_bytes = max_bytes
        self._bytes: dict[str, bytes | None] = {}
        self.skipped: dict[str, str] = {}  # path -> why it was not read

    # ---- identity -------------------------------------------------------------------------
    root: Path | None = None
    ref: str | None = None
    commit: str | None = None

    # ---- listing --------------------------------------------------------------------------
    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Every listed path, sorted. Sources that list in the background finish here."""
        return tuple(sorted(set(self._list())))

    def _list(self) -> Iterable[str]:
        raise NotImplementedError

    @cached_property
    def _path_set(self) -> frozenset[str]:
        return frozenset(self.paths)

    @cached_property
    def _by_lower_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path in self.paths:
            index.setdefault(path.rpartition("/")[2].lower(), []).append(path)
        return index

    def ending(self, suffixes: tuple[str, ...]) -> list[str]:
        """Every path whose lower-case form ends with one of `suffixes` (lower case), in path
        order: one pass over the listing per set of suffixes, shared by the checks that ask."""
        found = self._ending.get(suffixes)
        if found is None:
            found = self._ending[suffixes] = [path for path in self.paths if path.lower().endswith(suffixes)]
        return found

    @cached_property
    def _ending(self) -> dict[tuple[str, ...], list[str]]:
        return {}

    def names_in(self, directory: str) -> list[str]:
        """The names of the files directly in `directory` (no trailing slash; "" for the root)."""
        if not directory:
            return [path for path in self.paths if "/" not in path]
        start = len(directory.rstrip("/")) + 1
        return [path[start:] for path in self.under(directory) if "/" not in path[start:]]

    def exists(self, path: str) -> bool:
        return path in self._path_set

    def first(self, candidates: Iterable[str]) -> str | None:
        """The first candidate path that exists, in the order given (exact case)."""
        for path in candidates:
            if path in self._path_set:
                return path
        return None

    def named(self, *names: str) -> list[str]:
        """Every path whose file name is one of `names`, ignoring case, in path order."""
        found: list[str] = []
        for name in names:
            found.extend(self._by_lower_name.get(name.lower(), ()))
        return sorted(set(found))

    def under(self, directory: str) -> list[str]:
        """Every path below `directory` (no trailing slash; "" for all)."""
        if not directory:
            return list(self.paths)
        prefix = directory.rstrip("/") + "/"
        start = bisect.bisect_left(self.paths, prefix)
        end = bisect.bisect_left(self.paths, prefix[:-1] + "0")  # "0" sorts right after "/"
        return list(self.paths[start:end])

    def is_dir(self, directory: str) -> bool:
        return bool(self.under(directory))

    # ---- reading --------------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes | None:
        """The bytes of a listed file, or None (missing, a link out, too large, not a file)."""
        if path not in self._bytes:
            self._bytes[path] = self._load(path) if path in self._path_set else None
        return self._bytes[path]

    def read_text(self, path: str) -> str | None:
        data = self.read_bytes(path)
        return None if data is None else _decode(data)

    def iter_bytes(self, paths: Iterable[str], follow_links: bool = True) -> Iterator[tuple[str, bytes | None]]:
        """(path, bytes or None) for each path, WITHOUT keeping the bytes: for scans over many
        files (secrets.committed) that would otherwise hold the whole repository in memory.
        With follow_links=False a link reads as None (its target is listed and read itself)."""
        for path in paths:
            if path in self._bytes:
                yield path, self._bytes[path]
            elif path not in self._path_set:
                yield path, None
            else:
                yield path, self._read(path, follow_links)

    def _read(self, path: str, follow_links: bool) -> bytes | None:
        """One listed file, uncached; a link reads as None unless follow_links."""
        return None if not follow_links and self._is_link(path) else self._load(path)

    def _is_link(self, path: str) -> bool:
        raise NotImplementedError

    def prefetch(self, paths: Iterable[str]) -> None:
        """Hint that these files will be read; sources that can batch reads do so."""

    # ---- bulk search (secrets.committed) ----------------------------------------------------
    def blob_ids(self) -> dict[str, str]:
        """path -> git blob id of files whose content is that blob (for caching by content),
        except those `changed_since_blob_ids` names; files not in it must be read. Empty for
        sources without git objects."""
        return {}

    def quick_content_key(self) -> str | None:
        """content_key's key as soon as git can tell it, without waiting for the listing or for the
        work tree's edits (so it may turn out not to hold)."""
        return None

    def content_key(self) -> tuple[str, frozenset[str]] | None:
        """(a key that changes whenever any listed file's content could, the listed paths it does
        not cover), or None when there is no such key: a ref's root tree id; a work tree's index
        listing while no tracked file is edited or flagged (untracked files are not covered)."""
        return None

    def changed_since_blob_ids(self) -> set[str] | None:
        """Paths of `blob_ids` whose content may no longer be that blob (a work tree's edits); None
        when that cannot be told (then no blob id is trusted)."""
        return set()

    def start_grep(self, literals: tuple[str, ...]) -> None:
        """Start the whole-tree search `grep` will want, in the background (engine.scan asks before
        the checks run, so git works meanwhile)."""

    def _whole_tree_grep(self, literals: tuple[str, ...], start: Callable[[], Grep]) -> Grep:
        """The search started in the background for these literals, or a new one."""
        started = self.__dict__.pop("_started_grep", None)
        if started is not None and started[0] == literals:
            return started[1]
        if started is not None:
            started[1].cancel()
        return start()

    def cancel_grep(self) -> None:
        """Stop the search start_grep started, if it is still running."""
        started = self.__dict__.pop("_started_grep", None)
        if started is not None:
            started[1].cancel()

    def grep(self, literals: tuple[str, ...], paths: list[str]) -> tuple[set[str], set[str]] | None:
        """(searched, found): which of `paths` git searched for the literals, and which of those
        contain one (a superset of the files with a match: binary files included, as git grep
        lists them). None when this source cannot search in bulk; files not searched are read."""
        return None

    def _load(self, path: str) -> bytes | None:
        raise NotImplementedError

    def _too_big(self, path: str, size: int) -> bool:
        if size > self.max_bytes:
            self.skipped[path] = f"larger than {self.max_bytes} bytes ({size})"
            return True
        return False

    # ---- history --------------------------------------------------------------------------
    def git(self, *args: str) -> str:
        """Run a read-only git command against the repository's history."""
        raise NoHistory(f"{self.name} is not a git repository")

    @property
    def has_history(self) -> bool:
        return False

    @cached_property
    def is_shallow(self) -> bool:
        if not self.has_history:
            return False
        return self.git("rev-parse", "--is-shallow-repository").strip() == "true"

    def close(self) -> None:
        """Release resources (the cat-file process of a ref snapshot)."""

    def __enter__(self) -> RepoSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DOT_GIT = frozenset({".git", ".GIT", ".Git", ".GIt", ".gIT", ".giT", ".gIt", ".GiT"})


class _FilesystemSnapshot(RepoSnapshot):
    """Reads files from disk under `root`, refusing any path whose real location is outside it or
    inside a git directory (`.git` anywhere, or the repository's own git directory wherever its
    `.git` file points): .git/config can hold a token (actions/checkout persists one there)."""

    root: Path

    def __init__(self, root: Path, name: str, paths: Iterable[str] | None, max_bytes: int,
                 git_dirs: Iterable[str] = ()) -> None:
        super().__init__(name, paths, max_bytes)
        self.root = root
        self._real_root = os.path.realpath(root)
        self._real_dirs: dict[str, str] = {"": self._real_root}
        self._git_dirs = tuple(os.path.realpath(d) for d in git_dirs)
        self._refused_dirs: dict[str, bool] = {}  # real directory -> inside a git directory or outside

    def _load(self, path: str) -> bytes | None:
        return self._read(path, follow_links=True)

    def _read(self, path: str, follow_links: bool) -> bytes | None:
        """Each directory's real path is resolved once (not realpath's lstat of every component of
        every file), and the file is opened with O_NOFOLLOW, so a link is found only when the open
        fails: then it reads as None, or through `_load_link` when following links. O_NONBLOCK:
        a FIFO opens without waiting for a writer, and fstat then refuses it (not a regular file)."""
        directory, _, name = path.rpartition("/")
        real_dir = self._real_dir(directory)
        refused = self._refused_dirs.get(real_dir)
        if refused is None:
            refused = self._refused_dirs[real_dir] = self._refusal(real_dir) is not None
        if refused or name in _DOT_GIT or not hasattr(os, "O_NOFOLLOW"):
            return self._load_link(path)
        full = os.path.join(real_dir, name)
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if os.path.islink(full):
                return self._load_link(path) if follow_links else None
            if exc.errno != errno.ENOENT:  # listed but deleted from the work tree: just absent
                self.skipped[path] = f"unreadable: {exc.strerror}"
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or self._too_big(path, info.st_size):
                return None
            return os.read(fd, info.st_size + 1)
        except OSError as exc:
            self.skipped[path] = f"unreadable: {exc.strerror}"
            return None
        finally:
            os.close(fd)

    def _load_link(self, path: str) -> bytes | None:
        """A path through a link: read only when its real location is inside the repository and
        outside every git directory."""
        real = os.path.realpath(os.path.join(self.root, path))
        refusal = self._refusal(real)
        if refusal:
            self.skipped[path] = refusal
            return None
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):  # dangling or a loop: nothing
                self.skipped[path] = f"unreadable: {exc.strerror}"
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or self._too_big(path, info.st_size):
                return None
            return os.read(fd, info.st_size + 1)
        except OSError as exc:
            self.skipped[path] = f"unreadable: {exc.strerror}"
            return None
        finally:
            os.close(fd)

    def _is_link(self, path: str) -> bool:
        return os.path.islink(os.path.join(self.root, path))

    def _refusal(self, real: str) -> str | None:
        """Why a real location may not be read, or None when it may."""
        if not (real == self._real_root or real.startswith(self._real_root + os.sep)):
            return "a link that points outside the repository"
        inner = real[len(self._real_root) + 1:]
        if ".git" in inner.lower() and any(part.lower() == ".git" for part in inner.split(os.sep)):
            return "a link into a git directory"
        if any(real == d or real.startswith(d + os.sep) for d in self._git_dirs):
            return "a link into a git directory"
        return None

    def _real_dir(self, directory: str) -> str:
        """realpath of a repository directory, built from its parent's: realpath(p/d) is
        realpath(p)/d unless d itself is a link. Iterative: a tree thousands deep is no problem."""
        real = self._real_dirs.get(directory)
        if real is not None:
            return real
        pending = []
        while directory not in self._real_dirs:
            pending.append(directory)
            directory = directory.rpartition("/")[0]
        real = self._real_dirs[directory]
        for directory in reversed(pending):
            candidate = os.path.join(real, directory.rpartition("/")[2])
            real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
            self._real_dirs[directory] = real
        return real


MAX_DEPTH = 100  # directory levels a plain directory's walk goes down; deeper is skipped, with a warning


class DirectorySnapshot(_FilesystemSnapshot):
    """A plain directory: every regular file and link below it, except git directories; links are
    listed, not descended; FIFOs, sockets and devices are not listed. The walk is iterative and
    stops MAX_DEPTH levels down (a directory there is named in a warning)."""

    kind = "directory"

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        paths, skipped = _walk(root)
        super().__init__(root, root.resolve().name, paths, max_bytes)
        self.skipped.update(skipped)


def _walk(root: Path) -> tuple[list[str], dict[str, str]]:
    paths: list[str] = []
    skipped: dict[str, str] = {}
    stack = [("", str(root), 0)]
    while stack:
        prefix, directory, depth = stack.pop()
        try:
            with os.scandir(directory) as entries:
                found = list(entries)
        except OSError as exc:
            skipped[prefix.rstrip("/") or "."] = f"unreadable directory: {exc.strerror}"
            continue
        for entry in found:
            if entry.name.lower() == ".git":
                continue
            rel = prefix + entry.name
            try:
                if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    paths.append(rel)
                elif entry.is_dir(follow_symlinks=False):
                    if depth + 1 >= MAX_DEPTH:
                        skipped[rel] = f"deeper than {MAX_DEPTH} directory levels: not scanned"
                    else:
                        stack.append((rel + "/", entry.path, depth + 1))
            except OSError:
                continue
    return paths, skipped


class WorktreeSnapshot(_FilesystemSnapshot):
    """A git working tree: tracked files plus untracked files that git does not ignore.

    Listing untracked files walks the whole tree (about 0.2 s for 100,000 files), so git starts
    listing when the snapshot is opened and the caller loads the catalog and policy meanwhile;
    `paths` waits for it.
    """

    kind = "worktree"

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        git_dirs = run_git(root, "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir",
                           check=False).splitlines()
        super().__init__(root, _repo_name(root), None, max_bytes, git_dirs)
        self._lister = subprocess.Popen(
            gitcmd.argv(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=gitcmd.env(),
        )
        from standards_check.gitscan import IndexState

        self._index_state = IndexState(root)  # blob ids for the secret scan, asked in the background
        self.ref = "WORKTREE"
        head = run_git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).strip()
        self.commit = head or None

    def _list(self) -> Iterable[str]:
        out, err = gitcmd.communicate(self._lister, f"listing the files of {self.root}")
        if self._lister.returncode != 0:
            raise BrokenRepository(f"cannot list the files of {self.root}: git ls-files failed (a damaged "
                                   f"index?): {_first_line(err)}")
        paths = (p for p in out.decode("utf-8", "surrogateescape").split("\0") if p)
        # A git directory inside the work tree under another name (`.git` is a file saying
        # `gitdir: meta`) is listed by git as untracked files: it is not content.
        inner = tuple(os.path.relpath(d, self._real_root).replace(os.sep, "/") + "/" for d in self._git_dirs
                      if d.startswith(self._real_root + os.sep))
        return (p for p in paths if not p.startswith(inner)) if inner else paths

    def git(self, *args: str) -> str:
        return run_git(self.root, *args)

    @property
    def _index(self) -> dict[str, str] | None:
        return None if self._content_filters else self._index_state.blobs()

    @cached_property
    def _content_filters(self) -> bool:
        """Whether a .gitattributes names a filter (git-lfs, ...) or ident: then a checked-out file
        may hold bytes its blob does not, and the files themselves are searched, uncached."""
        return any(_FILTER_ATTRIBUTE.search(self.read_text(path) or "") for path in self.named(".gitattributes"))

    def blob_ids(self) -> dict[str, str]:
        return self._index or {}

    def changed_since_blob_ids(self) -> set[str] | None:
        return self._index_state.modified() if self._index is not None else set()

    def quick_content_key(self) -> str | None:
        key = self._index_state.key()
        return f"index:{key[0]}" if key else None

    def content_key(self) -> tuple[str, frozenset[str]] | None:
        state = self._index_state
        key = state.key() if not self._content_filters else None
        if key is None or state.modified() != set():
            return None
        digest, entries = key
        # Every index path is listed: more paths are untracked files, which the key does not cover.
        untracked = frozenset() if len(self.paths) == entries else self._path_set - state.paths()
        return f"index:{digest}", untracked

    def grep(self, literals: tuple[str, ...], paths: list[str]) -> tuple[set[str], set[str]] | None:
        from standards_check import gitscan

        if self._content_filters:  # git grep reads the tracked files of the work tree
            tracked = self._index_state.blobs()
            if tracked is None:
                return None
            searched = {p for p in paths if p in tracked}
            self.cancel_grep()  # the index's blobs are of no use here
            found = gitscan.grep_files(self.root, literals)
            return None if found is None else (searched, found & searched)
        # The index's blobs are the unedited files' content, and git reads them from its object
        # store far faster than file by file from the work tree (0.3 s against 0.7-1.4 s for
        # 100,000 files here); the edited files are read by the caller. Always the whole index:
        # git matches every entry against every pathspec given (0.8 s for 3,000 of them).
        blobs, modified = self._index, self._index_state.modified()
        if blobs is None or modified is None:
            return None
        searched = {p for p in paths if p in blobs and p not in modified}
        found = self._whole_tree_grep(literals, lambda: gitscan.Grep(self.root, literals, cached=True)).result()
        return None if found is None else (searched, found & searched)

    def start_grep(self, literals: tuple[str, ...]) -> None:
        from standards_check import gitscan

        self._started_grep = (literals, gitscan.Grep(self.root, literals, cached=True))

    @property
    def has_history(self) -> bool:
        return self.commit is not None

    def close(self) -> None:
        if self._lister.poll() is None:
            self._lister.kill()
        self._lister.communicate()
        self._index_state.close()
        self.cancel_grep()


class RefSnapshot(RepoSnapshot):
    """A git ref read from objects, without a checkout: `ls-tree` once, `cat-file --batch` to read."""

    kind = "ref"
    grep_whole_tree = True  # every blob is in the repository

    def __init__(self, root: Path, ref: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        commit = resolve_commit(root, ref)
        if not commit:
            raise UserError(f"unknown git ref {ref!r} in {root}")
        # Listing runs in the background while the caller loads the catalog and policy.
        self._lister = subprocess.Popen(gitcmd.argv(root, "ls-tree", "-r", "-z", "--full-tree", commit),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=self._git_env())
        super().__init__(_repo_name(root), None, max_bytes)
        self.root: Path = root
        self.ref = ref
        self.commit = commit
        self._batch: subprocess.Popen | None = None

    @staticmethod
    def _git_env() -> dict[str, str]:
        """git's environment: someone else's repository, so no transport, no lazy fetch."""
        return gitcmd.env()

    @cached_property
    def _records(self) -> dict[str, str]:
        """path -> the "mode type object<TAB>path" record ls-tree printed; split only for the files
        read. A blob's record with a SHA-1 name has its tab at column 52, which saves a search per
        record on 100,000 of them; anything else (a submodule, SHA-256) is searched."""
        out, err = self._lister.communicate()
        if self._lister.returncode != 0:
            raise BrokenRepository(f"cannot list the files of {self.ref} in {self.root}: a tree is missing or "
                                   f"damaged: {_first_line(err)}")
        records = out.decode("utf-8", "surrogateescape").split("\0")
        records.pop()  # after the last NUL
        return {(r[53:] if r[52:53] == "\t" else r[r.index("\t") + 1:]): r for r in records}

    @cached_property
    def _entries(self) -> _Entries:
        return _Entries(self._records)

    def _is_link(self, path: str) -> bool:
        return self._entries[path][0] in (_SYMLINK_MODE, _GITLINK_MODE)

    def _list(self) -> Iterable[str]:
        return self._records.keys()

    def _cat_file(self, sha: str) -> tuple[int, bytes | None]:
        if self._batch is None:
            self._batch = subprocess.Popen(
                gitcmd.argv(self.root, "cat-file", "--batch"),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self._git_env(),
            )
        assert self._batch.stdin and self._batch.stdout
        self._batch.stdin.write(sha.encode() + b"\n")
        self._batch.stdin.flush()
        return _read_object(self._batch.stdout, self.max_bytes)

    def _load(self, path: str, hops: int = 0) -> bytes | None:
        mode, sha = self._entries[path]
        if mode == _GITLINK_MODE:
            return None
        size, data = self._cat_file(sha)
        if data is None:
            self.skipped[path] = (
                f"larger than {self.max_bytes} bytes ({size})" if size else "object not available"
            )
            return None
        if mode != _SYMLINK_MODE:
            return data
        target = _resolve_link(path, data.decode("utf-8", "replace"))
        if target is not None and target not in self._entries:
            return None  # a link to a directory inside the repository: not a file
        if target is None or hops >= _MAX_LINK_HOPS:
            self.skipped[path] = "a link that points outside the repository"
            return None
        return self._load(target, hops + 1)

    def iter_bytes(self, paths: Iterable[str], follow_links: bool = True) -> Iterator[tuple[str, bytes | None]]:
        """As RepoSnapshot.iter_bytes, streaming blobs through one pipelined `git cat-file --batch`
        (a writer thread feeds object names while we read), not one round trip per file."""
        paths = list(paths)
        blobs = [(p, self._entries[p][1]) for p in paths
                 if p not in self._bytes and p in self._entries and not self._is_link(p)]
        streamed = self._stream_blobs(blobs)
        for path in paths:
            if path in self._bytes or path not in self._entries:
                yield path, self._bytes.get(path)
            elif self._is_link(path):
                yield path, self._load(path) if follow_links else None
            else:
                yield next(streamed)

    def _stream_blobs(self, blobs: list[tuple[str, str]]) -> Iterator[tuple[str, bytes | None]]:
        proc = subprocess.Popen(gitcmd.argv(self.root, "cat-file", "--batch"), env=self._git_env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdin and proc.stdout
        stdin, stdout = proc.stdin, proc.stdout

        def feed() -> None:
            try:
                for _, sha in blobs:
                    stdin.write(sha.encode() + b"\n")
            except (BrokenPipeError, ValueError):
                pass
            finally:
                try:
                    stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for path, _ in blobs:
                size, data = _read_object(stdout, self.max_bytes)
                if data is None:
                    self.skipped[path] = f"larger than {self.max_bytes} bytes ({size})" if size else "object not available"
                yield path, data
        finally:
            stdout.close()
            writer.join()
            proc.wait()

    def git(self, *args: str) -> str:
        return run_git(self.root, *args)

    def start_grep(self, literals: tuple[str, ...]) -> None:
        from standards_check import gitscan

        if self.grep_whole_tree:
            self._started_grep = (literals, gitscan.Grep(self.root, literals, self.commit))

    @cached_property
    def _blob_ids(self) -> dict[str, str]:
        return {p: r[12:r.index("\t")] for p, r in self._records.items()
                if r.startswith(("100644 blob ", "100755 blob "))}

    def blob_ids(self) -> dict[str, str]:
        return self._blob_ids

    @cached_property
    def _tree_id(self) -> str | None:
        from standards_check import gitscan

        return gitscan.tree_id(self.root, str(self.commit))

    def quick_content_key(self) -> str | None:
        return f"tree:{self._tree_id}" if self._tree_id else None

    def content_key(self) -> tuple[str, frozenset[str]] | None:
        return (f"tree:{self._tree_id}", frozenset()) if self._tree_id else None

    def grep(self, literals: tuple[str, ...], paths: list[str]) -> tuple[set[str], set[str]] | None:
        from standards_check import gitscan

        blobs = self.blob_ids()
        searched = {p for p in paths if p in blobs}  # links and submodules are not searched
        # A tree's walk prunes by pathspec (0.2 s for 3,000 of them), so a minority of the files is
        # named; a partial clone always names them, as git would fetch every other missing blob.
        whole = self.grep_whole_tree and len(searched) > len(blobs) // 2
        if whole:
            found = self._whole_tree_grep(literals, lambda: gitscan.Grep(self.root, literals, self.commit)).result()
        else:
            found = gitscan.grep_files(self.root, literals, self.commit, sorted(searched))
        return None if found is None else (searched, found & searched)

    @property
    def has_history(self) -> bool:
        return True

    def close(self) -> None:
        if self._lister.poll() is None:
            self._lister.kill()
        self._lister.communicate()
        if self._batch is not None:
            assert self._batch.stdin
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None
        self.cancel_grep()


def resolve_commit(root: Path | str, ref: str) -> str | None:
    """The commit `ref` names in the repository at `root`, or None. A ref that git could take for
    an option is a UserError, and the ref goes after `--end-of-options` all the same."""
    gitcmd.check_ref(ref)
    out = run_git(root, "rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}", check=False).strip()
    return out if _is_object_name(out) else None


def _is_object_name(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _read_object(stdout: IO[bytes], max_bytes: int) -> tuple[int, bytes | None]:
    """One answer of `git cat-file --batch`: (size, bytes), or (size, None) for an object larger
    than max_bytes (read past and dropped), or (0, None) for a missing one (a partial clone)."""
    header = stdout.readline().split()
    if len(header) < 3:  # "<name> missing"
        return 0, None
    size = int(header[2])
    if size > max_bytes:
        remaining = size + 1
        while remaining:
            remaining -= len(stdout.read(min(remaining, 1 << 20)))
        return size, None
    data = stdout.read(size + 1)[:size]  # the object and its trailing newline
    return size, data


class _Entries:
    """A read-only view of ls-tree records as path -> (mode, object name)."""

    __slots__ = ("_records",)

    def __init__(self, records: dict[str, str]) -> None:
        self._records = records

    def __contains__(self, path: object) -> bool:
        return path in self._records

    def __getitem__(self, path: str) -> tuple[str, str]:
        mode, _type, name = self._records[path].partition("\t")[0].split(" ")
        return mode, name

    def get(self, path: str, default: tuple[str, str] | None = None) -> tuple[str, str] | None:
        return self[path] if path in self._records else default


def _resolve_link(link_path: str, target: str) -> str | None:
    """The repository path a relative link points to, or None when it leaves the repository."""
    if target.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link_path), target))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _repo_name(root: Path) -> str:
    """owner/name from the origin remote's URL when there is one, else the directory's name."""
    url = run_git(root, "config", "--get", "remote.origin.url", check=False).strip()
    hosted = "://" in url and not url.startswith("file:") or (":" in url and not url.startswith("/"))
    if hosted:  # https://host/owner/name(.git), ssh://..., git@host:owner/name.git; not a local path
        parts = url.rstrip("/").removesuffix(".git").replace(":", "/").split("/")
        if len(parts) >= 2 and parts[-1] and parts[-2]:
            return f"{parts[-2]}/{parts[-1]}"
    resolved = Path(root).resolve()
    return resolved.name.removesuffix(".git") or resolved.parent.name


def open_snapshot(path: str | Path, ref: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> RepoSnapshot:
    """Open the snapshot the user asked for; a bad path or ref is a UserError."""
    root = Path(path)
    if not root.exists():
        raise UserError(f"path does not exist: {path}")
    if not root.is_dir():
        raise UserError(f"not a directory: {path}")
    inside_git = run_git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() == "true"
    is_bare = run_git(root, "rev-parse", "--is-bare-repository", check=False).strip() == "true"
    if ref is not None or is_bare:
        if not (inside_git or is_bare):
            raise UserError(f"--ref needs a git repository, and {path} is not one")
        return RefSnapshot(root, ref or "HEAD", max_bytes)
    if inside_git:
        return WorktreeSnapshot(root, max_bytes)
    return DirectorySnapshot(root, max_bytes)
