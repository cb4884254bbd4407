"""`standards-check hook [PATH]`: the pre-commit hook. Fails only on what the change makes worse.

    standards-check hook [--policy REF] [PATH]

At commit time it compares what is staged with HEAD: it writes the index as a tree (`git
write-tree`, the tree `git commit` is about to record) and wraps it in an unreferenced commit whose
parent is HEAD (`git commit-tree`), then runs diff mode (diff.scan_diff) with HEAD as the base and
that commit as the head. Both sides are read from git objects, so unstaged edits and untracked files
do not count, and the head keeps HEAD's history for the checks that read it. The commit object is
reachable from no ref; `git gc` removes it like any other dangling object. No hook, filter or
program from the repository's configuration runs (gitcmd).

When pre-commit runs it at `pre-push`, it sets PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF: the hook
then compares the commit being pushed (TO_REF) with the one the remote has (FROM_REF). A new
branch has no remote commit (FROM_REF is all zeros) and is compared with the empty tree.

With nothing to compare with (the first commit of a repository, a new branch pushed), the base
is the empty tree, and a failure is new only when the empty tree passed that rule: a committed
secret fails the hook, while the practices a brand-new repository has not set up yet (no
CODEOWNERS, no runbook: rules that fail, or do not apply, on an empty tree) do not. `scan` applies
the policy's gate for those.

Exit 1 when the change adds failures (`diff.new_failures`: rules failing at the head that did not
at the base; rules moved only by dates or history never count), 0 otherwise, whatever the policy's
own gate says; 2 for bad input. It prints a short report: the score change, each new failure
with its message and how to see the fix, the rules fixed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Mapping

import click

from standards_check import gitcmd
from standards_check.errors import UserError
from standards_check.escape import printable
from standards_check.report import DIFF_SKIPPED, POLICY_SOURCE, Report
from standards_check.text import plural

# index entries store 32-bit seconds: an index file dated after 2**32 s sees no entry as racily clean
_AFTER_ANY_INDEX_TIME = 2 ** 33
_NULL_SHA = frozenset({"0" * 40, "0" * 64})
# commit-tree needs an identity; the commit is the hook's own scratch object, never a ref's
_IDENTITY = ("-c", "user.name=standards-check", "-c", "user.email=standards-check@localhost")


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("--policy", "policy_ref", metavar="NAME[@VERSION]|FILE|git+URL@REF#NAME[@VERSION]",
              help="Policy to score against (default: the staged .standards.yml's, else baseline).")
def hook(path: str, policy_ref: str | None) -> None:
    """Pre-commit hook: score the staged changes against HEAD; exit 1 only on new failures."""
    report = hook_report(Path(path), policy_ref, os.environ)
    click.echo(summary(report))
    sys.exit(1 if report.diff and report.diff.new_failures else 0)


def hook_report(root: Path, policy_ref: str | None, environ: Mapping[str, str]) -> Report:
    """The diff-mode report of the change the hook judges (see the module docstring)."""
    from standards_check.diff import scan_diff
    from standards_check.snapshot import GitError, run_git

    if run_git(root, "rev-parse", "--git-dir", check=False).strip() == "":
        raise UserError(f"the hook needs a git repository, and {root} is not one")
    from_ref, to_ref = environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
    try:
        if from_ref and to_ref:  # pre-push: the commits being pushed
            base = _empty_commit(root) if from_ref in _NULL_SHA else from_ref
            return scan_diff(root, base, ref=to_ref, policy_ref=policy_ref, new_only_if_passing=from_ref in _NULL_SHA,
                             base_label="nothing" if from_ref in _NULL_SHA else from_ref[:12])
        head = run_git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).strip()
        tree = _staged_tree(root)
        parents = ("-p", head) if head else ()
        staged = run_git(root, *_IDENTITY, "commit-tree", "--no-gpg-sign", *parents,
                         "-m", "standards-check: staged changes", tree).strip()
        return scan_diff(root, head or _empty_commit(root), ref=staged, policy_ref=policy_ref,
                         new_only_if_passing=not head, base_label="HEAD" if head else "nothing (first commit)")
    except GitError as exc:
        # e.g. write-tree with unmerged paths in the middle of a merge
        raise UserError(f"cannot read the staged changes in {root}: {exc.stderr}") from None


def _staged_tree(root: Path) -> str:
    """The tree the index describes, written as `git commit` would, without touching the index.

    `git write-tree` stores the tree and then writes the index back (to cache the tree), and writing
    an index re-reads every "racily clean" entry (a file modified no earlier than the index was
    written) from the work tree through its clean filter: a program the repository's configuration
    names (`filter.*.clean`). So the index (GIT_INDEX_FILE when git runs us with a temporary one,
    as for `git commit -a`) is copied, the copy's modification time is set past any a file can
    carry in the index (no entry is racy then, nothing is re-read), and write-tree runs on the
    copy. The user's index is never written."""
    from standards_check.snapshot import run_git

    index = Path(run_git(root, "rev-parse", "--path-format=absolute", "--git-path", "index").strip())
    if not index.is_file():  # nothing was ever staged
        return run_git(root, "mktree").strip()
    with tempfile.TemporaryDirectory(prefix="standards-check-index-") as scratch:
        copy = Path(scratch) / "index"
        shutil.copyfile(index, copy)
        try:
            os.utime(copy, (_AFTER_ANY_INDEX_TIME, _AFTER_ANY_INDEX_TIME))
        except (OSError, OverflowError):  # a file system with 32-bit times: the latest it can store
            os.utime(copy, (2 ** 31 - 1, 2 ** 31 - 1))
        proc = subprocess.Popen(gitcmd.argv(root, "write-tree"), env={**gitcmd.env(), "GIT_INDEX_FILE": str(copy)},
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = gitcmd.communicate(proc, f"git write-tree in {root}")
    if proc.returncode != 0:
        # e.g. unmerged paths in the middle of a merge
        raise UserError(f"cannot read the staged changes in {root}: {err.decode('utf-8', 'replace').strip()}")
    return out.decode("ascii", "replace").strip()


def _empty_commit(root: Path) -> str:
    """A commit of the empty tree: the base when there is nothing to compare with."""
    from standards_check.snapshot import run_git

    empty_tree = run_git(root, "mktree").strip()  # stdin is /dev/null: the empty tree, written
    return run_git(root, *_IDENTITY, "commit-tree", "--no-gpg-sign", "-m", "standards-check: empty", empty_tree).strip()


def summary(report: Report) -> str:
    """A few lines for a terminal: the verdict, the new failures and what fixes them."""
    diff = report.diff
    if diff is None:  # scan_diff always fills it for a base it can read
        return "standards-check: nothing to compare with"
    by_check = {r.check: r for r in report.results}
    sign = "+" if diff.score_delta >= 0 else ""
    verdict = (plural(len(diff.new_failures), "new failure")
               if diff.new_failures else "no new failures")
    lines = [f"standards-check: {verdict} vs {diff.base_ref} (score {report.score:g}, {sign}{diff.score_delta:g}; "
             f"policy {report.policy.get('name')}@{report.policy.get('version')})"]
    for check in diff.new_failures:
        result = by_check.get(check)
        message = result.message if result else ""
        lines.append(printable(f"  FAIL {check}: {message}"))
        if result and result.remediation:
            lines.append(printable(f"       fix: {' '.join(result.remediation.split())}"))
    if diff.fixed:
        lines.append(printable(f"  fixed: {', '.join(diff.fixed)}"))
    if diff.new_failures:
        lines.append("  (`standards-check checks explain ID` says more; `SKIP=standards-check git commit` skips the hook)")
    for warning in report.warnings:
        if warning.kind in (DIFF_SKIPPED, POLICY_SOURCE):
            lines.append(printable(f"  warning: {warning.text}"))
    return "\n".join(lines)
