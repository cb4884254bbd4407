"""Publishers on the shared GitHub client: the sticky PR comment, the check run with annotations,
and the commit status fallback. Each makes one change on GitHub and says what it did."""
from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from typing import Any, Callable

from standards_check.github_client import (  # noqa: F401 - re-exported for callers of the publishers
    DEFAULT_API_URL, GitHubClient, GitHubError, api_url_for,
)

MAX_ANNOTATIONS_PER_REQUEST = 50  # the Checks API's limit
MAX_ANNOTATIONS = 1000  # at most 20 requests; the summary says how many were left out
MAX_TEXT = 65535  # check run output.summary/text and issue comment body limits
MAX_STATUS_DESCRIPTION = 140


# ---- publishers ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Posted:
    """What a publisher did: `action` (created, updated, unchanged, ...) and where to see it."""

    what: str
    action: str
    url: str | None = None
    detail: str = ""


def comment_marker(policy: str, path: str) -> str:
    """The hidden marker that finds our comment again: one sticky comment per policy and path."""
    clean = lambda s: s.replace("--", "-").replace(">", "")  # noqa: E731 - must not end the HTML comment
    return f"<!-- standards-check:{clean(policy)}:{clean(path)} -->"


@dataclass(frozen=True)
class Identity:
    """Who the token is: a user (`GET /user`) or an app's bot (GraphQL `viewer`, or the author of
    the comment it just created). Comments are matched by account id, else by login."""

    login: str | None
    id: int | None

    def wrote(self, comment: dict[str, Any]) -> bool:
        user = comment.get("user")
        if not isinstance(user, dict):
            return False
        if self.id is not None:
            return user.get("id") == self.id
        return isinstance(user.get("login"), str) and user["login"].lower() == (self.login or "").lower()


def token_identity(client: GitHubClient) -> Identity | None:
    """The token's own account, or None when GitHub will not say.

    A user's token answers `GET /user`. An installation token (GITHUB_TOKEN, a GitHub App's) is
    refused there (403 "Resource not accessible by integration"); GraphQL's `viewer` names its
    bot (`github-actions[bot]` for GITHUB_TOKEN). A malformed or refused answer is not a guess:
    the caller learns the identity from the comment it creates instead."""
    try:
        user = client.request_json("GET", "/user")
        if isinstance(user.get("id"), int):
            return Identity(user.get("login") if isinstance(user.get("login"), str) else None, user["id"])
    except GitHubError as exc:
        if exc.status not in (401, 403, 404) and exc.status is not None and exc.status < 500:
            raise
    try:
        answer = client.request_json("POST", _graphql_url(client.api_url), retry_post=True,
                                     json={"query": "query { viewer { login databaseId } }"})
    except GitHubError:
        return None
    viewer = (answer.get("data") or {}).get("viewer") if isinstance(answer.get("data"), dict) else None
    if not isinstance(viewer, dict) or not isinstance(viewer.get("login"), str):
        return None
    return Identity(viewer["login"], viewer["databaseId"] if isinstance(viewer.get("databaseId"), int) else None)


def _graphql_url(api_url: str) -> str:
    """api.github.com/graphql, or HOST/api/graphql on GitHub Enterprise Server."""
    return api_url[: -len("/v3")] + "/graphql" if api_url.endswith("/api/v3") else api_url + "/graphql"


def upsert_sticky_comment(client: GitHubClient, repo: str, issue: int, marker: str, body: str) -> Posted:
    """Create or update the one comment that carries `marker` on a pull request.

    Only comments written by the token's own account count (`token_identity`): anyone can paste
    the marker, and another person's or app's comment is never edited or deleted. Never leaves two
    of ours: a retried step finds and updates the comment it made before. Two runs at once can
    both find none and both create one, so after creating we list again, keep our oldest marked
    comment and delete our newer ones (the twin run, finding ours older, stands down by updating
    it). A create whose answer was lost (a reset) is not repeated blindly: the list says whether
    it was carried out. When GitHub will not say who the token is, the comment we create tells us,
    and the same reconciliation removes a second one.
    """
    text = truncate(f"{marker}\n{body}", MAX_TEXT)
    me = token_identity(client)
    if me is not None:
        existing = _marked_comments(client, repo, issue, marker, me)
        if existing:
            return _keep_oldest(client, repo, existing, text)
    path = f"/repos/{repo}/issues/{issue}/comments"
    try:
        created: dict[str, Any] | None = _comment_of(client.request_json("POST", path, json={"body": text}), path)
    except GitHubError as exc:
        if not exc.uncertain:
            raise
        created = None  # the list tells whether it was made
        if me is None or not _marked_comments(client, repo, issue, marker, me):
            created = _comment_of(client.request_json("POST", path, json={"body": text}), path)
    if me is None:
        assert created is not None
        me = Identity(created["user"].get("login"), created["user"].get("id"))
    again = _marked_comments(client, repo, issue, marker, me)
    if created is not None and created["id"] not in {c["id"] for c in again}:  # the list may lag
        again = sorted([*again, created], key=_comment_order)
    if created is not None and again[0]["id"] == created["id"]:
        _delete_duplicates(client, repo, again[0], again[1:])
        return Posted("comment", "created", created.get("html_url"))
    kept = _keep_oldest(client, repo, again, text)
    if created is None:  # the create's answer was lost, and the list shows the comment it made
        return Posted("comment", "created", kept.url, "the answer to the create was lost; the comment is there")
    return Posted("comment", kept.action, kept.url, "another run created it at the same time")


def _keep_oldest(client: GitHubClient, repo: str, ours: list[dict[str, Any]], text: str) -> Posted:
    keep = ours[0]
    _delete_duplicates(client, repo, keep, ours[1:])
    if keep.get("body") == text:
        return Posted("comment", "unchanged", keep.get("html_url"))
    updated = client.request_json("PATCH", f"/repos/{repo}/issues/comments/{keep['id']}", json={"body": text})
    return Posted("comment", "updated", updated.get("html_url"))


def _comment_of(data: dict[str, Any], path: str) -> dict[str, Any]:
    if not isinstance(data.get("id"), int) or not isinstance(data.get("user"), dict):
        raise GitHubError(f"POST {path}: the created comment has no id or author")
    return data


def _marked_comments(client: GitHubClient, repo: str, issue: int, marker: str,
                     me: Identity) -> list[dict[str, Any]]:
    """Our own comments carrying the marker, oldest first."""
    found = [c for c in client.paginate(f"/repos/{repo}/issues/{issue}/comments")
             if isinstance(c.get("body"), str) and c["body"].startswith(marker)
             and isinstance(c.get("id"), int) and me.wrote(c)]
    return sorted(found, key=_comment_order)


def _comment_order(comment: dict[str, Any]) -> tuple[str, int]:
    created = comment.get("created_at")
    return (created if isinstance(created, str) else "", comment["id"])


def _delete_duplicates(client: GitHubClient, repo: str, keep: dict[str, Any], others: list[dict[str, Any]]) -> None:
    author = (keep.get("user") or {}).get("id")
    for comment in others:
        if comment["id"] == keep["id"] or (comment.get("user") or {}).get("id") != author:
            continue
        try:
            client.request("DELETE", f"/repos/{repo}/issues/comments/{comment['id']}")
        except GitHubError as exc:
            if exc.status != 404:  # the twin run deleted it first
                raise


@dataclass(frozen=True)
class Annotation:
    path: str
    start_line: int
    level: str  # notice | warning | failure
    message: str
    title: str

    def to_api(self) -> dict[str, Any]:
        return {"path": self.path, "start_line": self.start_line, "end_line": self.start_line,
                "annotation_level": self.level, "message": self.message[:65000], "title": self.title[:255]}


class ChecksNotAllowed(GitHubError):
    """The token may not create check runs (a fork's read-only token, a personal access token)."""


def publish_check_run(client: GitHubClient, repo: str, head_sha: str, *, name: str, conclusion: str,
                      title: str, summary: str, annotations: list[Annotation],
                      details_url: str | None = None, now: Callable[[], float] = time.time) -> Posted:
    """A completed check run on `head_sha` with annotations at file and line.

    The API takes at most 50 annotations a request: the run is created with the first 50 and
    updated with the rest, 50 at a time; the last update completes it.
    """
    kept = annotations[:MAX_ANNOTATIONS]
    if len(annotations) > len(kept):
        summary += f"\n\n{len(annotations) - len(kept)} more findings are not annotated; see the report."
    batches = [kept[i:i + MAX_ANNOTATIONS_PER_REQUEST] for i in range(0, len(kept), MAX_ANNOTATIONS_PER_REQUEST)] or [[]]
    output = lambda batch: {"title": title[:255], "summary": truncate(summary, MAX_TEXT),  # noqa: E731
                            "annotations": [a.to_api() for a in batch]}
    done = {"status": "completed", "conclusion": conclusion, "completed_at": _iso(now())}
    body: dict[str, Any] = {"name": name, "head_sha": head_sha, "output": output(batches[0]),
                            "external_id": "standards-check"}
    if details_url:
        body["details_url"] = details_url
    body.update(done if len(batches) == 1 else {"status": "in_progress", "started_at": _iso(now())})
    try:
        # Safe to repeat after a lost answer: GitHub shows the latest check run of a name on a commit.
        created = client.request_json("POST", f"/repos/{repo}/check-runs", json=body, retry_post=True)
    except GitHubError as exc:
        if exc.status == 403:
            raise ChecksNotAllowed(str(exc), 403) from None
        raise
    if not isinstance(created.get("id"), int):
        raise GitHubError(f"POST /repos/{repo}/check-runs: the created check run has no id")
    for i, batch in enumerate(batches[1:], start=2):
        update: dict[str, Any] = {"output": output(batch)}
        if i == len(batches):
            update.update(done)
        client.request("PATCH", f"/repos/{repo}/check-runs/{created['id']}", json=update)
    return Posted("check run", "created", created.get("html_url"),
                  f"{len(kept)} annotations in {len(batches)} requests")


def publish_commit_status(client: GitHubClient, repo: str, sha: str, *, state: str, description: str,
                          context: str, target_url: str | None = None) -> Posted:
    """A commit status: the fallback where check runs are not allowed."""
    body: dict[str, Any] = {"state": state, "context": context,
                            "description": truncate(description, MAX_STATUS_DESCRIPTION)}
    if target_url:
        body["target_url"] = target_url
    # A status is safe to repeat (the latest one of a context wins), so a lost answer is retried.
    response = client.request_json("POST", f"/repos/{repo}/statuses/{sha}", json=body, retry_post=True)
    return Posted("commit status", "created", response.get("url"), f"{context}: {state}")


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n… (truncated; the full report is in the job summary and the report file)"
    return text[: limit - len(note)] + note


def _iso(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
