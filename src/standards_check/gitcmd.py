"""Every git command line the scanner runs, built in one place so that a scanned repository's own
configuration stays data and never becomes a program.

git reads `.git/config` of the repository it runs in, and several keys there name programs that git
runs on its own: `core.fsmonitor` on every index read, hooks (`core.hooksPath`, `.git/hooks/*`,
e.g. `reference-transaction`), `gpg.program` when `log.showSignature` is on, external diff and
textconv drivers, the pager, and, for a partial clone with a missing object, a lazy fetch from the
repository's promisor remote, which runs `core.sshCommand`, `remote.*.uploadpack`, a credential
helper or an `ext::` command. A repository under scan is someone else's content (a pull request's
checkout, a clone in a sweep), so its configuration is not trusted; the user's own global and
system configuration and environment are, and are left alone.

`argv` therefore puts, before every command:

- `--no-pager` and `-c` overrides of the keys that run programs. Command-line `-c` settings beat
  every configuration file, including files the repository `include`s:
  `core.fsmonitor=false`, `core.hooksPath=/dev/null` (no hook is found), `core.pager=cat`,
  `log.showSignature=false`, and `log.mailmap=false` (no format we use shows a mailmapped name,
  and a `.mailmap` that is a FIFO blocked every `git log`);
- for `git log`, `--no-ext-diff --no-textconv --no-show-signature`, so no diff driver runs whatever
  the attributes and configuration say (no other command we run computes a diff);

and `env` sets `GIT_ALLOW_PROTOCOL=` (empty: no transport at all, overriding `protocol.*.allow` in
any configuration) and `GIT_NO_LAZY_FETCH=1`, so reading a missing object of someone else's partial
clone reads as "missing" instead of fetching, and no ssh command, upload-pack or credential helper
of the repository's choosing ever runs. The sweep's own cache of blob-less clones, whose
configuration the sweep wrote itself, passes `fetch=True` to keep transports for its fetches.

Filters (`filter.*.clean/smudge/process`) run only when git hashes or checks out work-tree files;
none of the commands we run do (`ls-files` lists the index and the directory; `cat-file --batch`
prints raw objects). `write-tree` (the pre-commit hook's) would, writing back an index whose entries
are "racily clean", so it runs on a copy of the index dated so that none is (commands/hook.py). `GIT_OPTIONAL_LOCKS=0` keeps commands from refreshing and writing the index.

git opens `.gitignore` files, `.git/info/exclude` and `core.excludesFile` with a plain blocking open:
a FIFO there stops `ls-files` for ever. `communicate` waits for git like `Popen.communicate`, and
stops a git that the kernel shows waiting to open a FIFO (`/proc/PID/wchan` is `wait_for_partner`,
Linux) with a `GitBlocked` error naming the cause. git's stdin is /dev/null unless we feed it, so a
`/dev/stdin` in someone's configuration reads nothing.

Values that come from the user or the repository (a `--ref`, a `--base`) go after
`--end-of-options` where the command takes it (`rev-parse`, `log`), and `check_ref` refuses a value
starting with `-` before it gets that far; paths go after `--`.
"""
from __future__ import annotations

import os
import subprocess

from standards_check.errors import UserError

_POLL_SECONDS = 0.5

SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",        # a program run on every index read
    "core.hooksPath=/dev/null",    # hooks (reference-transaction, post-index-change, ...)
    "core.pager=cat",
    "log.showSignature=false",     # would run gpg.program / gpg.ssh.program on signed commits
    "log.mailmap=false",           # git log would open .mailmap, and a FIFO there blocks it for ever
)
_LOG_FLAGS = ("--no-ext-diff", "--no-textconv", "--no-show-signature")


def argv(cwd: str | os.PathLike[str] | None, *args: str) -> list[str]:
    """`git` with the neutralising options, `-C cwd` (when given) and `args`."""
    command = ["git", "--no-pager"]
    for setting in SAFE_CONFIG:
        command += ["-c", setting]
    if cwd is not None:
        command += ["-C", str(cwd)]
    if args and args[0] == "log":
        return command + ["log", *_LOG_FLAGS, *args[1:]]
    return command + list(args)


def env(fetch: bool = False) -> dict[str, str]:
    """The environment for git: never prompt or page, plain C messages, no optional index writes;
    no transport (so no lazy fetch) unless `fetch` (the sweep's own clones)."""
    result = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C",
              "GIT_OPTIONAL_LOCKS": "0"}
    if fetch:
        result.pop("GIT_NO_LAZY_FETCH", None)
        result.pop("GIT_ALLOW_PROTOCOL", None)
    else:
        result["GIT_ALLOW_PROTOCOL"] = ""  # no transport is allowed, whatever protocol.*.allow says
        result["GIT_NO_LAZY_FETCH"] = "1"
    return result


def no_filters(cwd: str | os.PathLike[str]) -> list[str]:
    """`-c` settings that empty every filter driver the repository's configuration defines
    (`filter.<driver>.clean/smudge/process`, not required). For commands that may hash work-tree
    files to compare them with the index (`diff-files` on a racily clean entry), which would run the
    clean filter. Reading the configuration runs nothing."""
    proc = subprocess.run(argv(cwd, "config", "-z", "--name-only", "--get-regexp", r"^filter\."),
                          stdin=subprocess.DEVNULL, capture_output=True, env=env(), check=False)
    drivers = {key.rsplit(".", 1)[0] for key in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if key}
    settings: list[str] = []
    for driver in sorted(drivers):
        for key in ("clean", "smudge", "process"):
            settings += ["-c", f"{driver}.{key}="]
        settings += ["-c", f"{driver}.required=false"]
    return settings


def check_ref(ref: str, what: str = "ref") -> str:
    """A ref given by the user, refused when git could take it for an option."""
    if not ref or ref.startswith("-") or "\0" in ref or "\n" in ref:
        raise UserError(f"not a git {what}: {ref!r}")
    return ref


class GitBlocked(UserError):
    """git waits to open a FIFO (a named pipe as .gitignore, an excludes file): it never would finish."""


def communicate(proc: subprocess.Popen[bytes], what: str) -> tuple[bytes, bytes]:
    """`proc.communicate()`, except that a git blocked opening a FIFO is killed: GitBlocked."""
    while True:
        try:
            return proc.communicate(timeout=_POLL_SECONDS)
        except subprocess.TimeoutExpired:
            if _waits_for_fifo(proc.pid):
                proc.kill()
                proc.communicate()
                raise GitBlocked(f"{what}: git was waiting to open a named pipe (FIFO), e.g. a .gitignore, "
                                 f".mailmap or excludes file that is a FIFO; stopped") from None


def _waits_for_fifo(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/wchan", encoding="ascii", errors="replace") as handle:
            # not "pipe_wait": older kernels show it for any pipe read or write, e.g. git writing its output
            return handle.read().strip() in ("wait_for_partner", "fifo_open")
    except OSError:
        return False
