"""The sticky merge-request note on GitLab, on the shared GitLab client.

One note per policy and path, found again by its hidden marker (`publish.github.comment_marker`)
and edited in place. Only notes written by the token's own user (`GET /user`) count: anyone can
paste the marker, and a person's note is never edited or deleted. Two jobs at once can both find
none and both create one, so after creating we list again, keep our oldest marked note and delete
our newer ones (the twin job, finding ours older, stands down by editing it). A create whose
answer was lost is not repeated blindly: the list says whether it was carried out.

A CI job token cannot do this: GitLab does not accept `CI_JOB_TOKEN` for notes or `GET /user`
(https://docs.gitlab.com/ci/jobs/ci_job_token/); `JobTokenCannotPost` says so before any call.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from standards_check.gitlab_client import GitLabClient, GitLabError
from standards_check.publish.github import Posted, truncate

MAX_NOTE = 1_000_000  # GitLab's note body limit


class JobTokenCannotPost(GitLabError):
    """Only a job token was given, and GitLab does not accept one for merge-request notes."""


def project_path(project: str) -> str:
    """`/projects/:id`: a numeric id as is, a `group/project` path URL-encoded."""
    return "/projects/" + (project if project.isdigit() else quote(project, safe=""))


def token_user(client: GitLabClient) -> dict[str, Any]:
    """The token's own user; a GitLabError when GitLab will not say (then nothing is posted)."""
    user = client.request_json("GET", "/user")
    if not isinstance(user.get("id"), int):
        raise GitLabError("GET /user: the answer has no user id")
    return user


def upsert_sticky_note(client: GitLabClient, project: str, mr_iid: int, marker: str, body: str) -> Posted:
    if client.job_token:
        raise JobTokenCannotPost("a CI job token cannot write merge-request notes (GitLab accepts it only "
                                 "for a few endpoints); set GITLAB_TOKEN to a project or personal access "
                                 "token with the api scope")
    text = truncate(f"{marker}\n{body}", MAX_NOTE)
    me = token_user(client)["id"]
    notes = f"{project_path(project)}/merge_requests/{mr_iid}/notes"
    existing = _marked_notes(client, notes, marker, me)
    if existing:
        return _keep_oldest(client, notes, existing, text)
    created: dict[str, Any] | None
    try:
        created = _note_of(client.request_json("POST", notes, json={"body": text}), notes)
    except GitLabError as exc:
        if not exc.uncertain:
            raise
        created = None  # the list tells whether it was made
        if not _marked_notes(client, notes, marker, me):
            created = _note_of(client.request_json("POST", notes, json={"body": text}), notes)
    again = _marked_notes(client, notes, marker, me)
    if created is not None and created["id"] not in {n["id"] for n in again}:  # the list may lag
        again = sorted([*again, created], key=_order)
    if created is not None and again[0]["id"] == created["id"]:
        _delete(client, notes, again[1:])
        return Posted("merge-request note", "created", _note_url(created))
    kept = _keep_oldest(client, notes, again, text)
    if created is None:
        return Posted("merge-request note", "created", kept.url, "the answer to the create was lost; the note is there")
    return Posted("merge-request note", kept.action, kept.url, "another job created it at the same time")


def _marked_notes(client: GitLabClient, notes: str, marker: str, me: int) -> list[dict[str, Any]]:
    """Our own notes carrying the marker, oldest first (system notes never count)."""
    found = [n for n in client.paginate(notes, {"sort": "asc", "order_by": "created_at"})
             if isinstance(n.get("body"), str) and n["body"].startswith(marker) and isinstance(n.get("id"), int)
             and n.get("system") is not True and isinstance(n.get("author"), dict) and n["author"].get("id") == me]
    return sorted(found, key=_order)


def _keep_oldest(client: GitLabClient, notes: str, ours: list[dict[str, Any]], text: str) -> Posted:
    keep = ours[0]
    _delete(client, notes, ours[1:])
    if keep.get("body") == text:
        return Posted("merge-request note", "unchanged", _note_url(keep))
    updated = client.request_json("PUT", f"{notes}/{keep['id']}", json={"body": text})
    return Posted("merge-request note", "updated", _note_url(updated) or _note_url(keep))


def _delete(client: GitLabClient, notes: str, others: list[dict[str, Any]]) -> None:
    for note in others:
        try:
            client.request("DELETE", f"{notes}/{note['id']}")
        except GitLabError as exc:
            if exc.status != 404:  # the twin job deleted it first
                raise


def _note_of(data: dict[str, Any], notes: str) -> dict[str, Any]:
    if not isinstance(data.get("id"), int):
        raise GitLabError(f"POST {notes}: the created note has no id")
    return data


def _order(note: dict[str, Any]) -> tuple[str, int]:
    created = note.get("created_at")
    return (created if isinstance(created, str) else "", note["id"])


def _note_url(note: dict[str, Any]) -> str | None:
    return None if not isinstance(note.get("id"), int) else f"#note_{note['id']}"
