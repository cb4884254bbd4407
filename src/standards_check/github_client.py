"""The GitHub REST client, shared by the publishers (PR comment, check run, status) and the
sweep's repository listing.

`GitHubClient` is the shared transport (`http_client.ApiClient`: deadline, retries, redirects
within the API, answer checks, pagination, rate-limit waits, redaction) with GitHub's specifics:
- `https://api.github.com` or a GitHub Enterprise Server (`https://HOST/api/v3`), with the
  documented headers (`Accept: application/vnd.github+json`, `X-GitHub-Api-Version`) and the
  token as `Authorization: Bearer`;
- rate limits as GitHub documents (https://docs.github.com/en/rest/using-the-rest-api/
  best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately): `Retry-After` when
  given; else until `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0; else, for a secondary
  rate limit, at least a minute, growing exponentially.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from standards_check.http_client import ApiClient, ApiError

API_VERSION = "2022-11-28"
DEFAULT_API_URL = "https://api.github.com"


class GitHubError(ApiError):
    """A GitHub call that did not succeed (see `ApiError`)."""


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


class GitHubClient(ApiClient):
    Error = GitHubError
    HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
    RATE_PREFIX = "X-"

    def __init__(self, token: str | None, api_url: str = DEFAULT_API_URL, **options: Any) -> None:
        super().__init__(token, api_url, **options)
