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


def upsert_sticky_comment(client: GitHubClient, repo: str, issue: int, marker: str, body: str) -> Posted:
    """Create or update the one comment that carries `marker` on a pull request.

    Never leaves two: a retried step finds and updates the comment it made before. Two runs at
    once can both find none and both create one, so after creating we list again, keep the oldest
    marked comment and delete the newer ones that the same account wrote (ours, or the twin run's,
    which will itself find ours gone or older and stand down by updating the oldest). Comments of
    other authors are never touched.
    """
    text = _truncate(f"{marker}\n{body}", MAX_TEXT)
    existing = _marked_comments(client, repo, issue, marker)
    if existing:
        keep = existing[0]
        _delete_duplicates(client, repo, keep, existing[1:])
        if keep.get("body") == text:
            return Posted("comment", "unchanged", keep.get("html_url"))
        updated = client.request("PATCH", f"/repos/{repo}/issues/comments/{keep['id']}", json={"body": text})
        return Posted("comment", "updated", updated.json().get("html_url"))
    created = client.request("POST", f"/repos/{repo}/issues/{issue}/comments", json={"body": text}).json()
    again = _marked_comments(client, repo, issue, marker)
    if created["id"] not in {c["id"] for c in again}:  # the list may lag behind the create
        again = sorted([*again, created], key=_comment_order)
    keep = again[0]
    _delete_duplicates(client, repo, keep, again[1:])
    if keep["id"] == created["id"]:
        return Posted("comment", "created", created.get("html_url"))
    if keep.get("body") != text:
        client.request("PATCH", f"/repos/{repo}/issues/comments/{keep['id']}", json={"body": text})
    return Posted("comment", "updated", keep.get("html_url"), "another run created it at the same time")


def _marked_comments(client: GitHubClient, repo: str, issue: int, marker: str) -> list[dict[str, Any]]:
    found = [c for c in client.paginate(f"/repos/{repo}/issues/{issue}/comments")
             if isinstance(c.get("body"), str) and c["body"].startswith(marker)]
    return sorted(found, key=_comment_order)


def _comment_order(comment: dict[str, Any]) -> tuple[str, int]:
    return (comment.get("created_at") or "", comment["id"])


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
    output = lambda batch: {"title": title[:255], "summary": _truncate(summary, MAX_TEXT),  # noqa: E731
                            "annotations": [a.to_api() for a in batch]}
    done = {"status": "completed", "conclusion": conclusion, "completed_at": _iso(now())}
    body: dict[str, Any] = {"name": name, "head_sha": head_sha, "output": output(batches[0]),
                            "external_id": "standards-check"}
    if details_url:
        body["details_url"] = details_url
    body.update(done if len(batches) == 1 else {"status": "in_progress", "started_at": _iso(now())})
    try:
        created = client.request("POST", f"/repos/{repo}/check-runs", json=body).json()
    except GitHubError as exc:
        if exc.status == 403:
            raise ChecksNotAllowed(str(exc), 403) from None
        raise
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
                            "description": _truncate(description, MAX_STATUS_DESCRIPTION)}
    if target_url:
        body["target_url"] = target_url
    response = client.request("POST", f"/repos/{repo}/statuses/{sha}", json=body).json()
    return Posted("commit status", "created", response.get("url"), f"{context}: {state}")


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    note = "\n\n… (truncated; the full report is in the job summary and the report file)"
    return text[: limit - len(note)] + note


def _iso(epoch: float) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
