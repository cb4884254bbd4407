"""The GitLab client and the sticky merge-request note against a loopback GitLab API.
Waits go to a FakeClock: recorded, never spent."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from standards_check.gitlab_client import GitLabClient, GitLabError, api_url_for
from standards_check.publish.github import comment_marker
from standards_check.publish.gitlab import JobTokenCannotPost, upsert_sticky_note
from tests.github_fake import FakeClock, Fault
from tests.gitlab_fake import BOT, HUMAN, JOB_TOKEN, TOKEN, FakeGitLab

PROJECT = "321"
MARKER = comment_marker("baseline", ".")
NOTES = "/projects/321/merge_requests/{}/notes"


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab() as fake:
        yield fake


def client_for(fake: FakeGitLab, clock: FakeClock | None = None, **kwargs) -> GitLabClient:
    clock = clock or FakeClock()
    return GitLabClient(kwargs.pop("token", TOKEN), fake.url, sleep=clock.sleep, clock=clock,
                        timeout=kwargs.pop("timeout", 2.0), **kwargs)


def test_api_url_for_gitlab_com_and_self_managed() -> None:
    assert api_url_for(None) == "https://gitlab.com/api/v4"
    assert api_url_for("https://git.example.org/") == "https://git.example.org/api/v4"
    assert api_url_for("https://example.org/gitlab") == "https://example.org/gitlab/api/v4"
    assert api_url_for("https://example.org/gitlab/api/v4") == "https://example.org/gitlab/api/v4"


@pytest.mark.parametrize("link_header", [True, False])
def test_paginates_notes_by_link_or_x_next_page(link_header: bool) -> None:
    with FakeGitLab(page_size=2, link_header=link_header) as fake:
        for i in range(5):
            fake.add_note(3, f"note {i}", HUMAN)
        bodies = [n["body"] for n in client_for(fake).paginate(NOTES.format(3))]
        assert bodies == [f"note {i}" for i in range(5)]
        assert len(fake.calls("GET")) == 3


def test_token_goes_as_private_token_and_never_into_errors(gitlab: FakeGitLab) -> None:
    client = client_for(gitlab)
    assert client.request_json("GET", "/user")["id"] == BOT["id"]
    [call] = gitlab.calls("GET", "^/user$")
    assert call.headers.get("PRIVATE-TOKEN") == TOKEN and "Authorization" not in call.headers
    gitlab.faults.append(Fault("GET", "^/user$", 400, body={"message": f"bad token {TOKEN}"}))
    with pytest.raises(GitLabError) as caught:
        client.request_json("GET", "/user")
    assert TOKEN not in str(caught.value) and "***" in str(caught.value)
    assert TOKEN not in repr(client)


def test_job_token_is_sent_as_job_token_and_refused_for_notes(gitlab: FakeGitLab) -> None:
    client = client_for(gitlab, token=JOB_TOKEN, job_token=True)
    with pytest.raises(GitLabError) as caught:
        client.request_json("GET", "/user")
    assert caught.value.status == 401
    assert gitlab.calls("GET")[0].headers.get("JOB-TOKEN") == JOB_TOKEN
    with pytest.raises(JobTokenCannotPost, match="job token cannot write merge-request notes"):
        upsert_sticky_note(client, PROJECT, 1, MARKER, "body")
    assert len(gitlab.requests) == 1  # the note was not even tried


def test_sticky_note_is_created_then_edited_in_place(gitlab: FakeGitLab) -> None:
    first = upsert_sticky_note(client_for(gitlab), PROJECT, 5, MARKER, "score 50")
    assert first.action == "created"
    second = upsert_sticky_note(client_for(gitlab), PROJECT, 5, MARKER, "score 80")
    third = upsert_sticky_note(client_for(gitlab), PROJECT, 5, MARKER, "score 80")
    assert (second.action, third.action) == ("updated", "unchanged")
    assert [n["body"] for n in gitlab.notes[5]] == [f"{MARKER}\nscore 80"]
    assert len(gitlab.calls("PUT")) == 1 and len(gitlab.calls("POST")) == 1


def test_a_persons_note_with_the_marker_is_never_edited(gitlab: FakeGitLab) -> None:
    gitlab.add_note(6, f"{MARKER}\npasted by a person", HUMAN)
    gitlab.add_note(6, f"{MARKER}\nsystem note", BOT, system=True)
    posted = upsert_sticky_note(client_for(gitlab), PROJECT, 6, MARKER, "ours")
    assert posted.action == "created"
    assert [(n["author"]["id"], n["body"]) for n in gitlab.notes[6]] == [
        (HUMAN["id"], f"{MARKER}\npasted by a person"), (BOT["id"], f"{MARKER}\nsystem note"),
        (BOT["id"], f"{MARKER}\nours")]
    assert not gitlab.calls("PUT") and not gitlab.calls("DELETE")


def test_our_duplicates_are_removed_keeping_the_oldest(gitlab: FakeGitLab) -> None:
    gitlab.add_note(7, f"{MARKER}\nours", BOT)
    gitlab.add_note(7, f"{MARKER}\nours, duplicate", BOT)
    upsert_sticky_note(client_for(gitlab), PROJECT, 7, MARKER, "new")
    assert [n["body"] for n in gitlab.notes[7]] == [f"{MARKER}\nnew"]


def test_two_jobs_at_once_leave_one_note(gitlab: FakeGitLab) -> None:
    gitlab.list_barrier = threading.Barrier(2)  # both list before either creates
    results, errors = [], []

    def run(body: str) -> None:
        try:
            # a read timeout longer than the fake's barrier wait: a busy machine cannot turn the
            # race into a retry that lists alone
            results.append(upsert_sticky_note(client_for(gitlab, timeout=10.0), PROJECT, 8, MARKER, body))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"job {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(gitlab.calls("POST", "notes$")) == 2  # the race really happened
    assert len(gitlab.notes[8]) == 1
    assert gitlab.notes[8][0]["body"] in (f"{MARKER}\njob 0", f"{MARKER}\njob 1")


def test_server_errors_are_retried_with_backoff(gitlab: FakeGitLab) -> None:
    gitlab.faults += [Fault("GET", "notes$", 502), Fault("GET", "notes$", 503)]
    clock = FakeClock()
    upsert_sticky_note(client_for(gitlab, clock), PROJECT, 9, MARKER, "x")
    assert clock.sleeps == [1.0, 2.0]
    assert len(gitlab.notes[9]) == 1


def test_a_lost_create_is_not_repeated_blindly(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("POST", "notes$", apply=True, reset_after=0))
    posted = upsert_sticky_note(client_for(gitlab), PROJECT, 10, MARKER, "x")
    assert len(gitlab.notes[10]) == 1 and len(gitlab.calls("POST")) == 1
    assert "lost" in posted.detail


def test_429_waits_until_ratelimit_reset(gitlab: FakeGitLab) -> None:
    clock = FakeClock()
    gitlab.faults.append(Fault("GET", "^/user$", 429, headers={
        "RateLimit-Limit": "600", "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(clock.now) + 42)},
        body={"message": "Retry later"}))
    upsert_sticky_note(client_for(gitlab, clock), PROJECT, 11, MARKER, "x")
    assert clock.sleeps == [43.0]
    assert len(gitlab.notes[11]) == 1


def test_self_managed_prefix() -> None:
    with FakeGitLab(prefix="/gitlab/api/v4", page_size=1) as fake:
        fake.add_note(12, "a", HUMAN)
        fake.add_note(12, "b", HUMAN)
        client = GitLabClient(TOKEN, api_url_for(fake.url[: -len("/api/v4")]), timeout=2.0)
        assert client.api_url.endswith("/gitlab/api/v4")
        upsert_sticky_note(client, PROJECT, 12, MARKER, "x")
        assert [n["body"] for n in fake.notes[12]][-1] == f"{MARKER}\nx"
        assert all(r.path.startswith(("/user", "/projects/")) for r in fake.requests)  # prefix was stripped
        assert len(fake.requests) == len(fake.calls())
        assert fake.calls("GET", "notes$")[-1].query.get("page") == ["3"]
