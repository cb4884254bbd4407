"""Listing an organisation's (or a user's) repositories, on the shared GitHub client."""
from __future__ import annotations

from typing import Any, Iterator

from standards_check.github_client import GitHubClient, GitHubError


def list_owner_repos(client: GitHubClient, owner: str) -> Iterator[dict[str, Any]]:
    """Repositories of an organisation, or of a user when `owner` is not an organisation."""
    try:
        yield from client.paginate(f"/orgs/{owner}/repos", {"type": "all"})
    except GitHubError as exc:
        if exc.status != 404:
            raise
        yield from client.paginate(f"/users/{owner}/repos", {"type": "owner"})
