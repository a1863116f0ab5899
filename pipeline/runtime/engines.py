"""Annotating whole corpora: one process, several worker processes, or a Dask cluster.

Every engine turns a stream of input items (``io.Record`` or ``io.InputError``)
into a stream of results **in input order**, so the output is the same bytes
whatever the engine and the number of workers. Each worker process builds the
pipeline once (``worker_pipeline``) and reuses it for every document.

- ``LocalEngine``: ``workers=1`` without a time budget runs in this process; otherwise
  documents go to worker processes, one at a time each, and a worker that overruns the
  budget (``doc_timeout`` seconds) is replaced (:mod:`pipeline.runtime.supervise`).
- ``DaskEngine``: partitions of documents are sent to a Dask distributed
  cluster (an existing one by address, or a local one); a bounded number of
  partitions is in flight, so a corpus larger than memory streams through.
  The documents travel with the tasks, so the workers need no access to the
  input files, and a task whose worker dies is retried on another worker. With a time
  budget, each task runs its documents in a supervised child of the Dask worker.
"""
from __future__ import annotations

import gc

import os
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from pipeline.runtime.readers import InputError, Record, document_parts
from pipeline.runtime.supervise import WorkerFailure, fork_available, run_supervised


@dataclass(frozen=True)
class Result:
    """What became of one input item: an output line, or an error."""

    key: str
    #: the output JSON line in pieces (``readers.document_parts``): their concatenation is the line
    line: tuple[str, ...] | None = None
    error: InputError | None = None
    chars: int = 0
    syllables: int = 0
    warnings: tuple[str, ...] = ()  # what was wrong but did not stop the document (a bad meta.published)


def item_key(item: Record | InputError) -> str:
    """The identity of an input item for ``--resume``: its id, else ``file:line``."""
    if isinstance(item, Record):
        return str(item.id)
    if item.id is not None:
        return str(item.id)
    return f"{item.file}:{item.line}"


# -- the per-process pipeline -------------------------------------------------
_PIPELINES: dict[str, object] = {}


def _config_key(stages, config) -> str:
    import json
    return json.dumps([stages, config], sort_keys=True, default=str)


def worker_pipeline(stages: list[str] | None, config: dict | None):
    """The pipeline of this process for that configuration, built on first use and then reused."""
    key = _config_key(stages, config)
    nlp = _PIPELINES.get(key)
    if nlp is None:
        from pipeline.base import Pipeline
        nlp = _PIPELINES[key] = Pipeline(stages, config=config or {})
    return nlp


def process_item(nlp, item: Record | InputError, validate: bool = True) -> Result:
    """Annotate one item; any failure becomes an error result naming the document."""
    key = item_key(item)
    if isinstance(item, InputError):
        return Result(key, error=item)
    from pipeline.document import Document
    try:
        doc = nlp(Document.from_dict(item.data))
        if validate:
            doc.validate()
        line = document_parts(doc)
    except Exception as exc:  # noqa: BLE001 - one document never stops the run
        return Result(key, error=InputError(item.file, item.line, item.id, f"{type(exc).__name__}: {exc}"))
    text = item.data["text"]
    return Result(key, line=line, chars=len(text), syllables=len(text.split()), warnings=tuple(doc.warnings))


def failed(item: Record | InputError, reason: str) -> Result:
    """The error result of an item no worker finished (a timeout, a worker that died)."""
    return Result(item_key(item), error=InputError(item.file, item.line, item.id, reason))


def process_supervised(nlp, items: Iterable, validate: bool, workers: int, doc_timeout: float) -> Iterator[Result]:
    """Annotate items in forked worker processes, each document within ``doc_timeout`` seconds (0: no
    limit); results in input order."""
    if not fork_available():
        raise ValueError("worker processes and --doc-timeout need the fork start method (Linux, macOS)")

    def annotate(item):
        return process_item(nlp, item, validate)

    for item, outcome in run_supervised(items, annotate, workers=workers, timeout=doc_timeout):
        yield failed(item, outcome.reason) if isinstance(outcome, WorkerFailure) else outcome


def process_batch(items: list, stages, config, validate: bool = True, doc_timeout: float = 0) -> list[Result]:
    """Annotate a list of items with this process's pipeline (the unit of work sent to workers)."""
    _maybe_die_for_tests()
    nlp = worker_pipeline(stages, config)
    if doc_timeout > 0:
        return list(process_supervised(nlp, items, validate, 1, doc_timeout))
    return [process_item(nlp, item, validate) for item in items]


def _maybe_die_for_tests() -> None:
    """Let the fault-tolerance test kill a worker once: the first task to find the marker absent dies."""
    marker = os.environ.get("VNEXTRACT_TEST_DIE_ONCE")
    if marker and not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        os._exit(17)


def batched(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# -- engines ------------------------------------------------------------------
class LocalEngine:
    """This process (one worker, no time budget) or forked worker processes, results in input order."""

    def __init__(self, stages=None, config=None, workers: int = 1, validate: bool = True,
                 doc_timeout: float = 0) -> None:
        self.stages, self.config = stages, config or {}
        self.workers = max(1, workers)
        self.validate = validate
        self.doc_timeout = max(0.0, doc_timeout)
        # built here even for worker processes: a bad configuration fails at once, and forked
        # workers inherit the loaded resources instead of loading them again
        self.nlp = worker_pipeline(stages, self.config)
        # The loaded pipeline (word lists, tries, patterns: ~600,000 objects) lives as long as the
        # process and holds no garbage: moved out of the collector's sight, it is not walked again by
        # each full collection during the run nor by the one at exit (a quarter of the start-up of a
        # one-document run), and forked workers do not copy its pages by walking them.
        gc.freeze()

    def run(self, items: Iterable) -> Iterator[Result]:
        if self.workers == 1 and not self.doc_timeout:
            for item in items:
                yield process_item(self.nlp, item, self.validate)
            return
        # what this process made since (the input's first records, the sink) stays out of the
        # workers' collections too
        gc.collect()
        gc.freeze()
        yield from process_supervised(self.nlp, items, self.validate, self.workers, self.doc_timeout)


class DaskEngine:
    """Partitions of documents processed on a Dask distributed cluster, results in input order.

    ``scheduler``: address of an existing cluster (``tcp://host:8786``); without
    one, a local cluster of ``workers`` single-threaded processes is started.
    """

    def __init__(self, stages=None, config=None, workers: int = 2, scheduler: str | None = None,
                 partition_size: int = 200, max_in_flight: int | None = None, validate: bool = True,
                 retries: int = 3, doc_timeout: float = 0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - optional extra
            raise ImportError("the dask engine needs dask.distributed: pip install 'vnextract[dask]'") from exc
        from pipeline.base import Pipeline
        Pipeline(stages, config=config or {})  # fail fast here, not on every worker
        self.stages, self.config = stages, config or {}
        self.partition_size = partition_size
        self.validate = validate
        self.retries = retries
        self.doc_timeout = max(0.0, doc_timeout)
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self.client = Client(self._cluster)
        n_workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        self.max_in_flight = max_in_flight or 2 * n_workers + 1

    def run(self, items: Iterable) -> Iterator[Result]:
        pending: deque = deque()
        partitions = batched(items, self.partition_size)
        try:
            for part in partitions:
                pending.append(self.client.submit(process_batch, part, self.stages, self.config, self.validate,
                                                  self.doc_timeout, retries=self.retries, pure=False))
                while len(pending) >= self.max_in_flight:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
