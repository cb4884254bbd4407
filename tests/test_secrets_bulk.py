"""The secret scan's bulk path (git grep for the literals, the blob-id cache) finds exactly what a
straightforward scan finds: every candidate file read whole in Python, one at a time.

Secret-shaped values are assembled at run time (see test_secrets.py), so this file holds none.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from standards_check import scancache, secretscan
from standards_check.snapshot import open_snapshot
from tests.conftest import commit_all, git, write_files
from tests.test_secrets import SAMPLES, tok

LINK = "links/to-secret.cfg"
FILLER = 600  # above the bulk threshold, so git grep does the reading


def corpus() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {f"src/pkg{i % 7}/m{i}.py": f"x = {i}\n" for i in range(FILLER)}
    gh, npm = SAMPLES["GitHub token"], SAMPLES["npm token"]
    files.update({
        "deploy/all.txt": "\n".join(f"{kind}: {value}" for kind, value in sorted(SAMPLES.items())) + "\n",
        "crlf/win.ini": f"a=1\r\nb=2\r\ntoken={gh}\r\n",
        "long/line.js": "var a='" + "x" * 300_000 + f"';var t='{npm}';\n",
        "long/too-big.txt": "y" * 1_200_000 + gh + "\n",  # above max_file_bytes: skipped
        "latin1/conf.txt": b"caf\xe9 \xff\xfe\n\x80 key=" + gh.encode() + b" \xe9\n",
        "bin/blob.bin2": b"\0\1\2" + npm.encode(),  # binary: skipped
        "bin/late-nul.txt": ("a\n" * 5000 + f"t={npm}\n").encode() + b"\0",  # NUL past 8000 bytes: text
        "hidden/secret.cfg": f"k={gh}\n",
        ".gitattributes": "hidden/* -diff binary\n",
        "tests/fixture.txt": f"{gh}\n",  # a test path: counted, not reported
        "docs/example.md": "AKIAIOSFODNN7EXAMPLE aws_secret_access_key\n",  # a documented fake
        "odd names/with space.txt": f"{gh}\n",
        "odd names/glob*[ab]?.txt": f"x\n{npm}\n",
        "odd names/:(exclude)magic.txt": f"{gh}\n",
        "odd names/caf\u00e9.txt": f"\n\n{gh}\n",
        "odd names/-e": f"{npm}\n",
        "nested/deep/a/b/c/d.env": f"NPM={npm}\n",
    })
    return files


def reference(root: Path, max_file_bytes: int = 1 << 20) -> secretscan.ScanResult:
    """The plain scan: each candidate read from disk (links skipped), then the same rules."""
    result = secretscan.ScanResult()
    with open_snapshot(root) as snapshot:
        paths = secretscan.candidate_files(snapshot)
    for path in paths:
        full = root / path
        if full.is_symlink() or not full.is_file():
            result.files_skipped += 1
            continue
        data = full.read_bytes()
        if len(data) > max_file_bytes or b"\0" in data[:8000]:
            result.files_skipped += 1
            continue
        result.files_scanned += 1
        for line, kind, fake in secretscan.scan_bytes(data):
            if secretscan.in_test_path(path):
                result.ignored_in_tests += 1
            elif fake:
                result.ignored_fake += 1
            else:
                result.findings.append(secretscan.SecretFinding(path, line, kind))
    result.findings.sort()
    return result


def findings(result: secretscan.ScanResult) -> tuple:
    return result.findings, result.ignored_fake, result.ignored_in_tests


def scan(root: Path, ref: str | None = None, **params) -> secretscan.ScanResult:
    with open_snapshot(root, ref=ref) as snapshot:
        return secretscan.scan(snapshot, max_files=params.pop("max_files", 10**6),
                               max_file_bytes=params.pop("max_file_bytes", 1 << 20), **params)


class Spy:
    """Which files a scan read in Python and which it handed to git grep."""

    def __init__(self, snapshot) -> None:
        self.read: list[str] = []
        self.grepped: list[str] = []
        iter_bytes, grep = snapshot.iter_bytes, snapshot.grep

        def spy_iter(paths, follow_links=True):
            paths = list(paths)
            self.read.extend(paths)
            return iter_bytes(paths, follow_links)

        def spy_grep(literals, paths):
            self.grepped.extend(paths)
            return grep(literals, paths)

        snapshot.iter_bytes, snapshot.grep = spy_iter, spy_grep


def spied_scan(root: Path, ref: str | None = None, **params) -> tuple[secretscan.ScanResult, Spy]:
    with open_snapshot(root, ref=ref) as snapshot:
        spy = Spy(snapshot)
        result = secretscan.scan(snapshot, max_files=10**6, max_file_bytes=params.pop("max_file_bytes", 1 << 20),
                                 **params)
    return result, spy


@pytest.fixture
def repo(make_repo) -> Path:
    root = make_repo(corpus())
    (root / "links").mkdir()
    (root / LINK).symlink_to("../hidden/secret.cfg")
    commit_all(root, "link")
    return root


def test_literals_cover_every_pattern() -> None:
    """The literal prefilter must hold for every match of the combined pattern, or git grep's
    list would miss files: each kind's sample has a literal, and a match implies one."""
    for kind, value in SAMPLES.items():
        data = f"k = '{value}'\n".encode()
        assert secretscan.COMBINED.search(data) is not None, kind
        assert any(literal.encode() in data for literal in secretscan.PREFILTER_LITERALS), kind


def test_work_tree_cold_warm_and_without_cache_match_the_plain_scan(repo: Path, monkeypatch,
                                                                     _own_scan_cache: Path) -> None:
    expected = reference(repo)
    assert {f.path for f in expected.findings} >= {
        "deploy/all.txt", "crlf/win.ini", "long/line.js", "latin1/conf.txt", "bin/late-nul.txt",
        "hidden/secret.cfg", "odd names/with space.txt", "odd names/glob*[ab]?.txt",
        "odd names/:(exclude)magic.txt", "odd names/caf\u00e9.txt", "odd names/-e", "nested/deep/a/b/c/d.env"}
    monkeypatch.setenv("STANDARDS_CHECK_CACHE", "off")
    off, spy = spied_scan(repo)
    assert findings(off) == findings(expected)
    assert len(spy.grepped) > FILLER and len(spy.read) < 40  # git grep read the rest
    monkeypatch.setenv("STANDARDS_CHECK_CACHE", str(_own_scan_cache))
    cold, spy = spied_scan(repo)
    assert findings(cold) == findings(expected) and len(spy.grepped) > FILLER
    warm, spy = spied_scan(repo)
    assert findings(warm) == findings(expected)
    assert spy.grepped == [] and spy.read == []  # nothing read again
    assert warm.files_scanned == cold.files_scanned and warm.files_skipped == cold.files_skipped


def test_edits_untracked_and_deleted_files_are_read_again(repo: Path) -> None:
    scan(repo)  # fills the cache
    gh = SAMPLES["GitHub token"]
    (repo / "src/pkg1/m1.py").write_text(f"t = '{gh}'\n")  # edited, not committed
    (repo / "src/pkg2/m2.py").write_text("x = 9\n")  # same size, same second
    (repo / "deploy/all.txt").unlink()
    (repo / "new.env").write_text(f"T={gh}\n")  # untracked
    warm, spy = spied_scan(repo)
    assert findings(warm) == findings(reference(repo))
    assert ("src/pkg1/m1.py", 1) in [(f.path, f.line) for f in warm.findings]
    assert set(spy.read) == {"src/pkg1/m1.py", "src/pkg2/m2.py", "deploy/all.txt", "new.env", LINK}


def test_many_changes_are_grepped_by_path(repo: Path) -> None:
    """Between the bulk threshold and half the tree: git grep with literal pathspecs (names with
    spaces, globs and pathspec magic must be taken literally)."""
    scan(repo)
    npm = SAMPLES["npm token"]
    for i in range(0, 2 * secretscan._BULK_MIN + 20, 2):
        (repo / f"src/pkg{i % 7}/m{i}.py").write_text(f"x = {i}\ny = 'changed'\n")
    for name in ("with space.txt", "glob*[ab]?.txt", ":(exclude)magic.txt"):
        (repo / "odd names" / name).write_text(f"changed\n{npm}\n")
    (repo / "src/pkg3/m10.py").write_text(f"t = '{npm}'\n")
    commit_all(repo, "changes")
    warm, spy = spied_scan(repo)
    assert secretscan._BULK_MIN < len(spy.grepped) < FILLER // 2 + 30
    assert findings(warm) == findings(reference(repo))


def test_ref_and_subdirectory_scans_match_the_plain_scan(repo: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(repo), str(checkout)], check=True)
    expected = findings(reference(checkout))
    for _ in range(2):  # cold, then warm
        result, spy = spied_scan(repo, ref="HEAD")
        assert findings(result) == expected
    assert spy.grepped == [] and spy.read == []
    sub = findings(scan(repo / "odd names"))
    assert sub == findings(reference(repo / "odd names"))
    assert sub[0]


def test_an_unchanged_tree_is_answered_whole(repo: Path, _own_scan_cache: Path) -> None:
    """The same index listing (or root tree) and parameters: the stored result of the whole scan,
    without the per-blob entries; other parameters, a damaged entry or an untracked candidate
    file scan again."""
    expected = findings(scan(repo))
    for segment in _own_scan_cache.rglob("*.blobs"):
        segment.unlink()
    scancache.clear_shared()
    (repo / "untracked.png").write_bytes(b"\x89PNG\0")  # not a candidate: still the same answer
    result, spy = spied_scan(repo)
    assert findings(result) == expected and spy.read == spy.grepped == []
    result, spy = spied_scan(repo, ref="HEAD")  # another tree: scanned, filling the blob entries again
    assert findings(result) == expected and len(spy.grepped) > FILLER
    result, spy = spied_scan(repo, ignore_test_fixtures=False)
    assert spy.grepped == []  # a path rule: the blob entries answer
    assert ("tests/fixture.txt", 1) in [(f.path, f.line) for f in result.findings]
    trees = list(_own_scan_cache.rglob("trees/*"))
    assert len(trees) == 3  # work tree, HEAD, work tree without the fixture rule
    for tree in trees:
        tree.write_text('{"findings": [["x", "not a line", "y"]]}')
    result, spy = spied_scan(repo)
    assert findings(result) == expected and spy.grepped == []  # re-assembled from the blob entries
    (repo / "new.env").write_text(f"T={SAMPLES['npm token']}\n")
    result, spy = spied_scan(repo)
    assert spy.read == [LINK, "new.env"] and ("new.env", 1) in [(f.path, f.line) for f in result.findings]


def test_a_new_scanner_version_or_params_read_everything_again(repo: Path, monkeypatch) -> None:
    scan(repo)
    _, spy = spied_scan(repo, max_file_bytes=2 << 20)
    assert len(spy.grepped) > FILLER
    monkeypatch.setattr(secretscan, "SCANNER_VERSION", secretscan.SCANNER_VERSION + "-next")
    scancache.clear_shared()
    _, spy = spied_scan(repo)
    assert len(spy.grepped) > FILLER
    _, spy = spied_scan(repo)
    assert spy.grepped == []


def test_the_cache_never_holds_secret_text(repo: Path, _own_scan_cache: Path) -> None:
    result = scan(repo)
    assert result.findings
    stored = b"".join(p.read_bytes() for p in _own_scan_cache.rglob("*") if p.is_file())
    assert stored
    for value in SAMPLES.values():
        for piece in (value, value[:12], value[-12:]):
            assert piece.encode() not in stored


def test_the_cache_is_bounded(repo: Path, _own_scan_cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("STANDARDS_CHECK_CACHE_MAX_ENTRIES", "100")
    expected = findings(reference(repo))
    for i in range(3):
        (repo / f"round{i}.txt").write_text(f"{i}\n")
        assert findings(scan(repo)) == findings(reference(repo))
    namespace = secretscan.cache_namespace(1 << 20, open_snapshot(repo).max_bytes)
    cache = scancache.BlobCache(namespace, root=_own_scan_cache)
    assert 0 < len(cache) <= 100
    assert len(list((_own_scan_cache / "secrets" / namespace).iterdir())) == 1
    assert expected[0]


def test_a_damaged_cache_is_a_miss(repo: Path, _own_scan_cache: Path) -> None:
    expected = findings(scan(repo))
    for segment in _own_scan_cache.rglob("*.blobs"):
        segment.write_bytes(b"\xff\xfe garbage \0\n\0\n" + os.urandom(64))
    scancache.clear_shared()  # as a new process would: read the damaged files
    assert findings(scan(repo)) == expected


def test_concurrent_runs_share_one_cache(repo: Path, _own_scan_cache: Path) -> None:
    code = ("import sys; from standards_check.snapshot import open_snapshot; from standards_check import secretscan\n"
            "for _ in range(3):\n"
            "    with open_snapshot(sys.argv[1]) as s:\n"
            "        r = secretscan.scan(s, 10**6, 1 << 20)\n"
            "    print(sorted((f.path, f.line, f.kind) for f in r.findings))\n")
    env = {**os.environ, "STANDARDS_CHECK_CACHE_MAX_ENTRIES": "300"}  # merges while the other reads
    procs = [subprocess.Popen([sys.executable, "-c", code, str(repo)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outputs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    expected = str(sorted((f.path, f.line, f.kind) for f in reference(repo).findings))
    assert all(line == expected for out in outputs for line in out.splitlines())
    assert findings(scan(repo)) == findings(reference(repo))


def test_assume_unchanged_files_are_read_not_trusted(repo: Path) -> None:
    scan(repo)
    git(repo, "update-index", "--assume-unchanged", "src/pkg5/m5.py")
    (repo / "src/pkg5/m5.py").write_text(f"t = '{SAMPLES['GitHub token']}'\n")
    warm, spy = spied_scan(repo)
    assert "src/pkg5/m5.py" in spy.read
    assert findings(warm) == findings(reference(repo))


def test_plain_directories_still_scan(tmp_path: Path) -> None:
    write_files(tmp_path / "plain", corpus())
    assert findings(scan(tmp_path / "plain")) == findings(reference(tmp_path / "plain"))


def test_a_sweep_worker_keeps_the_cache_with_its_clones(make_repo, tmp_path: Path, monkeypatch) -> None:
    from standards_check.sweep.sources import RepoSpec
    from standards_check.sweep.worker import WorkerOptions, scan_repo

    monkeypatch.delenv("STANDARDS_CHECK_CACHE")
    repo = make_repo({**{f"src/m{i}.py": f"x = {i}\n" for i in range(FILLER)},
                      "deploy/env.txt": f"T={SAMPLES['npm token']}\n"})
    opts = WorkerOptions(cache_dir=tmp_path / "sweep-cache", policy="baseline")
    for _ in range(2):
        row = scan_repo(RepoSpec(name="acme/svc", path=str(repo)), opts)
        assert row["status"] == "ok" and "secrets.committed" in row["failing"], row
    segments = list((tmp_path / "sweep-cache" / "scan-cache" / "secrets").rglob("*.blobs"))
    assert len(segments) == 1  # the second repository scan found everything cached


def test_a_partial_clone_fetches_only_what_the_cache_does_not_know(make_repo, tmp_path: Path) -> None:
    """A sweep's blob-less clone: candidates are fetched in one batch and searched by name (git grep
    over the whole tree would fetch every other missing blob, one at a time); a later clone of the
    same content fetches nothing, its blobs are all known."""
    from standards_check.sweep.fetch import ensure_clone
    from standards_check.sweep.prefetch import PartialCloneSnapshot
    from tests.test_sweep_prefetch import missing

    files: dict[str, str | bytes] = {f"src/m{i}.py": f"x = {i}\n" for i in range(FILLER)}
    files.update({"img/logo.png": b"\x89PNG\r\n\x1a\n\0\0", "deploy/env.txt": f"T={SAMPLES['npm token']}\n"})
    upstream = make_repo(files)
    git(upstream, "config", "uploadpack.allowFilter", "true")
    expected = [("deploy/env.txt", 1)]
    for n, (fetches, left) in enumerate(((1, 1), (0, FILLER + 2))):
        clone = ensure_clone(upstream.as_uri(), tmp_path / f"clones{n}")
        with PartialCloneSnapshot(clone) as snapshot:
            spy = Spy(snapshot)
            result = secretscan.scan(snapshot, max_files=10**6, max_file_bytes=1 << 20)
            assert [(f.path, f.line) for f in result.findings] == expected
            assert (snapshot.fetches, missing(clone)) == (fetches, left)  # the image is never fetched
        assert len(spy.grepped) == (FILLER + 1 if n == 0 else 0)


def test_files_a_filter_rewrote_on_checkout_are_read_from_the_work_tree(make_repo, tmp_path: Path) -> None:
    """With a filter (git-lfs, ...) a checked-out file can hold what its blob does not: the work
    tree's files are searched then, not the index's blobs."""
    token = SAMPLES["GitHub token"]
    script = tmp_path / "smudge.sh"
    script.write_text(f"#!/bin/sh\nsed 's/PLACEHOLDER/{token}/'\n")
    script.chmod(0o755)
    origin = make_repo({**{f"src/m{i}.py": f"x = {i}\n" for i in range(FILLER)},
                        "conf/app.cfg": "key = PLACEHOLDER\n", ".gitattributes": "*.cfg filter=fill\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(origin), str(clone)], check=True)
    git(clone, "config", "filter.fill.smudge", str(script))
    git(clone, "checkout", "-q", "main")
    assert token in (clone / "conf/app.cfg").read_text()
    for _ in range(2):
        result = scan(clone)
        assert [(f.path, f.line) for f in result.findings] == [("conf/app.cfg", 1)]
        assert findings(result) == findings(reference(clone))


def test_the_search_starts_before_the_checks_and_is_used_once(repo: Path, monkeypatch) -> None:
    """engine.scan starts git grep before the checks run; the secret scan then uses that search,
    and once the tree is cached nothing is started at all."""
    from standards_check import gitscan
    from tests.checkrun import defaults

    started: list[tuple] = []
    real = gitscan.Grep

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:
            started.append(args[2:])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(gitscan, "Grep", Counting)
    params = defaults("secrets.committed")
    expected = findings(reference(repo))
    for ref, searches in ((None, 1), (None, 0), ("HEAD", 1), ("HEAD", 0)):
        started.clear()
        with open_snapshot(repo, ref=ref) as snapshot:
            secretscan.start(snapshot, params)
            result = secretscan.scan(snapshot, params["max_files"], params["max_file_bytes"])
        assert findings(result) == expected
        assert len(started) == searches, (ref, started)
