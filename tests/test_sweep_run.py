"""Sweeps over real local repositories: errors recorded, counts add up, resume, timeouts, shards."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from standards_check.commands.merge import merge_command
from standards_check.commands.report import report_command
from standards_check.commands.sweep import sweep_command
from standards_check.sweep.store import Store
from tests.conftest import git
from tests.sweep_helpers import FakeGitHub, fake_scan, repo_item


def serve(repo: Path) -> str:
    """A file:// URL that serves `repo` the way a forge does (partial clones allowed)."""
    git(repo, "config", "uploadpack.allowFilter", "true")
    return f"file://{repo}"


@pytest.fixture
def org(make_repo, tmp_path: Path) -> dict[str, str]:
    """Three good repositories, an empty one, a broken one and an unreachable URL."""
    urls = {}
    for i in range(3):
        files = {"src/main.py": "print(1)\n", ".github/CODEOWNERS": f"* @acme/team-{i % 2}\n"}
        if i != 2:
            files["README.md"] = "# service\n"
        urls[f"acme/svc-{i}"] = serve(make_repo(files, name=f"srv/acme/svc-{i}"))
    urls["acme/empty"] = serve(make_repo(name="srv/acme/empty", commit=False))
    broken = make_repo({"README.md": "x"}, name="srv/acme/broken")
    for obj in (broken / ".git" / "objects").rglob("*"):
        if obj.is_file():
            obj.chmod(0o644)
            obj.write_bytes(b"garbage")
    urls["acme/broken"] = serve(broken)
    urls["acme/gone"] = f"file://{tmp_path}/srv/acme/gone"
    return urls


def url_file(tmp_path: Path, urls: dict[str, str]) -> Path:
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(u + "\n" for u in urls.values()))
    return listing


def run(tmp_path: Path, listing: Path, store: Path, **kw):
    kw.setdefault("scan", fake_scan)
    kw.setdefault("progress", False)
    return sweep_command(urls=listing, store_path=store, cache_dir=tmp_path / "cache",
                         echo=lambda line: None, **kw)


def test_errors_are_recorded_and_the_sweep_goes_on(org: dict[str, str], tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    summary = run(tmp_path, url_file(tmp_path, org), store, jobs=2)
    assert (summary.selected, summary.ok, summary.error, summary.already_done, summary.not_run) == (6, 3, 3, 0, 0)
    assert summary.accounted == summary.selected
    with Store(store) as s:
        rows = {r["repo"]: r for r in s.results(summary.sweep.id)}
        sweep = s.sweep(summary.sweep.id)
    assert sweep.state == "finished" and sweep.finished_at and sweep.total == 6
    assert "empty" in rows["acme/empty"]["error"]
    assert rows["acme/broken"]["status"] == "error" and rows["acme/broken"]["error"]
    assert "clone failed" in rows["acme/gone"]["error"]
    assert rows["acme/svc-0"]["score"] == 100.0 and rows["acme/svc-2"]["score"] == 40.0
    assert rows["acme/svc-1"]["team"] == "@acme/team-1"
    assert rows["acme/svc-2"]["failing"] == ["readme.present"]
    assert rows["acme/svc-0"]["report"]["repository"]["name"] == "acme/svc-0"


def test_clones_are_bare_blobless_and_refetched_on_rerun(org: dict[str, str], tmp_path: Path, make_repo) -> None:
    good = {k: v for k, v in org.items() if k.startswith("acme/svc")}
    run(tmp_path, url_file(tmp_path, good), tmp_path / "a.db")
    clones = sorted((tmp_path / "cache").glob("*.git"))
    assert len(clones) == 3
    for clone in clones:
        assert git(clone, "rev-parse", "--is-bare-repository").strip() == "true"
        assert git(clone, "config", "remote.origin.partialclonefilter").strip() == "blob:none"
        missing = git(clone, "rev-list", "--objects", "--all", "--missing=print")
        assert "?" in missing  # src/main.py was never read, so its blob was never fetched
    # a new commit upstream is seen by the next sweep (fetch, not a new clone)
    upstream = Path(good["acme/svc-2"].removeprefix("file://"))
    (upstream / "README.md").write_text("# now documented\n")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "docs")
    summary = run(tmp_path, url_file(tmp_path, good), tmp_path / "b.db")
    with Store(tmp_path / "b.db") as s:
        rows = {r["repo"]: r for r in s.results(summary.sweep.id)}
    assert rows["acme/svc-2"]["score"] == 100.0
    assert len(list((tmp_path / "cache").glob("*.git"))) == 3


def test_directory_source_reads_clones_in_place(make_repo, tmp_path: Path) -> None:
    make_repo({"README.md": "x"}, name="clones/ok")
    make_repo(name="clones/empty", commit=False)
    bad = tmp_path / "clones" / "bad"
    bad.mkdir()
    (bad / ".git").write_text("gitdir: /nowhere\n")
    summary = sweep_command(directory=tmp_path / "clones", store_path=tmp_path / "s.db", scan=fake_scan,
                            progress=False, echo=lambda line: None)
    assert (summary.selected, summary.ok, summary.error) == (3, 1, 2)


def test_interrupted_sweep_resumes_with_only_the_rest(org: dict[str, str], tmp_path: Path) -> None:
    good = {k: v for k, v in org.items() if k.startswith("acme/svc")}
    listing, store = url_file(tmp_path, good), tmp_path / "s.db"

    def interrupt_after_two(row: dict) -> None:
        seen.append(row["repo"])
        if len(seen) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, between two results

    seen: list[str] = []
    first = run(tmp_path, listing, store, jobs=1, on_result=interrupt_after_two)
    assert first.interrupted and (first.ok, first.not_run) == (2, 1)
    with Store(store) as s:
        assert s.sweep(first.sweep.id).state == "interrupted"
        assert len(s.results(first.sweep.id)) == 2  # nothing already written was lost

    scanned: list[str] = []
    second = run(tmp_path, listing, store, jobs=2, on_result=lambda row: scanned.append(row["repo"]))
    assert second.resumed and second.sweep.id == first.sweep.id
    assert (second.already_done, second.ok, second.not_run) == (2, 1, 0)
    assert scanned == sorted(set(good) - set(seen))
    assert second.sweep.state == "finished"
    # a finished sweep is not resumed: the next run is a new sweep
    third = run(tmp_path, listing, store)
    assert not third.resumed and third.sweep.id != first.sweep.id and third.ok == 3


def troublesome_scan(snapshot, policy_ref):
    """`slow` starts a long-running child (as git would) and hangs; `crash` kills its worker."""
    if snapshot.name == "slow":
        child = subprocess.Popen(["sleep", "60"])
        Path(os.environ["SWEEP_TEST_PIDFILE"]).write_text(str(child.pid))
        time.sleep(60)
    if snapshot.name == "crash":
        os._exit(3)
    return fake_scan(snapshot, policy_ref)


def test_timeouts_and_dead_workers_are_errors_and_the_sweep_goes_on(make_repo, tmp_path: Path,
                                                                    monkeypatch) -> None:
    monkeypatch.setenv("SWEEP_TEST_PIDFILE", str(tmp_path / "pid"))
    for name in ("crash", "fine-1", "fine-2", "slow", "zz-last"):
        make_repo({"README.md": "x"}, name=f"clones/{name}")
    started = time.monotonic()
    summary = sweep_command(directory=tmp_path / "clones", store_path=tmp_path / "s.db", jobs=1,
                            scan=troublesome_scan, timeout=1.5, progress=False, echo=lambda line: None)
    assert time.monotonic() - started < 20
    assert (summary.ok, summary.error, summary.not_run) == (3, 2, 0)
    errors = dict(summary.errors)
    assert errors["crash"] == "the worker died (exit code 3)"
    assert errors["slow"] == "timed out after 1.5 s (see --timeout)"
    pid = int((tmp_path / "pid").read_text())
    time.sleep(0.2)
    assert not alive(pid)  # the worker's git-like child was killed with it


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for a reaper that may never come."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_org_source_end_to_end_with_shards_and_merge(org: dict[str, str], tmp_path: Path) -> None:
    items = [repo_item(name, url) for name, url in org.items()]
    items.append(repo_item("acme/archived", org["acme/svc-0"], archived=True))
    stores = []
    with FakeGitHub({"/orgs/acme/repos": items}, per_page=3) as api:
        for k in (1, 2, 3):
            store = tmp_path / f"shard-{k}.db"
            summary = sweep_command(org="acme", api_url=api.url, store_path=store, shard=f"{k}/3",
                                    cache_dir=tmp_path / "cache", scan=fake_scan, progress=False,
                                    echo=lambda line: None, run_id="run-7")
            assert summary.sweep.shard == f"{k}/3"
            stores.append(store)
    merged = tmp_path / "merged.db"
    assert merge_command(merged, stores) == 0
    assert merge_command(merged, stores) == 0  # idempotent
    with Store(merged) as s:
        sweeps = s.sweeps()
        assert len(sweeps) == 1 and sweeps[0].shards == ("1/3", "2/3", "3/3")
        assert sweeps[0].state == "finished" and sweeps[0].total == 6
        assert sorted(r["repo"] for r in s.results(sweeps[0].id)) == sorted(org)


def test_report_json_and_csv_of_the_latest_sweep(org: dict[str, str], tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.db"
    run(tmp_path, url_file(tmp_path, {k: org[k] for k in ("acme/svc-0", "acme/gone")}), store)
    run(tmp_path, url_file(tmp_path, org), store)  # a different source: the latest sweep
    assert report_command(store_path=store, fmt="json") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["repositories"]
    assert [r["name"] for r in data["repositories"]] == sorted(org)
    gone = next(r for r in data["repositories"] if r["name"] == "acme/gone")
    assert gone["status"] == "error" and gone["score"] is None and "clone failed" in gone["error"]
    ok = next(r for r in data["repositories"] if r["name"] == "acme/svc-0")
    assert ok == {"name": "acme/svc-0", "score": 100.0, "level": 2, "passed": True, "status": "ok", "error": None}
    out = tmp_path / "out" / "r.csv"
    assert report_command(store_path=store, fmt="csv", output=out) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("name,status,error,score,level,passed,policy,team,")
    assert len(lines) == 1 + len(org)


def start_cli_sweep(tmp_path: Path, repos: int) -> tuple[subprocess.Popen, Path]:
    import sys

    for i in range(repos):
        make = tmp_path / "clones" / f"r{i:02d}"
        make.mkdir(parents=True)
        git(make, "init", "-q", "-b", "main")
        (make / "README.md").write_text(f"# repo {i}\n")
        git(make, "add", "-A")
        git(make, "commit", "-qm", "init")
    store = tmp_path / "s.db"
    cmd = [sys.executable, "-c", "from standards_check.cli import main; main()", "sweep",
           "--dir", str(tmp_path / "clones"), "--store", str(store), "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    return proc, store


def wait_for_results(proc: subprocess.Popen, store: Path, k: int) -> int:
    import sqlite3

    written, deadline = 0, time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if store.exists():
            try:
                with sqlite3.connect(store) as db:
                    written = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:
                written = 0
        if written >= k:
            break
        time.sleep(0.02)
    return written


def test_a_killed_sweep_loses_nothing_written_and_resumes(tmp_path: Path) -> None:
    """SIGKILL the whole sweep (no chance to clean up) after a few results; rerun finishes it."""
    import signal

    proc, store = start_cli_sweep(tmp_path, 12)
    written = wait_for_results(proc, store, 3)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    if written < 3 or written >= 12:
        pytest.skip("the sweep finished before it could be killed")
    with Store(store) as s:
        sweep = s.latest_sweep()
        kept = s.done_repos(sweep.id)
    assert sweep.state == "running" and len(kept) >= written  # nothing committed was lost
    summary = sweep_command(directory=tmp_path / "clones", store_path=store, progress=False,
                            echo=lambda line: None)
    assert summary.resumed and summary.already_done == len(kept)
    assert summary.ok == 12 - len(kept) and summary.sweep.state == "finished"


def test_sigterm_stops_the_sweep_like_ctrl_c(tmp_path: Path) -> None:
    import signal

    proc, store = start_cli_sweep(tmp_path, 12)
    written = wait_for_results(proc, store, 2)
    if proc.poll() is not None or written >= 12:
        pytest.skip("the sweep finished before it could be stopped")
    proc.send_signal(signal.SIGTERM)  # the sweep process only, as a CI runner cancelling would
    assert proc.wait(30) == 130
    with Store(store) as s:
        sweep = s.latest_sweep()
        assert sweep.state == "interrupted" and len(s.done_repos(sweep.id)) >= 2
    time.sleep(0.2)
    ps = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-s", str(proc.pid)], capture_output=True, text=True)
    running = [line for line in ps.stdout.splitlines() if line.split()[1][0] != "Z"]
    assert running == []  # no worker or git process of that session left running
