"""Run the CLI on hostile input as a separate process, bounded in time and memory.

Every hostile case goes through `run_bounded`: the CLI runs as `python -m standards_check` in its
own process group, under an address-space limit (RLIMIT_AS) and a wall-clock deadline. The result
carries the exit code, both streams as bytes, the elapsed time and the child's peak resident memory,
so a case states its expectation explicitly (`assert_held`) and a hang or a blow-up fails it instead
of stalling the suite.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tests.conftest import GIT_ENV

DEFAULT_SECONDS = 20.0
DEFAULT_MEMORY_MB = 1024  # address space, generous for the interpreter and its libraries
RSS_LIMIT_MB = 400  # what a hostile case may actually keep resident


@dataclass
class Bounded:
    args: list[str]
    returncode: int | None  # None: killed at the deadline
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_rss_mb: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def describe(self) -> str:
        return (f"standards-check {' '.join(self.args)} -> rc={self.returncode} in {self.seconds:.2f}s, "
                f"peak {self.peak_rss_mb:.0f} MB\nstdout: {self.out[-2000:]}\nstderr: {self.err[-3000:]}")


def _limit(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.setsid()


def run_bounded(*args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                seconds: float = DEFAULT_SECONDS, memory_mb: int = DEFAULT_MEMORY_MB,
                stdin: bytes | None = None) -> Bounded:
    """`standards-check ARGS` in a bounded child process."""
    argv = [str(a) for a in args]
    child_env = {**os.environ, **GIT_ENV, "NO_COLOR": "1", **(env or {})}
    child_env.pop("GITHUB_ACTIONS", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "standards_check", *argv], cwd=cwd, env=child_env,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=out, stderr=err, preexec_fn=lambda: _limit(memory_mb))
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        returncode: int | None = None
        usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - start > seconds:
                os.killpg(proc.pid, signal.SIGKILL)
                _, _, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = returncode if returncode is not None else -9  # reaped here, not by Popen
        elapsed = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    peak = usage.ru_maxrss / 1024 if usage is not None else 0.0  # KiB on Linux
    return Bounded(argv, returncode, stdout, stderr, elapsed, peak)


def assert_held(result: Bounded, exit_codes: Sequence[int] = (0, 1), *, seconds: float | None = None,
                traceback_ok: bool = False, rss_mb: float = RSS_LIMIT_MB) -> None:
    """The common expectation: finished in time, within memory, with one of `exit_codes`, and no
    Python traceback (bad input is a clear message, never a crash)."""
    assert not result.timed_out, "timed out: " + result.describe()
    if seconds is not None:
        assert result.seconds <= seconds, "too slow: " + result.describe()
    assert result.peak_rss_mb <= rss_mb, "too much memory: " + result.describe()
    assert result.returncode in exit_codes, "unexpected exit code: " + result.describe()
    if not traceback_ok:
        assert "Traceback (most recent call last)" not in result.err, "crashed: " + result.describe()
        assert "MemoryError" not in result.err, "out of memory: " + result.describe()
