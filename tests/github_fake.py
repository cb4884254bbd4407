"""A real HTTP server on loopback standing in for the GitHub REST API, and the OpenAPI referee.

`FakeGitHub` keeps issue comments, check runs, statuses and repository listings in memory,
records every request, and injects faults on the next matching request: a status with headers and
body, a slow answer, a raw (non-JSON) body, a Content-Length longer than the body, a connection
reset part-way through the body, or a body trickled a byte at a time. It answers for one token,
either an installation token (`GET /user` refused, as GitHub refuses it to GITHUB_TOKEN; the
GraphQL `viewer` names the bot) or a user's token (`GET /user` names the user).
`OpenAPIReferee` checks a recorded request against GitHub's published OpenAPI description (npm
`@octokit/openapi`, `generated/api.github.com.json`): the method and path must be an operation,
query parameters must be declared, and the JSON body must validate against the operation's
requestBody schema.
"""
from __future__ import annotations

import json
import os
import re
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_FILE = ROOT / ".cache/npm/node_modules/@octokit/openapi/generated/api.github.com.json"
TOKEN = "ghs_TESTtokenNEVERprinted0123456789abcdef"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
HUMAN = {"login": "octocat", "id": 583231, "type": "User"}
OTHER_APP = {"login": "renovate[bot]", "id": 29139614, "type": "Bot"}
PAT_USER = {"login": "ci-robot", "id": 7700001, "type": "User"}


@dataclass
class Recorded:
    method: str
    path: str  # without the API prefix (e.g. /api/v3 on GHES)
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    method: str
    path: str  # regular expression matched against the path
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = field(default_factory=lambda: {"message": "Server Error"})
    delay: float = 0.0  # seconds to wait before answering (a client timeout)
    apply: bool = False  # carry the request out anyway, then answer late (a lost response)
    raw: bytes | None = None  # the body as these bytes (not JSON), with `content_type`
    content_type: str = "application/json; charset=utf-8"
    content_length: int | None = None  # announce this length (longer than the body: truncated)
    reset_after: int | None = None  # send this many body bytes, then reset the connection
    trickle: float = 0.0  # seconds between body bytes
    repeat: bool = False  # stays for every matching request (a storm, an endless listing)


class FakeGitHub:
    def __init__(self, prefix: str = "", page_size: int = 100, me: dict[str, Any] = BOT) -> None:
        self.prefix = prefix
        self.page_size = page_size
        self.me = dict(me)  # who the token is; a Bot is an installation token
        self.repos: dict[str, list[Any]] = {}  # "/orgs/acme/repos" -> listed items
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.lock = threading.RLock()
        self.list_barrier: threading.Barrier | None = None  # makes concurrent runs list together
        self.local = threading.local()  # the headers of the request this thread answers
        self._ids = iter(range(1001, 10**9))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_comment(self, issue: int, body: str, user: dict[str, Any] = BOT) -> dict[str, Any]:
        with self.lock:
            cid = next(self._ids)
            comment = {"id": cid, "body": body, "user": dict(user), "created_at": _created_at(cid),
                       "html_url": f"https://github.com/o/r/pull/{issue}#issuecomment-{cid}"}
            self.comments.setdefault(issue, []).append(comment)
            return comment

    def calls(self, method: str | None = None, pattern: str = "") -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and re.search(pattern, r.path)]

    # ---- routing ----------------------------------------------------------------------------
    def _answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, dict[str, str], Any]:
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", path)
        if m and method == "GET":
            if self.list_barrier is not None:
                try:
                    self.list_barrier.wait(timeout=5)
                except threading.BrokenBarrierError:
                    pass
            return self._page(int(m.group(1)), path, query)
        if m and method == "POST":
            return 201, {}, self.add_comment(int(m.group(1)), body["body"], self.me)
        if path == "/user" and method == "GET":
            if self.me["type"] == "Bot":
                return 403, {}, {"message": "Resource not accessible by integration",
                                 "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"}
            return 200, {}, {**self.me, "node_id": "U_1", "html_url": f"https://github.com/{self.me['login']}"}
        if path.endswith("/graphql") and method == "POST":
            if "viewer" not in str((body or {}).get("query")):
                return 200, {}, {"errors": [{"message": "only the viewer query is faked"}]}
            return 200, {}, {"data": {"viewer": {"login": self.me["login"], "databaseId": self.me["id"]}}}
        if method == "GET" and path in self.repos:
            return self._listing(path, self.repos[path], query)
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", path)
        if m:
            cid = int(m.group(1))
            with self.lock:
                for issue_comments in self.comments.values():
                    for comment in issue_comments:
                        if comment["id"] == cid:
                            if method in ("PATCH", "DELETE") and comment["user"]["id"] != self.me["id"]:
                                return 403, {}, {"message": "Resource not accessible by integration"}
                            if method == "PATCH":
                                comment["body"] = body["body"]
                                return 200, {}, comment
                            if method == "DELETE":
                                issue_comments.remove(comment)
                                return 204, {}, None
            return 404, {}, {"message": "Not Found"}
        if re.fullmatch(r"/repos/[^/]+/[^/]+/check-runs", path) and method == "POST":
            with self.lock:
                rid = next(self._ids)
                run = {"id": rid, "html_url": f"https://github.com/o/r/runs/{rid}", **body,
                       "annotations": list(body.get("output", {}).get("annotations", []))}
                self.check_runs[rid] = run
            return 201, {}, {k: v for k, v in run.items() if k != "annotations"}
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/check-runs/(\d+)", path)
        if m and method == "PATCH":
            with self.lock:
                run = self.check_runs[int(m.group(1))]
                run["annotations"] += body.get("output", {}).get("annotations", [])
                run.update({k: v for k, v in body.items() if k != "output"})
            return 200, {}, {"id": run["id"], "html_url": run["html_url"]}
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/statuses/([0-9a-f]{40})", path)
        if m and method == "POST":
            with self.lock:
                self.statuses.append({"sha": m.group(1), **body})
            return 201, {}, {"url": f"{self.url}{path}", **body}
        return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _page(self, issue: int, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        with self.lock:
            items = [dict(c) for c in self.comments.get(issue, [])]
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return 200, headers, chunk

    def _listing(self, path: str, items: list[Any], query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        headers = {}
        if page * per_page < len(items):
            extra = "".join(f"&{k}={v[0]}" for k, v in query.items() if k not in ("per_page", "page"))
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}{extra}>; rel="next"'
        return 200, headers, items[(page - 1) * per_page: page * per_page]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and re.search(fault.path, path):
                    if not fault.repeat:
                        self.faults.remove(fault)
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                if fake.prefix and path.startswith(fake.prefix):
                    path = path[len(fake.prefix):]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                query = parse_qs(parts.query)
                with fake.lock:
                    fake.requests.append(Recorded(self.command, path, query, dict(self.headers), body))
                fake.local.headers = dict(self.headers)
                fault = fake._take_fault(self.command, path)
                if fault and fault.apply:
                    status, headers, payload = fake._answer(self.command, path, query, body)
                    time.sleep(fault.delay)
                elif fault:
                    if fault.delay:
                        time.sleep(fault.delay)
                    status, headers, payload = fault.status, fault.headers, fault.body
                else:
                    status, headers, payload = fake._answer(self.command, path, query, body)
                data = b"" if payload is None else json.dumps(payload).encode()
                content_type = "application/json; charset=utf-8"
                if fault and fault.raw is not None:
                    data, content_type = fault.raw, fault.content_type
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(
                        fault.content_length if fault and fault.content_length is not None else len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if fault and fault.reset_after is not None:
                        self.wfile.write(data[:fault.reset_after])
                        self.wfile.flush()
                        self._reset()
                    elif fault and fault.trickle:
                        for i in range(len(data)):
                            self.wfile.write(data[i:i + 1])
                            self.wfile.flush()
                            time.sleep(fault.trickle)
                    else:
                        self.wfile.write(data)
                    if fault and fault.content_length is not None:
                        self.wfile.flush()
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def _reset(self) -> None:
                """Close with an RST (SO_LINGER 0), as a dropped connection looks to the client."""
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        return Handler


def _created_at(cid: int) -> str:
    seconds = cid - 1000
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_795_000_000 + seconds))


class OpenAPIReferee:
    """Judges recorded requests against GitHub's OpenAPI description."""

    URI = "urn:github-rest-openapi"

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.registry: Registry = Registry().with_resource(
            self.URI, Resource.from_contents(document, default_specification=DRAFT4))
        self.operations: list[tuple[str, re.Pattern[str], str, int]] = []
        for template, item in document["paths"].items():
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            for method in item:
                if method in ("get", "post", "patch", "put", "delete"):
                    self.operations.append((method.upper(), regex, template, literal))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        matches = [(lit, tpl) for m, rx, tpl, lit in self.operations if m == method and rx.match(path)]
        if not matches:
            return None
        template = max(matches)[1]
        return template, self.document["paths"][template][method.lower()]

    def problems(self, request: Recorded) -> list[str]:
        if request.method == "POST" and request.path in ("/graphql", "/api/graphql"):
            # GraphQL is not in the REST description: the one query we send is the viewer's identity.
            query = (request.body or {}).get("query") if isinstance(request.body, dict) else None
            ok = isinstance(query, str) and re.fullmatch(r"\s*(query\s*)?\{\s*viewer\s*\{\s*login\s+databaseId\s*\}\s*\}\s*", query)
            return [] if ok and set(request.body) == {"query"} else [f"POST {request.path}: not the viewer query: {request.body!r}"]
        found = self.operation(request.method, request.path)
        if found is None:
            return [f"{request.method} {request.path}: no such operation in GitHub's REST API"]
        template, op = found
        where = f"{request.method} {template} ({op['operationId']})"
        out = []
        declared = {self._param(p)["name"] for p in op.get("parameters", []) if self._param(p)["in"] == "query"}
        for name in request.query:
            if name not in declared:
                out.append(f"{where}: undeclared query parameter {name!r}")
        body_spec = op.get("requestBody")
        if request.body is not None and body_spec is None:
            out.append(f"{where}: sent a body to an operation that takes none")
        if body_spec is not None:
            if request.body is None and body_spec.get("required"):
                out.append(f"{where}: the required body is missing")
            elif request.body is not None:
                pointer = "/".join(["#", "paths", template.replace("~", "~0").replace("/", "~1"),
                                    request.method.lower(), "requestBody", "content", "application~1json", "schema"])
                validator = jsonschema.Draft4Validator({"$ref": self.URI + pointer}, registry=self.registry)
                out += [f"{where}: body {'/'.join(map(str, e.absolute_path))}: {e.message}"
                        for e in validator.iter_errors(request.body)]
        return out

    def _param(self, param: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in param:
            node: Any = self.document
            for part in param["$ref"].lstrip("#/").split("/"):
                node = node[part]
            return node
        return param


def load_referee() -> OpenAPIReferee:
    if not OPENAPI_FILE.is_file():
        subprocess.run(["bash", str(ROOT / "scripts/setup-test-github-openapi.sh")], check=False)
    if not OPENAPI_FILE.is_file():
        message = ("GitHub's OpenAPI description (npm @octokit/openapi) is not installed and "
                   "scripts/setup-test-github-openapi.sh could not install it")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return OpenAPIReferee(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def openapi() -> OpenAPIReferee:
    return load_referee()


@pytest.fixture
def github(openapi: OpenAPIReferee) -> Iterator[FakeGitHub]:
    """A fake API whose every request is checked against the OpenAPI description at the end."""
    with FakeGitHub() as fake:
        yield fake
    assert_conforms(fake, openapi)


@pytest.fixture
def ghes(openapi: OpenAPIReferee) -> Iterator[FakeGitHub]:
    """The same, served under /api/v3 as GitHub Enterprise Server does."""
    with FakeGitHub(prefix="/api/v3") as fake:
        yield fake
    assert_conforms(fake, openapi)


def assert_conforms(fake: FakeGitHub, openapi: OpenAPIReferee) -> None:
    problems = [p for r in fake.requests for p in openapi.problems(r)]
    assert not problems, "requests that do not match GitHub's REST API:\n" + "\n".join(problems)
    for r in fake.requests:
        assert r.headers.get("Accept") == "application/vnd.github+json"
        assert r.headers.get("X-GitHub-Api-Version") == "2022-11-28"
        assert r.headers.get("Authorization") == f"Bearer {TOKEN}"


class FakeClock:
    """A clock that moves only when the client sleeps: waits are recorded, never spent."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
