"""Run a sweep: bounded worker processes, per-repository timeouts, progress, resumable results.

`--jobs` worker processes, forked from a parent that has already imported the engine and loaded
the policies, each scan one repository at a time; each is the leader of its own process group,
so a timeout kills the worker together with every git process it started (clone, fetch,
cat-file, lazy blob fetches), and a fresh worker takes its place. Processes, not threads: the
scan is partly CPU-bound Python (YAML, scoring) that threads would serialise on the GIL, a
thread cannot be killed at a deadline, and the engine's caches are not made for threads.
Long-lived workers keep what they load and compile between repositories (forking one per
repository measured 1.8x slower on warm sweeps); each is replaced after MAX_TASKS repositories
so that nothing accumulates. The parent alone writes the store, one transaction per result.
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
from standards_check.text import plural


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
                f" {self.selected} repositories — {self.ok} ok, {plural(self.error, 'error')},"
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


MAX_TASKS = 200


def _worker_main(conn: Connection, opts: WorkerOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setpgid(0, 0)  # our own process group: a timeout kills us and our git children together
    while True:
        spec = conn.recv()
        if spec is None:
            break
        try:
            row = scan_repo(spec, opts)
        except BaseException as exc:  # noqa: BLE001 - report anything rather than die silently
            row = error_row(spec.name, f"internal error: {type(exc).__name__}: {exc}")
        conn.send(row)
    conn.close()


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    tasks: int = 0
    spec: RepoSpec | None = None
    deadline: float = 0.0
    started: float = 0.0


def _spawn(ctx: Any, opts: WorkerOptions) -> _Worker:
    parent_end, child_end = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=_worker_main, args=(child_end, opts), daemon=True)
    proc.start()
    child_end.close()
    return _Worker(proc, parent_end)


def _kill(worker: _Worker) -> None:
    try:
        os.killpg(worker.proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    worker.proc.kill()
    worker.proc.join(5)
    worker.conn.close()


def _retire(worker: _Worker) -> None:
    try:
        worker.conn.send(None)
        worker.proc.join(5)
    except (OSError, ValueError):
        pass
    if worker.proc.is_alive():
        _kill(worker)
    else:
        worker.conn.close()


def run_sweep(store: Store, specs: Iterable[RepoSpec], opts: WorkerOptions, *, source: str,
              policy: str | None = None, policy_map_digest: str | None = None,
              shard: str | None = None, run_id: str | None = None, jobs: int = 2,
              timeout: float = 600.0, progress: bool | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> SweepSummary:
    """Scan every repository not already done in the (resumed) sweep; return the counts."""
    from standards_check import __version__
    from standards_check.policysource import redact_ref

    specs = list(specs)
    sweep, resumed = store.start_or_resume(
        source=source, policy=redact_ref(policy), policy_map=policy_map_digest, tool_version=__version__,
        shard=shard, run_id=run_id, total=len(specs))
    done = store.done_repos(sweep.id)
    todo = deque(s for s in specs if s.name not in done)
    summary = SweepSummary(sweep, resumed, len(specs), already_done=len(specs) - len(todo))
    started = time.monotonic()
    bar = _progress_bar(len(specs), summary.already_done, progress)
    ctx = multiprocessing.get_context("fork")
    workers: list[_Worker] = []

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

    def finish(worker: _Worker, row: dict[str, Any]) -> None:
        worker.spec = None
        if worker.tasks >= MAX_TASKS:  # a fresh process now and then: nothing accumulates
            _retire(worker)
            workers.remove(worker)
        record(row)

    previous_term = _on_sigterm_interrupt()
    try:
        while todo or any(w.spec for w in workers):
            while todo and len(workers) < max(1, jobs):
                workers.append(_spawn(ctx, opts))
            for worker in workers:
                if worker.spec is None and todo:
                    worker.spec = todo.popleft()
                    worker.tasks += 1
                    worker.started = time.monotonic()
                    worker.deadline = worker.started + timeout
                    worker.conn.send(worker.spec)
            busy = {w.conn: w for w in workers if w.spec is not None}
            next_deadline = min(w.deadline for w in busy.values())
            for ready in wait(list(busy), timeout=max(0.0, next_deadline - time.monotonic())):
                worker = busy[cast(Connection, ready)]
                spec = cast(RepoSpec, worker.spec)
                try:
                    row = cast("dict[str, Any]", worker.conn.recv())
                except (EOFError, OSError):
                    worker.proc.join(5)
                    row = error_row(spec.name, f"the worker died (exit code {worker.proc.exitcode})",
                                    worker.started)
                    _kill(worker)
                    workers.remove(worker)
                    worker.spec = None
                    record(row)
                    continue
                finish(worker, row)
            now_ = time.monotonic()
            for worker in [w for w in workers if w.spec is not None and now_ >= w.deadline]:
                spec = cast(RepoSpec, worker.spec)
                _kill(worker)
                workers.remove(worker)
                record(error_row(spec.name, f"timed out after {timeout:g} s (see --timeout)",
                                 worker.started))
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        in_flight = sum(1 for w in workers if w.spec is not None)
        for worker in workers:
            if worker.spec is not None or summary.interrupted:
                _kill(worker)
            else:
                _retire(worker)
        summary.not_run = len(todo) + in_flight
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
