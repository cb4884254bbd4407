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


# ---- a realistic results store, without scanning -----------------------------------------
SAMPLE_CHECKS = [  # (id, category, level, title, fix)
    ("readme.present", "knowledge", 1, "README present", "Add a README.md that says what this is and how to run it."),
    ("codeowners.present", "ownership", 1, "CODEOWNERS present", "Add .github/CODEOWNERS naming the owning team."),
    ("ci.present", "delivery", 1, "CI configured", "Add a workflow under .github/workflows/ that builds and tests."),
    ("ci.tests_on_pr", "delivery", 2, "Tests run on pull requests", "Trigger the test workflow on pull_request."),
    ("pr_template.present", "delivery", 2, "Pull request template", "Add .github/pull_request_template.md."),
    ("security.policy", "security", 2, "Security policy", "Add SECURITY.md saying how to report a vulnerability."),
    ("deps.update_tool", "security", 2, "Dependency updates automated", "Add .github/dependabot.yml."),
    ("runbook.present", "reliability", 3, "Runbook present", "Add docs/runbook.md with alerts, dashboards, rollback."),
    ("slo.present", "reliability", 3, "SLOs defined", "Add an OpenSLO document for each user-facing service."),
    ("adr.present", "knowledge", 4, "Decisions recorded", "Record architecture decisions under docs/adr/."),
    ("workflows.pinned_actions", "security", 4, "Actions pinned by SHA", "Pin third-party actions to a full commit SHA."),
]


def sample_row(name: str, team: str, quality: float, rng: Any) -> dict[str, Any]:
    results, cats = [], {}
    for check, category, level, title, fix in SAMPLE_CHECKS:
        ok = rng.random() < quality + (0.25 if level == 1 else 0.0) - 0.05 * level
        results.append({"check": check, "title": title, "category": category, "level": level,
                        "severity": "error", "weight": 1, "status": "pass" if ok else "fail",
                        "score": 1.0 if ok else 0.0, "remediation": fix,
                        "message": f"{title}: found" if ok else f"{title}: nothing found",
                        "locations": [], "waiver": None})
        cats.setdefault(category, []).append(1.0 if ok else 0.0)
    score = round(100.0 * sum(r["score"] for r in results) / len(results), 1)
    level = 0
    for lvl in range(1, 6):
        if all(r["status"] == "pass" for r in results if r["level"] <= lvl):
            level = lvl
    categories = {c: round(100.0 * sum(v) / len(v), 1) for c, v in cats.items()}
    report = {"schema_version": "1", "repository": {"name": name}, "score": score, "level": level,
              "policy": {"name": "baseline", "version": "1.0.0"}, "passed": score >= 60 and level >= 1,
              "categories": {c: {"score": s} for c, s in categories.items()}, "results": results}
    return {"repo": name, "status": "ok", "error": None, "score": score, "level": level,
            "passed": report["passed"], "policy": "baseline@1.0.0", "team": team,
            "categories": categories, "failing": [r["check"] for r in results if r["status"] == "fail"],
            "report": report, "commit_sha": "0" * 40, "duration_s": 0.4,
            "scanned_at": "2026-01-01T00:00:00+00:00"}


def make_sample_store(path: Any, repos: int = 30, sweeps: int = 4) -> None:
    """`sweeps` finished sweeps of one org, improving over time, with two unscannable repos."""
    import random

    from standards_check.sweep.store import Store

    teams = ["@acme/payments", "@acme/platform", "@acme/search", "@acme/identity", "@acme/data", None]
    with Store(path) as store:
        for s in range(sweeps):
            rng = random.Random(7)
            sweep, _ = store.start_or_resume(source="github:acme", policy="baseline", policy_map=None,
                                             tool_version="0.1.0", shard=None, run_id=f"r{s}", total=repos)
            store.db.execute("UPDATE sweeps SET started_at = ? WHERE id = ?",
                             (f"2026-0{s + 1}-01T06:00:00+00:00", sweep.id))
            for i in range(repos - 2):
                team = teams[i % len(teams)]
                quality = 0.35 + 0.1 * (i % len(teams)) / 2 + 0.08 * s
                store.add_result(sweep.id, sample_row(f"acme/service-{i:02d}", team, quality, rng))
            store.add_result(sweep.id, {"repo": "acme/huge-monorepo", "status": "error",
                                        "error": "timed out after 600 s (see --timeout)",
                                        "scanned_at": "2026-01-01T00:00:00+00:00"})
            store.add_result(sweep.id, {"repo": "acme/empty", "status": "error",
                                        "error": "the repository is empty (no commits)",
                                        "scanned_at": "2026-01-01T00:00:00+00:00"})
            store.finish(sweep.id)
