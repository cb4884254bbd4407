"""What the secret scan found in a blob, remembered by blob id so unchanged content is never read twice.

Content-addressed: the key is the blob id (git's hash of the bytes) inside a namespace that hashes
the scanner's version and every parameter that changes a blob's result, so a new version or
parameter reads everything again. The value is what the scan said about the content: nothing,
skipped, or the (line, kind, looks-fake) of each match. Never the matched text.

Layout: <cache dir>/secrets/<namespace>/<segment>.blobs, where the cache dir is
$STANDARDS_CHECK_CACHE, else $XDG_CACHE_HOME/standards-check, else ~/.cache/standards-check.
A run writes what it learnt as one new segment (a temporary file renamed into place, so readers
never see half a file) and never changes a segment after that: concurrent runs (sweep workers,
parallel CI jobs) cannot corrupt each other, at worst they both scan a blob. Past `max_entries` or
too many segments, a run merges them into one, keeping the blobs it used itself first, then others
up to 90% of the bound, and removes the segments it merged; namespaces unused for a week are removed. Clean blobs, the ~99.9%,
are a list of ids that loads as one set (100,000 in about 20 ms); any failure of the cache
(read-only disk, a damaged segment) is a miss, never a failed scan.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Collection, Iterable

# About 17 MB on disk and 50 MB in memory at most: the blobs of a few 100,000-file repositories.
DEFAULT_MAX_ENTRIES = 400_000
_MAX_SEGMENTS = 16
_MAX_TREES = 256  # whole-scan results (a few KB each) by tree content key
_SUFFIX = ".blobs"
_SEPARATOR = "\n\0\n"  # between the clean ids and the "id<TAB>result" lines
_UNUSED_NAMESPACE_SECONDS = 7 * 86400


def cache_dir() -> Path:
    override = os.environ.get("STANDARDS_CHECK_CACHE")
    if override and enabled():
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg if xdg and os.path.isabs(xdg) else Path.home() / ".cache") / "standards-check"


def enabled() -> bool:
    """STANDARDS_CHECK_CACHE=off (or 0, none, false) turns the cache off."""
    return os.environ.get("STANDARDS_CHECK_CACHE", "").lower() not in ("off", "0", "none", "false")


class BlobCache:
    """blob id -> encoded scan result ("" for nothing found), in one namespace."""

    def __init__(self, namespace: str, root: Path | None = None, max_entries: int | None = None) -> None:
        self.root = (root or cache_dir()) / "secrets"
        self.directory = self.root / namespace
        env_max = os.environ.get("STANDARDS_CHECK_CACHE_MAX_ENTRIES", "")
        self.max_entries = max_entries or (int(env_max) if env_max.isdigit() else DEFAULT_MAX_ENTRIES)
        self._clean: set[str] = set()
        self._other: dict[str, str] = {}
        self._segments: list[Path] = []
        self._used: list[Iterable[str]] = []  # the blobs this process asked for or stored, by batch
        self._loaded = False

    def _load(self) -> None:
        """Read the segments, once, when a blob is first asked for."""
        if self._loaded:
            return
        self._loaded = True
        try:
            segments = sorted(self.directory.glob("*" + _SUFFIX), key=_mtime)
        except OSError:
            return
        for segment in segments:  # oldest first: a newer answer for the same blob wins
            try:
                text = segment.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # removed by a concurrent merge, or damaged: a miss
            clean, _, other = text.partition(_SEPARATOR)
            self._clean.update(clean.split("\n"))
            for line in other.split("\n"):
                blob, tab, result = line.partition("\t")
                if tab:
                    self._other[blob] = result
            self._segments.append(segment)
        self._clean.discard("")

    def __len__(self) -> int:
        self._load()
        return len(self._clean) + len(self._other)

    def get_many(self, blobs: Iterable[str]) -> dict[str, str]:
        """The cached results of those blobs that have one."""
        self._load()
        wanted = blobs if isinstance(blobs, (set, list, tuple)) else list(blobs)
        found = dict.fromkeys(self._clean.intersection(wanted), "")
        if self._other:
            found.update((b, self._other[b]) for b in wanted if b in self._other)
        self._used.append(found.keys())
        return found

    def put_many(self, results: dict[str, str], clean: Collection[str] = ()) -> None:
        """Remember these results, and these blobs as holding nothing (one new segment), then
        merge segments past the bounds."""
        self._load()
        clean = set(clean).union(b for b, r in results.items() if not r) if results else set(clean)
        other = {b: r for b, r in results.items() if r}
        self._used += [clean, other.keys()]
        if self._clean or self._other:  # only what is new
            clean = clean - self._clean
            other = {b: r for b, r in other.items() if self._other.get(b) != r}
        try:
            if clean or other:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._segments.append(self._write(clean, other))
                self._clean |= clean
                self._other.update(other)
            if len(self) > self.max_entries or len(self._segments) > _MAX_SEGMENTS:
                self._merge()
            if clean or other:
                self._drop_unused_namespaces()
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _write(self, clean: Iterable[str], other: dict[str, str]) -> Path:
        text = "\n".join(clean) + _SEPARATOR + "\n".join(f"{b}\t{r}" for b, r in other.items()) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            target = self.directory / f"{time.time_ns():x}-{os.getpid()}{_SUFFIX}"
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def _merge(self) -> None:
        """One segment instead of many: the blobs this run used first, then others, up to 90% of
        max_entries. Segments written meanwhile by concurrent runs are left alone."""
        keep = self.max_entries * 9 // 10
        order = [b for batch in self._used for b in batch if b in self._clean or b in self._other]
        chosen = dict.fromkeys(order[:keep])
        if len(chosen) < keep:
            for blob in self._other:
                if len(chosen) >= keep:
                    break
                chosen.setdefault(blob)
            for blob in self._clean:
                if len(chosen) >= keep:
                    break
                chosen.setdefault(blob)
        other = {b: self._other[b] for b in chosen if b in self._other}
        clean = {b for b in chosen if b not in other}
        old = self._segments
        self._segments = [self._write(clean, other)]
        for segment in old:
            segment.unlink(missing_ok=True)
        self._clean, self._other = clean, other

    # ---- whole trees ------------------------------------------------------------------------
    def get_tree(self, key: str) -> str | None:
        """The stored result of a whole scan of the tree with this content key, or None."""
        try:
            return (self.directory / "trees" / key).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put_tree(self, key: str, result: str) -> None:
        """Store a whole scan's result; past _MAX_TREES the least recently written go."""
        trees = self.directory / "trees"
        try:
            trees.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=trees, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(result)
            os.replace(tmp, trees / key)
            stored = sorted(trees.iterdir(), key=_mtime)
            for old in stored[:-_MAX_TREES] if len(stored) > _MAX_TREES else ():
                old.unlink(missing_ok=True)
        except OSError:
            pass

    def _drop_unused_namespaces(self) -> None:
        """Namespaces of other scanner versions or parameters, unused for a week, go."""
        os.utime(self.directory)
        cutoff = time.time() - _UNUSED_NAMESPACE_SECONDS
        for other in self.root.iterdir():
            if other != self.directory and other.is_dir() and _mtime(other) < cutoff:
                shutil.rmtree(other, ignore_errors=True)

    def close(self) -> None:
        """Nothing is held open between calls; kept for symmetry with other resources."""


_SHARED: dict[tuple[Path, str], BlobCache] = {}


def shared(namespace: str) -> BlobCache:
    """The process's cache for this namespace and cache directory, loaded once: a sweep worker
    scans repository after repository with it (other processes' segments written meanwhile are
    seen by the next process)."""
    key = (cache_dir(), namespace)
    if key not in _SHARED:
        _SHARED[key] = BlobCache(namespace)
    return _SHARED[key]


def clear_shared() -> None:
    """Forget the loaded caches (the next scan reads the directory again)."""
    _SHARED.clear()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
