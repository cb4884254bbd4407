"""`standards-check sweep`: score every repository of an organisation, a URL list or a directory."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from standards_check.errors import UserError
from standards_check.escape import printable
from standards_check.sweep import sources
from standards_check.sweep.policymap import PolicyMap, load_policy_map
from standards_check.sweep.runner import SweepSummary, run_sweep
from standards_check.sweep.store import Store, digest
from standards_check.sweep.worker import ScanFn, WorkerOptions

if TYPE_CHECKING:
    from standards_check.http_client import ApiClient

DEFAULT_STORE = "standards-check.db"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "standards-check" / "clones"


def list_specs(*, org: str | None, urls: Path | None, directory: Path | None, api_url: str | None,
               gitlab_group: str | None = None, include_archived: bool = False) -> tuple[str, Iterable[sources.RepoSpec], ApiClient | None]:
    """(source label, repositories, API client or None). Exactly one source must be given."""
    given = [x for x in (org, gitlab_group, urls, directory) if x]
    if len(given) != 1:
        raise UserError("give exactly one of --org ORG, --gitlab-group GROUP, --urls FILE or --dir DIR")
    if org:
        from standards_check.github_client import DEFAULT_API_URL, GitHubClient, api_url_for

        client = GitHubClient(os.environ.get("GITHUB_TOKEN") or None,
                              api_url_for(api_url or os.environ.get("GITHUB_API_URL")))
        host = "" if client.api_url == DEFAULT_API_URL else client.api_url.split("://")[-1].split("/")[0] + "/"
        return f"github:{host}{org}", sources.from_github(org, client), client
    if gitlab_group:
        from standards_check.gitlab_client import DEFAULT_API_URL as GITLAB_API, GitLabClient
        from standards_check.gitlab_client import api_url_for as gitlab_api_url_for

        lab = GitLabClient(os.environ.get("GITLAB_TOKEN") or None, gitlab_api_url_for(api_url))
        host = "" if lab.api_url == GITLAB_API else lab.api_url.split("://")[-1].split("/")[0] + "/"
        return f"gitlab:{host}{gitlab_group}", sources.from_gitlab(gitlab_group, lab, include_archived), lab
    if urls:
        return f"urls:{urls}", sources.from_url_file(urls), None
    assert directory is not None
    return f"dir:{directory}", sources.from_directory(directory), None


def sweep_command(*, org: str | None = None, gitlab_group: str | None = None, urls: Path | None = None, directory: Path | None = None,
                  api_url: str | None = None, store_path: Path = Path(DEFAULT_STORE),
                  policy: str | None = None, policy_map: Path | None = None, jobs: int = 2,
                  shard: str | None = None, timeout: float = 600.0, cache_dir: Path | None = None,
                  include_archived: bool = False, include_forks: bool = False,
                  topics: tuple[str, ...] = (), include: tuple[str, ...] = (),
                  exclude: tuple[str, ...] = (), max_size_mb: int | None = None,
                  run_id: str | None = None, progress: bool | None = None,
                  scan: ScanFn | None = None, echo: Callable[[str], None] | None = None,
                  on_result: Callable[[dict], None] | None = None) -> SweepSummary:
    """Run (or resume) a sweep and return its summary. Raises UserError on bad input."""
    echo = echo or (lambda line: print(printable(line), file=sys.stderr))
    if jobs < 1:
        raise UserError("--jobs must be at least 1")
    if timeout <= 0:
        raise UserError("--timeout must be a positive number of seconds")
    shard_pair = sources.parse_shard(shard)
    pmap = load_policy_map(policy_map) if policy_map else PolicyMap()
    if scan is None:
        _prewarm(policy, pmap)
    label, listed, client = list_specs(org=org, urls=urls, directory=directory, api_url=api_url,
                                       gitlab_group=gitlab_group, include_archived=include_archived)
    filters = sources.Filters(include_archived, include_forks, tuple(topics), tuple(include), tuple(exclude))
    try:
        listed = list(listed)
    except Exception as exc:
        from standards_check.http_client import ApiError

        if isinstance(exc, ApiError):
            message = client.redact(str(exc)) if client is not None else str(exc)
            raise UserError(f"cannot list repositories of {org or gitlab_group}: {message}") from None
        raise
    chosen = sources.select(listed, filters, shard_pair)
    names = {s.name for s in listed}
    echo(f"{label}: {len(names)} repositories listed, {len(chosen)} selected"
         + (f" for shard {shard}" if shard else "")
         + (f" ({client.requests_made} API requests)" if client is not None else ""))
    opts = WorkerOptions(
        cache_dir=cache_dir or default_cache_dir(), policy=policy, policy_map=pmap,
        max_size_kb=max_size_mb * 1024 if max_size_mb else None, scan=scan,
        auth_host=_forge_host(client), auth_forge="gitlab" if gitlab_group else "github")
    with Store(store_path) as store:
        summary = run_sweep(
            store, chosen, opts, source=label, policy=policy, policy_map_digest=digest(pmap.text),
            shard=shard, run_id=run_id, jobs=jobs, timeout=timeout, progress=progress,
            on_result=on_result)
    for line in summary.lines():
        echo(line)
    return summary


def _forge_host(client: ApiClient | None) -> str | None:
    """The host whose clones get the API token (see sweep.fetch.git_env); None without a forge."""
    if client is None:
        return None
    from standards_check.github_client import DEFAULT_API_URL

    base = client.api_url
    return "github.com" if base == DEFAULT_API_URL else base.split("://")[-1].split("/")[0].split("@")[-1]


def _prewarm(policy: str | None, pmap: PolicyMap) -> None:
    """Load the catalog and every policy the sweep may use once, before forking workers: a bad
    policy is a usage error now rather than an error per repository. Then scan an empty
    directory with each, so that every evaluator and fact module is imported (and its patterns
    compiled) here: each worker is forked from this process and would otherwise pay ~0.3 s of
    imports for every repository."""
    import tempfile

    from standards_check.catalog import load_catalog
    from standards_check.engine import scan
    from standards_check.policy import resolve_policy
    from standards_check.snapshot import DirectorySnapshot

    load_catalog()
    refs = {ref for ref in (policy, pmap.default, *(rule.policy for rule in pmap.rules)) if ref is not None}
    policies = [resolve_policy(ref) for ref in sorted(refs)] + [resolve_policy(None)]
    with tempfile.TemporaryDirectory() as empty:
        for resolved in policies:
            try:
                scan(DirectorySnapshot(Path(empty)), resolved)
            except Exception:  # warming up is an optimisation; the real scans report problems
                pass


def exit_code(summary: SweepSummary) -> int:
    """0 when every selected repository has a result (errors included); 130 when interrupted."""
    return 130 if summary.interrupted else 0
