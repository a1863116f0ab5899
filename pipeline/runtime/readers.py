"""Reading documents from files and streams, writing annotations and error reports.

Inputs, read lazily one document at a time:
- a ``.txt`` file: one document, id = the file name without extension;
- a directory: every ``.txt`` file under it (sorted), id = the relative path without extension;
- a ``.jsonl`` file: one ``{"id", "text", "meta"}`` object per line;
- a ``.parquet`` file: one document per row (columns ``id``, ``text``, and
  ``meta`` as a struct or JSON string, or flat ``published``/``title``/``url``);
- ``-``: standard input, JSONL when it starts with ``{``, otherwise one text document.

A problem with one document (not JSON, no text, undecodable bytes) becomes an
``InputError`` record in the stream; the other documents are unaffected.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Iterator, Union


@dataclass
class InputError:
    """One document that could not be read or processed."""

    file: str
    line: int | None
    id: str | None
    reason: str

    def to_json(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{where}: document {self.id!r}: {self.reason}"


@dataclass
class Record:
    """A document read from the input, with where it came from."""

    data: dict
    file: str
    line: int | None

    @property
    def id(self) -> str | None:
        return self.data.get("id")


Item = Union[Record, InputError]


def _decode(raw: bytes, file: str, line: int | None, doc_id: str | None) -> str | InputError:
    try:
        return raw.decode("utf-8-sig" if line in (None, 1) else "utf-8")
    except UnicodeDecodeError as exc:
        return InputError(file, line, doc_id, f"undecodable bytes (not UTF-8) at byte {exc.start}")


def read_txt(path: Path, doc_id: str | None = None) -> Iterator[Item]:
    doc_id = doc_id or path.stem
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield InputError(str(path), None, doc_id, f"cannot read file: {exc.strerror}")
        return
    text = _decode(raw, str(path), None, doc_id)
    if isinstance(text, InputError):
        yield text
        return
    yield Record({"id": doc_id, "text": text, "meta": {"source_file": str(path)}}, str(path), None)


_ID_HINT = re.compile(r'"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))')


def _guess_id(line: str) -> str | None:
    """The id of a record that cannot be parsed, when it can still be read, so the report names it."""
    m = _ID_HINT.search(line)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def parse_jsonl_line(raw: bytes, file: str, n: int) -> Item | None:
    """One JSONL line as a Record or an InputError; None for a blank line."""
    line = _decode(raw, file, n, None)
    if isinstance(line, InputError):
        line.id = _guess_id(raw.decode("utf-8", "replace"))
        return line
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(file, n, _guess_id(line), f"not valid JSON: {exc.msg} at column {exc.colno}")
    return _record_from_object(data, file, n)


def _record_from_object(data, file: str, n: int) -> Item:
    """Check a decoded record and make it a Record, or say what is wrong with it."""
    if not isinstance(data, dict):
        return InputError(file, n, None, f"expected a JSON object, got {type(data).__name__}")
    doc_id = data.get("id")
    doc_id = None if doc_id is None else str(doc_id)
    if doc_id is None:
        doc_id = f"{Path(file).stem}:{n}"
    text = data.get("text")
    if text is None:
        return InputError(file, n, doc_id, "record has no text")
    if not isinstance(text, str):
        return InputError(file, n, doc_id, f"text must be a string, got {type(text).__name__}")
    meta = data.get("meta")
    if meta is not None and not isinstance(meta, dict):
        return InputError(file, n, doc_id, "meta must be an object")
    meta = dict(meta or {})
    for key in ("published", "title", "url"):  # flat records are accepted too
        if key in data and key not in meta:
            meta[key] = data[key]
    if hasattr(meta.get("published"), "isoformat"):  # a date column of a Parquet file
        meta["published"] = meta["published"].isoformat()[:10]
    return Record({"id": doc_id, "text": text, "meta": meta}, file, n)


def read_jsonl_stream(stream: IO[bytes], file: str) -> Iterator[Item]:
    for n, raw in enumerate(stream, 1):
        item = parse_jsonl_line(raw, file, n)
        if item is not None:
            yield item


def read_jsonl_records(path: Path) -> Iterator[Item]:
    try:
        f = path.open("rb")
    except OSError as exc:
        yield InputError(str(path), None, None, f"cannot read file: {exc.strerror}")
        return
    with f:
        yield from read_jsonl_stream(f, str(path))


def read_stdin(stream: IO[bytes] | None = None) -> Iterator[Item]:
    stream = stream or sys.stdin.buffer
    first = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    if first.lstrip().startswith(b"{"):
        yield from read_jsonl_stream(stream, "<stdin>")
    else:
        raw = stream.read()
        text = _decode(raw, "<stdin>", None, "stdin")
        if isinstance(text, InputError):
            yield text
        else:
            yield Record({"id": "stdin", "text": text, "meta": {}}, "<stdin>", None)


def read_parquet(path: Path, batch_size: int = 512) -> Iterator[Item]:
    """Rows of a Parquet file as records, read in batches (a file larger than memory streams)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover
        yield InputError(str(path), None, None, "reading Parquet needs pyarrow: pip install 'vnextract[parquet]'")
        return
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one reported error
        yield InputError(str(path), None, None, f"cannot read Parquet file: {exc}")
        return
    row = 0
    for batch in pf.iter_batches(batch_size=batch_size):
        for rec in batch.to_pylist():
            row += 1
            meta = rec.get("meta")
            if isinstance(meta, str):
                try:
                    rec["meta"] = json.loads(meta) if meta.strip() else {}
                except json.JSONDecodeError:
                    yield InputError(str(path), row, rec.get("id"), "meta is not valid JSON")
                    continue
            item = _record_from_object(rec, str(path), row)
            if item is not None:
                yield item


def count_documents(inputs: list[str]) -> int | None:
    """How many documents the inputs hold (for a progress bar's ETA); None when unknown (stdin)."""
    total = 0
    for spec in inputs:
        if spec == "-":
            return None
        path = Path(spec)
        if path.is_dir():
            total += sum(1 for p in path.rglob("*.txt") if p.is_file())
            total += sum(_count_lines(p) for p in path.rglob("*.jsonl") if p.is_file())
        elif path.suffix == ".jsonl" and path.is_file():
            total += _count_lines(path)
        elif path.suffix == ".parquet" and path.is_file():
            try:
                import pyarrow.parquet as pq
                total += pq.ParquetFile(path).metadata.num_rows
            except Exception:  # noqa: BLE001 - the reader reports the problem
                pass
        else:
            total += 1
    return total


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for raw in f:
            if raw.strip():
                n += 1
    return n


def read_inputs(inputs: list[str]) -> Iterator[Item]:
    """Documents from every input, in order (see the module docstring)."""
    for spec in inputs:
        if spec == "-":
            yield from read_stdin()
            continue
        path = Path(spec)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.txt") if p.is_file())
            for p in files:
                rel = p.relative_to(path).with_suffix("")
                yield from read_txt(p, rel.as_posix())
            jsonls = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
            for p in jsonls:
                yield from read_jsonl_records(p)
        elif path.suffix == ".jsonl":
            yield from read_jsonl_records(path)
        elif path.suffix == ".parquet":
            yield from read_parquet(path)
        elif path.is_file():
            yield from read_txt(path)
        else:
            yield InputError(spec, None, None, "no such file or directory")


def errors_path(out: str) -> Path:
    """Where the error report of an output file goes: ``OUT.errors.jsonl`` beside it."""
    p = Path(out)
    stem = p.name[:-len(".jsonl")] if p.name.endswith(".jsonl") else p.name
    return p.with_name(stem + ".errors.jsonl")


def dumps(obj: dict) -> str:
    """The one JSON line of a document (UTF-8 text, keys in a fixed order)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
