"""The GitHub client and publishers against a real HTTP server on loopback.

Every request is checked against GitHub's OpenAPI description by the `github`/`ghes` fixtures.
Waits go to a FakeClock: recorded, never spent.
"""
from __future__ import annotations

import socket
import threading

import pytest

from standards_check.publish.github import (
    Annotation, ChecksNotAllowed, GitHubClient, GitHubError, api_url_for, comment_marker,
    publish_check_run, publish_commit_status, upsert_sticky_comment,
)
from tests.github_fake import (  # noqa: F401 - fixtures
    BOT, HUMAN, TOKEN, FakeClock, FakeGitHub, Fault, ghes, github, openapi,
)

REPO = "acme/payments"
SHA = "0123456789abcdef0123456789abcdef01234567"
MARKER = comment_marker("baseline", ".")


def client_for(fake: FakeGitHub, clock: FakeClock | None = None, **kwargs) -> GitHubClient:
    clock = clock or FakeClock()
    logs: list[str] = kwargs.pop("logs", [])
    return GitHubClient(TOKEN, fake.url, sleep=clock.sleep, clock=clock, log=logs.append,
                        timeout=kwargs.pop("timeout", 2.0), **kwargs)


# ---- the client --------------------------------------------------------------------------------
def test_paginates_every_page(github: FakeGitHub) -> None:
    github.page_size = 2
    for i in range(5):
        github.add_comment(7, f"comment {i}")
    client = client_for(github)
    bodies = [c["body"] for c in client.paginate(f"/repos/{REPO}/issues/7/comments")]
    assert bodies == [f"comment {i}" for i in range(5)]
    assert len(github.calls("GET")) == 3


def test_retries_server_errors_with_exponential_backoff(github: FakeGitHub) -> None:
    github.faults += [Fault("POST", "statuses", 500), Fault("POST", "statuses", 502),
                      Fault("POST", "statuses", 503)]
    clock = FakeClock()
    posted = publish_commit_status(client_for(github, clock), REPO, SHA, state="success",
                                   description="ok", context="standards-check")
    assert posted.action == "created"
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len(github.calls("POST", "statuses")) == 4


def test_gives_up_after_bounded_attempts(github: FakeGitHub) -> None:
    github.faults += [Fault("POST", "statuses", 500) for _ in range(10)]
    clock = FakeClock()
    with pytest.raises(GitHubError, match="server error 500 \\(5 attempts\\)"):
        publish_commit_status(client_for(github, clock), REPO, SHA, state="success",
                              description="ok", context="c")
    assert len(github.calls("POST")) == 5 and len(clock.sleeps) == 4


def test_primary_rate_limit_waits_until_reset(github: FakeGitHub) -> None:
    clock = FakeClock()
    reset = int(clock.now) + 30
    github.faults.append(Fault("GET", "comments", 403, {"X-RateLimit-Remaining": "0",
                                                        "X-RateLimit-Reset": str(reset)},
                               {"message": "API rate limit exceeded for installation ID 1."}))
    assert list(client_for(github, clock).paginate(f"/repos/{REPO}/issues/1/comments")) == []
    assert clock.sleeps == [31.0]


def test_retry_after_is_obeyed(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments", 429, {"Retry-After": "7"}, {"message": "slow down"}))
    clock = FakeClock()
    list(client_for(github, clock).paginate(f"/repos/{REPO}/issues/1/comments"))
    assert clock.sleeps == [7.0]


def test_secondary_rate_limit_without_headers_waits_a_minute_then_longer(github: FakeGitHub) -> None:
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
    github.faults += [Fault("POST", "statuses", 403, {}, body), Fault("POST", "statuses", 403, {}, body)]
    clock = FakeClock()
    publish_commit_status(client_for(github, clock), REPO, SHA, state="failure", description="x", context="c")
    assert clock.sleeps == [60.0, 120.0]


def test_a_wait_over_the_cap_fails_with_the_reason(github: FakeGitHub) -> None:
    clock = FakeClock()
    github.faults.append(Fault("GET", "comments", 403, {"X-RateLimit-Remaining": "0",
                                                        "X-RateLimit-Reset": str(int(clock.now) + 3600)}))
    with pytest.raises(GitHubError, match="over the 600 s cap"):
        list(client_for(github, clock, max_wait=600).paginate(f"/repos/{REPO}/issues/1/comments"))
    assert clock.sleeps == []


def test_spent_quota_on_a_success_waits_before_the_next_call(github: FakeGitHub) -> None:
    github.page_size = 1
    github.add_comment(3, "a")
    github.add_comment(3, "b")
    clock = FakeClock()
    original = github._page

    def spent(issue, path, query):
        status, headers, items = original(issue, path, query)
        return status, {**headers, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(clock.now) + 5)}, items

    github._page = spent  # type: ignore[method-assign]
    assert len(list(client_for(github, clock).paginate(f"/repos/{REPO}/issues/3/comments"))) == 2
    assert clock.sleeps == [6.0]


def test_timeout_is_retried(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "statuses", 201, delay=3.0))
    clock = FakeClock()
    publish_commit_status(client_for(github, clock, timeout=1.0), REPO, SHA, state="success",
                          description="ok", context="c")
    assert clock.sleeps == [1.0]
    assert len(github.statuses) == 1


def test_connection_refused_is_bounded_and_clear() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    client = GitHubClient(TOKEN, f"http://127.0.0.1:{port}", sleep=clock.sleep, clock=clock, max_attempts=3)
    with pytest.raises(GitHubError, match="could not connect \\(3 attempts\\)") as caught:
        client.request("GET", "/rate_limit")
    assert clock.sleeps == [1.0, 2.0]
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_permission_error_is_not_retried_and_token_is_redacted(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "statuses", 403, {}, {"message": f"Bad credentials {TOKEN}"}))
    logs: list[str] = []
    clock = FakeClock()
    client = client_for(github, clock, logs=logs)
    with pytest.raises(GitHubError) as caught:
        publish_commit_status(client, REPO, SHA, state="success", description="ok", context="c")
    assert caught.value.status == 403 and clock.sleeps == []
    for text in (str(caught.value), repr(client), repr(client._auth), *logs):
        assert TOKEN not in text
    assert "***" in str(caught.value) and "***" in repr(client)


def test_token_never_sent_to_another_origin(github: FakeGitHub) -> None:
    client = client_for(github)
    with pytest.raises(GitHubError, match="outside the API"):
        client.request("GET", "http://127.0.0.2:1/steal")


def test_enterprise_server_base_url(ghes: FakeGitHub) -> None:
    assert api_url_for("https://github.com") == "https://api.github.com"
    assert api_url_for("https://ghe.acme.example/") == "https://ghe.acme.example/api/v3"
    ghes.page_size = 1
    ghes.add_comment(2, "x")
    ghes.add_comment(2, "y")
    client = client_for(ghes)
    assert client.api_url.endswith("/api/v3")
    assert [c["body"] for c in client.paginate(f"/repos/{REPO}/issues/2/comments")] == ["x", "y"]


# ---- the sticky comment ------------------------------------------------------------------------
def test_sticky_comment_is_created_then_updated_in_place(github: FakeGitHub) -> None:
    github.add_comment(5, "LGTM", HUMAN)
    client = client_for(github)
    first = upsert_sticky_comment(client, REPO, 5, MARKER, "score 60")
    second = upsert_sticky_comment(client, REPO, 5, MARKER, "score 70")
    third = upsert_sticky_comment(client, REPO, 5, MARKER, "score 70")
    assert (first.action, second.action, third.action) == ("created", "updated", "unchanged")
    ours = [c for c in github.comments[5] if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and ours[0]["body"].endswith("score 70")
    assert len(github.comments[5]) == 2  # the human's comment is untouched
    assert len(github.calls("PATCH")) == 1


def test_sticky_comment_found_on_a_later_page(github: FakeGitHub) -> None:
    github.page_size = 100
    for i in range(150):
        github.add_comment(9, f"chatter {i}", HUMAN)
    upsert_sticky_comment(client_for(github), REPO, 9, MARKER, "v1")
    for i in range(60):
        github.add_comment(9, f"more {i}", HUMAN)
    assert upsert_sticky_comment(client_for(github), REPO, 9, MARKER, "v2").action == "updated"
    assert sum(c["body"].startswith(MARKER) for c in github.comments[9]) == 1


def test_lost_create_response_and_retry_leave_one_comment(github: FakeGitHub) -> None:
    # The first POST creates the comment but its answer arrives after the client's timeout.
    github.faults.append(Fault("POST", "comments$", apply=True, delay=3.0))
    clock = FakeClock()
    upsert_sticky_comment(client_for(github, clock, timeout=1.0), REPO, 4, MARKER, "body")
    assert len(github.calls("POST", "comments$")) == 1  # not repeated blindly: the list showed it was made
    assert [c["body"] for c in github.comments[4]] == [f"{MARKER}\nbody"]


def test_retried_step_does_not_make_a_second_comment(github: FakeGitHub) -> None:
    for _ in range(2):  # the whole step, twice
        upsert_sticky_comment(client_for(github), REPO, 6, MARKER, "same")
    assert len(github.comments[6]) == 1


def test_two_runs_at_once_leave_one_comment(github: FakeGitHub) -> None:
    github.list_barrier = threading.Barrier(2)  # both list before either creates
    results, errors = [], []

    def run(body: str) -> None:
        try:
            # a read timeout longer than the fake's barrier wait: a busy machine cannot turn the
            # race into a retry that lists alone
            results.append(upsert_sticky_comment(client_for(github, timeout=10.0), REPO, 8, MARKER, body))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"run {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(github.calls("POST", "comments$")) == 2  # the race really happened
    assert len(github.comments[8]) == 1
    assert github.comments[8][0]["body"] in (f"{MARKER}\nrun 0", f"{MARKER}\nrun 1")


def test_another_authors_marked_comment_is_never_deleted(github: FakeGitHub) -> None:
    github.add_comment(11, f"{MARKER}\nold, by a person", HUMAN)
    github.add_comment(11, f"{MARKER}\nours", BOT)
    github.add_comment(11, f"{MARKER}\nours, duplicate", BOT)
    upsert_sticky_comment(client_for(github), REPO, 11, MARKER, "new")
    assert [(c["user"]["login"], c["body"]) for c in github.comments[11]] == [
        ("octocat", f"{MARKER}\nold, by a person"), ("github-actions[bot]", f"{MARKER}\nnew")]


# ---- check runs and statuses -------------------------------------------------------------------
def _annotations(n: int) -> list[Annotation]:
    return [Annotation(f"src/f{i}.py", i + 1, "failure", f"problem {i}", "rule") for i in range(n)]


def test_check_run_sends_annotations_50_at_a_time(github: FakeGitHub) -> None:
    posted = publish_check_run(client_for(github), REPO, SHA, name="standards-check", conclusion="failure",
                               title="Score 50", summary="summary", annotations=_annotations(120))
    [run] = github.check_runs.values()
    assert len(run["annotations"]) == 120
    assert [len(r.body["output"]["annotations"]) for r in github.requests] == [50, 50, 20]
    assert [r.method for r in github.requests] == ["POST", "PATCH", "PATCH"]
    assert github.requests[0].body["status"] == "in_progress"
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert posted.detail == "120 annotations in 3 requests"


def test_small_check_run_is_one_completed_request(github: FakeGitHub) -> None:
    publish_check_run(client_for(github), REPO, SHA, name="standards-check", conclusion="success",
                      title="t", summary="s", annotations=_annotations(3), details_url="https://x/run/1")
    [call] = github.requests
    assert call.body["status"] == "completed" and call.body["conclusion"] == "success"


def test_check_run_forbidden_is_distinguished(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "check-runs", 403, {}, {"message": "Resource not accessible by integration"}))
    with pytest.raises(ChecksNotAllowed, match="Resource not accessible by integration"):
        publish_check_run(client_for(github), REPO, SHA, name="n", conclusion="success", title="t",
                          summary="s", annotations=[])


def test_commit_status_description_fits_the_limit(github: FakeGitHub) -> None:
    publish_commit_status(client_for(github), REPO, SHA, state="failure", description="x" * 500,
                          context="standards-check/baseline", target_url="https://github.com/acme/p/actions/runs/1")
    assert len(github.statuses[0]["description"]) <= 140


def test_marker_cannot_close_the_html_comment() -> None:
    assert comment_marker("a-->b", "x") == "<!-- standards-check:a-b:x -->"


def test_the_referee_rejects_what_github_would(openapi) -> None:
    from tests.github_fake import Recorded
    bad = [
        Recorded("POST", f"/repos/{REPO}/check-runs", {}, {}, {"name": "n", "head_sha": SHA, "output": {
            "title": "t", "summary": "s",
            "annotations": [a.to_api() for a in _annotations(51)]}}),  # over the 50 limit
        Recorded("POST", f"/repos/{REPO}/statuses/{SHA}", {}, {}, {"state": "passed"}),  # not an enum value
        Recorded("PATCH", f"/repos/{REPO}/issues/comments/1", {}, {}, {"text": "x"}),  # body is required
        Recorded("GET", f"/repos/{REPO}/issues/1/comments", {"limit": ["5"]}, {}, None),  # undeclared query
        Recorded("PUT", f"/repos/{REPO}/check-runs", {}, {}, {}),  # no such operation
    ]
    for request in bad:
        assert openapi.problems(request), request
    good = Recorded("GET", f"/repos/{REPO}/issues/1/comments", {"per_page": ["100"], "page": ["2"]}, {}, None)
    assert openapi.problems(good) == []


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_referee_fails_under_ci(monkeypatch, tmp_path, ci, outcome) -> None:
    import tests.github_fake as fake_module

    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts/setup-test-github-openapi.sh").write_text("exit 1\n")
    monkeypatch.setattr(fake_module, "ROOT", tmp_path)
    monkeypatch.setattr(fake_module, "OPENAPI_FILE", tmp_path / "missing.json")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        fake_module.load_referee()


def test_installation_token_identity_on_enterprise_server_asks_graphql_on_the_api_host(ghes: FakeGitHub) -> None:
    ghes.add_comment(3, f"{MARKER}\nby a person", HUMAN)
    mine = ghes.add_comment(3, f"{MARKER}\nold", BOT)
    assert upsert_sticky_comment(client_for(ghes), REPO, 3, MARKER, "new").action == "updated"
    assert [r.path for r in ghes.calls("POST")] == ["/api/graphql"]  # GHES serves GraphQL outside /api/v3
    assert [r.path for r in ghes.calls("PATCH")] == [f"/repos/{REPO}/issues/comments/{mine['id']}"]
