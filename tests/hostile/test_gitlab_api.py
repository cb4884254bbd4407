"""Hostile GitLab API answers, against the loopback fake of tests/gitlab_fake.py. Bounded by
design: small deadlines and attempts, waits on a FakeClock, CLI runs through `run_bounded`. Each
case states what must hold: one note at most, a clear error naming the request, no token shown."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from standards_check.gitlab_client import GitLabClient, GitLabError
from standards_check.publish.github import comment_marker
from standards_check.publish.gitlab import upsert_sticky_note
from tests.github_fake import FakeClock, Fault
from tests.gitlab_fake import BOT, HUMAN, JOB_TOKEN, TOKEN, FakeGitLab
from tests.hostile.harness import assert_held, run_bounded
from tests.test_gitlab_ci import merge_request

MARKER = comment_marker("baseline", ".")
NOTES = "/projects/321/merge_requests/7/notes"
FAST = {"STANDARDS_CHECK_API_DEADLINE": "3", "STANDARDS_CHECK_API_ATTEMPTS": "3",
        "STANDARDS_CHECK_API_BACKOFF": "0.1"}


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab(link_header=False) as fake:
        yield fake


def client_for(fake: FakeGitLab, clock: FakeClock | None = None, **kwargs: Any) -> GitLabClient:
    clock = clock or FakeClock()
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("max_attempts", 3)
    kwargs.setdefault("deadline", 2.0)
    return GitLabClient(TOKEN, fake.url, sleep=clock.sleep, clock=clock, **kwargs)


@pytest.mark.hostile("api", "gitlab-x-next-page-cycle")
def test_x_next_page_pointing_back_is_refused(gitlab: FakeGitLab) -> None:
    gitlab.add_note(7, "a", HUMAN)
    gitlab.faults.append(Fault("GET", "notes$", 200, headers={"X-Next-Page": "1"}, body=[], repeat=True))
    with pytest.raises(GitLabError, match="pagination cycle"):
        list(client_for(gitlab).paginate(NOTES))
    assert len(gitlab.calls("GET")) == 1


@pytest.mark.hostile("api", "gitlab-x-next-page-garbage")
def test_x_next_page_that_is_not_a_number_is_an_error(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("GET", "notes$", 200, headers={"X-Next-Page": "../../admin"}, body=[]))
    with pytest.raises(GitLabError, match=f"GET .*{NOTES}: X-Next-Page is not a page number"):
        list(client_for(gitlab).paginate(NOTES))


@pytest.mark.hostile("api", "gitlab-link-other-host")
def test_a_next_link_to_another_host_is_not_followed(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("GET", "notes$", 200, body=[],
                               headers={"Link": '<https://evil.example/api/v4/x?page=2>; rel="next"'}))
    with pytest.raises(GitLabError, match="outside the API"):
        list(client_for(gitlab).paginate(NOTES))
    assert len(gitlab.requests) == 1


@pytest.mark.hostile("api", "gitlab-429-reset-beyond-cap")
def test_a_rate_limit_reset_far_away_is_not_waited(gitlab: FakeGitLab) -> None:
    clock = FakeClock()
    gitlab.faults.append(Fault("GET", "^/user$", 429, headers={"RateLimit-Reset": str(int(clock.now) + 86400)},
                               body={"message": "Retry later"}))
    with pytest.raises(GitLabError, match="over the 300 s cap"):
        upsert_sticky_note(client_for(gitlab, clock, max_wait=300), "321", 7, MARKER, "x")
    assert clock.sleeps == [] and 7 not in gitlab.notes


@pytest.mark.hostile("api", "gitlab-5xx-storm")
def test_a_server_error_storm_gives_up_after_bounded_attempts(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("GET", "notes$", 503, repeat=True))
    clock = FakeClock()
    with pytest.raises(GitLabError, match="server error 503 \\(3 attempts\\)"):
        upsert_sticky_note(client_for(gitlab, clock), "321", 7, MARKER, "x")
    assert len(gitlab.calls("GET", "notes$")) == 3 and 7 not in gitlab.notes


@pytest.mark.hostile("api", "gitlab-user-malformed")
def test_a_malformed_identity_posts_nothing(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("GET", "^/user$", 200, body=[{"id": 1}]))
    with pytest.raises(GitLabError, match="GET .*/user: expected an object, got a list"):
        upsert_sticky_note(client_for(gitlab), "321", 7, MARKER, "x")
    gitlab.faults.append(Fault("GET", "^/user$", 200, body={"username": "no-id"}))
    with pytest.raises(GitLabError, match="no user id"):
        upsert_sticky_note(client_for(gitlab), "321", 7, MARKER, "x")
    assert not gitlab.calls("POST")


@pytest.mark.hostile("api", "gitlab-notes-malformed-authors")
def test_marked_notes_without_a_usable_author_are_never_ours(gitlab: FakeGitLab) -> None:
    gitlab.faults.append(Fault("GET", "notes$", 200, body=[
        {"id": 1, "body": f"{MARKER}\nnull author", "author": None},
        {"id": 2, "body": f"{MARKER}\nauthor as a string", "author": str(BOT["id"])},
        {"id": "3", "body": f"{MARKER}\nid as a string", "author": dict(BOT)},
        {"id": 4, "body": None, "author": dict(BOT)}]))
    posted = upsert_sticky_note(client_for(gitlab), "321", 7, MARKER, "x")
    assert posted.action == "created"
    assert not gitlab.calls("PUT") and not gitlab.calls("DELETE")


@pytest.mark.hostile("api", "gitlab-ci-token-echoed")
def test_ci_never_prints_the_token_an_api_error_echoes(gitlab: FakeGitLab, make_repo) -> None:
    _repo, env = merge_request(make_repo, gitlab.url, **FAST)
    gitlab.faults.append(Fault("POST", "notes$", 400, body={"message": f"token {TOKEN} is bad; job {JOB_TOKEN}"}))
    result = run_bounded("ci", "--fail-on", "never", env=env)
    assert_held(result, (0,))
    assert "could not post the merge-request note" in result.out + result.err, result.describe()
    assert TOKEN not in result.out + result.err and JOB_TOKEN not in result.out + result.err


@pytest.mark.hostile("api", "gitlab-ci-html-answer")
def test_ci_survives_an_html_page_for_the_notes(gitlab: FakeGitLab, make_repo) -> None:
    repo, env = merge_request(make_repo, gitlab.url, **FAST)
    gitlab.faults.append(Fault("GET", "notes$", 200, raw=b"<html>Sign in</html>", content_type="text/html",
                               repeat=True))
    result = run_bounded("ci", "--fail-on", "never", env=env)
    assert_held(result, (0,))
    assert "text/html, not JSON" in result.out + result.err, result.describe()
    assert (Path(repo) / "gl-code-quality-report.json").is_file()


@pytest.mark.hostile("api", "gitlab-sweep-html-listing")
def test_sweep_of_a_group_answered_with_html_is_exit_2(gitlab: FakeGitLab, tmp_path: Path) -> None:
    gitlab.faults.append(Fault("GET", "projects$", 200, raw=b"<html>maintenance</html>", content_type="text/html",
                               repeat=True))
    result = run_bounded("sweep", "--gitlab-group", "acme", "--api-url", gitlab.url, "--store", tmp_path / "s.db",
                         "--no-progress", env={"GITLAB_TOKEN": TOKEN, **FAST})
    assert_held(result, (2,))
    assert "GET /api/v4/groups/acme/projects: answered 200 with text/html, not JSON" in result.err, result.describe()
    assert TOKEN not in result.out + result.err


@pytest.mark.hostile("api", "gitlab-sweep-malformed-project")
def test_sweep_records_a_malformed_project_as_its_error(gitlab: FakeGitLab, tmp_path: Path, make_repo) -> None:
    good = make_repo({"README.md": "# ok\n"}, name="srv/acme/ok")
    gitlab.groups["acme"] = [
        {"id": 1, "path_with_namespace": "acme/ok", "http_url_to_repo": f"file://{good}", "archived": False},
        {"id": 2, "path_with_namespace": "acme/odd", "http_url_to_repo": ["not", "a", "url"], "topics": "x",
         "archived": "no"}]
    store = tmp_path / "s.db"
    result = run_bounded("sweep", "--gitlab-group", "acme", "--api-url", gitlab.url, "--store", store,
                         "--cache-dir", tmp_path / "cache", "--no-progress", "-j", "1",
                         env={"GITLAB_TOKEN": TOKEN, **FAST})
    assert_held(result, (0, 1))
    from standards_check.sweep.store import Store

    with Store(store) as s:
        rows = {r["repo"]: r for r in s.results(s.sweeps()[0].id)}
    assert rows["acme/ok"]["status"] == "ok", result.describe()
    assert rows["acme/odd"]["status"] == "error"
    assert "http_url_to_repo is list" in json_dump(rows["acme/odd"])


def json_dump(row: Any) -> str:
    import json

    return json.dumps(row, default=str)
