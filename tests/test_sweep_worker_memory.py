"""A sweep worker scans hundreds of repositories in one process: nothing of one repository's scan
may outlive it. Counted deterministically (live snapshots and script indexes after a collection),
not by resident memory, which the allocator keeps."""
from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from standards_check.facts.commands import ScriptIndex
from standards_check.snapshot import RepoSnapshot
from standards_check.sweep.sources import RepoSpec
from standards_check.sweep.worker import WorkerOptions, scan_repo

# A repository whose CI reaches its tests through indirections it defines itself (a Makefile target,
# a package.json script, a justfile recipe, a pre-commit hook), so every memoised lookup of the
# script index is used.
TEMPLATE = {
    "README.md": "# svc\n",
    "Makefile": "test: lint\n\tpytest -q\nlint:\n\truff check .\n",
    "package.json": '{"scripts": {"test": "jest", "lint": "eslint ."}}\n',
    "justfile": "check:\n    make test\n",
    ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: pytest\n    entry: pytest\n",
    ".github/workflows/ci.yml": (
        "on: [pull_request]\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: make test\n"
        "      - run: npm test\n"
        "      - run: just check\n"
        "      - run: pre-commit run --all-files\n"
    ),
}


def live(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, kind))


def sweep_in_one_worker(make_repo, tmp_path: Path, count: int) -> list[tuple[int, int]]:
    """(live snapshots, live script indexes) after each of `count` repositories, scanned in turn by
    the worker's own scan function in this one process, as a pool worker does."""
    template = make_repo(TEMPLATE, name="template")
    opts = WorkerOptions(cache_dir=tmp_path / "sweep-cache", policy="baseline")
    counts = []
    for i in range(count):
        repo = tmp_path / "repos" / f"svc{i}"
        shutil.copytree(template, repo)
        row = scan_repo(RepoSpec(name=f"acme/svc{i}", path=str(repo)), opts)
        assert row["status"] == "ok", row
        counts.append((live(RepoSnapshot), live(ScriptIndex)))
    return counts


def assert_flat(counts: list[tuple[int, int]]) -> None:
    # Nothing of a finished scan stays alive: at most a constant few (none today), not one per repository.
    assert max(s for s, _ in counts) <= 2, f"snapshots alive after each repository: {counts}"
    assert max(i for _, i in counts) <= 2, f"script indexes alive after each repository: {counts}"
    assert counts[-1] == counts[len(counts) // 2], counts


def test_a_worker_keeps_nothing_of_the_repositories_it_scanned(make_repo, tmp_path: Path) -> None:
    assert_flat(sweep_in_one_worker(make_repo, tmp_path, 30))


@pytest.mark.slow
def test_a_worker_stays_flat_across_300_repositories(make_repo, tmp_path: Path) -> None:
    assert_flat(sweep_in_one_worker(make_repo, tmp_path, 300))
