"""Hostile API answers and a damaged results store.

Every case runs against the real loopback server of tests/github_fake.py (every request judged by
GitHub's OpenAPI description) or a real SQLite file, and is bounded by design: client deadlines and
attempts are small, waits go to a FakeClock, listings are finite, CLI runs go through
`run_bounded`. Each states what must hold: the comment exists exactly once, the exit code and the
message, no token in any output, no traceback.
"""
from __future__ import annotations

import gzip
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from standards_check.github_client import GitHubClient, GitHubError
from standards_check.publish.github import comment_marker, publish_commit_status, upsert_sticky_comment
from standards_check.sweep.store import Store
from tests.conftest import git
from tests.github_fake import (  # noqa: F401 - fixtures
    BOT, HUMAN, OTHER_APP, PAT_USER, TOKEN, FakeClock, FakeGitHub, Fault, assert_conforms, ghes, github,
    openapi,
)
from tests.hostile.harness import assert_held, run_bounded

REPO = "acme/payments"
SHA = "0123456789abcdef0123456789abcdef01234567"
MARKER = comment_marker("baseline", ".")
COMMENTS = f"/repos/{REPO}/issues/7/comments"
FAST = {"STANDARDS_CHECK_API_DEADLINE": "3", "STANDARDS_CHECK_API_ATTEMPTS": "3",
        "STANDARDS_CHECK_API_BACKOFF": "0.1"}


def client_for(fake: FakeGitHub, clock: FakeClock | None = None, **kwargs: Any) -> GitHubClient:
    """A client with small bounds: 1 s per read, 2 s per request in all, 3 attempts."""
    clock = clock or FakeClock()
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("max_attempts", 3)
    options = {"deadline": kwargs.pop("deadline", 2.0)}
    for name in ("max_pages", "max_body"):
        if name in kwargs:
            options[name] = kwargs.pop(name)
    return GitHubClient(TOKEN, fake.url, sleep=clock.sleep, clock=clock, **kwargs, **options)


def ours(fake: FakeGitHub, issue: int = 7) -> list[dict[str, Any]]:
    return [c for c in fake.comments.get(issue, []) if c["body"].startswith(MARKER) and c["user"] == fake.me]


# ---- transport faults ----------------------------------------------------------------------------
@pytest.mark.hostile("api", "reset-mid-body-get")
def test_reset_mid_body_on_a_get_is_retried(github: FakeGitHub) -> None:
    github.add_comment(7, "hello", HUMAN)
    github.faults.append(Fault("GET", "comments$", 200, body=[{"id": 1, "body": "x" * 500}], reset_after=20))
    items = list(client_for(github).paginate(COMMENTS))
    assert [c["body"] for c in items] == ["hello"]
    assert len(github.calls("GET", "comments$")) == 2


@pytest.mark.hostile("api", "reset-mid-body-post-applied")
def test_reset_after_the_comment_was_created_leaves_exactly_one(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "comments$", apply=True, reset_after=10))
    upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "score 80")
    assert [c["body"] for c in ours(github)] == [f"{MARKER}\nscore 80"]
    assert len(github.comments[7]) == 1


@pytest.mark.hostile("api", "reset-post-not-applied")
def test_reset_before_the_comment_was_created_still_posts_it_once(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "comments$", 502, body={"message": "x" * 200}, reset_after=5))
    upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "score 80")
    assert [c["body"] for c in ours(github)] == [f"{MARKER}\nscore 80"]


@pytest.mark.hostile("api", "trickle-body")
def test_a_body_trickled_a_byte_at_a_time_meets_the_deadline(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 200, body=[{"id": 5, "body": "y" * 1500}], trickle=0.02,
                               repeat=True))
    start = time.monotonic()
    with pytest.raises(GitHubError, match="deadline"):
        list(client_for(github, deadline=0.5, max_attempts=2).paginate(COMMENTS))
    assert time.monotonic() - start < 10.0  # two attempts of 0.5 s, not 2 x 30 s of trickle
    github.faults.clear()


@pytest.mark.hostile("api", "slow-headers")
def test_headers_that_never_come_time_out_and_are_retried(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "statuses", 201, delay=12.0))
    clock = FakeClock()
    start = time.monotonic()
    posted = publish_commit_status(client_for(github, clock, timeout=0.5), REPO, SHA, state="success",
                                   description="ok", context="c")
    assert posted.action == "created" and time.monotonic() - start < 8.0  # not the 12 s the headers take
    assert len(github.statuses) == 1


@pytest.mark.hostile("api", "truncated-json")
def test_a_body_shorter_than_its_content_length_is_a_clear_error(github: FakeGitHub) -> None:
    for _ in range(3):
        github.faults.append(Fault("GET", "comments$", 200, raw=b'[{"id": 1, "bo', content_length=400))
    with pytest.raises(GitHubError, match="GET .*comments.*(incomplete|truncated|cut short)"):
        list(client_for(github).paginate(COMMENTS))
    assert len(github.calls("GET")) == 3  # retried, bounded


@pytest.mark.hostile("api", "huge-body")
def test_a_huge_body_is_refused_without_reading_it_all(github: FakeGitHub) -> None:
    huge = b"[" + b" " * (24 * 1024 * 1024) + b"]"
    github.faults.append(Fault("GET", "comments$", 200, raw=huge))
    with pytest.raises(GitHubError, match="larger than"):
        list(client_for(github, max_body=1024 * 1024, deadline=10.0).paginate(COMMENTS))


@pytest.mark.hostile("api", "gzip-bomb")
def test_a_small_compressed_body_that_inflates_hugely_is_refused(github: FakeGitHub) -> None:
    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=1)
    assert len(bomb) < 1024 * 1024
    github.faults.append(Fault("GET", "comments$", 200, {"Content-Encoding": "gzip"}, raw=bomb))
    with pytest.raises(GitHubError, match="larger than 1 MiB"):
        list(client_for(github, max_body=1024 * 1024, deadline=10.0).paginate(COMMENTS))


# ---- redirects -------------------------------------------------------------------------------------
@pytest.mark.hostile("api", "redirect-301-get")
def test_a_permanent_redirect_on_the_api_is_followed_not_parsed(github: FakeGitHub) -> None:
    github.add_comment(7, "real", HUMAN)
    github.faults.append(Fault("GET", "comments$", 301, {"Location": github.url + COMMENTS + "?per_page=100"},
                               {"message": "Moved Permanently", "url": github.url + COMMENTS}))
    assert [c["body"] for c in client_for(github).paginate(COMMENTS)] == ["real"]


@pytest.mark.hostile("api", "redirect-302-get-loop")
def test_a_redirect_loop_is_bounded_and_clear(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 302, {"Location": github.url + COMMENTS},
                               {"message": "Found"}, repeat=True))
    with pytest.raises(GitHubError, match="redirect"):
        list(client_for(github).paginate(COMMENTS))
    assert len(github.calls("GET")) <= 6
    github.faults.clear()


@pytest.mark.hostile("api", "redirect-307-post")
def test_a_temporary_redirect_of_a_post_keeps_the_body_and_posts_once(github: FakeGitHub) -> None:
    path = f"/repos/{REPO}/statuses/{SHA}"
    github.faults.append(Fault("POST", "statuses", 307, {"Location": github.url + path}, {"message": "x"}))
    posted = publish_commit_status(client_for(github), REPO, SHA, state="success", description="ok", context="c")
    assert posted.action == "created"
    assert [s["state"] for s in github.statuses] == ["success"]


@pytest.mark.hostile("api", "redirect-301-post")
def test_a_redirect_that_would_turn_a_post_into_a_get_is_refused(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "statuses", 301, {"Location": github.url + "/repos/acme/moved/statuses/" + SHA},
                               {"message": "Moved Permanently"}))
    with pytest.raises(GitHubError, match="redirect") as caught:
        publish_commit_status(client_for(github), REPO, SHA, state="success", description="ok", context="c")
    assert TOKEN not in str(caught.value)
    assert github.statuses == []


class _Recorder:
    """Another host (another port on loopback): records the Authorization headers it gets."""

    def __init__(self) -> None:
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                seen.append(self.headers.get("Authorization"))
                data = b'[{"id": 99, "body": "from elsewhere"}]'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[_Recorder]:
    recorder = _Recorder()
    yield recorder
    recorder.close()


@pytest.mark.hostile("api", "redirect-other-host")
def test_a_redirect_to_another_host_is_not_followed_with_the_token(github: FakeGitHub, elsewhere: _Recorder) -> None:
    github.faults.append(Fault("GET", "comments$", 302, {"Location": elsewhere.url + "/steal"}, {"message": "Found"}))
    with pytest.raises(GitHubError, match="redirect") as caught:
        list(client_for(github).paginate(COMMENTS))
    assert all(TOKEN not in (h or "") for h in elsewhere.seen)
    assert TOKEN not in str(caught.value)


# ---- pagination ----------------------------------------------------------------------------------
def _patch_pages(fake: FakeGitHub, link_for: Any) -> None:
    def page(issue: int, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        number = int(query.get("page", ["1"])[0])
        target = link_for(number)
        headers = {"Link": f'<{fake.url}{path}?per_page=100&page={target}>; rel="next"'} if target else {}
        return 200, headers, [{"id": number, "body": f"page {number}", "user": HUMAN}]
    fake._page = page  # type: ignore[method-assign]


@pytest.mark.hostile("api", "pagination-cycle")
def test_a_next_link_back_to_an_earlier_page_is_refused(github: FakeGitHub) -> None:
    _patch_pages(github, lambda n: {1: 2, 2: 3, 3: 1}.get(n) if len(github.requests) < 60 else None)
    with pytest.raises(GitHubError, match="cycle|already"):
        list(client_for(github).paginate(COMMENTS))
    assert len(github.calls("GET")) == 3


@pytest.mark.hostile("api", "pagination-self-link")
def test_a_next_link_to_the_same_page_is_refused(github: FakeGitHub) -> None:
    _patch_pages(github, lambda n: 2 if len(github.requests) < 60 else None)
    with pytest.raises(GitHubError, match="cycle|already"):
        list(client_for(github).paginate(COMMENTS))
    assert len(github.calls("GET")) == 2


@pytest.mark.hostile("api", "pagination-endless")
def test_an_endless_listing_is_bounded(github: FakeGitHub) -> None:
    _patch_pages(github, lambda n: n + 1 if n < 300 else None)  # the server stops at 300 pages
    with pytest.raises(GitHubError, match="pages"):
        list(client_for(github, max_pages=25).paginate(COMMENTS))
    assert len(github.calls("GET")) <= 26


# ---- malformed answers ---------------------------------------------------------------------------
@pytest.mark.hostile("api", "html-200")
def test_an_html_page_with_status_200_is_a_clear_error(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 200, raw=b"<!DOCTYPE html><html><body>Sign in</body></html>",
                               content_type="text/html; charset=utf-8"))
    with pytest.raises(GitHubError, match="GET .*comments.*not JSON"):
        upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "x")
    assert github.calls("POST", "comments$") == []


@pytest.mark.hostile("api", "object-for-list")
def test_an_object_where_a_list_is_expected_is_a_clear_error(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 200, body={"id": 1, "body": MARKER}))
    with pytest.raises(GitHubError, match="expected a list"):
        list(client_for(github).paginate(COMMENTS))


@pytest.mark.hostile("api", "strings-in-list")
def test_list_items_that_are_strings_are_a_clear_error(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 200, body=["id", "body"]))
    with pytest.raises(GitHubError, match="item"):
        upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "x")


@pytest.mark.hostile("api", "null-body")
def test_a_null_answer_to_a_create_is_a_clear_error(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "comments$", 201, raw=b"null"))
    github.faults.append(Fault("GET", "comments$", 200, raw=b"null"))
    with pytest.raises(GitHubError, match="expected a list|expected an object"):
        upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "x")


# ---- retries and waits ---------------------------------------------------------------------------
@pytest.mark.hostile("api", "server-error-storm")
def test_a_storm_of_server_errors_is_bounded(github: FakeGitHub) -> None:
    github.faults.append(Fault("POST", "statuses", 502, repeat=True))
    clock = FakeClock()
    with pytest.raises(GitHubError, match="502"):
        publish_commit_status(client_for(github, clock, max_attempts=4), REPO, SHA, state="success",
                              description="ok", context="c")
    assert len(github.calls("POST")) == 4 and sum(clock.sleeps) < 60
    github.faults.clear()


@pytest.mark.hostile("api", "absurd-retry-after")
def test_an_absurd_retry_after_is_not_waited(github: FakeGitHub) -> None:
    github.faults.append(Fault("GET", "comments$", 429, {"Retry-After": "999999999"}, {"message": "slow"}))
    clock = FakeClock()
    with pytest.raises(GitHubError, match="cap"):
        list(client_for(github, clock, max_wait=300).paginate(COMMENTS))
    assert clock.sleeps == []


@pytest.mark.hostile("api", "secondary-rate-limit-storm")
def test_a_secondary_rate_limit_that_never_lifts_is_bounded(github: FakeGitHub) -> None:
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    github.faults.append(Fault("POST", "statuses", 403, {}, body, repeat=True))
    clock = FakeClock()
    with pytest.raises(GitHubError):
        publish_commit_status(client_for(github, clock, max_attempts=10, max_wait=300), REPO, SHA,
                              state="success", description="ok", context="c")
    assert sum(clock.sleeps) <= 300
    github.faults.clear()


# ---- whose comment -------------------------------------------------------------------------------
@pytest.mark.hostile("api", "foreign-comment-with-marker")
def test_a_persons_comment_with_our_marker_is_never_edited(github: FakeGitHub) -> None:
    theirs = github.add_comment(7, f"{MARKER}\ncopied by a person", HUMAN)
    posted = upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "score 90")
    assert posted.action == "created"
    assert [c["body"] for c in ours(github)] == [f"{MARKER}\nscore 90"]
    assert github.comments[7][0] == theirs
    assert not github.calls("PATCH") and not github.calls("DELETE")


@pytest.mark.hostile("api", "other-app-bot-comment")
def test_another_apps_comment_with_our_marker_is_never_edited(github: FakeGitHub) -> None:
    github.add_comment(7, f"{MARKER}\nby another app", OTHER_APP)
    mine = github.add_comment(7, f"{MARKER}\nold", BOT)
    posted = upsert_sticky_comment(client_for(github), REPO, 7, MARKER, "new")
    assert posted.action == "updated"
    assert [c["body"] for c in github.comments[7]] == [f"{MARKER}\nby another app", f"{MARKER}\nnew"]
    assert [r.path for r in github.calls("PATCH")] == [f"/repos/{REPO}/issues/comments/{mine['id']}"]


@pytest.mark.hostile("api", "user-token-identity")
def test_a_user_tokens_own_comment_is_updated_and_the_bots_left_alone(openapi) -> None:
    with FakeGitHub(me=PAT_USER) as fake:
        bots = fake.add_comment(7, f"{MARKER}\nby the Actions bot", BOT)
        mine = fake.add_comment(7, f"{MARKER}\nby me", PAT_USER)
        upsert_sticky_comment(client_for(fake), REPO, 7, MARKER, "again")
        assert fake.comments[7] == [bots, {**mine, "body": f"{MARKER}\nagain"}]
        assert [r.path for r in fake.calls("GET", "^/user$")] == ["/user"]
    assert_conforms(fake, openapi)


# ---- the CLI: ci, sweep, report ------------------------------------------------------------------
def _ci_env(tmp_path: Path, make_repo, fake: FakeGitHub) -> dict[str, str]:
    repo = make_repo({"README.md": "# payments\n\nCharges cards.\n"}, name="payments")
    head = git(repo, "rev-parse", "HEAD").strip()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "pull_request": {
        "number": 7, "head": {"sha": head, "ref": "x"}, "base": {"sha": head, "ref": "main"}}}))
    return {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": REPO, "GITHUB_SHA": head, "GITHUB_WORKSPACE": str(repo),
            "GITHUB_API_URL": fake.url, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "1",
            "RUNNER_TEMP": str(tmp_path / "runner"), "INPUT_GITHUB_TOKEN": TOKEN, "INPUT_CHECK-RUN": "off",
            **FAST}


@pytest.mark.hostile("api", "ci-foreign-marker")
def test_ci_never_edits_a_persons_marked_comment(github: FakeGitHub, tmp_path: Path, make_repo) -> None:
    theirs = github.add_comment(7, f"{MARKER}\nnot yours", HUMAN)
    result = run_bounded("ci", "--fail-on", "never", env=_ci_env(tmp_path, make_repo, github))
    assert_held(result, (0,))
    assert github.comments[7][0] == theirs
    assert len(ours(github)) == 1, result.describe()
    assert TOKEN not in result.out + result.err


@pytest.mark.hostile("api", "ci-reset-post")
def test_ci_comment_posted_once_through_a_reset(github: FakeGitHub, tmp_path: Path, make_repo) -> None:
    github.faults.append(Fault("POST", "comments$", apply=True, reset_after=3))
    result = run_bounded("ci", "--fail-on", "never", env=_ci_env(tmp_path, make_repo, github))
    assert_held(result, (0,))
    assert len(github.comments.get(7, [])) == 1, result.describe()
    assert TOKEN not in result.out + result.err


@pytest.mark.hostile("api", "ci-trickle")
def test_ci_does_not_hang_on_a_trickling_api(github: FakeGitHub, tmp_path: Path, make_repo) -> None:
    github.faults.append(Fault("GET", "comments$", 200, body=[{"id": 1, "body": "z" * 2000}], trickle=0.01,
                               repeat=True))
    result = run_bounded("ci", "--fail-on", "never", env=_ci_env(tmp_path, make_repo, github), seconds=30)
    github.faults.clear()
    assert_held(result, (0,), seconds=25)
    assert "could not post the pull-request comment" in result.out
    assert TOKEN not in result.out + result.err


def _sweep(fake: FakeGitHub, tmp_path: Path) -> Any:
    return run_bounded("sweep", "--org", "acme", "--api-url", fake.url, "--store", tmp_path / "s.db",
                       "--cache-dir", tmp_path / "cache", "--jobs", "1", "--no-progress",
                       env={"GITHUB_TOKEN": TOKEN, **FAST})


def _listing_case(name: str, answer: Fault) -> Any:
    return pytest.param(answer, id=name, marks=pytest.mark.hostile("api", name))


@pytest.mark.parametrize("answer", [
    _listing_case("sweep-listing-html", Fault("GET", "/orgs/acme/repos", 200, raw=b"<html>maintenance</html>",
                                              content_type="text/html")),
    _listing_case("sweep-listing-object", Fault("GET", "/orgs/acme/repos", 200, body={"full_name": "acme/api"})),
    _listing_case("sweep-listing-strings", Fault("GET", "/orgs/acme/repos", 200, body=["acme/api", "acme/web"])),
    _listing_case("sweep-listing-no-full-name", Fault("GET", "/orgs/acme/repos", 200,
                                                      body=[{"name": "api", "clone_url": "https://x/acme/api.git"}])),
    _listing_case("sweep-listing-truncated", Fault("GET", "/orgs/acme/repos", 200, raw=b'[{"full_name": "ac',
                                                   content_length=900, repeat=True)),
])
def test_a_malformed_listing_is_exit_2_with_one_clear_line(answer: Fault, ghes: FakeGitHub, tmp_path: Path) -> None:
    ghes.faults.append(answer)
    result = _sweep(ghes, tmp_path)
    ghes.faults.clear()
    assert_held(result, (2,))
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "/orgs/acme/repos" in lines[0], result.describe()
    assert TOKEN not in result.out + result.err



@pytest.mark.hostile("api", "sweep-malformed-repository")
def test_one_malformed_repository_is_an_error_result_and_the_sweep_goes_on(ghes: FakeGitHub, tmp_path: Path,
                                                                          make_repo) -> None:
    good = make_repo({"README.md": "# web\n"}, name="web")
    ghes.repos["/orgs/acme/repos"] = [
        {"full_name": "acme/api", "clone_url": 42, "topics": "not-a-list", "archived": False, "fork": False,
         "size": "big"},
        {"full_name": "acme/web", "clone_url": good.as_uri(), "topics": [], "archived": False, "fork": False,
         "size": 1},
    ]
    result = _sweep(ghes, tmp_path)
    assert_held(result, (0,))
    report = run_bounded("report", "--store", tmp_path / "s.db", "--format", "json")
    assert_held(report, (0,))
    rows = {r["name"]: r for r in json.loads(report.out)["repositories"]}
    assert rows["acme/web"]["status"] == "ok", report.describe()
    assert rows["acme/api"]["status"] == "error" and "clone_url" in rows["acme/api"]["error"]


# ---- a damaged store -----------------------------------------------------------------------------
def _store(tmp_path: Path, names: tuple[str, ...] = ("acme/a", "acme/b", "acme/c")) -> Path:
    path = tmp_path / "store.db"
    with Store(path) as store:
        sweep, _ = store.start_or_resume(source="github:acme", policy=None, policy_map=None, tool_version="0",
                                         shard=None, run_id=None, total=len(names))
        for i, name in enumerate(names):
            store.add_result(sweep.id, {
                "repo": name, "status": "ok", "score": 50.0 + i, "level": 1, "passed": True, "policy": "baseline@1",
                "team": "@acme/t", "categories": {"knowledge": 50.0}, "failing": ["readme.present"],
                "report": {"results": [{"check": "readme.present", "status": "fail", "title": "README"}]},
                "commit_sha": "0" * 40, "duration_s": 0.1, "scanned_at": "2026-01-01T00:00:00+00:00"})
        store.finish(sweep.id)
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
@pytest.mark.hostile("api", "store-damaged-rows")
def test_damaged_rows_are_reported_and_the_rest_rendered(tmp_path: Path, fmt: str) -> None:
    path = _store(tmp_path)
    db = sqlite3.connect(path)
    db.execute("UPDATE results SET categories = '{\"knowledge\": 5', report = '[1, 2' WHERE repo = 'acme/a'")
    db.execute("UPDATE results SET score = 'high', failing = '\"readme\"' WHERE repo = 'acme/b'")
    db.commit()
    db.close()
    result = run_bounded("report", "--store", path, "--format", fmt)
    assert_held(result, (1,))
    assert "acme/a" in result.err and "acme/b" in result.err and "damaged" in result.err
    assert "acme/c" in result.out and "acme/a" in result.out  # the damaged row is listed, not dropped


@pytest.mark.hostile("api", "store-wrong-types")
def test_rows_of_the_wrong_types_are_damaged_rows(tmp_path: Path) -> None:
    path = _store(tmp_path)
    db = sqlite3.connect(path)
    db.execute("UPDATE results SET level = 'x', passed = 'yes', categories = '[1]', scanned_at = 5"
               " WHERE repo = 'acme/c'")
    db.commit()
    db.close()
    result = run_bounded("report", "--store", path, "--format", "html")
    assert_held(result, (1,))
    assert "acme/c" in result.err and "acme/a" in result.out


@pytest.mark.hostile("api", "store-missing-columns")
def test_a_store_with_missing_columns_reports_what_it_can(tmp_path: Path) -> None:
    path = _store(tmp_path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE results DROP COLUMN categories")
    db.execute("ALTER TABLE results DROP COLUMN team")
    db.commit()
    db.close()
    result = run_bounded("report", "--store", path, "--format", "csv")
    assert_held(result, (0, 1))
    assert "acme/a" in result.out and "acme/c" in result.out


@pytest.mark.hostile("api", "store-truncated-file")
def test_a_truncated_database_file_is_clear(tmp_path: Path) -> None:
    path = _store(tmp_path, tuple(f"acme/r{i:03}" for i in range(200)))
    data = path.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 2])
    result = run_bounded("report", "--store", cut, "--format", "json")
    assert_held(result, (1,))  # what the file still holds is rendered; the damage is listed
    assert "damaged" in result.err
    names = [r["name"] for r in json.loads(result.out)["repositories"]]
    assert "acme/r000" in names and len(names) < 200
    assert cut.read_bytes() == data[: len(data) // 2]  # read, never written


@pytest.mark.hostile("api", "store-not-sqlite")
def test_a_file_that_is_not_sqlite_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    result = run_bounded("report", "--store", path, "--format", "html")
    assert_held(result, (2,))
    assert "not a standards-check results store" in result.err
    assert path.read_text().startswith("these are my notes")  # and it was not touched


@pytest.mark.hostile("api", "store-sweeps-damaged")
def test_a_damaged_sweep_row_is_not_a_traceback(tmp_path: Path) -> None:
    path = _store(tmp_path)
    db = sqlite3.connect(path)
    db.execute("UPDATE sweeps SET policy_versions = '[\"baseline', shards = 7")
    db.commit()
    db.close()
    result = run_bounded("report", "--store", path, "--format", "json")
    assert_held(result, (0, 1))
    assert "acme/b" in result.out
