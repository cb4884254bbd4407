"""gitcmd builds every git command line: the neutralising settings are there, and nothing else
in the package starts git on its own (the hostile cases in tests/hostile/test_git.py show why)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from standards_check import gitcmd
from standards_check.errors import UserError

PACKAGE = Path(gitcmd.__file__).resolve().parent


def test_argv_neutralises_the_repository_config() -> None:
    argv = gitcmd.argv("/repo", "ls-files", "-z")
    assert argv[:2] == ["git", "--no-pager"]
    settings = {argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"}
    assert {"core.fsmonitor=false", "core.hooksPath=/dev/null", "log.showSignature=false"} <= settings
    assert argv[-4:] == ["-C", "/repo", "ls-files", "-z"]


def test_log_gets_no_diff_drivers_and_no_signatures() -> None:
    argv = gitcmd.argv("/repo", "log", "-1", "HEAD")
    assert argv[argv.index("log"):] == ["log", "--no-ext-diff", "--no-textconv", "--no-show-signature", "-1", "HEAD"]


def test_transports_are_closed_unless_fetching() -> None:
    assert gitcmd.env()["GIT_ALLOW_PROTOCOL"] == ""
    assert gitcmd.env()["GIT_NO_LAZY_FETCH"] == "1"
    assert "GIT_ALLOW_PROTOCOL" not in gitcmd.env(fetch=True)


@pytest.mark.parametrize("ref", ["-q", "--output=x", "", "a\nb"])
def test_option_like_refs_are_refused(ref: str) -> None:
    with pytest.raises(UserError):
        gitcmd.check_ref(ref)


def test_no_other_module_starts_git_itself() -> None:
    starts = re.compile(r"""[\[(]\s*["']git["']\s*,""")
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if path.name != "gitcmd.py" and starts.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
