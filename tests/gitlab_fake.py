"""A real HTTP server on loopback standing in for the GitLab REST API (v4).

Built on `FakeGitHub`'s server, request log and fault injection (a status with headers, a slow
answer, a raw body, a reset, a trickle: see tests/github_fake.py); only the routes differ. It keeps
merge-request notes and group project listings in memory, answers for one personal/project access
token sent as `PRIVATE-TOKEN` (`GET /user` names its user) and, like GitLab, refuses a `JOB-TOKEN`
on notes and `GET /user`. Pages carry `Link` and `X-Next-Page` (or only `X-Next-Page` with
`link_header=False`). The API sits under `prefix` (`/api/v4`, or `/gitlab/api/v4` for a
self-managed instance served under a path).
"""
from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlencode

from tests.github_fake import FakeGitHub, _created_at

TOKEN = "glpat-TESTtokenNEVERprinted0123"
JOB_TOKEN = "glcbt-JOBtokenNEVERprinted4567"
BOT = {"id": 4242, "username": "project_7_bot_standards", "name": "standards-check bot", "bot": True}
HUMAN = {"id": 17, "username": "alice", "name": "Alice", "bot": False}


class FakeGitLab(FakeGitHub):
    def __init__(self, prefix: str = "/api/v4", page_size: int = 100, me: dict[str, Any] = BOT,
                 link_header: bool = True) -> None:
        super().__init__(prefix=prefix, page_size=page_size, me=me)
        self.link_header = link_header
        self.notes: dict[int, list[dict[str, Any]]] = {}  # merge request iid -> notes
        self.groups: dict[str, list[Any]] = {}  # "acme" -> projects listed (subgroups included)

    def add_note(self, iid: int, body: str, author: dict[str, Any] = BOT, system: bool = False) -> dict[str, Any]:
        with self.lock:
            nid = next(self._ids)
            note = {"id": nid, "body": body, "author": dict(author), "created_at": _created_at(nid),
                    "system": system, "noteable_type": "MergeRequest", "noteable_iid": iid}
            self.notes.setdefault(iid, []).append(note)
            return note

    def _auth(self, headers: dict[str, str]) -> str | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        if lowered.get("private-token") == TOKEN:
            return "token"
        if lowered.get("job-token") == JOB_TOKEN:
            return "job"
        return None

    def _answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, dict[str, str], Any]:
        who = self._auth(getattr(self.local, "headers", {}))
        if who != "token":  # a job token reaches neither notes nor /user
            return 401, {}, {"message": "401 Unauthorized"}
        if path == "/user" and method == "GET":
            return 200, {}, dict(self.me)
        m = re.fullmatch(r"/projects/([^/]+)/merge_requests/(\d+)/notes", path)
        if m and method == "GET":
            if self.list_barrier is not None:
                try:
                    self.list_barrier.wait(timeout=5)
                except threading.BrokenBarrierError:
                    pass
            with self.lock:
                items = [dict(n) for n in self.notes.get(int(m.group(2)), [])]
            return self._paged(path, items, query)
        if m and method == "POST":
            return 201, {}, self.add_note(int(m.group(2)), body["body"], self.me)
        m = re.fullmatch(r"/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)", path)
        if m and method in ("PUT", "DELETE"):
            nid = int(m.group(3))
            with self.lock:
                for note in self.notes.get(int(m.group(2)), []):
                    if note["id"] == nid:
                        if note["author"]["id"] != self.me["id"]:
                            return 403, {}, {"message": "403 Forbidden"}
                        if method == "PUT":
                            note["body"] = body["body"]
                            return 200, {}, dict(note)
                        self.notes[int(m.group(2))].remove(note)
                        return 204, {}, None
            return 404, {}, {"message": "404 Not found"}
        m = re.fullmatch(r"/groups/([^/]+)/projects", path)
        if m and method == "GET":
            from urllib.parse import unquote

            group = unquote(m.group(1))
            if group not in self.groups:
                return 404, {}, {"message": "404 Group Not Found"}
            return self._paged(path, list(self.groups[group]), query)
        return 404, {}, {"message": "404 Not Found"}

    def _paged(self, path: str, items: list[Any], query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(query.get("per_page", ["20"])[0]), self.page_size)
        page = int(query.get("page", ["1"])[0])
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items))}
        if page * per_page < len(items):
            headers["X-Next-Page"] = str(page + 1)
            if self.link_header:
                rest = {k: v[0] for k, v in query.items() if k not in ("per_page", "page")}
                link = f"{self.url}{path}?" + urlencode({**rest, "per_page": per_page, "page": page + 1})
                headers["Link"] = f'<{link}>; rel="next"'
        else:
            headers["X-Next-Page"] = ""
        return 200, headers, items[(page - 1) * per_page: page * per_page]
