"""Helpers for sweep tests: a fake scan (until a test needs the real engine) and a loopback API."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse


@dataclass
class FakeReport:
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


def fake_scan(snapshot: Any, policy_ref: str | None) -> FakeReport:
    """Scores 100 with a README and 40 without; records the policy it was given."""
    has_readme = snapshot.first(["README.md"]) is not None
    score = 100.0 if has_readme else 40.0
    results = [{"check": "readme.present", "status": "pass" if has_readme else "fail",
                "category": "knowledge", "title": "README", "remediation": "Add a README.md."}]
    return FakeReport({
        "schema_version": "1", "repository": {"name": snapshot.name},
        "policy": {"name": policy_ref or "from-config", "version": "1.0.0"},
        "score": score, "level": 2 if has_readme else 0, "passed": has_readme,
        "categories": {"knowledge": {"score": score}, "ownership": {"score": 50.0}},
        "results": results,
    })


class FakeGitHub:
    """A loopback server pretending to be the GitHub REST API for repository listings."""

    def __init__(self, repos: dict[str, list[dict[str, Any]]], per_page: int = 2,
                 rate_limit_first: bool = False, token: str | None = None) -> None:
        self.repos = repos  # "/orgs/acme/repos" -> items
        self.per_page = per_page
        self.rate_limit_first = rate_limit_first
        self.token = token
        self.requests: list[str] = []
        self.auth_headers: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                outer.auth_headers.append(self.headers.get("Authorization"))
                if outer.rate_limit_first:
                    outer.rate_limit_first = False
                    self._send(403, {"message": "API rate limit exceeded"},
                               {"X-RateLimit-Remaining": "0", "Retry-After": "1"})
                    return
                url = urlparse(self.path)
                path = url.path.removeprefix("/api/v3")
                if path not in outer.repos:
                    self._send(404, {"message": "Not Found"})
                    return
                page = int(parse_qs(url.query).get("page", ["1"])[0])
                per = int(parse_qs(url.query).get("per_page", [str(outer.per_page)])[0])
                per = min(per, outer.per_page)
                items = outer.repos[path]
                chunk = items[(page - 1) * per: page * per]
                headers = {}
                if page * per < len(items):
                    base = f"http://{self.headers['Host']}{url.path}"
                    headers["Link"] = f'<{base}?per_page={per}&page={page + 1}>; rel="next"'
                self._send(200, chunk, headers)

            def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def repo_item(full_name: str, clone_url: str = "", **extra: Any) -> dict[str, Any]:
    return {"full_name": full_name, "clone_url": clone_url or f"file:///nowhere/{full_name}.git",
            "archived": False, "fork": False, "topics": [], "size": 10,
            "default_branch": "main", **extra}


Callback = Callable[[dict[str, Any]], None]
