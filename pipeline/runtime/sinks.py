"""Where annotations go: a JSONL file, a directory of JSONL shards, or a Parquet file.

Each sink writes results in the order it receives them, one complete line (or
row group) at a time, and keeps an error report beside the output
(``OUT.errors.jsonl``; with ``--out -`` errors go to stderr only).

Beside the output, ``OUT.run.json`` (``DIR/run.json`` for shards) records what the
output is made from: the inputs (resolved paths, sizes, modification times), the
stages and options, the version. While a run writes the output it holds an exclusive
lock on that file, so a second run on the same output is refused instead of
interleaving its lines with the first's.

With ``resume=True`` a JSONL sink checks that record against this run's, repairs a
torn last line left by a killed run, and counts the results already written or
reported (``done_count``). Results are written in input order, so they are the
first ``done_count`` input items, which the caller skips; the finished file is then
the same bytes as an uninterrupted run's, whatever the ids (duplicates, none).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pipeline.runtime.engines import Result
from pipeline.runtime.readers import InputError, dumps, errors_path

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: runs are not locked
    fcntl = None


class SinkError(ValueError):
    """An output that cannot be written as asked (e.g. resuming a Parquet file, the input as output)."""


# -- which files an output is, and whether they clash with the inputs ---------------
def output_kind(out: str, shard_size: int | None = None) -> str:
    """``stdout``, ``parquet``, ``shards`` (a directory: ends with ``/``, exists, or ``--shard-size``) or ``jsonl``."""
    if out == "-":
        return "stdout"
    if out.endswith(".parquet"):
        return "parquet"
    if out.endswith(("/", os.sep)) or Path(out).is_dir() or shard_size:
        return "shards"
    return "jsonl"


def run_path(out: str, shard_size: int | None = None) -> Path:
    """``OUT.run.json`` beside a file output, ``DIR/run.json`` in a shard directory."""
    if output_kind(out, shard_size) == "shards":
        return Path(out) / "run.json"
    p = Path(out)
    stem = p.name[:-len(".jsonl")] if p.name.endswith(".jsonl") else p.name
    return p.with_name(stem + ".run.json")


def written_paths(out: str, shard_size: int | None = None) -> list[Path]:
    """The files (or the shard directory) a run writes for this ``--out``."""
    kind = output_kind(out, shard_size)
    if kind == "stdout":
        return []
    if kind == "shards":
        return [Path(out)]
    return [Path(out), errors_path(out), run_path(out, shard_size)]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: the same resolved path, or the same inode (a hard link)."""
    a, b = Path(a), Path(b)
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def inside(path: str | Path, directory: str | Path) -> bool:
    """Whether ``path`` is under ``directory`` (resolved paths; not the directory itself)."""
    return _resolved(Path(directory)) in _resolved(Path(path)).parents


def check_paths(inputs: list[str], out: str, shard_size: int | None = None) -> None:
    """Refuse (``SinkError``) an output that would destroy an input or be read as one.

    Checked before anything is opened: the output (or its error report or run record)
    is an input file; it lies inside an input directory (the run would read its own
    output); an input lies inside the output shard directory (writing would replace it).
    """
    shards = output_kind(out, shard_size) == "shards"
    for spec in inputs:
        if spec == "-":
            continue
        src = Path(spec)
        for dest in written_paths(out, shard_size):
            if same_file(src, dest):
                what = "output directory" if shards else "output"
                raise SinkError(f"the {what} {dest} is the input {spec}: writing it would destroy the input; "
                                f"choose another --out")
            if shards and inside(src, dest):
                raise SinkError(f"the input {spec} is inside the output directory {dest}: writing the shards "
                                f"could replace it; choose another --out")
            if src.is_dir() and inside(dest, src):
                raise SinkError(f"the output {dest} is inside the input directory {spec}: the run would read "
                                f"its own output as input; choose an --out outside it")


# -- the run record and lock ----------------------------------------------------------
_HELD: set = set()  # the run records this process has open (and so the locks it holds)


def _drop_inherited_locks() -> None:
    """In a forked worker: close the inherited run records, so that the lock goes with the run that took it
    (a worker that outlives a killed run must not keep ``--resume`` out)."""
    for record in list(_HELD):
        try:
            record._f.close()
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


class _RunRecord:
    """``OUT.run.json``: what the output is made from; its ``flock`` is the lock of the run writing it."""

    def __init__(self, path: Path, out: str) -> None:
        self.path = path
        self.out = out
        self._f = path.open("a+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(self._f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._f.close()
                raise SinkError(f"another vnextract run is writing {out} (it holds the lock on {path}); "
                                f"wait for it to finish or choose another --out") from None
        _HELD.add(self)

    def read(self) -> dict | None:
        self._f.seek(0)
        text = self._f.read()
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise SinkError(f"--resume: {self.path} is not a run record of vnextract annotate; "
                            f"rerun without --resume to start over")
        return data

    def write(self, info: dict) -> None:
        self._f.seek(0)
        self._f.truncate()
        self._f.write(json.dumps(info, ensure_ascii=False, indent=1) + "\n")
        self._f.flush()

    def check(self, info: dict, has_output: bool) -> bool:
        """Refuse to resume an output made from other inputs or options; True when it has a record."""
        recorded = self.read()
        if recorded is None:
            if has_output:
                raise SinkError(f"--resume: nothing says what {self.out} was made from ({self.path} is missing "
                                f"or empty: it was not written by this version of vnextract annotate); rerun "
                                f"without --resume to start over")
            return False
        if has_output and any(entry.get("path") == "-" for entry in info.get("inputs", ())):
            raise SinkError("--resume cannot check that standard input holds the same documents as before; "
                            "save them to a file, or rerun without --resume")
        problem = _difference(recorded, info)
        if problem:
            raise SinkError(f"--resume: {self.out} was made from {problem}; rerun without --resume to start "
                            f"over, or resume with the same inputs and options")
        return True

    def close(self) -> None:
        _HELD.discard(self)
        self._f.close()  # and the lock with it


def _difference(then: dict, now: dict) -> str | None:
    """What differs between the run that made an output and this one, in words; None when nothing."""
    if then.get("vnextract") != now.get("vnextract"):
        return f"vnextract {then.get('vnextract')} (this is {now.get('vnextract')})"
    before, after = then.get("inputs") or [], now.get("inputs") or []
    if [e.get("path") for e in before] != [e.get("path") for e in after]:
        names = ", ".join(str(e.get("path")) for e in before) or "no inputs"
        return f"other inputs ({names})"
    for b, a in zip(before, after):
        if b != a:
            return f"{a['path']} as it was before it changed (its size, time or files differ now)"
    for key, what in (("stages", "the stages"), ("config", "the options"), ("validate", "--no-validate"),
                      ("output", "another output layout")):
        if then.get(key) != now.get(key):
            return f"{what} {json.dumps(then.get(key), ensure_ascii=False)} " \
                   f"(now {json.dumps(now.get(key), ensure_ascii=False)})"
    return None


def _open_record(out: str, shard_size: int | None, run_info: dict | None, resume: bool,
                 has_output, kind: str) -> _RunRecord:
    """Lock the output and, on resume, check it was made by the same run; record this run's description."""
    record = _RunRecord(run_path(out, shard_size), out)
    try:
        info = None if run_info is None else {**run_info, "output": {"kind": kind, "shard_size": shard_size}}
        recorded = False
        if resume and info is not None:
            recorded = record.check(info, has_output())
        if info is not None and not recorded:
            record.write(info)
    except BaseException:
        record.close()
        raise
    return record


# -- counting what a killed run wrote --------------------------------------------------
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


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _count_records(path: Path, errors: bool) -> int:
    """How many complete results a file holds, each checked to be one of ours."""
    if not path.exists():
        return 0
    _repair_torn_tail(path)
    needed = ("file", "line", "reason") if errors else ("id", "text")
    what = "an error record" if errors else "a document"
    n = 0
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except ValueError:
                rec = None
            if not isinstance(rec, dict) or any(k not in rec for k in needed):
                raise SinkError(f"--resume: {path} line {number} is not {what} written by vnextract annotate; "
                                f"rerun without --resume to start over")
            n += 1
    return n


class _ErrorReport:
    """``OUT.errors.jsonl``: created on the first error, removed when a fresh run has none.

    Without a path (output to stdout) errors are reported on stderr only.
    """

    def __init__(self, path: Path | None, resume: bool) -> None:
        self.path = path
        self.count = 0
        self._f = None
        if path is None:
            return
        if resume:
            _repair_torn_tail(path)
            if path.exists():
                self._f = path.open("a", encoding="utf-8")
        elif path.exists():
            path.unlink()  # a stale report from an earlier run would mislead

    def write(self, err: InputError) -> None:
        self.count += 1
        print(f"vnextract: error: {err}", file=sys.stderr)
        if self.path is None:
            return
        if self._f is None:
            self._f = self.path.open("a", encoding="utf-8")
        self._f.write(dumps(err.to_json()) + "\n")
        self._f.flush()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()


def _close_all(*closers) -> None:
    """Close each file even when an earlier one fails (a full disk fails the last flush); raise the first error."""
    first = None
    for close in closers:
        try:
            close()
        except OSError as exc:
            first = first or exc
    if first is not None:
        raise first


def _write_line(f, result: Result, errors: _ErrorReport, out: str) -> bool:
    """Write one result's line; a line that cannot be encoded is reported instead. True when written."""
    # nothing is written unless every piece can be encoded as the file will, so a line is never half-written
    encoding, on_error = getattr(f, "encoding", None) or "utf-8", getattr(f, "errors", None) or "strict"
    offset = 0
    for part in result.line:
        try:
            part.encode(encoding, on_error)
        except UnicodeEncodeError as exc:  # the readers refuse such input; kept as a last guard
            errors.write(InputError(out, None, result.key, f"the annotated document cannot be written as UTF-8 "
                                                            f"({exc.reason} at {offset + exc.start})"))
            return False
        offset += len(part)
    for part in result.line:  # the pieces as they are: never the 100 MB line of a huge document twice
        f.write(part)
    f.write("\n")
    f.flush()
    return True


class JsonlSink:
    """One JSONL file (or standard output for ``-``)."""

    def __init__(self, out: str, resume: bool = False, run_info: dict | None = None) -> None:
        self.out = out
        self.done_count = 0
        self._record = None
        if out == "-":
            if resume:
                raise SinkError("--resume needs an output file, not standard output")
            self._f = sys.stdout
            self.errors = _ErrorReport(None, resume=False)
            return
        path = Path(out)
        err_path = errors_path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._record = _open_record(out, None, run_info, resume, lambda: _has_content(path) or _has_content(err_path),
                                    "jsonl")
        try:
            if resume:
                self.done_count = _count_records(path, errors=False) + _count_records(err_path, errors=True)
            self._f = path.open("a" if resume else "w", encoding="utf-8")
            self.errors = _ErrorReport(err_path, resume)
        except BaseException:
            self._record.close()
            raise

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
        else:
            _write_line(self._f, result, self.errors, self.out)

    def close(self) -> None:
        closers = [self._f.flush if self._f is sys.stdout else self._f.close, self.errors.close]
        if self._record is not None:
            closers.append(self._record.close)
        _close_all(*closers)


class ShardSink:
    """A directory of ``part-NNNNN.jsonl`` files of ``shard_size`` documents each."""

    def __init__(self, out: str, shard_size: int = 10000, resume: bool = False,
                 run_info: dict | None = None) -> None:
        self.out = out
        self.dir = Path(out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.shard_size = shard_size
        self.done_count = 0
        err_path = self.dir / "errors.jsonl"
        self._record = _open_record(out, shard_size, run_info, resume,
                                    lambda: any(_has_content(p) for p in [*self.dir.glob("part-*.jsonl"), err_path]),
                                    "shards")
        try:
            parts = sorted(self.dir.glob("part-*.jsonl"))
            if not resume:
                for p in parts:
                    p.unlink()
                parts = []
            else:
                for p in parts:
                    self.done_count += _count_records(p, errors=False)
                self.done_count += _count_records(err_path, errors=True)
            self.errors = _ErrorReport(err_path, resume)
            self._index = len(parts) - 1 if parts else 0
            self._count = sum(1 for _ in parts[-1].open("rb")) if parts else 0
            self._f = (self.dir / f"part-{self._index:05d}.jsonl").open("a", encoding="utf-8")
        except BaseException:
            self._record.close()
            raise

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
            return
        if self._count >= self.shard_size:
            self._f.close()
            self._index += 1
            self._count = 0
            self._f = (self.dir / f"part-{self._index:05d}.jsonl").open("a", encoding="utf-8")
        if _write_line(self._f, result, self.errors, self.out):
            self._count += 1

    def close(self) -> None:
        _close_all(self._f.close, self.errors.close, self._record.close)


PARQUET_COLUMNS = ["id", "text", "meta", "sentences", "tokens", "entities", "layers"]


class ParquetSink:
    """A Parquet file, one row per document, written in row groups of ``row_group`` documents.

    Columns: ``id``, ``text`` and JSON strings ``meta``, ``sentences``, ``tokens``,
    ``entities`` and ``layers`` (every other output field).
    """

    def __init__(self, out: str, resume: bool = False, row_group: int = 1000,
                 run_info: dict | None = None) -> None:
        if resume:
            raise SinkError("--resume works with JSONL output (a file or a directory of shards), not Parquet")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover
            raise SinkError("Parquet output needs pyarrow: pip install 'vnextract[parquet]'") from exc
        self._pa = pa
        self.schema = pa.schema([(name, pa.string()) for name in PARQUET_COLUMNS])
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        self._record = _open_record(out, None, run_info, False, lambda: False, "parquet")
        try:
            self._writer = pq.ParquetWriter(out, self.schema)
            self.errors = _ErrorReport(errors_path(out), resume=False)
        except BaseException:
            self._record.close()
            raise
        self.row_group = row_group
        self._rows: list[dict] = []
        self.done_count = 0

    def write(self, result: Result) -> None:
        if result.error is not None:
            self.errors.write(result.error)
            return
        rec = json.loads("".join(result.line))
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
        _close_all(self._flush, self._writer.close, self.errors.close, self._record.close)


def open_sink(out: str, resume: bool = False, shard_size: int | None = None, run_info: dict | None = None):
    """The sink for an ``--out`` value: ``.parquet`` file, a directory (ends with ``/`` or exists), or JSONL.

    ``run_info`` (inputs, stages, options) is recorded in the run record beside the
    output and, with ``resume``, must match what is recorded there.
    """
    kind = output_kind(out, shard_size)
    if kind == "parquet":
        return ParquetSink(out, resume=resume, run_info=run_info)
    if kind == "shards":
        return ShardSink(out, shard_size=shard_size or 10000, resume=resume, run_info=run_info)
    return JsonlSink(out, resume=resume, run_info=run_info)
