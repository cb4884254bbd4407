"""Links that name a file of the scanned repository: a relative path, or a GitHub/GitLab URL of
this repository (`https://github.com/OWNER/REPO/blob/REF/docs/runbooks/x.md#step-2`).

Used to find runbooks by what points at them: alert rules' `runbook_url` annotations and
catalog-info links. Anchors and queries are dropped; a branch name with slashes is tried at each
split. Nothing is fetched.
"""
from __future__ import annotations

from standards_check import rx

import posixpath
from urllib.parse import unquote, urlsplit

from standards_check.snapshot import RepoSnapshot

_HOSTED = rx.compile(r"^https?://(?:www\.)?(github\.com|gitlab\.com|raw\.githubusercontent\.com)/(.+)$", rx.I)
_TEMPLATE = rx.compile(r"\{\{|\}\}|%s|\$\{|\$labels")


def repo_path(snapshot: RepoSnapshot, link: str, base_dir: str = "", own: str | None = None) -> str | None:
    """The repository path `link` names, when that file (or directory's README) is in the snapshot."""
    link = link.strip()
    if not link or _TEMPLATE.search(link.split("#")[0]):
        return None
    hosted = _HOSTED.match(link)
    if hosted:
        return _hosted_path(snapshot, hosted.group(1).lower(), hosted.group(2), own)
    if "://" in link or link.startswith(("mailto:", "#")):
        return None
    target = unquote(urlsplit(link).path)
    if not target:
        return None
    candidates = [posixpath.normpath(target.lstrip("/"))] if target.startswith("/") else [
        posixpath.normpath(posixpath.join(base_dir, target)), posixpath.normpath(target)]
    for candidate in candidates:
        found = _existing(snapshot, candidate)
        if found:
            return found
    return None


def _hosted_path(snapshot: RepoSnapshot, host: str, rest: str, own: str | None) -> str | None:
    parts = [unquote(p) for p in urlsplit("https://x/" + rest).path.split("/")[1:] if p]
    if len(parts) < 3:
        return None
    owner_repo = f"{parts[0]}/{parts[1]}".lower()
    if own is not None and owner_repo != own:
        return None  # another repository's file
    if host == "raw.githubusercontent.com":
        tail = parts[2:]  # REF/PATH
    else:
        tail = parts[2:]
        if tail and tail[0] == "-":  # GitLab: /-/blob/REF/PATH
            tail = tail[1:]
        if not tail or tail[0] not in ("blob", "tree", "raw", "edit"):
            return None
        tail = tail[1:]
    for split in range(1, min(len(tail), 5)):  # REF may hold slashes: try each split
        found = _existing(snapshot, "/".join(tail[split:]))
        if found:
            return found
    return None


def _existing(snapshot: RepoSnapshot, path: str) -> str | None:
    if not path or path.startswith(".."):
        return None
    if snapshot.exists(path):
        return path
    for index in ("README.md", "index.md", "_index.md"):
        if snapshot.exists(f"{path.rstrip('/')}/{index}"):
            return f"{path.rstrip('/')}/{index}"
    return None
