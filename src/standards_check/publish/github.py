"""One small GitHub REST client, and the publishers built on it.

The client (`GitHubClient`):
- talks to `https://api.github.com` or a GitHub Enterprise Server (`https://HOST/api/v3`), with the
  documented headers (`Accept: application/vnd.github+json`, `X-GitHub-Api-Version`);
- retries 5xx answers, connection errors and timeouts with exponential backoff, a bounded number
  of times;
- waits on rate limits as GitHub documents (https://docs.github.com/en/rest/using-the-rest-api/
  best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately): `Retry-After` when
  given; else until `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0; else, for a secondary
  rate limit, at least a minute, growing exponentially. A wait longer than `max_wait` (in total)
  is not waited: the call fails with the reason;
- sends the token only to the API's own origin, and never lets it appear in an error, a log line
  or a repr (`redact`).
Sleep and clock are injectable, so tests run without waiting.

The publishers (`upsert_sticky_comment`, `publish_check_run`, `publish_commit_status`) each make
one change on GitHub and say what they did.
"""
from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import requests

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
MAX_ANNOTATIONS_PER_REQUEST = 50  # the Checks API's limit
MAX_ANNOTATIONS = 1000  # at most 20 requests; the summary says how many were left out
MAX_TEXT = 65535  # check run output.summary/text and issue comment body limits
MAX_STATUS_DESCRIPTION = 140
SECONDARY_MIN_WAIT = 60.0


class GitHubError(Exception):
    """A call that did not succeed, with a reason a person can act on (never the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def api_url_for(server_url: str) -> str:
    """The REST base URL of a GitHub server: api.github.com, or `https://HOST/api/v3` for GHES."""
    server = server_url.rstrip("/")
    if urlsplit(server).hostname in (None, "github.com", "www.github.com"):
        return DEFAULT_API_URL
    return server + "/api/v3"


class _TokenAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_TokenAuth(***)"


class GitHubClient:
    def __init__(
        self,
        token: str | None,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        max_attempts: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        log: Callable[[str], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token or ""
        self._auth = _TokenAuth(token) if token else None
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._log = log or (lambda message: None)
        self._session = session or requests.Session()
        self._session.headers.update({
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "standards-check",
        })
        self._quota_reset: float | None = None  # set when a response said the quota is spent

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r}, token={'***' if self._token else None})"

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # ---- requests ---------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None) -> requests.Response:
        """One API call, with retries and rate-limit waits; a GitHubError when it cannot succeed."""
        url = self._url(path)
        where = f"{method} {urlsplit(url).path}"
        attempt = 0
        waited = 0.0
        while True:
            waited += self._wait_for_spent_quota(where, waited)
            attempt += 1
            try:
                response = self._session.request(
                    method, url, json=json, params=params, timeout=self.timeout,
                    auth=self._auth if self._same_origin(url) else None, allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                if attempt >= self.max_attempts:
                    raise GitHubError(f"{where}: {kind} ({attempt} attempts)") from None
                waited += self._pause(self._backoff(attempt), f"{where} {kind}", waited)
                continue
            self._note_quota(response)
            wait = self._rate_limit_wait(response, attempt)
            if wait is not None:
                if attempt >= self.max_attempts:
                    raise GitHubError(f"{where}: still rate limited after {attempt} attempts",
                                      response.status_code)
                waited += self._pause(wait, f"{where} rate limited ({response.status_code})", waited)
                continue
            if response.status_code >= 500:
                if attempt >= self.max_attempts:
                    raise GitHubError(f"{where}: server error {response.status_code} "
                                      f"({attempt} attempts)", response.status_code)
                waited += self._pause(self._backoff(attempt), f"{where} got {response.status_code}", waited)
                continue
            if response.status_code >= 400:
                raise GitHubError(f"{where}: {response.status_code} {self._message(response)}",
                                  response.status_code)
            return response

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"` (100 a page)."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url:
            response = self.request("GET", url, params=query)
            yield from response.json()
            url = response.links.get("next", {}).get("url")
            query = None  # the next link carries the query
            if url and not self._same_origin(url):
                raise GitHubError("pagination link points outside the API; not followed")

    # ---- internals ----------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if not self._same_origin(path):
                raise GitHubError("refusing to call a URL outside the API")
            return path
        return self.api_url + "/" + path.lstrip("/")

    def _same_origin(self, url: str) -> bool:
        return url == self.api_url or url.startswith(self.api_url + "/")

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _pause(self, seconds: float, why: str, waited: float) -> float:
        seconds = max(0.0, seconds)
        if waited + seconds > self.max_wait:
            raise GitHubError(f"{why}: would wait {seconds:.0f} s more, over the {self.max_wait:.0f} s cap")
        self._log(f"{why}; retrying in {seconds:.0f} s")
        self.sleep(seconds)
        return seconds

    def _rate_limit_wait(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait when the response is a rate limit, else None."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        retry_after = headers.get("Retry-After")
        if retry_after is not None:
            try:
                return float(retry_after)
            except ValueError:
                return SECONDARY_MIN_WAIT
        if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
            try:
                return max(0.0, float(headers["X-RateLimit-Reset"]) - self.clock()) + 1.0
            except ValueError:
                return SECONDARY_MIN_WAIT
        if response.status_code == 429 or "rate limit" in self._message(response).lower():
            return SECONDARY_MIN_WAIT * 2 ** (attempt - 1)
        return None  # a 403 that is a permission problem

    def _note_quota(self, response: requests.Response) -> None:
        if response.ok and response.headers.get("X-RateLimit-Remaining") == "0":
            try:
                self._quota_reset = float(response.headers.get("X-RateLimit-Reset", ""))
            except ValueError:
                self._quota_reset = None

    def _wait_for_spent_quota(self, where: str, waited: float) -> float:
        """The last answer said the quota is spent: wait for its reset before the next call."""
        if self._quota_reset is None:
            return 0.0
        reset, self._quota_reset = self._quota_reset, None
        seconds = reset - self.clock() + 1.0
        return self._pause(seconds, f"{where}: rate limit quota spent", waited) if seconds > 0 else 0.0

    def _message(self, response: requests.Response) -> str:
        try:
            data = response.json()
            message = str(data.get("message", "")) if isinstance(data, dict) else ""
        except ValueError:
            message = response.text[:200]
        return self.redact(message)


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
