"""The one small GitHub REST client, shared by the publishers (PR comment, check run, status) and the
sweep's repository listing.

`GitHubClient`:
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
Sleep and clock are injectable, so tests run without waiting; `requests_made` counts the calls.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import requests

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"
SECONDARY_MIN_WAIT = 60.0


class GitHubError(Exception):
    """A call that did not succeed, with a reason a person can act on (never the token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def api_url_for(url: str | None) -> str:
    """The REST base URL for a GitHub server or API URL: api.github.com for github.com, the URL
    itself when it already names an API (`.../api/v3`, `api.HOST`), else `https://HOST/api/v3`
    (GitHub Enterprise Server)."""
    if not url:
        return DEFAULT_API_URL
    url = url.rstrip("/")
    host = urlsplit(url).hostname
    if host in (None, "github.com", "www.github.com"):
        return DEFAULT_API_URL
    if "/api/" in url + "/" or (host or "").startswith("api."):
        return url
    return url + "/api/v3"


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
        self.requests_made = 0

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
            self.requests_made += 1
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
