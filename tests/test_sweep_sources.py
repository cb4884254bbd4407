"""Repository sources: the GitHub listing (pagination, filters, rate limits), URL files, dirs."""
from __future__ import annotations

from pathlib import Path

import pytest

from standards_check.errors import UserError
from standards_check.sweep import sources
from standards_check.github_client import GitHubClient, GitHubError, api_url_for
from tests.sweep_helpers import FakeGitHub, repo_item

ACME = [
    repo_item("acme/api", topics=["production"]),
    repo_item("acme/web"),
    repo_item("acme/old", archived=True),
    repo_item("acme/forked", fork=True),
    repo_item("acme/svc-payments", topics=["production", "pci"]),
]


def test_org_listing_follows_pagination_and_sends_the_token() -> None:
    with FakeGitHub({"/orgs/acme/repos": ACME}, per_page=2) as api:
        client = GitHubClient("s3cret", api.url + "/api/v3", sleep=lambda s: None)
        specs = list(sources.from_github("acme", client))
    assert [s.name for s in specs] == [r["full_name"] for r in ACME]
    assert client.requests_made == 3  # 5 repositories, 2 a page
    assert api.auth_headers == ["Bearer s3cret"] * 3
    assert "s3cret" not in repr(client)


def test_user_listing_when_the_owner_is_not_an_organisation() -> None:
    with FakeGitHub({"/users/jane/repos": [repo_item("jane/dotfiles")]}) as api:
        client = GitHubClient(None, api.url, sleep=lambda s: None)
        assert [s.name for s in sources.from_github("jane", client)] == ["jane/dotfiles"]


def test_rate_limit_answer_is_waited_out_then_retried() -> None:
    waits: list[float] = []
    with FakeGitHub({"/orgs/acme/repos": ACME[:1]}, rate_limit_first=True) as api:
        client = GitHubClient(None, api.url, sleep=waits.append)
        assert [s.name for s in sources.from_github("acme", client)] == ["acme/api"]
    assert waits == [1.0]  # Retry-After: 1


def test_unknown_owner_is_an_error_that_names_the_url_not_the_token() -> None:
    with FakeGitHub({}) as api:
        client = GitHubClient("s3cret", api.url, sleep=lambda s: None)
        with pytest.raises(GitHubError) as err:
            list(sources.from_github("nobody", client))
    assert "404" in str(err.value) and "s3cret" not in str(err.value)


@pytest.mark.parametrize("given, expected", [
    (None, "https://api.github.com"),
    ("https://github.com", "https://api.github.com"),
    ("https://ghe.example.com", "https://ghe.example.com/api/v3"),
    ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3"),
])
def test_enterprise_base_urls(given: str | None, expected: str) -> None:
    assert api_url_for(given) == expected


@pytest.mark.parametrize("filters, expected", [
    (sources.Filters(), ["acme/api", "acme/svc-payments", "acme/web"]),
    (sources.Filters(include_archived=True, include_forks=True),
     ["acme/api", "acme/forked", "acme/old", "acme/svc-payments", "acme/web"]),
    (sources.Filters(topics=("production",)), ["acme/api", "acme/svc-payments"]),
    (sources.Filters(include=("svc-*",)), ["acme/svc-payments"]),
    (sources.Filters(include=("acme/*",), exclude=("*web",)), ["acme/api", "acme/svc-payments"]),
])
def test_filters(filters: sources.Filters, expected: list[str]) -> None:
    specs = [sources.RepoSpec(r["full_name"], topics=tuple(r["topics"]), archived=r["archived"],
                              fork=r["fork"]) for r in ACME]
    assert [s.name for s in sources.select(specs, filters, None)] == expected


def test_shards_partition_the_repositories_stably() -> None:
    specs = [sources.RepoSpec(f"acme/repo-{i}") for i in range(200)]
    shards = [sources.select(specs, sources.Filters(), (k, 4)) for k in range(1, 5)]
    names = [s.name for shard in shards for s in shard]
    assert sorted(names) == sorted(s.name for s in specs)  # every repository in exactly one shard
    assert all(25 <= len(shard) <= 75 for shard in shards)  # and spread
    assert sources.shard_of("acme/api", 4) == sources.shard_of("acme/api", 4) == 1 + (
        int.from_bytes(__import__("hashlib").sha256(b"acme/api").digest()[:8], "big") % 4)


@pytest.mark.parametrize("text", ["0/4", "5/4", "x", "1-4", "1/"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UserError):
        sources.parse_shard(text)


def test_url_file(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text("# our services\nhttps://github.com/acme/api.git\n\n"
                       "git@github.com:acme/web.git\nfile:///srv/git/tools\n")
    assert [s.name for s in sources.from_url_file(listing)] == ["acme/api", "acme/web", "git/tools"]


def test_directory_of_clones_and_mirrors(make_repo, tmp_path: Path) -> None:
    base = tmp_path / "clones"
    make_repo({"README.md": "x"}, name="clones/work")
    from tests.conftest import git
    git(tmp_path, "clone", "-q", "--mirror", str(base / "work"), str(base / "mirror.git"))
    (base / "not-a-repo").mkdir()
    (base / "file.txt").write_text("x")
    assert [s.name for s in sources.from_directory(base)] == ["mirror", "work"]
