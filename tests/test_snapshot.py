from __future__ import annotations

import os
from pathlib import Path

import pytest

from standards_check.errors import UserError
from standards_check.snapshot import DirectorySnapshot, RefSnapshot, WorktreeSnapshot, open_snapshot
from tests.conftest import commit_all, git, write_files


def test_worktree_lists_tracked_and_untracked_but_not_ignored(make_repo):
    repo = make_repo({"README.md": "hi\n", ".gitignore": "build/\n", "src/a.py": "x = 1\n"})
    write_files(repo, {"new.txt": "untracked\n", "build/out.bin": "ignored\n"})
    snap = open_snapshot(repo)
    assert isinstance(snap, WorktreeSnapshot)
    assert snap.paths == (".gitignore", "README.md", "new.txt", "src/a.py")
    assert snap.read_text("new.txt") == "untracked\n"
    assert snap.read_text("build/out.bin") is None  # not listed, never read
    assert snap.commit is not None and snap.has_history


def test_ref_reads_objects_without_checkout(make_repo):
    repo = make_repo({"README.md": "v1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    write_files(repo, {"README.md": "v2\n", "docs/x.md": "doc\n"})
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    with open_snapshot(repo, ref="feature") as snap:
        assert isinstance(snap, RefSnapshot)
        assert snap.paths == ("README.md", "docs/x.md")
        assert snap.read_text("README.md") == "v2\n"
        assert snap.read_text("docs/x.md") == "doc\n"
    assert (repo / "README.md").read_text() == "v1\n"  # working tree untouched


def test_links_out_of_the_repository_are_not_followed(make_repo, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("secret\n")
    repo = make_repo({"README.md": "hi\n", "docs/real.md": "inside\n"})
    os.symlink(secret, repo / "escape.md")
    os.symlink("../../outside.txt", repo / "docs" / "relative-escape.md")
    os.symlink("real.md", repo / "docs" / "inside-link.md")
    commit_all(repo, "links")
    for snap in (open_snapshot(repo), open_snapshot(repo, ref="HEAD"), DirectorySnapshot(repo)):
        assert "escape.md" in snap.paths
        assert snap.read_text("escape.md") is None, snap.kind
        assert snap.read_text("docs/relative-escape.md") is None, snap.kind
        assert snap.read_text("docs/inside-link.md") == "inside\n", snap.kind
        snap.close()


def test_binary_non_utf8_and_oversized_files(make_repo):
    repo = make_repo({"logo.png": b"\x89PNG\r\n\x1a\n\0\0\0", "latin.txt": "caf\xe9".encode("latin-1"),
                      "big.txt": "x" * 5000})
    for snap in (open_snapshot(repo), open_snapshot(repo, ref="HEAD")):
        snap.max_bytes = 1000
        assert snap.read_text("logo.png") is None
        assert snap.read_text("latin.txt") == "caf\ufffd"
        assert snap.read_text("big.txt") is None
        assert "big.txt" in snap.skipped
        snap.close()


def test_plain_directory_and_selection_helpers(tmp_path):
    write_files(tmp_path, {"Readme.md": "x", "docs/adr/0001-a.md": "a", "docs/adr/0002-b.md": "b",
                           "docs/adrx.md": "no", ".git/config": "not a repo dir"})
    snap = open_snapshot(tmp_path)
    assert isinstance(snap, DirectorySnapshot)
    assert ".git/config" not in snap.paths
    assert snap.named("README.md") == ["Readme.md"]
    assert snap.under("docs/adr") == ["docs/adr/0001-a.md", "docs/adr/0002-b.md"]
    assert snap.first(["README.md", "Readme.md"]) == "Readme.md"
    assert not snap.has_history


def test_bad_paths_and_refs(tmp_path, make_repo):
    with pytest.raises(UserError, match="does not exist"):
        open_snapshot(tmp_path / "missing")
    with pytest.raises(UserError, match="needs a git repository"):
        open_snapshot(tmp_path, ref="HEAD")
    repo = make_repo({"a": "b"})
    with pytest.raises(UserError, match="unknown git ref"):
        open_snapshot(repo, ref="no-such-branch")


def test_repository_name_comes_from_the_origin_remote(make_repo):
    repo = make_repo({"a": "b"}, name="checkout")
    assert open_snapshot(repo).name == "checkout"
    git(repo, "remote", "add", "origin", "git@github.com:acme/payments-api.git")
    assert open_snapshot(repo).name == "acme/payments-api"
    git(repo, "remote", "set-url", "origin", "https://ghe.example.com/acme/billing")
    assert open_snapshot(repo, ref="HEAD").name == "acme/billing"
    git(repo, "remote", "set-url", "origin", "/srv/git/upstream.git")  # a local clone: its own name
    assert open_snapshot(repo).name == "checkout"


def test_ref_snapshot_lists_submodules_links_and_odd_names(make_repo):
    repo = make_repo({"a b/c\td.txt": "tab and space\n", "ü/ñ.md": "unicode\n", "x.sh": "#!/bin/sh\n"})
    os.symlink("x.sh", repo / "link.sh")
    sub = make_repo({"s.txt": "sub\n"}, name="sub")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    commit_all(repo, "more")
    with open_snapshot(repo, ref="HEAD") as snap:
        assert {"a b/c\td.txt", "ü/ñ.md", "link.sh", "vendor/sub", ".gitmodules"} <= set(snap.paths)
        assert snap.read_text("a b/c\td.txt") == "tab and space\n"
        assert snap.read_text("ü/ñ.md") == "unicode\n"
        assert snap.read_text("link.sh") == "#!/bin/sh\n"  # a link inside the repository is followed
        assert snap.read_text("vendor/sub") is None  # a submodule is not a file


@pytest.mark.parametrize("kind", ["worktree", "ref"])
def test_shared_listing_indexes_agree_with_the_listing(make_repo, kind):
    # the per-snapshot indexes the checks share (paths by suffix, file names by directory, paths by
    # name) give what a walk over every path gives, in path order, for odd cases and names
    files = {"README.MD": "r", "docs/a.md": "a", "docs/B.Markdown": "b", "docs/sub/c.md": "c", "a.b/x.yaml": "x",
             "a.b.yml": "y", "a/b.YAML": "z", "deploy/rules.yaml.txt": "t", "Dockerfile": "d", "requirements/dev/x.txt": "p",
             "weird name .md": "w", "ÄÖ/ΣΑΣ.md": "g"}
    repo = make_repo(files)
    snapshot = open_snapshot(str(repo), ref="HEAD" if kind == "ref" else None)
    paths = snapshot.paths
    for suffixes in ((".md", ".markdown"), (".yaml", ".yml"), (".txt",)):
        assert snapshot.ending(suffixes) == [p for p in paths if p.lower().endswith(suffixes)]
        assert snapshot.ending(suffixes) is snapshot.ending(suffixes)  # one pass per set of suffixes
    for directory in ("", "docs", "docs/sub", "a", "a.b", "requirements", "nowhere"):
        assert snapshot.names_in(directory) == [p.rpartition("/")[2] for p in paths if p.rpartition("/")[0] == directory]
    assert snapshot.named("readme.md", "c.MD") == ["README.MD", "docs/sub/c.md"]
    for name in ("ΣΑΣ.md", "ΣΑΣ.MD", "äö"):  # lower case as Python lowers a name alone (final sigma)
        assert snapshot.named(name) == [p for p in paths if p.rpartition("/")[2].lower() == name.lower()]
    assert snapshot.named("ΣΑΣ.md") == ["ÄÖ/ΣΑΣ.md"]
