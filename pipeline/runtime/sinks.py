"""Where annotations go: a JSONL file, a directory of JSONL shards, or a Parquet file.

Each sink writes results in the order it receives them, one complete line (or
row group) at a time, and keeps an error report beside the output
(``OUT.errors.jsonl``). With ``resume=True`` a JSONL sink first repairs a torn
last line left by a killed run, then reports the keys already written so the
caller skips those documents; the finished file is then the same bytes as an
uninterrupted run's.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pipeline.runtime.engines import Result
from pipeline.runtime.readers import InputError, dumps, errors_path


class SinkError(ValueError):
    """An output that cannot be written as asked (e.g. resuming a Parquet file)."""


def _repair_torn_tail(path: Path) -> None:
    """Cut a last line that a killed process left without its newline."""
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return
        # walk back to the previous newline
        pos = size
        block = 1 << 16
        while pos > 0:
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                f.truncate(start + nl + 1)
                return
            pos = start
        f.truncate(0)


def _keys_in_jsonl(path: Path, errors: bool) -> set[str]:
    keys: set[str] = set()
    if not path.exists():
        return keys
    with path.open("rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            rec = json.loads(raw)
            if errors:
                keys.add(str(rec["id"]) if rec.get("id") is not None else f"{rec['file']}:{rec['line']}")
            else:
                keys.add(str(rec["id"]))
    return keys


class _ErrorReport:
    """``OUT.errors.jsonl``: created on the first error, removed when a fresh run has none."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        self.count = 0
        self._f = None
        if resume:
            _repair_torn_tail(path)
            if path.exists():
                self._f = path.open("a", encoding="utf-8")
        elif path.exists():
            path.unlink()  # a stale report from an earlier run would mislead

    def write(self, err: InputError) -> None:
        self.count += 1
        print(f"vnextract: error: {err}", file=sys.stderr)
        if self._f is None:
            self._f = self.path.open("a", encoding="utf-8")
        self._f.write(dumps(err.to_json()) + "\n")
        self._f.flush()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()


class JsonlSink:
    """One JSONL file (or standard output for ``-``)."""

    def __init__(self, out: str, resume: bool = False) -> None:
        self.out = out
        self.done: set[str] = set()
        if out == "-":
            if resume:
                raise SinkError("--resume needs an output file, not standard output")
            self._f = sys.stdout
            self.errors = _ErrorReport(errors_path("stdout.jsonl"), resume=False)
            return
        path = Path(out)
        err_path = errors_path(out)
        if resume:
            _repair_torn_tail(path)
            self.done = _keys_in_jsonl(path, errors=False)
            _repair_torn_tail(err_path)
            self.done |= _keys_in_jsonl(err_path, errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("a" if resume else "w", encoding="utf-8")
        self.errors = _ErrorReport(err_path, resume)

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
        else:
            self._f.write(result.line + "\n")
            self._f.flush()

    def close(self) -> None:
        if self._f is not sys.stdout:
            self._f.close()
        else:
            self._f.flush()
        self.errors.close()


class ShardSink:
    """A directory of ``part-NNNNN.jsonl`` files of ``shard_size`` documents each."""

    def __init__(self, out: str, shard_size: int = 10000, resume: bool = False) -> None:
        self.dir = Path(out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.shard_size = shard_size
        self.done: set[str] = set()
        parts = sorted(self.dir.glob("part-*.jsonl"))
        if not resume:
            for p in parts:
                p.unlink()
            parts = []
        elif parts:
            _repair_torn_tail(parts[-1])
            for p in parts:
                self.done |= _keys_in_jsonl(p, errors=False)
        err_path = self.dir / "errors.jsonl"
        if resume:
            _repair_torn_tail(err_path)
            self.done |= _keys_in_jsonl(err_path, errors=True)
        self.errors = _ErrorReport(err_path, resume)
        self._index = len(parts) - 1 if parts else 0
        self._count = sum(1 for _ in parts[-1].open("rb")) if parts else 0
        self._f = (self.dir / f"part-{self._index:05d}.jsonl").open("a", encoding="utf-8")

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
            return
        if self._count >= self.shard_size:
            self._f.close()
            self._index += 1
            self._count = 0
            self._f = (self.dir / f"part-{self._index:05d}.jsonl").open("a", encoding="utf-8")
        self._f.write(result.line + "\n")
        self._f.flush()
        self._count += 1

    def close(self) -> None:
        self._f.close()
        self.errors.close()


PARQUET_COLUMNS = ["id", "text", "meta", "sentences", "tokens", "entities", "layers"]


class ParquetSink:
    """A Parquet file, one row per document, written in row groups of ``row_group`` documents.

    Columns: ``id``, ``text`` and JSON strings ``meta``, ``sentences``, ``tokens``,
    ``entities`` and ``layers`` (every other output field).
    """

    def __init__(self, out: str, resume: bool = False, row_group: int = 1000) -> None:
        if resume:
            raise SinkError("--resume works with JSONL output (a file or a directory of shards), not Parquet")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover
            raise SinkError("Parquet output needs pyarrow: pip install 'vnextract[parquet]'") from exc
        self._pa = pa
        self.schema = pa.schema([(name, pa.string()) for name in PARQUET_COLUMNS])
        self._writer = pq.ParquetWriter(out, self.schema)
        self.row_group = row_group
        self._rows: list[dict] = []
        self.done: set[str] = set()
        self.errors = _ErrorReport(errors_path(out), resume=False)

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
            return
        rec = json.loads(result.line)
        row = {"id": rec.pop("id"), "text": rec.pop("text")}
        for name in ("meta", "sentences", "tokens", "entities"):
            row[name] = dumps(rec.pop(name))
        row["layers"] = dumps(rec)
        self._rows.append(row)
        if len(self._rows) >= self.row_group:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self.errors.close()


def open_sink(out: str, resume: bool = False, shard_size: int | None = None):
    """The sink for an ``--out`` value: ``.parquet`` file, a directory (ends with ``/`` or exists), or JSONL."""
    if out.endswith(".parquet"):
        return ParquetSink(out, resume=resume)
    if out != "-" and (out.endswith(("/", os.sep)) or Path(out).is_dir() or shard_size):
        return ShardSink(out, shard_size=shard_size or 10000, resume=resume)
    return JsonlSink(out, resume=resume)
