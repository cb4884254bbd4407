"""Where a sweep's repositories come from: a GitHub owner, a GitLab group, a file of clone URLs, or
a directory.

Every source yields `RepoSpec`s; filters and shards apply to all sources alike.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from wcmatch import fnmatch as wc_fnmatch

from standards_check.errors import UserError
from standards_check.escape import unsurrogate

if TYPE_CHECKING:
    from standards_check.github_client import GitHubClient
    from standards_check.gitlab_client import GitLabClient


@dataclass(frozen=True)
class RepoSpec:
    """One repository to sweep. `url` is cloned into the cache; `path` is read in place."""

    name: str  # "owner/repo" (or the directory name for local clones)
    url: str | None = None
    path: str | None = None
    topics: tuple[str, ...] = ()
    archived: bool = False
    fork: bool = False
    size_kb: int | None = None
    default_branch: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    problem: str | None = None  # the listing described it malformed: an error result, not a scan


@dataclass(frozen=True)
class Filters:
    include_archived: bool = False
    include_forks: bool = False
    topics: tuple[str, ...] = ()  # a repository must have at least one of these
    include: tuple[str, ...] = ()  # name globs ("org/svc-*", "*-api"); any must match
    exclude: tuple[str, ...] = ()  # name globs; none may match

    def accepts(self, spec: RepoSpec) -> bool:
        if spec.archived and not self.include_archived:
            return False
        if spec.fork and not self.include_forks:
            return False
        if self.topics and not set(self.topics) & set(spec.topics):
            return False
        names = (spec.name, spec.name.rpartition("/")[2])
        if self.include and not any(_glob(n, self.include) for n in names):
            return False
        if self.exclude and any(_glob(n, self.exclude) for n in names):
            return False
        return True


def _glob(name: str, patterns: tuple[str, ...]) -> bool:
    return wc_fnmatch.fnmatch(name, list(patterns), flags=wc_fnmatch.IGNORECASE)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """`"2/4"` -> (2, 4): shard 2 of 4, 1-based."""
    if not text:
        return None
    k, sep, n = text.partition("/")
    if not sep or not k.isdigit() or not n.isdigit() or not 1 <= int(k) <= int(n):
        raise UserError(f"--shard must be K/N with 1 <= K <= N, got {text!r}")
    return int(k), int(n)


def shard_of(name: str, total: int) -> int:
    """The 1-based shard of a repository: a stable hash of its name (not Python's salted hash)."""
    digest = hashlib.sha256(name.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % total + 1


def select(specs: Iterable[RepoSpec], filters: Filters, shard: tuple[int, int] | None) -> list[RepoSpec]:
    """Filtered, de-duplicated by name, in this shard, sorted by name."""
    chosen: dict[str, RepoSpec] = {}
    for spec in specs:
        if not filters.accepts(spec):
            continue
        if shard and shard_of(spec.name, shard[1]) != shard[0]:
            continue
        chosen.setdefault(spec.name, spec)
    return [chosen[n] for n in sorted(chosen)]


# ---- GitHub --------------------------------------------------------------------------------
def from_github(owner: str, client: GitHubClient) -> Iterator[RepoSpec]:
    """The owner's repositories. An item without a usable `full_name` makes the listing unusable
    (a GitHubError); an item with a name but fields of the wrong type is that repository's error."""
    from standards_check.github_client import GitHubError
    from standards_check.sweep.github_api import list_owner_repos

    for i, (path, repo) in enumerate(list_owner_repos(client, owner), start=1):
        name = repo.get("full_name")
        if not isinstance(name, str) or name.count("/") != 1 or not all(name.split("/")):
            raise GitHubError(f"GET {path}: repository {i} has no full_name of the form owner/name")
        wrong = [f"{key} is {kind}" for key, ok, kind in _field_problems(repo) if not ok]
        yield RepoSpec(
            name=name,
            url=repo.get("clone_url") if isinstance(repo.get("clone_url"), str) else None,
            topics=tuple(repo.get("topics") or ()) if not wrong else (),
            archived=repo.get("archived") is True,
            fork=repo.get("fork") is True,
            size_kb=repo.get("size") if not wrong else None,
            default_branch=repo.get("default_branch") if not wrong else None,
            problem="the API described this repository malformed: " + ", ".join(wrong) if wrong else None,
        )


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _optional(value: object, kind: type) -> tuple[bool, str]:
    """(whether `value` is None or of `kind`, what it is)."""
    return value is None or isinstance(value, kind), _type_name(value)


def _optional_strings(value: object) -> tuple[bool, str]:
    """(whether `value` is None or a list of strings, what it is)."""
    if isinstance(value, list):
        return all(isinstance(t, str) for t in value), "a list with non-strings"
    return value is None, _type_name(value)


def _field_problems(repo: dict) -> Iterator[tuple[str, bool, str]]:
    get = repo.get
    yield "clone_url", isinstance(get("clone_url"), str), _type_name(get("clone_url"))
    yield "topics", *_optional_strings(get("topics"))
    for key in ("archived", "fork"):
        yield key, *_optional(get(key), bool)
    size = get("size")
    yield "size", size is None or isinstance(size, int) and not isinstance(size, bool) and size >= 0, _type_name(size)
    yield "default_branch", *_optional(get("default_branch"), str)


# ---- GitLab --------------------------------------------------------------------------------
def from_gitlab(group: str, client: GitLabClient, include_archived: bool = False) -> Iterator[RepoSpec]:
    """A GitLab group's projects, its subgroups' included, archived ones left out by GitLab
    (`GET /groups/:id/projects?include_subgroups=true&archived=false`). An item without a usable
    `path_with_namespace` makes the listing unusable (`--include-archived` asks for archived ones too) (a GitLabError); an item with a name but
    fields of the wrong type is that project's error. Forks are projects with `forked_from_project`."""
    from urllib.parse import quote, urlsplit

    from standards_check.gitlab_client import GitLabError

    path = f"/groups/{quote(group.strip('/'), safe='')}/projects"
    params = {"include_subgroups": "true", "order_by": "id", "sort": "asc",
              **({} if include_archived else {"archived": "false"})}
    for i, project in enumerate(client.paginate(path, params), start=1):
        name = project.get("path_with_namespace")
        if not isinstance(name, str) or "/" not in name or not all(name.split("/")):
            raise GitLabError(f"GET {urlsplit(client.api_url + path).path}: project {i} has no "
                              "path_with_namespace of the form group/project")
        wrong = [f"{key} is {kind}" for key, ok, kind in _gitlab_field_problems(project) if not ok]
        topics = project.get("topics") if project.get("topics") is not None else project.get("tag_list")
        yield RepoSpec(
            name=name,
            url=project.get("http_url_to_repo") if isinstance(project.get("http_url_to_repo"), str) else None,
            topics=tuple(topics or ()) if not wrong else (),
            archived=project.get("archived") is True,
            fork=isinstance(project.get("forked_from_project"), dict),
            default_branch=project.get("default_branch") if not wrong else None,
            problem="the API described this project malformed: " + ", ".join(wrong) if wrong else None,
        )


def _gitlab_field_problems(project: dict) -> Iterator[tuple[str, bool, str]]:
    get = project.get
    yield "http_url_to_repo", isinstance(get("http_url_to_repo"), str), _type_name(get("http_url_to_repo"))
    for key in ("topics", "tag_list"):
        yield key, *_optional_strings(get(key))
    yield "archived", *_optional(get("archived"), bool)
    yield "default_branch", *_optional(get("default_branch"), str)


# ---- a file of URLs ------------------------------------------------------------------------
def from_url_file(path: Path) -> Iterator[RepoSpec]:
    """One clone URL (or local path) a line; blank lines and `#` comments are ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read --urls file {path}: {exc.strerror}") from None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        yield RepoSpec(name=name_from_url(line), url=line)


def name_from_url(url: str) -> str:
    """`https://github.com/acme/api.git` -> `acme/api`; `git@host:acme/api.git` -> `acme/api`."""
    tail = url.rstrip("/")
    if tail.endswith(".git"):
        tail = tail[:-4]
    tail = tail.replace(":", "/")
    parts = [p for p in tail.split("/") if p]
    return "/".join(parts[-2:]) if len(parts) >= 2 else (parts[-1] if parts else url)


# ---- a directory of clones -----------------------------------------------------------------
def from_directory(root: Path) -> Iterator[RepoSpec]:
    """Each child that is a git repository (a work tree, a bare clone or a mirror)."""
    if not root.is_dir():
        raise UserError(f"--dir is not a directory: {root}")
    for child in sorted(root.iterdir()):
        if not child.is_dir():
            continue
        if (child / ".git").exists() or (child / "HEAD").is_file() and (child / "objects").is_dir():
            name = child.name[:-4] if child.name.endswith(".git") else child.name
            # the name is a label (stored, reported): a byte that is not UTF-8 shows as \xNN
            yield RepoSpec(name=unsurrogate(name), path=os.fspath(child))
