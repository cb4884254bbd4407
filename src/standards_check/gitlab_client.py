"""The GitLab REST client (API v4), for the merge-request note and the group sweep.

`GitLabClient` is the shared transport (`http_client.ApiClient`: deadline, retries, redirects
within the API, answer checks, pagination, rate-limit waits, redaction) with GitLab's specifics:
- `https://gitlab.com/api/v4` or a self-managed instance, also under a path prefix
  (`https://HOST/gitlab/api/v4`): `api_url_for` turns a server URL into its API URL;
- the token as `PRIVATE-TOKEN` (personal, project or group access tokens) or, for a CI job's
  `CI_JOB_TOKEN`, as `JOB-TOKEN`. A job token reaches only a few endpoints (not merge-request
  notes, not `GET /user`): https://docs.gitlab.com/ci/jobs/ci_job_token/;
- pagination by `Link: rel="next"`, else `X-Next-Page`
  (https://docs.gitlab.com/api/rest/#pagination);
- rate limits as GitLab documents (https://docs.gitlab.com/security/rate_limits/): a 429 carries
  `Retry-After` and `RateLimit-Reset` (epoch seconds); either is waited for.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from standards_check.http_client import ApiClient, ApiError, header_auth

DEFAULT_API_URL = "https://gitlab.com/api/v4"


class GitLabError(ApiError):
    """A GitLab call that did not succeed (see `ApiError`)."""


def api_url_for(url: str | None) -> str:
    """The REST base URL for a GitLab server or API URL: gitlab.com's for none, the URL itself
    when it already ends in `/api/v4`, else `URL/api/v4` (a self-managed instance, also one
    served under a path such as `https://HOST/gitlab`)."""
    if not url:
        return DEFAULT_API_URL
    url = url.rstrip("/")
    return url if url.endswith("/api/v4") else url + "/api/v4"


class GitLabClient(ApiClient):
    Error = GitLabError
    HEADERS = {"Accept": "application/json"}
    RATE_PREFIX = ""
    RESET_ON_429 = True

    def __init__(self, token: str | None, api_url: str = DEFAULT_API_URL, *, job_token: bool = False,
                 **options: Any) -> None:
        self.job_token = job_token
        super().__init__(token, api_url, **options)

    def _make_auth(self, token: str) -> requests.auth.AuthBase:
        return header_auth("JOB-TOKEN" if self.job_token else "PRIVATE-TOKEN", token)

    def _next_page(self, response: requests.Response, url: str, query: dict[str, Any] | None) -> str | None:
        link = super()._next_page(response, url, query)
        if link:
            return link
        page = (response.headers.get("X-Next-Page") or "").strip()
        if not page:
            return None
        if not page.isdigit():
            raise self.Error(f"GET {urlsplit(self._url(url)).path}: X-Next-Page is not a page number")
        parts = urlsplit(self._url(url))
        params = {**dict(parse_qsl(parts.query)), **{k: str(v) for k, v in (query or {}).items()}, "page": page}
        return urlunsplit(parts._replace(query=urlencode(params)))
