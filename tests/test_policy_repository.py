"""Policies from a git repository: `git+URL@REF#NAME[@VERSION]`, over file:// and a loopback git daemon."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from standards_check import policysource
from tests.cli_helpers import results_by_check, run_cli
from tests.conftest import GIT_ENV, commit_all, git, write_files
from tests.git_http_server import GitHttpServer
from tests.github_fake import github, openapi  # noqa: F401 - fixtures

HEADER = "apiVersion: standards-check/v1\nkind: Policy\n"


def policy_text(name: str, version: str, body: str) -> str:
    return HEADER + f"metadata: {{name: {name}, version: {version}}}\n" + body


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A fresh cache directory and a fresh process memo of resolved refs for every test."""
    monkeypatch.setenv("STANDARDS_CHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(policysource, "_resolved", {})
    monkeypatch.setattr(policysource, "_tokens", {})
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return tmp_path / "cache"


@pytest.fixture
def policy_repo(make_repo):
    repo = make_repo({
        "policies/svc/1.0.0.yaml": policy_text("svc", "1.0.0", "extends: baseline@1\n"
                                               "rules:\n  - {check: readme.present, weight: 3}\n"),
        "policies/svc/1.1.0.yaml": policy_text("svc", "1.1.0", "extends: ../../shared/base.yaml\n"
                                               "rules:\n  - {check: readme.present, weight: 4}\n"),
        "shared/base.yaml": policy_text("base", "0.1.0", "rules:\n  - {check: readme.present}\n"
                                        "  - {check: license.present}\n"),
        "policies/custom/1.0.0.yaml": policy_text(
            "custom", "1.0.0",
            "checks:\n  - {id: acme.runbook, title: Runbook, category: knowledge, type: file_exists,\n"
            "     params: {globs: [RUNBOOK.md]}}\n"
            "rules:\n  - {check: acme.runbook}\n"),
    }, name="standards")
    git(repo, "tag", "v1")
    return repo


@pytest.fixture
def target(make_repo):
    return make_repo({"README.md": "# svc\n\nA service that does one thing well.\n"}, name="svc-repo")


def scan(target: Path, ref: str, *args: str):
    result = run_cli("scan", str(target), "--policy", ref, "--format", "json", *args)
    return result


def report_of(result) -> dict:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_file_url_tag_resolves_name_and_records_source_and_commit(policy_repo, target):
    commit = git(policy_repo, "rev-parse", "HEAD").strip()
    report = report_of(scan(target, f"git+file://{policy_repo}@v1#svc@1.0"))
    assert report["policy"] == {"name": "svc", "version": "1.0.0", "source": f"file://{policy_repo}",
                                "commit": commit}
    assert results_by_check(report)["readme.present"]["weight"] == 3
    assert "codeowners.present" in results_by_check(report)  # from the bundled baseline it extends


def test_highest_version_and_relative_extends_inside_the_repository(policy_repo, target):
    report = report_of(scan(target, f"git+file://{policy_repo}@main#svc"))
    assert report["policy"]["version"] == "1.1.0"
    assert set(results_by_check(report)) == {"readme.present", "license.present"}
    assert results_by_check(report)["readme.present"]["weight"] == 4


def test_declarative_checks_of_the_policy_repository(policy_repo, target):
    report = report_of(scan(target, f"git+file://{policy_repo}@v1#custom"))
    assert results_by_check(report)["acme.runbook"]["status"] == "fail"
    write_files(target, {"RUNBOOK.md": "# Runbook\n"})
    commit_all(target)
    report = report_of(scan(target, f"git+file://{policy_repo}@v1#custom"))
    assert results_by_check(report)["acme.runbook"]["status"] == "pass"


def test_standards_yml_names_a_git_policy(policy_repo, target, monkeypatch):
    write_files(target, {".standards.yml": f"policy: git+file://{policy_repo}@v1#svc@1.0.0\n"})
    commit_all(target)
    # .standards.yml is the scanned repository's word: a file:// source only where the trusted side allows it
    refused = run_cli("scan", str(target), "--format", "json")
    assert refused.exit_code == 2 and "may name a git+ policy over https only" in refused.stderr
    monkeypatch.setenv("STANDARDS_CHECK_POLICY_SOURCES", f"https://example.invalid/, file://{policy_repo}")
    report = report_of(run_cli("scan", str(target), "--format", "json"))
    assert (report["policy"]["name"], report["policy"]["source"]) == ("svc", f"file://{policy_repo}")
    monkeypatch.setenv("STANDARDS_CHECK_POLICY_SOURCES", "https://example.invalid/")
    refused = run_cli("scan", str(target), "--format", "json")
    assert refused.exit_code == 2 and "is not from a source STANDARDS_CHECK_POLICY_SOURCES allows" in refused.stderr
    # the trusted command line may name any source
    assert report_of(scan(target, f"git+file://{policy_repo}@v1#svc@1.0"))["policy"]["name"] == "svc"


def test_policy_show_resolves_a_git_reference(policy_repo):
    result = run_cli("policy", "show", f"git+file://{policy_repo}@v1#svc@1.0")
    assert result.exit_code == 0, result.output
    assert "resolved_from:\n- svc@1.0.0\n- baseline@1" in result.output


def test_moved_tag_is_re_resolved(policy_repo, target, cache):
    ref = f"git+file://{policy_repo}@v1#svc@1.0"
    first = report_of(scan(target, ref))["policy"]["commit"]
    write_files(policy_repo, {"policies/svc/1.0.0.yaml": policy_text(
        "svc", "1.0.0", "rules:\n  - {check: readme.present, weight: 7}\n")})
    second_commit = commit_all(policy_repo, "tighten")
    git(policy_repo, "tag", "-f", "v1")
    policysource._resolved.clear()  # a new run
    report = report_of(scan(target, ref))
    assert first != second_commit and report["policy"]["commit"] == second_commit
    assert results_by_check(report) .keys() == {"readme.present"}
    assert results_by_check(report)["readme.present"]["weight"] == 7


def test_commit_sha_from_the_cache_needs_no_network_and_branch_falls_back_with_a_warning(
        policy_repo, target, tmp_path):
    served = tmp_path / "served.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(policy_repo), str(served)], check=True,
                   env={**os.environ, **GIT_ENV})
    commit = git(policy_repo, "rev-parse", "HEAD").strip()
    assert report_of(scan(target, f"git+file://{served}@main#svc"))["policy"]["commit"] == commit
    assert report_of(scan(target, f"git+file://{served}@{commit}#svc"))["policy"]["commit"] == commit
    shutil.rmtree(served)  # the URL is unreachable from now on
    policysource._resolved.clear()
    by_sha = scan(target, f"git+file://{served}@{commit}#svc@1.0")
    assert report_of(by_sha)["policy"]["commit"] == commit
    assert "warning" not in by_sha.stderr
    by_branch = scan(target, f"git+file://{served}@main#svc")
    report = report_of(by_branch)
    assert report["policy"]["commit"] == commit
    assert f"warning: policy repository file://{served} is unreachable" in by_branch.stderr
    assert f"using main as cached at commit {commit}" in by_branch.stderr
    assert any("is unreachable" in w for w in report["warnings"])


def test_extends_across_repositories_and_a_cycle_between_them(make_repo, target):
    other = make_repo({"policies/base/1.0.0.yaml": policy_text(
        "base", "1.0.0", "rules:\n  - {check: license.present, weight: 2}\n")}, name="other")
    git(other, "tag", "v1")
    first = make_repo({"policies/top/1.0.0.yaml": policy_text(
        "top", "1.0.0", f"extends: git+file://{other}@v1#base\nrules:\n  - {{check: readme.present}}\n")},
        name="first")
    report = report_of(scan(target, f"git+file://{first}@main#top"))
    assert set(results_by_check(report)) == {"readme.present", "license.present"}
    assert report["policy"]["source"] == f"file://{first}"

    write_files(other, {"policies/base/1.0.0.yaml": policy_text(
        "base", "1.0.0", f"extends: git+file://{first}@main#top\nrules: []\n")})
    commit_all(other)
    git(other, "tag", "-f", "v1")
    policysource._resolved.clear()
    result = scan(target, f"git+file://{first}@main#top")
    assert result.exit_code == 2
    assert "policy extends itself in a cycle" in result.stderr
    assert result.stderr.count("\n") == 1


# ---- bad input: one line, exit 2 ------------------------------------------------------------------
@pytest.mark.parametrize("make_ref, message", [
    (lambda repo: "git+file:///nonexistent/standards@v1#svc",
     "cannot reach policy repository file:///nonexistent/standards"),
    (lambda repo: f"git+file://{repo}@v9#svc", "policy repository file://{repo} has no tag, branch or commit 'v9'"),
    (lambda repo: f"git+file://{repo}@v1#nothing",
     "no policy named 'nothing' (policies in file://{repo}@v1: custom, svc)"),
    (lambda repo: f"git+file://{repo}@v1#svc@3", "policy svc@3 does not exist (versions of svc: 1.0.0, 1.1.0)"),
    (lambda repo: f"git+file://{repo}#svc", "names no ref"),
    (lambda repo: f"git+file://{repo}@v1", "names no policy"),
    (lambda repo: "git+ext::sh -c touch% /tmp/pwned@v1#svc", "not a usable git policy reference"),
])
def test_bad_references(policy_repo, target, make_ref, message):
    result = scan(target, make_ref(policy_repo))
    assert result.exit_code == 2, result.output
    assert message.format(repo=policy_repo) in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_malformed_policy_is_placed_inside_the_policy_repository(policy_repo, target):
    write_files(policy_repo, {"policies/svc/2.0.0.yaml": policy_text(
        "svc", "2.0.0", "rules:\n  - {check: readme.present, level: nine}\n")})
    commit_all(policy_repo)
    result = scan(target, f"git+file://{policy_repo}@main#svc@2")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"standards-check: error: git+file://{policy_repo}@main#policies/svc/2.0.0.yaml:5:")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("extends", ["../../../outside.yaml", "/etc/passwd.yaml", "../../missing.yaml"])
def test_extends_path_that_escapes_or_misses(policy_repo, target, extends):
    (policy_repo.parent / "outside.yaml").write_text(policy_text("outside", "1.0.0", "rules: []\n"))
    write_files(policy_repo, {"policies/svc/2.0.0.yaml": policy_text(
        "svc", "2.0.0", f"extends: {extends}\nrules: []\n")})
    commit_all(policy_repo)
    result = scan(target, f"git+file://{policy_repo}@main#svc@2")
    assert result.exit_code == 2
    where = f"git+file://{policy_repo}@main#policies/svc/2.0.0.yaml:4:10: extends: "
    expected = ("policy file not found" if extends.endswith("missing.yaml")
                else f"{extends!r} is outside the policy repository")
    assert result.stderr.startswith(f"standards-check: error: {where}"), result.stderr
    assert expected in result.stderr and result.stderr.count("\n") == 1


def test_credentials_never_appear_in_errors_or_cache_paths(target, cache):
    result = scan(target, "git+https://robot:s3cr3t-token@127.0.0.1:9/acme/standards@v1#svc")
    assert result.exit_code == 2
    assert "s3cr3t" not in result.output and "robot" not in result.output
    assert "cannot reach policy repository https://127.0.0.1:9/acme/standards" in result.stderr
    assert not any("s3cr3t" in str(p) for p in cache.rglob("*"))


@pytest.mark.parametrize("url, shown", [
    ("https://user:tok@host.example/a/b", "https://host.example/a/b"),
    ("https://tok@host.example/a/b", "https://host.example/a/b"),
    ("ssh://git@host.example/a/b", "ssh://host.example/a/b"),
    ("git@host.example:a/b", "git@host.example:a/b"),
    ("file:///srv/a", "file:///srv/a"),
])
def test_redact(url, shown):
    assert policysource.redact(url) == shown


@pytest.mark.parametrize("text, url, ref, name", [
    ("git+https://github.com/acme/standards@v2.3.0#production-service@2",
     "https://github.com/acme/standards", "v2.3.0", "production-service@2"),
    ("git+git@github.com:acme/standards@main#svc", "git@github.com:acme/standards", "main", "svc"),
    ("git+https://u:p@h/x@0123456789abcdef0123456789abcdef01234567#a@1.2.3",
     "https://u:p@h/x", "0123456789abcdef0123456789abcdef01234567", "a@1.2.3"),
])
def test_parse(text, url, ref, name):
    assert policysource.parse(text) == policysource.GitPolicyRef(url, ref, name)


# ---- a loopback git server ------------------------------------------------------------------------
@pytest.fixture
def git_daemon(tmp_path):
    """`git daemon` serving tmp_path/served on 127.0.0.1 at a free port; yields (base URL, base dir)."""
    base = tmp_path / "served"
    base.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        ["git", "daemon", f"--base-path={base}", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
         f"--port={port}", str(base)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **GIT_ENV})
    url = f"git://127.0.0.1:{port}"
    try:
        yield url, base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def wait_until_served(url: str) -> None:
    for _ in range(200):
        done = subprocess.run(["git", "ls-remote", url], capture_output=True, env={**os.environ, **GIT_ENV})
        if done.returncode == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"git daemon did not serve {url}")


def test_git_daemon_fetch_then_offline_from_the_cache(policy_repo, target, git_daemon):
    url, base, proc = git_daemon
    subprocess.run(["git", "clone", "-q", "--bare", str(policy_repo), str(base / "standards.git")],
                   check=True, env={**os.environ, **GIT_ENV})
    wait_until_served(f"{url}/standards.git")
    commit = git(policy_repo, "rev-parse", "HEAD").strip()
    report = report_of(scan(target, f"git+{url}/standards.git@v1#svc@1.0"))
    assert (report["policy"]["source"], report["policy"]["commit"]) == (f"{url}/standards.git", commit)
    unknown = scan(target, f"git+{url}/standards.git@v404#svc")
    assert unknown.exit_code == 2 and "has no tag, branch or commit 'v404'" in unknown.stderr

    proc.terminate()
    proc.wait(timeout=10)
    policysource._resolved.clear()
    offline = scan(target, f"git+{url}/standards.git@v1#svc@1.0")
    assert report_of(offline)["policy"]["commit"] == commit
    assert "is unreachable" in offline.stderr
    never_fetched = scan(target, f"git+{url}/standards.git@main#svc@1.0")
    assert never_fetched.exit_code == 2
    assert f"cannot reach policy repository {url}/standards.git" in never_fetched.stderr


# ---- smart HTTP with credentials -----------------------------------------------------------------
TOKEN = "ghs_tok3n_n3ver_sh0wn"


@pytest.fixture
def http_server(policy_repo, tmp_path):
    root = tmp_path / "http"
    root.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(policy_repo), str(root / "standards.git")],
                   check=True, env={**os.environ, **GIT_ENV})
    with GitHttpServer(root, token=TOKEN) as server:
        yield server


def no_token_anywhere(result, cache: Path) -> None:
    assert TOKEN not in result.output
    for path in cache.rglob("*"):
        assert TOKEN not in str(path)
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_http_url_with_credentials_works_and_never_shows_them(http_server, policy_repo, target, cache):
    url = http_server.url.replace("http://", f"http://x-access-token:{TOKEN}@") + "/standards.git"
    result = scan(target, f"git+{url}@v1#svc@1.0")
    report = report_of(result)
    assert report["policy"]["source"] == f"{http_server.url}/standards.git"
    assert report["policy"]["commit"] == git(policy_repo, "rev-parse", "v1^{commit}").strip()
    no_token_anywhere(result, cache)


def test_http_without_credentials_is_one_line_without_a_prompt(http_server, target, cache):
    result = scan(target, f"git+{http_server.url}/standards.git@v1#svc")
    assert result.exit_code == 2
    assert f"cannot reach policy repository {http_server.url}/standards.git" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_actions_token_reaches_the_server_in_a_header_not_on_a_command_line(http_server, target, cache):
    policysource.use_token(http_server.url, TOKEN)
    result = scan(target, f"git+{http_server.url}/standards.git@v1#svc@1.0")
    assert report_of(result)["policy"]["source"] == f"{http_server.url}/standards.git"
    assert any(a.startswith("basic ") or a.startswith("Basic ") for a in http_server.authorizations)
    no_token_anywhere(result, cache)


def test_concurrent_runs_share_a_cold_cache(policy_repo, target, cache):
    """CI jobs sharing the cache: four processes resolve the same reference at once."""
    import sys

    env = {**os.environ, **GIT_ENV, "STANDARDS_CHECK_CACHE": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-m", "standards_check", "scan", str(target), "--format", "json",
                               "--policy", f"git+file://{policy_repo}@v1#svc@1.0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [1] * 4, [err for _, err in outputs]
    commits = {json.loads(out)["policy"]["commit"] for out, _ in outputs}
    assert commits == {git(policy_repo, "rev-parse", "v1^{commit}").strip()}


def test_a_sweep_with_a_credentialed_policy_url_stores_no_credentials(http_server, target, cache, tmp_path):
    sweep_dir = tmp_path / "clones"
    sweep_dir.mkdir()
    shutil.copytree(target, sweep_dir / "svc")
    url = http_server.url.replace("http://", f"http://x-access-token:{TOKEN}@") + "/standards.git"
    store = tmp_path / "sweep.db"
    result = run_cli("sweep", "--dir", str(sweep_dir), "--store", str(store), "--jobs", "1", "--no-progress",
                     "--policy", f"git+{url}@v1#svc@1.0")
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    data = store.read_bytes()
    assert TOKEN.encode() not in data and b"x-access-token" not in data
    assert f"git+{http_server.url}/standards.git@v1#svc@1.0".encode() in data
    report = run_cli("report", "--store", str(store), "--format", "json")
    assert report.exit_code == 0 and TOKEN not in report.output
    import sqlite3

    with sqlite3.connect(store) as db:
        assert db.execute("SELECT policy FROM results").fetchall() == [("svc@1.0.0",)]


# ---- the Action -------------------------------------------------------------------------------------
@pytest.mark.parametrize("credentials_in_url", [False, True])
def test_ci_reads_a_private_policy_repository_and_never_shows_the_token(
        credentials_in_url, policy_repo, tmp_path, make_repo, github, cache):
    """Without credentials in the URL the Action's token reaches the workflow's own server; with
    them, the URL's. Either way the comment, the summary, the outputs and the report stay clean."""
    from tests.test_ci import _ours, Run
    from tests.github_fake import TOKEN as ACTION_TOKEN

    root = tmp_path / "http"
    root.mkdir()
    subprocess.run(["git", "clone", "-q", "--bare", str(policy_repo), str(root / "standards.git")],
                   check=True, env={**os.environ, **GIT_ENV})
    with GitHttpServer(root, token=ACTION_TOKEN) as server:
        ci = Run(tmp_path, make_repo, "pull_request", github.url)
        if credentials_in_url:
            url = server.url.replace("http://", f"http://x-access-token:{ACTION_TOKEN}@")
        else:
            url = server.url
            ci.env["GITHUB_SERVER_URL"] = server.url
        ci(policy=f"git+{url}/standards.git@v1#svc@1.0")
    report = ci.report()
    assert (report["policy"]["name"], report["policy"]["source"]) == ("svc", f"{server.url}/standards.git")
    [comment] = _ours(github)
    assert comment["body"].startswith(f"<!-- standards-check:git+{server.url}/standards.git@v1#svc@1.0:. -->")
    assert ACTION_TOKEN not in ci.everything_printed() + json.dumps(report) + comment["body"]


def test_git_daemon_full_sha_into_a_cold_cache(policy_repo, target, git_daemon):
    url, base, _proc = git_daemon
    subprocess.run(["git", "clone", "-q", "--bare", str(policy_repo), str(base / "standards.git")],
                   check=True, env={**os.environ, **GIT_ENV})
    wait_until_served(f"{url}/standards.git")
    commit = git(policy_repo, "rev-parse", "HEAD").strip()
    report = report_of(scan(target, f"git+{url}/standards.git@{commit}#svc@1.0"))
    assert report["policy"]["commit"] == commit
    missing = scan(target, f"git+{url}/standards.git@{'0' * 40}#svc")
    assert missing.exit_code == 2 and f"cannot fetch {'0' * 40} from policy repository" in missing.stderr
