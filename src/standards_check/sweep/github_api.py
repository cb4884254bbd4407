"""A small GitHub REST client for listing repositories: retries, backoff and rate-limit waits.

Only what a sweep needs: GET with `Link`-header pagination. The token comes from the caller (the
CLI reads `GITHUB_TOKEN`) and is never printed: errors name the URL, never the headers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import requests

DEFAULT_API = "https://api.github.com"
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class GitHubError(Exception):
    """The API answered with an error we cannot retry past (or retries ran out)."""


def api_base(url: str | None) -> str:
    """The REST base for github.com or a GitHub Enterprise Server host.

    `https://ghe.example.com` becomes `https://ghe.example.com/api/v3`; a URL that already names
    the API (`.../api/v3`, `api.github.com`) is kept.
    """
    if not url:
        return DEFAULT_API
    url = url.rstrip("/")
    if url in ("https://github.com", "http://github.com"):
        return DEFAULT_API
    if "/api/" in url or url.endswith("/api") or "//api." in url:
        return url
    return url + "/api/v3"


@dataclass
class GitHubClient:
    base_url: str = DEFAULT_API
    token: str | None = field(default=None, repr=False)
    retries: int = 4
    backoff: float = 1.0  # seconds, doubled after each failed try
    max_wait: float = 900.0  # never sleep longer than this for a rate limit
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    requests_made: int = 0

    def __post_init__(self) -> None:
        self.base_url = api_base(self.base_url)
        self.session = requests.Session()
        self.session.headers.update({
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "standards-check-sweep",
        })
        if self.token:
            self.session.headers["Authorization"] = f"Bearer {self.token}"

    def get(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET with retries on 5xx and connection errors, and waits on rate limits."""
        if not url.startswith(("http://", "https://")):
            url = self.base_url + url
        delay = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                self.requests_made += 1
                resp = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                if last:
                    raise GitHubError(f"GET {url}: {type(exc).__name__}") from None
                self.sleep(delay)
                delay *= 2
                continue
            wait = self._rate_limit_wait(resp)
            if wait is not None and not last:
                self.sleep(min(wait, self.max_wait))
                continue
            if resp.status_code in RETRY_STATUSES and not last:
                self.sleep(delay)
                delay *= 2
                continue
            if resp.status_code >= 400:
                raise GitHubError(f"GET {url}: HTTP {resp.status_code} {_message(resp)}")
            return resp
        raise GitHubError(f"GET {url}: gave up after {self.retries + 1} tries")

    @staticmethod
    def _rate_limit_wait(resp: requests.Response) -> float | None:
        """Seconds to wait when this answer is a (primary or secondary) rate limit, else None."""
        if resp.status_code not in (403, 429):
            return None
        retry_after = resp.headers.get("Retry-After")
        if retry_after and retry_after.isdigit():
            return float(retry_after)
        if resp.headers.get("X-RateLimit-Remaining") == "0":
            reset = resp.headers.get("X-RateLimit-Reset", "")
            if reset.isdigit():
                return max(0.0, int(reset) - time.time()) + 1
            return 60.0
        if resp.status_code == 429 or "rate limit" in _message(resp).lower():
            return 60.0
        return None

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: <...>; rel="next"`."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url:
            resp = self.get(url, params=query)
            query = None  # the next link carries the query
            data = resp.json()
            if not isinstance(data, list):
                raise GitHubError(f"GET {resp.url}: expected a list, got {type(data).__name__}")
            yield from data
            url = resp.links.get("next", {}).get("url")


def _message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def list_owner_repos(client: GitHubClient, owner: str) -> Iterator[dict[str, Any]]:
    """Repositories of an organisation, or of a user when `owner` is not an organisation."""
    try:
        yield from client.paginate(f"/orgs/{owner}/repos", {"type": "all"})
    except GitHubError as exc:
        if "HTTP 404" not in str(exc):
            raise
        yield from client.paginate(f"/users/{owner}/repos", {"type": "owner"})
