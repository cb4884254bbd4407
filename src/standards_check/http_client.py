"""The HTTP transport shared by the forge clients (`github_client.GitHubClient`,
`gitlab_client.GitLabClient`): one implementation of what makes an API call safe to rely on.

`ApiClient`:
- gives every request a total deadline (`deadline`, default 60 s): the body is read in pieces as
  they arrive and the read stops when the deadline passes, so an answer that trickles a byte a
  second fails like a timeout instead of holding the run (requests' read timeout is per read, and
  urllib3's `Timeout(total=)` does not bound a trickle either). A body larger than `max_body` is
  refused without reading the rest;
- retries 5xx answers, connections that could not be made, timeouts, and connections reset or
  cut short in the middle of an answer, with exponential backoff, a bounded number of times.
  Once a request may have reached the server, only requests that are safe to repeat are
  retried: GET, PUT, PATCH, DELETE and a POST the caller marks `retry_post`. Any other POST fails
  with `ApiError.uncertain` set, and the caller finds out whether it was carried out;
- follows a redirect only within the API's own origin, at most 3 times, and a POST, PATCH or
  DELETE only on 307/308 (which keep the method and body); any other 3xx is an error, never data;
- `request_json` and `paginate` check the answer's shape: JSON, an object or a list as the
  endpoint returns, list items objects. A malformed answer is an error naming the request;
- `paginate` follows the next page (`Link: rel="next"`; GitLab also `X-Next-Page`), refuses one
  that points back to a page already read and stops after `max_pages`;
- waits on rate limits: `Retry-After` when given; else until the `RateLimit-Reset` time (epoch
  seconds; GitHub names it `X-RateLimit-Reset`) when the quota is spent; else, for a 429 or a
  "rate limit" message, at least a minute, growing exponentially. A wait longer than `max_wait`
  (in total) is not waited: the call fails with the reason;
- sends the token only to the API's own origin, and never lets it appear in an error, a log line
  or a repr (`redact`).
Sleep and clock are injectable, so tests run without waiting; `requests_made` counts the calls.
The defaults of `deadline`, `max_attempts` and `backoff` can be set with the environment variables
STANDARDS_CHECK_API_DEADLINE, STANDARDS_CHECK_API_ATTEMPTS and STANDARDS_CHECK_API_BACKOFF.
"""
from __future__ import annotations

import json as _json
import os
import time
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
import urllib3

SECONDARY_MIN_WAIT = 60.0
DEFAULT_DEADLINE = 60.0
MAX_BODY = 32 * 1024 * 1024  # a page of 100 comments of 65,536 characters is ~7 MB
MAX_PAGES = 1000  # 100,000 items
MAX_REDIRECTS = 3
_SAFE_TO_REPEAT = ("GET", "HEAD", "PUT", "PATCH", "DELETE")


class ApiError(Exception):
    """A call that did not succeed, with a reason a person can act on (never the token).
    `uncertain`: the request may have been carried out although no answer came back."""

    def __init__(self, message: str, status: int | None = None, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.uncertain = uncertain


class _Broken(Exception):
    """The request went out but no whole answer came back (a reset, a cut-short body, the deadline)."""


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = -1
    return scheme, (parts.hostname or ""), port


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


class ApiClient:
    """The transport one forge's client builds on; a subclass names its error class, headers,
    authentication and rate-limit header names."""

    Error: type[ApiError] = ApiError
    HEADERS: dict[str, str] = {}
    RATE_PREFIX = "X-"  # GitHub: X-RateLimit-*; GitLab: RateLimit-*
    RESET_ON_429 = False  # a 429 with a reset time waits for it even when Remaining is not "0"

    def __init__(
        self,
        token: str | None,
        api_url: str,
        *,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        deadline: float | None = None,
        max_attempts: int | None = None,
        backoff: float | None = None,
        max_backoff: float = 30.0,
        max_body: int = MAX_BODY,
        max_pages: int = MAX_PAGES,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        log: Callable[[str], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token or ""
        self._auth = self._make_auth(token) if token else None
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else _env_number("STANDARDS_CHECK_API_DEADLINE",
                                                                             DEFAULT_DEADLINE)
        self.max_attempts = max_attempts if max_attempts is not None else int(
            _env_number("STANDARDS_CHECK_API_ATTEMPTS", 5))
        self.backoff = backoff if backoff is not None else _env_number("STANDARDS_CHECK_API_BACKOFF", 1.0)
        self.max_body = max_body
        self.max_pages = max_pages
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._log = log or (lambda message: None)
        self._session = session or requests.Session()
        self._session.headers.update({**self.HEADERS, "User-Agent": "standards-check"})
        self._quota_reset: float | None = None  # set when a response said the quota is spent
        self.requests_made = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_url={self.api_url!r}, token={'***' if self._token else None})"

    def _make_auth(self, token: str) -> requests.auth.AuthBase:
        return _HeaderAuth("Authorization", f"Bearer {token}")

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # ---- requests ---------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                retry_post: bool = False) -> requests.Response:
        """One API call, with retries and rate-limit waits; an `Error` when it cannot succeed.
        The body is read (bounded) before this returns."""
        url = self._url(path)
        where = f"{method} {urlsplit(url).path}"
        repeatable = method in _SAFE_TO_REPEAT or retry_post
        attempt = 0
        waited = 0.0
        while True:
            waited += self._wait_for_spent_quota(where, waited)
            attempt += 1
            try:
                response = self._send(method, url, where, json, params)
            except (requests.ConnectionError, requests.Timeout, _Broken) as exc:
                sent = not _never_sent(exc)
                kind = str(exc) if isinstance(exc, _Broken) else \
                    "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
                if sent and not repeatable:
                    raise self.Error(f"{where}: {kind}; not repeated, as it may have been carried out",
                                      uncertain=True) from None
                if attempt >= self.max_attempts:
                    raise self.Error(f"{where}: {kind} ({attempt} attempts)") from None
                waited += self._pause(self._backoff(attempt), f"{where} {kind}", waited)
                continue
            self._note_quota(response)
            wait = self._rate_limit_wait(response, attempt)
            if wait is not None:
                if attempt >= self.max_attempts:
                    raise self.Error(f"{where}: still rate limited after {attempt} attempts",
                                      response.status_code)
                waited += self._pause(wait, f"{where} rate limited ({response.status_code})", waited)
                continue
            if response.status_code >= 500:
                if attempt >= self.max_attempts:
                    raise self.Error(f"{where}: server error {response.status_code} "
                                      f"({attempt} attempts)", response.status_code)
                waited += self._pause(self._backoff(attempt), f"{where} got {response.status_code}", waited)
                continue
            if response.status_code >= 400:
                raise self.Error(f"{where}: {response.status_code} {self._message(response)}",
                                  response.status_code)
            if response.status_code >= 300:
                raise self.Error(f"{where}: unexpected answer {response.status_code}", response.status_code)
            return response

    def request_json(self, method: str, path: str, *, expect: type = dict, json: Any = None,
                     params: dict[str, Any] | None = None, retry_post: bool = False) -> Any:
        """The JSON answer of one call, which must be an object (`expect=dict`) or a list."""
        response = self.request(method, path, json=json, params=params, retry_post=retry_post)
        return self._data(response, f"{method} {urlsplit(response.url or self._url(path)).path}", expect)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following `Link: rel="next"` (100 a page). Each page must
        be a list of objects; a next link to a page already read, or past `max_pages`, stops it."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        seen: set[tuple[str, frozenset[tuple[str, str]]]] = set()
        first = f"GET {urlsplit(self._url(path)).path}"
        while url:
            page = _page_key(self._url(url), query)
            if page in seen:
                raise self.Error(f"{first}: the next-page link points back to a page already read "
                                  f"(a pagination cycle); stopped")
            if len(seen) >= self.max_pages:
                raise self.Error(f"{first}: more than {self.max_pages} pages; stopped")
            seen.add(page)
            response = self.request("GET", url, params=query)
            where = f"GET {urlsplit(response.url or self._url(url)).path}"
            items = self._data(response, where, list)
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise self.Error(f"{where}: item {i + 1} of the list is {_kind(item)}, not an object")
            yield from items
            url = self._next_page(response, url, query)
            query = None  # the next link carries the query
            if url and not self._same_origin(url):
                raise self.Error("pagination link points outside the API; not followed")

    def _next_page(self, response: requests.Response, url: str, query: dict[str, Any] | None) -> str | None:
        """The next page's URL: the `Link: rel="next"` header."""
        next_url: str | None = response.links.get("next", {}).get("url")
        return next_url

    # ---- internals ----------------------------------------------------------------------------
    def _send(self, method: str, url: str, where: str, json: Any,
              params: dict[str, Any] | None) -> requests.Response:
        """One exchange, following same-origin redirects, the whole body read within the deadline."""
        due = time.monotonic() + self.deadline
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout, self.timeout)
        for _hop in range(MAX_REDIRECTS + 1):
            left = due - time.monotonic()
            if left <= 0:
                raise _Broken(f"no whole answer within the {self.deadline:g} s deadline")
            self.requests_made += 1
            response = self._session.request(
                method, url, json=json, params=params, timeout=(min(connect, left), min(read, left)),
                auth=self._auth if self._same_origin(url) else None, allow_redirects=False, stream=True)
            try:
                self._read_body(response, due, where)
            finally:
                response.close()
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            target = urljoin(url, response.headers.get("Location", ""))
            if not response.headers.get("Location"):
                raise self.Error(f"{where}: answered {response.status_code} without a Location", response.status_code)
            if not self._same_origin(target):
                raise self.Error(f"{where}: redirected ({response.status_code}) to another host, "
                                  f"{urlsplit(target).hostname}; not followed (the token goes only to the API)",
                                  response.status_code)
            if method not in ("GET", "HEAD") and response.status_code not in (307, 308):
                raise self.Error(f"{where}: redirected ({response.status_code}); a {method} is only "
                                  "followed through 307 or 308, which keep it a " + method, response.status_code)
            url, params = target, None
        raise self.Error(f"{where}: more than {MAX_REDIRECTS} redirects; stopped")

    def _read_body(self, response: requests.Response, due: float, where: str) -> None:
        """Read the body as it arrives (each read returns what has come), checking the deadline
        between reads and the size as it grows."""
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > due:
                raise _Broken(f"no whole answer within the {self.deadline:g} s deadline")
            try:
                chunk = response.raw.read1(64 * 1024, decode_content=True)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                what = "timed out" if isinstance(exc, (urllib3.exceptions.ReadTimeoutError, TimeoutError)) else \
                    "the answer was cut short (incomplete body)" if isinstance(
                        exc, (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead)) else \
                    f"the answer could not be read ({type(exc).__name__})"
                raise _Broken(what) from None
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_body:
                raise self.Error(f"{where}: the answer is larger than {self.max_body // (1024 * 1024)} MiB; "
                                  "not read", response.status_code)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        setattr(response, "_content_consumed", True)  # noqa: B010 - requests keeps no public way

    def _data(self, response: requests.Response, where: str, expect: type) -> Any:
        try:
            data = _json.loads(response.content)
        except ValueError:
            kind = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
            raise self.Error(f"{where}: answered {response.status_code} with {kind}, not JSON "
                              f"({len(response.content)} bytes)", response.status_code) from None
        if not isinstance(data, expect):
            raise self.Error(f"{where}: expected {'a list' if expect is list else 'an object'}, "
                              f"got {_kind(data)}", response.status_code)
        return data

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if not self._same_origin(path):
                raise self.Error("refusing to call a URL outside the API")
            return path
        return self.api_url + "/" + path.lstrip("/")

    def _same_origin(self, url: str) -> bool:
        """Same scheme, host and port as the API (GitHub Enterprise's GraphQL endpoint is on the
        API's host outside /api/v3)."""
        return _origin(url) == _origin(self.api_url)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _pause(self, seconds: float, why: str, waited: float) -> float:
        seconds = max(0.0, seconds)
        if waited + seconds > self.max_wait:
            raise self.Error(f"{why}: would wait {seconds:.0f} s more, over the {self.max_wait:.0f} s cap")
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
        reset = headers.get(self.RATE_PREFIX + "RateLimit-Reset")
        spent = headers.get(self.RATE_PREFIX + "RateLimit-Remaining") == "0" or (
            self.RESET_ON_429 and response.status_code == 429)
        if spent and reset:
            try:
                return max(0.0, float(reset) - self.clock()) + 1.0
            except ValueError:
                return SECONDARY_MIN_WAIT
        if response.status_code == 429 or "rate limit" in self._message(response).lower():
            return SECONDARY_MIN_WAIT * 2 ** (attempt - 1)
        return None  # a 403 that is a permission problem

    def _note_quota(self, response: requests.Response) -> None:
        if response.ok and response.headers.get(self.RATE_PREFIX + "RateLimit-Remaining") == "0":
            try:
                self._quota_reset = float(response.headers.get(self.RATE_PREFIX + "RateLimit-Reset", ""))
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


def _never_sent(exc: BaseException) -> bool:
    """True when the connection was never made, so the request cannot have been carried out."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, urllib3.exceptions.NewConnectionError)


def _page_key(url: str, params: dict[str, Any] | None) -> tuple[str, frozenset[tuple[str, str]]]:
    """A page's identity: its path and query (page 1 when none is named)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: str(v) for k, v in (params or {}).items()})
    query.setdefault("page", "1")
    return parts.path, frozenset(query.items())


class _HeaderAuth(requests.auth.AuthBase):
    """Sets one header carrying the token; its repr never shows it."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[self._name] = self._value
        return request

    def __repr__(self) -> str:
        return f"_HeaderAuth({self._name}: ***)"


def header_auth(name: str, value: str) -> requests.auth.AuthBase:
    return _HeaderAuth(name, value)
