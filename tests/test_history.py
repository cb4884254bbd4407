"""facts.history: last change of files and directories from one git log call."""
from __future__ import annotations

import subprocess

import pytest

from standards_check.facts import history
from standards_check.snapshot import DirectorySnapshot, open_snapshot
from tests.conftest import commit_all, git, write_files


def test_last_changes_of_files_and_directories(make_repo):
    repo = make_repo({"docs/adr/0001-a.md": "a\n", "docs/adr/0002-b.md": "b\n", "odd name*:[x].md": "x\n",
                      "src/app.py": "x\n"}, date="2025-01-01T00:00:00Z")
    write_files(repo, {"docs/adr/0002-b.md": "b2\n", "src/app.py": "y\n"})
    second = commit_all(repo, "b2", date="2026-01-01T00:00:00Z")
    with open_snapshot(repo) as snap:
        changes = history.last_changes(snap, ["docs/adr/", "odd name*:[x].md"])
        times = history.last_change_times(snap, ["docs/adr"])
    assert set(changes) == {"docs/adr/0001-a.md", "docs/adr/0002-b.md", "odd name*:[x].md"}
    assert changes["docs/adr/0002-b.md"] == history.Change(1767225600, second, True)
    assert times == {"docs/adr/0001-a.md": 1735689600, "docs/adr/0002-b.md": 1767225600}
    assert history.latest(changes)[0] == "docs/adr/0002-b.md"
    assert history.latest(changes, ["docs/adr/0001-a.md"])[0] == "docs/adr/0001-a.md"


def test_one_git_call_for_many_paths(make_repo, monkeypatch):
    repo = make_repo({f"runbooks/r{i}.md": f"{i}\n" for i in range(50)})
    with open_snapshot(repo) as snap:
        calls = []
        original = snap.git
        monkeypatch.setattr(snap, "git", lambda *args: calls.append(args) or original(*args))
        snap.is_shallow  # computed once, before counting
        calls.clear()
        assert len(history.last_changes(snap, ["runbooks"] + [f"runbooks/r{i}.md" for i in range(50)])) == 50
    assert len(calls) == 1 and calls[0][0] == "log"


def test_no_history(tmp_path, make_repo):
    write_files(tmp_path / "plain", {"a.md": "x\n"})
    with pytest.raises(history.NoHistory):
        history.last_changes(DirectorySnapshot(tmp_path / "plain"), ["a.md"])
    empty = make_repo({"a.md": "x\n"}, commit=False)
    with open_snapshot(empty) as snap, pytest.raises(history.NoHistory):
        history.last_changes(snap, ["a.md"])
    with open_snapshot(make_repo({"a.md": "x\n"})) as snap:
        assert history.last_changes(snap, []) == {}


def test_shallow_boundary_is_flagged(make_repo, tmp_path):
    repo = make_repo({"a.md": "a\n", "b.md": "b\n"}, date="2024-01-01T00:00:00Z")
    write_files(repo, {"b.md": "b2\n"})
    commit_all(repo, "b2", date="2024-06-01T00:00:00Z")
    write_files(repo, {"c.md": "c\n"})
    commit_all(repo, "c", date="2025-01-01T00:00:00Z")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone)], check=True)
    with open_snapshot(clone) as snap:
        assert snap.is_shallow
        changes = history.last_changes(snap, ["a.md", "b.md", "c.md"])
    assert changes["c.md"].reliable
    assert not changes["a.md"].reliable and not changes["b.md"].reliable  # shown as added by the boundary
    full = open_snapshot(repo)
    assert all(c.reliable for c in history.last_changes(full, ["a.md", "b.md"]).values())  # a real root commit
    full.close()
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
