"""Hostile policy repositories and git+ references: nothing runs, nothing leaks, one line and exit 2."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import commit_all, git, write_files
from tests.hostile.harness import assert_held, run_bounded

HEADER = "apiVersion: standards-check/v1\nkind: Policy\n"


def policy(name: str, version: str, body: str = "rules:\n  - {check: readme.present}\n") -> str:
    return HEADER + f"metadata: {{name: {name}, version: {version}}}\n" + body


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"STANDARDS_CHECK_CACHE": str(tmp_path / "cache")}


@pytest.fixture
def target(make_repo) -> Path:
    return make_repo({"README.md": "# x\n"}, name="target")


def one_error_line(result) -> str:
    assert result.err.count("\n") == 1, result.describe()
    return result.err


@pytest.mark.hostile("repo", "policy-repo-deep-extends-chain")
def test_deep_extends_chain(make_repo, target, env):
    files = {f"policies/p{i}/1.0.0.yaml": policy(f"p{i}", "1.0.0", f"extends: ../p{i + 1}/1.0.0.yaml\nrules: []\n")
             for i in range(1500)}
    files["policies/p1500/1.0.0.yaml"] = policy("p1500", "1.0.0")
    repo = make_repo(files, name="deep")
    result = run_bounded("scan", target, "--policy", f"git+file://{repo}@main#p0", env=env, seconds=60)
    assert_held(result, (2,))
    assert "extends" in one_error_line(result) and "deeper than" in result.err


@pytest.mark.hostile("repo", "policy-repo-symlinked-policy-file")
def test_symlinked_policy_file_is_not_followed(make_repo, target, env, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(policy("svc", "1.0.0"))
    repo = make_repo({"README.md": "x"}, name="links")
    (repo / "policies/svc").mkdir(parents=True)
    os.symlink(outside, repo / "policies/svc/1.0.0.yaml")
    commit_all(repo)
    result = run_bounded("scan", target, "--policy", f"git+file://{repo}@main#svc", env=env)
    assert_held(result, (2,))
    assert "no policy named 'svc'" in one_error_line(result)


@pytest.mark.hostile("repo", "policy-repo-ext-transport-in-standards-yml")
def test_ext_transport_never_runs(make_repo, env, tmp_path):
    marker = tmp_path / "pwned"
    repo = make_repo({".standards.yml": f"policy: \"git+ext::sh -c touch% {marker}@v1#svc\"\n",
                      "README.md": "# x\n"}, name="ext")
    result = run_bounded("scan", repo, env=env)
    assert_held(result, (2,))
    assert not marker.exists()
    assert "git policy reference" in one_error_line(result)


@pytest.mark.hostile("repo", "policy-repo-option-injection-in-url-or-ref")
@pytest.mark.parametrize("ref", ["git+--upload-pack=touch {marker}@v1#svc",
                                 "git+file:///x@--upload-pack=id#svc"])
def test_option_injection(target, env, tmp_path, ref):
    marker = tmp_path / "pwned"
    result = run_bounded("scan", target, "--policy", ref.format(marker=marker), env=env)
    assert_held(result, (2,))
    assert not marker.exists()
    assert "not a usable git policy reference" in one_error_line(result)


@pytest.mark.hostile("repo", "policy-repo-credentials-in-standards-yml")
def test_credentials_in_a_repository_config_never_leak(make_repo, env, tmp_path):
    repo = make_repo({".standards.yml": "policy: git+https://bot:ghp_SECRETTOKEN@127.0.0.1:9/acme/std@v1#svc\n",
                      "README.md": "# x\n"}, name="creds")
    result = run_bounded("scan", repo, "--format", "json", env=env)
    assert_held(result, (2,))
    assert "SECRETTOKEN" not in result.err + result.out
    assert "https://127.0.0.1:9/acme/std" in one_error_line(result)
    cache = Path(env["STANDARDS_CHECK_CACHE"])
    assert not any("SECRET" in str(p) or ("SECRET" in p.read_text(errors="replace") if p.is_file() else False)
                   for p in cache.rglob("*"))


@pytest.mark.hostile("repo", "policy-repo-oversized-policy-file")
def test_oversized_policy_file_is_not_read(make_repo, target, env):
    big = policy("svc", "1.0.0", "rules: []\n" + "# padding\n" * 300_000)
    repo = make_repo({"policies/svc/1.0.0.yaml": big}, name="big")
    result = run_bounded("scan", target, "--policy", f"git+file://{repo}@main#svc", env=env)
    assert_held(result, (2,))
    assert "larger than 1 MiB" in one_error_line(result)


@pytest.mark.hostile("repo", "policy-repo-tag-not-a-commit")
def test_tag_naming_a_blob(make_repo, target, env):
    repo = make_repo({"policies/svc/1.0.0.yaml": policy("svc", "1.0.0")}, name="blobtag")
    blob = git(repo, "rev-parse", "HEAD:policies/svc/1.0.0.yaml").strip()
    git(repo, "tag", "v1", blob)
    result = run_bounded("scan", target, "--policy", f"git+file://{repo}@v1#svc", env=env)
    assert_held(result, (2,))
    assert f"policy repository file://{repo}" in one_error_line(result)


@pytest.mark.hostile("repo", "policy-test-case-tree-with-its-own-git-dir")
def test_policy_test_ignores_a_git_directory_in_a_case_tree(tmp_path, env):
    """A case tree carrying .git/config with a clean filter and an fsmonitor: committing the tree
    must not run either (the runner builds its own repository and ignores the tree's .git)."""
    marker = tmp_path / "ran"
    write_files(tmp_path / "d", {
        "tests/evil/expect.yaml": "policy: baseline\nresults: {readme.present: fail}\n",
        "tests/evil/repo/README.md": "# x\n",
        "tests/evil/repo/.gitattributes": "* filter=evil\n",
        "tests/evil/repo/.git/config": f"[filter \"evil\"]\n\tclean = touch {marker}\n\trequired = true\n"
                                       f"[core]\n\tfsmonitor = touch {marker}\n",
    })
    result = run_bounded("policy", "test", tmp_path / "d", env=env)
    assert_held(result, (0,))
    assert not marker.exists()
