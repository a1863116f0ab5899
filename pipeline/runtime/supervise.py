"""A time budget per document: documents run in worker processes that are replaced when one overruns.

A stage can take very long on a pathological text, inside Python or inside a C library (a regular
expression, the CRF), where nothing in the same process can interrupt it. So the budget is kept from
outside: each worker process handles one document at a time, the parent waits for its answer at most
``timeout`` seconds, and a worker that overruns is killed and replaced by a fresh one (forked from
the parent, which has the pipeline loaded already, so a replacement costs milliseconds). The
document becomes an error, "timeout after N s"; every other document goes on. A worker that dies
(killed by the system, a crash in a C library) is replaced the same way and its document reported.

:func:`run_supervised` yields ``(item, outcome)`` pairs **in input order**, whatever the number of
workers; ``outcome`` is what ``handler(item)`` returned in the worker, or a :class:`WorkerFailure`.
Workers are forked (``os.fork``: Linux, macOS): the handler needs no pickling, only the items and
outcomes travel between processes.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class WorkerFailure:
    """Why a worker gave no outcome for an item: its time budget ran out, or the process died."""

    reason: str


class DocumentTimeout(RuntimeError):
    """A document that did not finish within its time budget (Python API: ``nlp.pipe(doc_timeout=...)``)."""


def fork_available() -> bool:
    return hasattr(os, "fork")


def _serve(conn, handler: Callable[[Any], Any]) -> None:
    """The worker's loop: an item in, its outcome out, until the parent sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        try:
            conn.send(handler(msg))
        except (BrokenPipeError, OSError):
            break


class _Worker:
    """One forked worker process and the item it is working on.

    Forked with ``os.fork`` rather than ``multiprocessing.Process``, so that a worker can also be
    started from a daemonic process (a Dask worker); the child only ever runs :func:`_serve`.
    """

    def __init__(self, handler: Callable[[Any], Any]) -> None:
        self.conn, child = mp.Pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            status = 0
            try:
                self.conn.close()
                _serve(child, handler)
            except BaseException:  # noqa: BLE001 - the parent sees the worker die and reports the item
                status = 1
            finally:
                os._exit(status)
        child.close()
        self.seq: int | None = None
        self.item: Any = None
        self.started = 0.0

    def give(self, seq: int, item: Any) -> None:
        self.seq, self.item, self.started = seq, item, time.monotonic()
        self.conn.send(item)

    def exit_status(self) -> int | None:
        """The child's exit status once it has ended (negative: the signal that ended it)."""
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if pid == 0:
            return None
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def stop(self, kill: bool = False) -> None:
        if self.pid:
            if kill:
                os.kill(self.pid, signal.SIGKILL)
            else:
                try:
                    self.conn.send(None)
                except (BrokenPipeError, OSError):
                    os.kill(self.pid, signal.SIGKILL)
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0
        self.conn.close()


def run_supervised(items: Iterable[Any], handler: Callable[[Any], Any], workers: int = 1,
                   timeout: float = 0, max_buffered: int | None = None) -> Iterator[tuple[Any, Any]]:
    """Run ``handler`` on each item in ``workers`` forked processes, each item within ``timeout``
    seconds (0: no limit), and yield ``(item, outcome)`` in input order.

    At most ``max_buffered`` finished outcomes wait for an earlier, slower item (then new items wait),
    so memory stays bounded however long one item takes.
    """
    workers = max(1, workers)
    max_buffered = max_buffered or 64 * workers
    pool = [_Worker(handler) for _ in range(workers)]
    source = enumerate(items)
    exhausted = False
    done: dict[int, tuple[Any, Any]] = {}
    next_out = 0
    waiting: deque[tuple[int, Any]] = deque()
    try:
        while True:
            # hand items to idle workers while the reorder buffer has room
            for w in pool:
                if w.seq is None and len(done) < max_buffered:
                    if not waiting and not exhausted:
                        try:
                            waiting.append(next(source))
                        except StopIteration:
                            exhausted = True
                    if waiting:
                        w.give(*waiting.popleft())
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            busy = [w for w in pool if w.seq is not None]
            if not busy:
                if exhausted and not waiting:
                    return
                continue
            wait_for = None
            if timeout > 0:
                now = time.monotonic()
                wait_for = max(0.0, min(w.started + timeout - now for w in busy))
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for i, w in enumerate(pool):
                if w.seq is None:
                    continue
                if w.conn in ready:
                    try:
                        outcome = w.conn.recv()
                    except (EOFError, OSError):
                        time.sleep(0.05)
                        outcome = WorkerFailure(f"the worker process died (exit status {w.exit_status()})")
                        done[w.seq] = (w.item, outcome)
                        w.stop(kill=True)
                        pool[i] = _Worker(handler)
                        continue
                    done[w.seq] = (w.item, outcome)
                    w.seq, w.item = None, None
                elif timeout > 0 and time.monotonic() - w.started >= timeout:
                    done[w.seq] = (w.item, WorkerFailure(f"timeout after {timeout:g} s"))
                    w.stop(kill=True)
                    pool[i] = _Worker(handler)
    finally:
        for w in pool:
            w.stop(kill=w.seq is not None)
