"""Reading documents from files and streams, writing annotations and error reports.

Inputs, read lazily one document at a time:
- a ``.txt`` file: one document, id = the file name without extension;
- a directory: every ``.txt`` file under it (sorted), id = the relative path without extension;
- a ``.jsonl`` file: one ``{"id", "text", "meta"}`` object per line;
- a ``.parquet`` file: one document per row (columns ``id``, ``text``, and
  ``meta`` as a struct or JSON string, or flat ``published``/``title``/``url``);
- ``-``: standard input, JSONL when it starts with ``{``, otherwise one text document.

A line ends at ``\n``, ``\r\n`` or a lone ``\r``. A problem with one document (not
JSON, no text, undecodable bytes, a lone surrogate such as ``"\\ud83d"`` that is not
Unicode text, a directory that cannot be read) becomes an ``InputError`` record in the
stream; the other documents are unaffected.
"""
from __future__ import annotations

import hashlib
import json
import os
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
        # a name or id holding lone surrogates is written escaped, so the report itself can be written
        return {k: _escape_surrogates(v) if isinstance(v, str) else v for k, v in asdict(self).items()}

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return where + (f": document {self.id!r}" if self.id is not None else "") + f": {self.reason}"


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


def _escape_surrogates(s: str) -> str:
    """``s`` with each lone surrogate written as the six characters ``\\udXXX``."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


def _surrogate_at(s: str) -> int | None:
    """Where ``s`` holds a lone surrogate (a code point UTF-8 cannot encode), or None."""
    if s.isascii():
        return None
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _surrogate_in(value, where: str) -> str | None:
    """A reason naming the first lone surrogate in a JSON value (keys included), or None."""
    if isinstance(value, str):
        at = _surrogate_at(value)
        return None if at is None else f"{where} holds a lone surrogate U+{ord(value[at]):04X} at character {at}"
    if isinstance(value, dict):
        for k, v in value.items():
            problem = _surrogate_in(k, f"a key of {where}") or _surrogate_in(v, f"{where}.{_escape_surrogates(str(k))}")
            if problem:
                return problem
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problem = _surrogate_in(v, f"{where}[{i}]")
            if problem:
                return problem
    return None


def unicode_problem(data: dict) -> str | None:
    """Why a record cannot be written as UTF-8 (a lone surrogate in its id, text or meta), or None.

    Such a record is reported rather than repaired: replacing a surrogate in ``text``
    would shift every offset after it, and the tokenizer's CRF tagger (python-crfsuite)
    fails on it with a bare ``SystemError``.
    """
    for field in ("id", "text", "meta"):
        problem = _surrogate_in(data.get(field), field)
        if problem:
            return problem + " (not valid Unicode text)"
    return None


def _decode(raw: bytes, file: str, line: int | None, doc_id: str | None) -> str | InputError:
    try:
        return raw.decode("utf-8-sig" if line in (None, 1) else "utf-8")
    except UnicodeDecodeError as exc:
        return InputError(file, line, doc_id, f"undecodable bytes (not UTF-8) at byte {exc.start}")


def read_txt(path: Path, doc_id: str | None = None) -> Iterator[Item]:
    doc_id = doc_id or path.stem
    if _surrogate_at(str(path)) is not None:
        yield InputError(str(path), None, doc_id, "the file name is not valid UTF-8")
        return
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
    record = {"id": doc_id, "text": text, "meta": meta}
    problem = unicode_problem(record)
    if problem:
        return InputError(file, n, doc_id, problem)
    return Record(record, file, n)


def read_jsonl_stream(stream: IO[bytes], file: str) -> Iterator[Item]:
    """The records of a JSONL stream; lines end at ``\n``, ``\r\n`` or a lone ``\r``.

    A line is numbered as a text editor would (every ``\r`` not followed by ``\n`` ends
    one). A record that uses a lone ``\r`` as white space inside its JSON is still one
    record when the whole ``\n``-terminated line parses.
    """
    n = 1
    for raw in stream:
        body = raw[:-2] if raw.endswith(b"\r\n") else raw.rstrip(b"\n")
        if b"\r" not in body:
            item = parse_jsonl_line(raw, file, n)
            n += 1
            if item is not None:
                yield item
            continue
        pieces = body.split(b"\r")
        if _is_json(body):
            item = parse_jsonl_line(body, file, n)
            if item is not None:
                yield item
        else:
            for i, piece in enumerate(pieces):
                item = parse_jsonl_line(piece, file, n + i)
                if item is not None:
                    yield item
        n += len(pieces)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


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


def walk_directory(path: Path, suffixes: tuple[str, ...] = (".txt", ".jsonl")
                   ) -> tuple[dict[str, list[Path]], list[InputError]]:
    """The files under ``path`` ending in each suffix (sorted), and the subdirectories that could not be read.

    The same files as ``sorted(path.rglob("*" + suffix))`` keeping files only (symbolic links
    to directories are not followed), but a directory that cannot be listed is reported
    instead of skipped in silence.
    """
    found: dict[str, list[Path]] = {suffix: [] for suffix in suffixes}
    problems: list[InputError] = []
    stack = [str(path)]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError as exc:
            problems.append(InputError(top, None, None, f"cannot read directory: {exc.strerror or exc}"))
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir() and not entry.is_symlink()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(entry.path)
            for suffix in suffixes:
                if entry.name.endswith(suffix) and Path(entry.path).is_file():
                    found[suffix].append(Path(entry.path))
    for files in found.values():
        files.sort()
    problems.sort(key=lambda e: Path(e.file))
    return found, problems


def describe_inputs(inputs: list[str]) -> list[dict]:
    """What the inputs are, to tell later whether they changed: for each, its resolved path and
    size and modification time (a directory: how many files it holds and a digest of their
    relative paths, sizes and times); ``-`` (standard input) as it is."""
    described = []
    for spec in inputs:
        if spec == "-":
            described.append({"path": "-"})
            continue
        path = Path(spec)
        entry: dict = {"path": _escape_surrogates(str(path.resolve()))}
        try:
            if path.is_dir():
                found, problems = walk_directory(path)
                digest = hashlib.sha256()
                files = [p for suffix in found for p in found[suffix]]
                for p in files:
                    st = p.stat()
                    rel = _escape_surrogates(p.relative_to(path).as_posix())
                    digest.update(f"{rel}\t{st.st_size}\t{st.st_mtime_ns}\n".encode("utf-8"))
                for e in problems:
                    digest.update(f"unreadable\t{_escape_surrogates(e.file)}\n".encode("utf-8"))
                entry.update(files=len(files), digest=digest.hexdigest())
            else:
                st = path.stat()
                entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
        except OSError:
            entry["missing"] = True
        described.append(entry)
    return described


def count_documents(inputs: list[str]) -> int | None:
    """How many documents the inputs hold (for a progress bar's ETA); None when unknown (stdin)."""
    total = 0
    for spec in inputs:
        if spec == "-":
            return None
        path = Path(spec)
        if path.is_dir():
            found, _ = walk_directory(path)
            total += len(found[".txt"]) + sum(_count_lines(p) for p in found[".jsonl"])
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
    try:
        with path.open("rb") as f:
            for raw in f:
                body = raw.rstrip(b"\r\n")
                if b"\r" in body:
                    n += sum(1 for piece in body.split(b"\r") if piece.strip())
                elif body.strip():
                    n += 1
    except OSError:  # the reader reports it
        pass
    return n


def read_inputs(inputs: list[str]) -> Iterator[Item]:
    """Documents from every input, in order (see the module docstring)."""
    for spec in inputs:
        if spec == "-":
            yield from read_stdin()
            continue
        path = Path(spec)
        if path.is_dir():
            found, problems = walk_directory(path)
            yield from problems
            for p in found[".txt"]:
                rel = p.relative_to(path).with_suffix("")
                yield from read_txt(p, rel.as_posix())
            for p in found[".jsonl"]:
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


#: how many tokens, sentences or entities :func:`document_line` turns into JSON at a time
LINE_SLICE = 20_000


def document_parts(doc) -> tuple[str, ...]:
    """The pieces of ``dumps(doc.to_json())``, in order: their concatenation is that line, the same
    characters. A long list is turned into JSON a slice of ``LINE_SLICE`` items at a time, so a
    5 MB document never holds a dict for every token at once, and the pieces are not joined: the
    line of such a document is 100 M characters, which one string would hold twice while joined
    (and, with one non-Latin-1 character, at two bytes a character, where the pieces of numbers
    and keys take one)."""
    parts = []
    for i, (key, (value, objects)) in enumerate(doc.json_fields().items()):
        head = ("{" if i == 0 else ",") + dumps(key) + ":"
        if not objects:
            parts.append(head + dumps(value))
            continue
        if not value:
            parts.append(head + "[]")
            continue
        for start in range(0, len(value), LINE_SLICE):
            body = dumps([x.to_json() for x in value[start:start + LINE_SLICE]])
            parts.append((head + "[" if start == 0 else ",") + body[1:-1])
        parts.append("]")
    parts.append("}")
    return tuple(parts)


def document_line(doc) -> str:
    """``dumps(doc.to_json())``, built from :func:`document_parts`."""
    return "".join(document_parts(doc))
