"""Listing an organisation's (or a user's) repositories, on the shared GitHub client."""
from __future__ import annotations

from typing import Any, Iterator

from standards_check.github_client import GitHubClient, GitHubError


def list_owner_repos(client: GitHubClient, owner: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(the listing's path, a repository) for each repository of an organisation, or of a user
    when `owner` is not an organisation."""
    path = f"/orgs/{owner}/repos"
    try:
        for repo in client.paginate(path, {"type": "all"}):
            yield path, repo
    except GitHubError as exc:
        if exc.status != 404:
            raise
        path = f"/users/{owner}/repos"
        for repo in client.paginate(path, {"type": "owner"}):
            yield path, repo
