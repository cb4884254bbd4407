"""`sweep --gitlab-group`: a GitLab group's projects (subgroups included, archived ones skipped)
listed from a loopback GitLab API, cloned, scanned into the store like a GitHub sweep."""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from standards_check.commands.merge import merge_command
from standards_check.commands.sweep import sweep_command
from standards_check.sweep.fetch import git_env
from standards_check.sweep.store import Store
from tests.cli_helpers import run_cli
from tests.github_fake import Fault
from tests.gitlab_fake import TOKEN, FakeGitLab
from tests.sweep_helpers import fake_scan
from tests.test_sweep_run import org, serve  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("org")


def project(path: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": abs(hash(path)) % 10**6, "path_with_namespace": path, "http_url_to_repo": url,
            "archived": False, "topics": [], "default_branch": "main", **extra}


@pytest.fixture
def group(org: dict[str, str]) -> list[dict[str, Any]]:  # noqa: F811
    items = [project(name.replace("acme/", "acme/backend/") if i % 2 else name, url)
             for i, (name, url) in enumerate(org.items())]  # some in a subgroup
    items.append(project("acme/old", org["acme/svc-0"], archived=True))
    items.append(project("acme/svc-fork", org["acme/svc-1"], forked_from_project={"id": 1}))
    return items


@pytest.fixture
def gitlab(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    with FakeGitLab(prefix="/gitlab/api/v4", page_size=3) as fake:
        yield fake


def test_cli_sweeps_a_self_managed_group(gitlab: FakeGitLab, group, tmp_path: Path) -> None:
    gitlab.groups["acme"] = group
    store = tmp_path / "s.db"
    result = run_cli("sweep", "--gitlab-group", "acme", "--api-url", gitlab.url[: -len("/api/v4")],
                     "--store", store, "--cache-dir", tmp_path / "cache", "--no-progress", "-j", "1",
                     env={"GITLAB_TOKEN": TOKEN})
    assert result.exit_code in (0, 1), result.output
    label = "gitlab:" + gitlab.url.split("://")[1].split("/")[0] + "/acme"
    assert f"{label}: 8 repositories listed, 6 selected" in result.output  # no archived, no fork
    listing = gitlab.calls("GET", "^/groups/acme/projects$")
    assert len(listing) == 3  # 8 projects, 3 a page
    assert listing[0].query["include_subgroups"] == ["true"] and listing[0].query["archived"] == ["false"]
    assert all(r.headers.get("PRIVATE-TOKEN") == TOKEN for r in gitlab.requests)
    with Store(store) as s:
        [sweep] = s.sweeps()
        assert sweep.source == label
        rows = {r["repo"]: r for r in s.results(sweep.id)}
    assert set(rows) == {"acme/svc-0", "acme/backend/svc-1", "acme/svc-2", "acme/backend/empty", "acme/broken",
                         "acme/backend/gone"}
    assert rows["acme/svc-0"]["status"] == "ok" and rows["acme/backend/svc-1"]["status"] == "ok"
    assert rows["acme/backend/gone"]["status"] == "error"
    assert TOKEN not in result.output


def test_include_archived_asks_gitlab_for_them(gitlab: FakeGitLab, group, tmp_path: Path) -> None:
    gitlab.groups["acme"] = group
    summary = sweep_command(gitlab_group="acme", api_url=gitlab.url, store_path=tmp_path / "s.db",
                            cache_dir=tmp_path / "cache", scan=fake_scan, progress=False, include_archived=True,
                            echo=lambda line: None)
    assert "archived" not in gitlab.calls("GET", "projects$")[0].query
    assert summary.sweep.total == 7  # the archived project too, not the fork


def test_shards_of_a_group_sweep_merge_into_one(gitlab: FakeGitLab, group, tmp_path: Path) -> None:
    gitlab.groups["acme/platform"] = group
    stores = []
    for k in (1, 2):
        store = tmp_path / f"shard-{k}.db"
        sweep_command(gitlab_group="acme/platform", api_url=gitlab.url, store_path=store, shard=f"{k}/2",
                      cache_dir=tmp_path / "cache", scan=fake_scan, progress=False, echo=lambda line: None,
                      run_id="run-1")
        stores.append(store)
    assert gitlab.calls("GET", "projects$")[0].path == "/groups/acme%2Fplatform/projects"  # one path segment
    merged = tmp_path / "merged.db"
    assert merge_command(merged, stores) == 0
    with Store(merged) as s:
        [sweep] = s.sweeps()
        assert sweep.total == 6 and len(s.results(sweep.id)) == 6


def test_a_malformed_listing_is_exit_2_naming_the_request(gitlab: FakeGitLab, group, tmp_path: Path) -> None:
    gitlab.groups["acme"] = group
    gitlab.faults.append(Fault("GET", "projects$", 200, body=[{"id": 1, "name": "no path"}]))
    result = run_cli("sweep", "--gitlab-group", "acme", "--api-url", gitlab.url, "--store", tmp_path / "s.db",
                     "--no-progress", env={"GITLAB_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert "GET /gitlab/api/v4/groups/acme/projects: project 1 has no path_with_namespace" in result.output


def test_an_unknown_group_is_exit_2(gitlab: FakeGitLab, tmp_path: Path) -> None:
    result = run_cli("sweep", "--gitlab-group", "nobody", "--api-url", gitlab.url, "--store", tmp_path / "s.db",
                     "--no-progress", env={"GITLAB_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert "cannot list repositories of nobody" in result.output and "404" in result.output


def test_clones_send_the_gitlab_token_to_the_api_host_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_other")
    monkeypatch.setenv("STANDARDS_CHECK_GIT_AUTH_HOST", "gitlab.example.org")
    monkeypatch.setenv("STANDARDS_CHECK_GIT_AUTH_FORGE", "gitlab")
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    env = git_env()
    keys = {env[f"GIT_CONFIG_KEY_{i}"]: env[f"GIT_CONFIG_VALUE_{i}"] for i in range(int(env["GIT_CONFIG_COUNT"]))}
    value = keys["http.https://gitlab.example.org/.extraheader"]
    assert base64.b64decode(value.split()[-1]).decode() == f"oauth2:{TOKEN}"
    assert not any("ghp_other" in json.dumps(v) for v in keys.values())
