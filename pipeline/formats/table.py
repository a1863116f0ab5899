"""The entity table: one row per entity of annotated records, as Parquet or CSV, for pandas and DuckDB.

Columns, in this order (``COLUMNS``)::

    doc_id, published, label, text, start, end, canonical, person_id, ministry_id, title, org,
    place_code, value, area, sentence

- ``doc_id``: the record's ``id``; ``published``: ``meta.published`` when it is a date
  (``pipeline.docdate.parse_date``), else null; ``label``, ``text``, ``start``, ``end``: the entity.
- ``canonical``: a MINISTRY's canonical name; a PLACE's canonical name (``canonical.name``, or the
  canonical itself when it is a string); null for the other labels.
- ``person_id``: the entity's ``person_id`` (OFFICIAL, PERSON) when it has one.
- ``ministry_id``: a MINISTRY's ``ministry_id`` (else its ``id``); an OFFICIAL's ``ministry_id`` when it
  has one; null for the other labels.
- ``title`` (several offices joined with ``"; "``), ``org``: OFFICIAL; ``place_code``: PLACE
  ``canonical.code``; ``value``: DATE; ``area``: REFORM_AREA. A list value elsewhere (gold files
  allow them) is joined with ``"; "`` too.
- ``sentence``: the text of the sentence (layer ``sentences``) that contains the entity's start;
  null when the record has no sentences.

Only the top-level ``entities`` of a record give rows; a record without entities gives none, and a
record carrying an ``error`` (a row of ``pipeline.runtime.hf.annotate_dataset`` that failed) gives
none either: its annotations are not there.

Types: in Parquet ``start`` and ``end`` are int64, ``published`` is a date32 (a real date in pandas,
DuckDB and Arrow), every other column a string. In CSV (UTF-8, a header line, ``\\n`` line ends) dates
are ISO strings and null is an empty field.

The writer streams: CSV row by row, Parquet in row groups of ``ROW_GROUP`` rows, so memory does not
grow with the corpus. The file is written beside the target and put in place only when complete.
pyarrow (extra ``parquet``) is imported only for Parquet.
"""
from __future__ import annotations

import bisect
import csv
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from pipeline.docdate import parse_date
from pipeline.document import Document
from pipeline.formats.record import as_record, check_record

COLUMNS = ("doc_id", "published", "label", "text", "start", "end", "canonical", "person_id", "ministry_id",
           "title", "org", "place_code", "value", "area", "sentence")
SUFFIXES = (".parquet", ".csv")
#: rows per Parquet row group (and the most rows held in memory)
ROW_GROUP = 10_000


class TableError(ValueError):
    """The table cannot be written: an output suffix that names no table format, or a bad record."""


class TableStats(NamedTuple):
    documents: int
    rows: int


def _text(value: Any) -> str | None:
    """A cell of a string column: None stays None, a list is joined with "; ", a place-like dict is its
    name, anything else its JSON or ``str``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        parts = [p for p in (_text(v) for v in value) if p is not None]
        return "; ".join(parts) if parts else None
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _canonical(label: str, ent: dict) -> str | None:
    canon = ent.get("canonical")
    if label == "MINISTRY":
        return _text(canon)
    if label == "PLACE":
        return _text(canon.get("name")) if isinstance(canon, dict) else _text(canon)
    return None


def _ministry_id(label: str, ent: dict) -> str | None:
    if label == "MINISTRY":
        mid = ent.get("ministry_id")
        return _text(mid if mid is not None else ent.get("id"))
    if label == "OFFICIAL":
        return _text(ent.get("ministry_id"))
    return None


def _place_code(label: str, ent: dict) -> str | None:
    canon = ent.get("canonical")
    if label == "PLACE" and isinstance(canon, dict):
        return _text(canon.get("code"))
    return None


class _Sentences:
    """The sentence that contains an offset, by binary search over the sentence starts."""

    __slots__ = ("text", "starts", "spans")

    def __init__(self, text: str, sentences: Any) -> None:
        self.text = text
        spans = sorted((s["start"], s["end"]) for s in sentences or () if isinstance(s, dict))
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def at(self, pos: int) -> str | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i < 0:
            return None
        s, e = self.spans[i]
        return self.text[s:e] if s <= pos < e else None


def entity_rows(item: Document | dict) -> Iterator[dict]:
    """The table rows of one annotated document (a record or a ``Document``), in entity order."""
    rec = as_record(item)
    if rec.get("error"):
        return
    entities = rec.get("entities") or ()
    if not entities:
        return
    text = rec["text"]
    meta = rec.get("meta") if isinstance(rec.get("meta"), dict) else {}
    published = parse_date(meta.get("published"))
    doc_id = _text(rec.get("id"))
    sentences = _Sentences(text, rec.get("sentences"))
    for ent in entities:
        label = ent["label"]
        start, end = ent["start"], ent["end"]
        yield {
            "doc_id": doc_id, "published": published, "label": label, "text": text[start:end],
            "start": start, "end": end, "canonical": _canonical(label, ent),
            "person_id": _text(ent.get("person_id")), "ministry_id": _ministry_id(label, ent),
            "title": _text(ent.get("title")), "org": _text(ent.get("org")),
            "place_code": _place_code(label, ent), "value": _text(ent.get("value")),
            "area": _text(ent.get("area")), "sentence": sentences.at(start),
        }


def table_kind(path: str | Path) -> str:
    """``"parquet"`` or ``"csv"`` from the suffix of ``path``; TableError for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        what = repr(suffix) if suffix else "a name without suffix"
        raise TableError(f"{path}: the entity table is written as .parquet or .csv, not {what}")
    return suffix[1:]


def _checked(records: Iterable[Document | dict]) -> Iterator[dict]:
    for item in records:
        rec = as_record(item)
        problem = check_record(rec)
        if problem:
            raise TableError(f"document {rec.get('id')!r}: {problem}")
        yield rec


def _write_csv(records: Iterable[dict], path: Path) -> TableStats:
    docs = rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        for rec in records:
            docs += 1
            for row in entity_rows(rec):
                if row["published"] is not None:
                    row["published"] = row["published"].isoformat()
                out.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
                rows += 1
    return TableStats(docs, rows)


def arrow_schema():
    """The Arrow schema of the Parquet table."""
    from pipeline.extras import require
    pa = require("pyarrow", "the Parquet entity table")
    types = {"published": pa.date32(), "start": pa.int64(), "end": pa.int64()}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def _write_parquet(records: Iterable[dict], path: Path, row_group: int) -> TableStats:
    from pipeline.extras import require
    pa = require("pyarrow", "the Parquet entity table")
    pq = require("pyarrow.parquet", "the Parquet entity table")
    schema = arrow_schema()
    docs = rows = 0
    batch: dict[str, list] = {c: [] for c in COLUMNS}
    with pq.ParquetWriter(str(path), schema) as writer:
        def flush() -> None:
            if batch["label"]:
                writer.write_table(pa.Table.from_pydict(batch, schema=schema), row_group_size=row_group)
                for values in batch.values():
                    values.clear()

        for rec in records:
            docs += 1
            for row in entity_rows(rec):
                for c in COLUMNS:
                    batch[c].append(row[c])
                rows += 1
                if len(batch["label"]) >= row_group:
                    flush()
        flush()
    return TableStats(docs, rows)


def export_table(records: Iterable[Document | dict], path: str | Path, row_group: int = ROW_GROUP) -> TableStats:
    """Write the entity table of ``records`` to ``path`` (``.parquet`` or ``.csv``); returns how many
    documents were read and rows written. The table is written to a temporary file beside ``path`` and
    replaces it only when complete: on any error an existing ``path`` is left as it was.

    Raises TableError for another suffix or a record that is not an annotated document (naming it),
    ``pipeline.extras.MissingDependency`` for Parquet without pyarrow, OSError when it cannot be written.
    """
    kind = table_kind(path)
    if kind == "parquet":
        arrow_schema()  # a missing pyarrow is reported before anything is read or created
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # write through the link
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if kind == "csv":
            stats = _write_csv(_checked(records), tmp)
        else:
            stats = _write_parquet(_checked(records), tmp, row_group)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return stats


def write_table(records: Iterable[Document | dict], path: str | Path) -> int:
    """The writer of the ``table`` format (``pipeline.formats.registry``): ``export_table``, returning
    how many documents were read."""
    return export_table(records, path).documents
