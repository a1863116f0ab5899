"""The office-holder table of a corpus: who held which office when, as the corpus's own documents say.

:func:`build_table` reads annotated documents (the records ``vnextract annotate`` writes) and keeps only the
*explicit* OFFICIAL mentions: entities with a ``title``, without ``resolved`` (the document itself gives the
office, not the registry or an earlier table) and not ``former``. It makes one row per
``(person_id, title, org, unit)``:

============  ===============================================================================================
column        value
============  ===============================================================================================
person_id     the entity's ``person_id`` (see below for output of older versions that lack it)
name          the person's full name (of the names seen for the row: most syllables, then most mentions, then
              the first in alphabetical order)
title         the office; an entity whose ``title`` is a list gives one row per title
org           the ministry of the office (canonical name), else empty
ministry_id   the ministry's registry id (``models/ministries.jsonl``), else empty
unit          the body or province of an office outside the ministries, else empty
first_seen    the earliest ``meta.published`` (ISO date) of a document with such a mention
last_seen     the latest one
mentions      how many such entities
documents     how many documents hold at least one
evidence      up to 5 document ids, space-separated, earliest first (ties by id)
============  ===============================================================================================

Documents without a parseable ``meta.published`` (:func:`pipeline.docdate.parse_date`) give no row: a row is an
office *and its period*. Rows are sorted by ``(name, person_id, first_seen, title, org, unit)``, so the table is
the same whatever order the documents come in.

Output of older versions has no ``person_id``: it is computed as the officials stage does,
``pipeline.ids.person_id(name, scope)`` with ``scope`` = the entity's ``ministry_id`` if any (when the entity
has no ``ministry_id`` key, the registry id of its ``org``), else its ``unit`` if any,
else ``"title:"`` and its (first) title. (The stage's ``"registry"`` scope for well-known office holders cannot be told from old output.)

:func:`write_table` writes CSV (UTF-8, header) or Parquet by the file's suffix; :func:`read_table` reads either
back, checking every row, with dates as ``datetime.date``, empty strings as None and the counts as ints.
"""
from __future__ import annotations

import csv
import datetime as _dt
import os
from collections import Counter
from pathlib import Path
from typing import Iterable

from pipeline.docdate import parse_date
from pipeline.ids import person_id as make_person_id
from pipeline.lexicons.ministries import registry
from pipeline.resources import ResourceError

COLUMNS: tuple[str, ...] = ("person_id", "name", "title", "org", "ministry_id", "unit", "first_seen", "last_seen",
                            "mentions", "documents", "evidence")
_TEXT = ("person_id", "name", "title", "org", "ministry_id", "unit", "evidence")
_REQUIRED = ("person_id", "name", "title")
_DATES = ("first_seen", "last_seen")
_COUNTS = ("mentions", "documents")
SUFFIXES = (".csv", ".parquet")
EVIDENCE = 5  # document ids kept per row


class TableError(ResourceError):
    """An officials table that cannot be read or written (names the file, and the row and column when it can)."""


class RecordError(ValueError):
    """An annotated record that cannot be read (e.g. ``entities`` is not a list)."""


# -- building -------------------------------------------------------------------------------------------------
class _Row:
    __slots__ = ("names", "ministry_ids", "first", "last", "mentions", "documents", "evidence")

    def __init__(self, day: _dt.date) -> None:
        self.names: Counter = Counter()
        self.ministry_ids: set[str] = set()
        self.first = self.last = day
        self.mentions = 0
        self.documents = 0
        self.evidence: list[tuple[_dt.date, str]] = []

    def seen_in(self, day: _dt.date, doc_id: str) -> None:
        self.documents += 1
        self.first, self.last = min(self.first, day), max(self.last, day)
        # the EVIDENCE smallest (date, id) pairs of distinct ids: the same whatever the order of the documents
        for i, (d, other) in enumerate(self.evidence):
            if other == doc_id:
                if day < d:
                    self.evidence[i] = (day, doc_id)
                    self.evidence.sort()
                return
        self.evidence.append((day, doc_id))
        self.evidence.sort()
        del self.evidence[EVIDENCE:]


def _text(value, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{what} must be a string, got {type(value).__name__}")
    return value.strip() or None


def _titles(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    titles: list[str] = []
    for item in items:
        title = _text(item, "an OFFICIAL's title")
        if title and title not in titles:
            titles.append(title)
    return titles


def _names_by_span(record: dict) -> dict[tuple[int, int], str]:
    """The person's full name for each mention span, from the ``officials`` layer when the record has it."""
    names: dict[tuple[int, int], str] = {}
    layer = record.get("officials")
    if not isinstance(layer, list):
        return names
    for person in layer:
        if not isinstance(person, dict) or not isinstance(person.get("name"), str):
            continue
        for span in person.get("mentions") or ():
            if isinstance(span, (list, tuple)) and len(span) == 2:
                names[(span[0], span[1])] = person["name"]
    return names


def is_explicit(entity: dict) -> bool:
    """An OFFICIAL whose office the document itself gives: a title, no ``resolved``, not ``former``."""
    return (entity.get("label") == "OFFICIAL" and bool(entity.get("title")) and not entity.get("resolved")
            and not entity.get("former"))


class TableBuilder:
    """Builds the table one record at a time (memory grows with the table, not with the corpus)."""

    def __init__(self) -> None:
        self._rows: dict[tuple, _Row] = {}
        self.documents = 0   # records read
        self.undated = 0     # records without a parseable meta.published (not counted)

    def add(self, record: dict) -> None:
        """Count one annotated record; RecordError when it is not one."""
        if not isinstance(record, dict):
            raise RecordError(f"expected a JSON object, got {type(record).__name__}")
        entities = record.get("entities")
        if entities is None:
            raise RecordError("the record has no entities: not output of vnextract annotate")
        if not isinstance(entities, list):
            raise RecordError(f"entities must be a list, got {type(entities).__name__}")
        self.documents += 1
        meta = record.get("meta")
        published = meta.get("published") if isinstance(meta, dict) else None
        day = parse_date(published if published is not None else record.get("published"))
        if day is None:
            self.undated += 1
            return
        doc_id = str(record.get("id"))
        names = None
        touched: set[tuple] = set()
        for i, ent in enumerate(entities):
            if not isinstance(ent, dict):
                raise RecordError(f"entity {i} is not an object")
            if not is_explicit(ent):
                continue
            if names is None:
                names = _names_by_span(record)
            name = names.get((ent.get("start"), ent.get("end"))) or _text(ent.get("text"), "an entity's text") or ""
            org = _text(ent.get("org"), "an OFFICIAL's org")
            unit = _text(ent.get("unit"), "an OFFICIAL's unit")
            if "ministry_id" in ent:
                ministry_id = _text(ent.get("ministry_id"), "an OFFICIAL's ministry_id")
            else:  # output of an older version
                ministry_id = registry().id_of(org) if org else None
            pid = _text(ent.get("person_id"), "an OFFICIAL's person_id")
            titles = _titles(ent.get("title"))
            if pid is None:
                pid = make_person_id(name, ministry_id or unit or (f"title:{titles[0]}" if titles else ""))
            for title in titles:
                key = (pid, title, org, unit)
                row = self._rows.get(key)
                if row is None:
                    row = self._rows[key] = _Row(day)
                row.names[name] += 1
                if ministry_id:
                    row.ministry_ids.add(ministry_id)
                row.mentions += 1
                if key not in touched:
                    touched.add(key)
                    row.seen_in(day, doc_id)

    def rows(self) -> list[dict]:
        """The table: one dict per row (the columns of :data:`COLUMNS`), sorted."""
        out = []
        for (pid, title, org, unit), row in self._rows.items():
            name = min(row.names.items(), key=lambda kv: (-len(kv[0].split()), -kv[1], kv[0]))[0]
            out.append({"person_id": pid, "name": name, "title": title, "org": org,
                        "ministry_id": min(row.ministry_ids) if row.ministry_ids else None, "unit": unit,
                        "first_seen": row.first, "last_seen": row.last, "mentions": row.mentions,
                        "documents": row.documents, "evidence": " ".join(i for _, i in row.evidence) or None})
        out.sort(key=sort_key)
        return out


def sort_key(row: dict) -> tuple:
    return (row["name"], row["person_id"], row["first_seen"], row["title"], row["org"] or "", row["unit"] or "")


def build_table(records: Iterable[dict]) -> list[dict]:
    """The office-holder rows of annotated records (see the module docstring)."""
    builder = TableBuilder()
    for record in records:
        builder.add(record)
    return builder.rows()


# -- writing and reading ----------------------------------------------------------------------------------------
def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableError(f"officials table {path}: unknown format {path.suffix or '(no suffix)'!r}; "
                         f"name it .csv or .parquet")
    return suffix


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def write_table(rows: Iterable[dict], path: str | Path) -> None:
    """Write the rows to ``path``: CSV (UTF-8, a header line) or Parquet, by its suffix.

    Written to a temporary file beside it and then moved into place, so a reader never sees half a table.
    """
    path = Path(path)
    suffix = _suffix(path)
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(COLUMNS)
                for row in rows:
                    writer.writerow([_cell(row.get(c)) for c in COLUMNS])
        else:
            from pipeline.extras import require
            pa = require("pyarrow", "a Parquet officials table")
            pq = require("pyarrow.parquet", "a Parquet officials table")
            types = {c: pa.string() for c in _TEXT}
            types.update({c: pa.date32() for c in _DATES})
            types.update({c: pa.int64() for c in _COUNTS})
            schema = pa.schema([(c, types[c]) for c in COLUMNS])
            data = [{c: row.get(c) for c in COLUMNS} for row in rows]
            pq.write_table(pa.Table.from_pylist(data, schema=schema), tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def _check_row(raw: dict, where: str) -> dict:
    """One row of a table as read, checked and converted; TableError naming ``where`` and the column."""
    row: dict = {}
    for col in _TEXT:
        value = raw.get(col)
        if value is not None and not isinstance(value, str):
            value = str(value)
        value = value.strip() if value is not None else None
        row[col] = value or None
        if col in _REQUIRED and row[col] is None:
            raise TableError(f"{where}, column {col}: empty; every row needs a {col}")
    for col in _DATES:
        value = raw.get(col)
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            day = value
        elif value is None or not str(value).strip():
            raise TableError(f"{where}, column {col}: empty; every row needs a date (YYYY-MM-DD)")
        else:
            text = str(value).strip()
            day = parse_date(text) if len(text) == 10 else None
            if day is None:
                raise TableError(f"{where}, column {col}: {text!r} is not a date (YYYY-MM-DD)")
        row[col] = day
    if row["last_seen"] < row["first_seen"]:
        raise TableError(f"{where}, column last_seen: {row['last_seen']} is before first_seen {row['first_seen']}")
    for col in _COUNTS:
        value = raw.get(col)
        if value is None or (isinstance(value, str) and not value.strip()):
            n = 0
        else:
            try:
                n = int(str(value).strip()) if not isinstance(value, int) else value
            except ValueError:
                raise TableError(f"{where}, column {col}: {value!r} is not a whole number") from None
            if isinstance(value, bool) or n < 0:
                raise TableError(f"{where}, column {col}: {value!r} is not a whole number of at least 0")
        row[col] = n
    return {c: row[c] for c in COLUMNS}


def _check_header(path: Path, columns) -> None:
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise TableError(f"officials table {path}: missing column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)} (the columns are {', '.join(COLUMNS)})")


def read_table(path: str | Path) -> tuple[dict, ...]:
    """The rows of an officials table (CSV or Parquet, by suffix), each a dict of :data:`COLUMNS`: dates as
    ``datetime.date``, empty strings as None, ``mentions``/``documents`` as ints.

    A missing file, an unknown suffix, a missing column or a bad value raises :class:`TableError`, which names
    the file, the row (1 = the first row after the header) and the column.
    """
    path = Path(path)
    suffix = _suffix(path)
    if not path.is_file():
        raise TableError(f"officials table {path}: " + ("a directory, not a file" if path.is_dir()
                                                         else "no such file"))
    rows = []
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f)
                if reader.fieldnames is None:
                    raise TableError(f"officials table {path}: empty (no header line)")
                _check_header(path, reader.fieldnames)
                for n, raw in enumerate(reader, 1):
                    if None in raw:
                        raise TableError(f"officials table {path}: row {n} (line {reader.line_num}) has more "
                                         f"fields than the header")
                    rows.append(_check_row(raw, f"officials table {path}: row {n} (line {reader.line_num})"))
        except UnicodeDecodeError as exc:
            raise TableError(f"officials table {path}: not UTF-8 text (byte {exc.start})") from None
        except csv.Error as exc:
            raise TableError(f"officials table {path}: not a CSV file: {exc}") from None
        except OSError as exc:
            raise TableError(f"officials table {path}: cannot read: {exc.strerror or exc}") from None
    else:
        from pipeline.extras import require
        pq = require("pyarrow.parquet", "a Parquet officials table")
        try:
            table = pq.read_table(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
            raise TableError(f"officials table {path}: cannot read Parquet: {exc}") from None
        _check_header(path, table.column_names)
        for n, raw in enumerate(table.select(list(COLUMNS)).to_pylist(), 1):
            rows.append(_check_row(raw, f"officials table {path}: row {n}"))
    return tuple(rows)
