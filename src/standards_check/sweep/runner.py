"""Run a sweep: bounded worker processes, per-repository timeouts, progress, resumable results.

Each repository is scanned in its own forked process, leader of its own process group, so a
timeout kills it together with every git child it started (clone, fetch, cat-file, lazy blob
fetches). Processes, not threads: the scan is partly CPU-bound Python (YAML, scoring), which
threads would serialise on the GIL, and a thread cannot be killed at a deadline.
The parent alone writes the store, one transaction per result.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, cast

from standards_check.sweep.sources import RepoSpec
from standards_check.sweep.store import Store, Sweep
from standards_check.sweep.worker import WorkerOptions, error_row, scan_repo


@dataclass
class SweepSummary:
    sweep: Sweep
    resumed: bool
    selected: int
    ok: int = 0
    error: int = 0
    already_done: int = 0
    not_run: int = 0  # left for a rerun after an interruption
    interrupted: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def accounted(self) -> int:
        return self.ok + self.error + self.already_done + self.not_run

    def lines(self) -> list[str]:
        head = (f"{'Interrupted' if self.interrupted else 'Finished'} sweep {self.sweep.id}"
                f"{' (resumed)' if self.resumed else ''} of {self.sweep.source}"
                f"{' shard ' + self.sweep.shard if self.sweep.shard else ''}:"
                f" {self.selected} repositories — {self.ok} ok, {self.error} errors,"
                f" {self.already_done} already done, {self.not_run} not run"
                f" ({self.seconds:.1f} s)")
        out = [head]
        for name, reason in self.errors[:20]:
            out.append(f"  error  {name}: {reason}")
        if len(self.errors) > 20:
            out.append(f"  ... and {len(self.errors) - 20} more errors (see `standards-check report`)")
        if self.interrupted:
            out.append("  Run the same command again to resume; finished repositories are kept.")
        return out


def _child(conn: Connection, spec: RepoSpec, opts: WorkerOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)  # our own process group: a timeout kills us and our git children together
    try:
        row = scan_repo(spec, opts)
    except BaseException as exc:  # noqa: BLE001 - report anything rather than die silently
        row = error_row(spec.name, f"internal error: {type(exc).__name__}: {exc}")
    conn.send(row)
    conn.close()


@dataclass
class _Running:
    proc: Any
    spec: RepoSpec
    deadline: float
    started: float


def _kill(proc: Any) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.kill()
    proc.join(5)


def run_sweep(store: Store, specs: Iterable[RepoSpec], opts: WorkerOptions, *, source: str,
              policy: str | None = None, policy_map_digest: str | None = None,
              shard: str | None = None, run_id: str | None = None, jobs: int = 2,
              timeout: float = 600.0, progress: bool | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> SweepSummary:
    """Scan every repository not already done in the (resumed) sweep; return the counts."""
    from standards_check import __version__

    specs = list(specs)
    sweep, resumed = store.start_or_resume(
        source=source, policy=policy, policy_map=policy_map_digest, tool_version=__version__,
        shard=shard, run_id=run_id, total=len(specs))
    done = store.done_repos(sweep.id)
    todo = deque(s for s in specs if s.name not in done)
    summary = SweepSummary(sweep, resumed, len(specs), already_done=len(specs) - len(todo))
    started = time.monotonic()
    bar = _progress_bar(len(specs), summary.already_done, progress)
    ctx = multiprocessing.get_context("fork")
    running: dict[Connection, _Running] = {}

    def record(row: dict[str, Any]) -> None:
        store.add_result(sweep.id, row)
        if row["status"] == "ok":
            summary.ok += 1
        else:
            summary.error += 1
            summary.errors.append((row["repo"], row.get("error") or ""))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(ok=summary.ok, errors=summary.error, refresh=False)
        if on_result:
            on_result(row)

    previous_term = _on_sigterm_interrupt()
    try:
        while todo or running:
            while todo and len(running) < max(1, jobs):
                spec = todo.popleft()
                parent_end, child_end = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(child_end, spec, opts), daemon=True)
                proc.start()
                child_end.close()
                now_ = time.monotonic()
                running[parent_end] = _Running(proc, spec, now_ + timeout, now_)
            next_deadline = min(r.deadline for r in running.values())
            for ready in wait(list(running), timeout=max(0.0, next_deadline - time.monotonic())):
                conn = cast(Connection, ready)
                job = running.pop(conn)
                try:
                    row = cast("dict[str, Any]", conn.recv())
                except (EOFError, OSError):
                    job.proc.join(5)
                    row = error_row(job.spec.name, f"the worker died (exit code {job.proc.exitcode})",
                                    job.started)
                conn.close()
                job.proc.join(5)
                record(row)
            now_ = time.monotonic()
            for conn, job in list(running.items()):
                if now_ >= job.deadline:
                    del running[conn]
                    _kill(job.proc)
                    conn.close()
                    record(error_row(job.spec.name, f"timed out after {timeout:g} s (see --timeout)",
                                     job.started))
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        for conn, job in running.items():
            _kill(job.proc)
            conn.close()
        summary.not_run = len(todo) + len(running)
        store.finish(sweep.id, "interrupted" if summary.interrupted else "finished")
        summary.sweep = store.sweep(sweep.id)
        summary.seconds = time.monotonic() - started
        if bar is not None:
            bar.close()
    return summary


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _on_sigterm_interrupt() -> Any:
    """Treat SIGTERM (a cancelled CI job) like Ctrl-C: stop, kill workers, mark the sweep resumable."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def _progress_bar(total: int, initial: int, progress: bool | None) -> Any:
    """A tqdm bar with counts and ETA on a terminal only; None when quiet."""
    enabled = sys.stderr.isatty() if progress is None else progress
    if not enabled:
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: we fork workers
    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns >= 20
    except OSError:
        sized = False
    # follow the terminal's width when it has one (a pty may report 0 columns: then 100)
    return tqdm(total=total, initial=initial, unit="repo", desc="sweep", file=sys.stderr,
                dynamic_ncols=sized, ncols=None if sized else 100, nrows=None if sized else 24)
