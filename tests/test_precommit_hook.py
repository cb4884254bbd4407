"""The pre-commit hook: `standards-check hook` fails a commit only for what it makes worse.

The CLI is tested directly on real repositories; then pre-commit itself runs it: installed as the
repository's git hook (`repo: local`, `language: system`, so nothing is downloaded) and blocking or
letting through a real `git commit`, and, in the slow suite, from this project's own
`.pre-commit-hooks.yaml` (`language: python`: pre-commit clones the project and pip-installs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import GIT_ENV, commit_all, git, write_files

ROOT = Path(__file__).resolve().parents[1]
# an AWS key ID in the shape the scanner reports (not a real key)
SECRET = 'aws_access_key_id = "AKIAQ3EGRZP5XJ7LMN4T"\n'
README = "# svc\n\nWhat it does and how to run it.\n"


def _refs(repo: Path) -> str:
    return git(repo, "for-each-ref") + git(repo, "rev-parse", "HEAD")


def test_a_staged_secret_fails_and_nothing_is_committed(make_repo):
    repo = make_repo({"README.md": README})
    before = _refs(repo)
    write_files(repo, {"conf.py": SECRET})
    git(repo, "add", "conf.py")
    result = run_cli("hook", str(repo))
    assert result.exit_code == 1, result.output
    assert "1 new failure vs HEAD" in result.output
    assert "FAIL secrets.committed" in result.output and "conf.py:1" in result.output
    assert _refs(repo) == before
    assert git(repo, "diff", "--cached", "--name-only").split() == ["conf.py"]  # the index is untouched


def test_unstaged_and_untracked_changes_do_not_count(make_repo):
    repo = make_repo({"README.md": README, "app.py": "print(1)\n"})
    write_files(repo, {"app.py": SECRET, "new.py": SECRET, "docs/x.md": "more\n"})
    git(repo, "add", "docs/x.md")
    result = run_cli("hook", str(repo))
    assert result.exit_code == 0, result.output
    assert "no new failures vs HEAD" in result.output


def test_existing_failures_do_not_fail_the_hook_though_the_gate_does(make_repo):
    repo = make_repo({"README.md": README})  # no CODEOWNERS, no CI, no licence: the gate fails
    write_files(repo, {"README.md": README + "More.\n"})
    git(repo, "add", "README.md")
    assert run_cli("scan", str(repo)).exit_code == 1
    result = run_cli("hook", str(repo))
    assert result.exit_code == 0, result.output


def test_a_fix_is_reported(make_repo):
    repo = make_repo({"README.md": README})
    write_files(repo, {"CODEOWNERS": "* @acme/team\n"})
    git(repo, "add", "CODEOWNERS")
    result = run_cli("hook", str(repo))
    assert result.exit_code == 0, result.output
    assert "fixed: " in result.output and "codeowners.present" in result.output


def test_the_staged_standards_yml_chooses_the_policy(make_repo):
    repo = make_repo({"README.md": README})
    write_files(repo, {".standards.yml": "policy: production-service@1\n"})
    git(repo, "add", ".standards.yml")
    result = run_cli("hook", str(repo))
    assert "policy production-service@1" in result.output


def test_first_commit_fails_only_on_what_an_empty_repository_passes(make_repo):
    repo = make_repo({"README.md": README}, commit=False)
    git(repo, "add", "README.md")
    result = run_cli("hook", str(repo))
    assert result.exit_code == 0, result.output  # no CODEOWNERS, no CI yet: not the commit's doing
    assert "vs nothing (first commit)" in result.output
    write_files(repo, {"conf.py": SECRET})
    git(repo, "add", "conf.py")
    result = run_cli("hook", str(repo))
    assert result.exit_code == 1 and "FAIL secrets.committed" in result.output


def test_pre_push_compares_the_pushed_commits(make_repo):
    repo = make_repo({"README.md": README})
    base = git(repo, "rev-parse", "HEAD").strip()
    write_files(repo, {"conf.py": SECRET})
    bad = commit_all(repo, "add config")
    env = {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": bad}
    result = run_cli("hook", str(repo), env=env)
    assert result.exit_code == 1 and f"vs {base[:12]}" in result.output
    # a new branch: nothing on the remote, so the empty tree is the base
    result = run_cli("hook", str(repo), env={**env, "PRE_COMMIT_FROM_REF": "0" * 40})
    assert result.exit_code == 1 and "vs nothing" in result.output
    assert run_cli("hook", str(repo), env={**env, "PRE_COMMIT_TO_REF": base}).exit_code == 0


def test_not_a_repository_and_unmerged_paths_are_bad_input(make_repo, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_cli("hook", str(plain))
    assert result.exit_code == 2 and "needs a git repository" in result.output
    repo = make_repo({"f.txt": "a\n"})
    git(repo, "checkout", "-q", "-b", "other")
    write_files(repo, {"f.txt": "b\n"})
    commit_all(repo, "b")
    git(repo, "checkout", "-q", "main")
    write_files(repo, {"f.txt": "c\n"})
    commit_all(repo, "c")
    subprocess.run(["git", "-C", str(repo), "merge", "other"], env={**os.environ, **GIT_ENV}, capture_output=True)
    result = run_cli("hook", str(repo))
    assert result.exit_code == 2 and "cannot read the staged changes" in result.output


def test_the_manifest_is_valid_for_pre_commit():
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---- pre-commit itself -------------------------------------------------------------------------

def _pre_commit_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "PYTHONPATH": str(ROOT / "src"), "PRE_COMMIT_COLOR": "never"}


def _run(repo: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def _installed(repo: Path, env: dict[str, str], config: str) -> None:
    write_files(repo, {".pre-commit-config.yaml": config})
    commit_all(repo, "pre-commit config")
    proc = _run(repo, env, sys.executable, "-m", "pre_commit", "install", "--hook-type", "pre-commit",
                "--hook-type", "pre-push")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _commit_is_blocked_by_new_failures_only(repo: Path, env: dict[str, str]) -> None:
    head = git(repo, "rev-parse", "HEAD")
    write_files(repo, {"conf.py": SECRET})
    git(repo, "add", "conf.py")
    proc = _run(repo, env, "git", "commit", "-m", "add a secret")
    assert proc.returncode != 0
    assert "FAIL secrets.committed" in proc.stdout + proc.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    git(repo, "rm", "-q", "--cached", "conf.py")
    (repo / "conf.py").unlink()

    # `git commit -a` stages into a temporary index (GIT_INDEX_FILE): the hook reads that one
    write_files(repo, {"README.md": README + SECRET})
    proc = _run(repo, env, "git", "commit", "-a", "-m", "secret in the readme")
    assert proc.returncode != 0 and "secrets.committed" in proc.stdout + proc.stderr
    assert git(repo, "rev-parse", "HEAD") == head

    # a harmless change commits, although the repository still fails the baseline gate
    write_files(repo, {"README.md": README + "More.\n"})
    proc = _run(repo, env, "git", "commit", "-a", "-m", "docs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(repo, "rev-parse", "HEAD") != head


def test_pre_commit_runs_a_local_system_hook_on_real_commits(make_repo, tmp_path):
    repo = make_repo({"README.md": README})
    env = _pre_commit_env(tmp_path)
    _installed(repo, env, f"""repos:
  - repo: local
    hooks:
      - id: standards-check
        name: standards-check
        entry: {sys.executable} -m standards_check hook
        language: system
        pass_filenames: false
        always_run: true
        stages: [pre-commit, pre-push]
""")
    _commit_is_blocked_by_new_failures_only(repo, env)
    # pre-commit passes --from-ref/--to-ref to the hook as PRE_COMMIT_FROM_REF/TO_REF
    write_files(repo, {"conf.py": SECRET})
    git(repo, "add", "conf.py")
    git(repo, "commit", "-q", "--no-verify", "-m", "secret, hook skipped")
    bad = git(repo, "rev-parse", "HEAD").strip()
    proc = _run(repo, env, sys.executable, "-m", "pre_commit", "run", "--hook-stage", "pre-push",
                "--from-ref", "HEAD~1", "--to-ref", bad)
    assert proc.returncode == 1 and "secrets.committed" in proc.stdout, proc.stdout + proc.stderr


def _project_clone(tmp_path: Path) -> tuple[Path, str]:
    """This project as a git repository at one commit (the tree as it is now, uncommitted edits included)."""
    project = tmp_path / "standards-check"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "checks", "policies"):
        shutil.copytree(ROOT / name, project / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, project / name)
    git(project, "init", "-q", "-b", "main")
    return project, commit_all(project, "snapshot")


@pytest.mark.slow
def test_pre_commit_installs_and_runs_the_published_hook(make_repo, tmp_path):
    """`language: python`: pre-commit clones the repository at `rev`, pip-installs it into its own
    environment (dependencies from the package index) and runs `standards-check hook`."""
    project, rev = _project_clone(tmp_path)
    repo = make_repo({"README.md": README})
    env = _pre_commit_env(tmp_path)
    env.pop("PYTHONPATH")  # the hook must run from pre-commit's own install, not this tree
    _installed(repo, env, f"""repos:
  - repo: {project.as_uri()}
    rev: {rev}
    hooks:
      - id: standards-check
""")
    _commit_is_blocked_by_new_failures_only(repo, env)
