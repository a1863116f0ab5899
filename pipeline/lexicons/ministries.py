"""The dated registry of ministries and ministry-level agencies (``models/ministries.jsonl``).

One record per ministry or ministry-level agency since 2002 (ids such as ``btttt``): official name,
validity dates, predecessors and successors, abbreviations, field-only forms ("Nội vụ", "GD&ĐT") and
casing or spelling variants. :func:`registry` gives the process-wide instance every stage shares.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from typing import Iterable

from pipeline.docdate import parse_date
from pipeline.resources import ResourceError, manifest, read_jsonl, shared
from pipeline.text.vietnamese import is_abbreviation, new_tone_style

REGISTRY_FILE = "ministries.jsonl"

_AND = re.compile(r"\bvà\b")
_NON_KEY = re.compile(r"[\W_]+")


def form_key(surface: str) -> str:
    """A comparison key for a written form: new-style tones, lower case, without "và", spaces and punctuation.

    "Bộ GD và ĐT", "GD&ĐT" and "gd-đt" share a key; so do "Công thương" and "Công Thương".
    """
    s = new_tone_style(unicodedata.normalize("NFC", surface)).lower()
    return _NON_KEY.sub("", _AND.sub(" ", s))


def _registry_date(row: dict, key: str) -> _dt.date | None:
    value = row.get(key)
    day = parse_date(value)
    if value and day is None:
        raise ResourceError(f"{REGISTRY_FILE}: {row.get('id')!r}: {key} {value!r} is not an ISO date")
    return day


def _registry_version_date() -> _dt.date:
    """The version date of models/ministries.jsonl from the manifest (YYYY.MM.DD)."""
    version = manifest().get(REGISTRY_FILE, {}).get("version", "")
    try:
        return _dt.date(*map(int, version.split(".")[:3]))
    except (TypeError, ValueError):
        return _dt.date.min


@dataclass(frozen=True)
class Ministry:
    """One body of the registry (see models/ministries.jsonl)."""

    id: str
    name: str
    type: str
    valid_from: _dt.date | None
    valid_to: _dt.date | None
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    abbreviations: tuple[str, ...]
    field: tuple[str, ...]
    field_informal: tuple[str, ...]
    variants: tuple[str, ...]
    name_en: str
    doc_code: str | None = None
    extra: dict = dc_field(default_factory=dict, compare=False, hash=False)

    def valid_at(self, day: _dt.date) -> bool:
        """True when the body existed on ``day``."""
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))

    def distance(self, day: _dt.date) -> int:
        """Days between ``day`` and the body's period of existence (0 inside it)."""
        if self.valid_from is not None and day < self.valid_from:
            return (self.valid_from - day).days
        if self.valid_to is not None and day > self.valid_to:
            return (day - self.valid_to).days
        return 0

    def as_dict(self) -> dict:
        """The record as in the JSONL file."""
        return {"id": self.id, "name": self.name, "type": self.type,
                "valid_from": self.valid_from.isoformat() if self.valid_from else None,
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "predecessors": list(self.predecessors), "successors": list(self.successors),
                "abbreviations": list(self.abbreviations), "field": list(self.field),
                "field_informal": list(self.field_informal), "variants": list(self.variants),
                "name_en": self.name_en, "doc_code": self.doc_code, **self.extra}


@dataclass(frozen=True)
class FormInfo:
    """What a written form (by its key) can denote: ``specific`` forms name one body, informal ones several."""

    ids: tuple[str, ...]
    specific: bool


class MinistryRegistry:
    """The dated registry of ministries and ministry-level agencies.

    ``lookup(surface, date)`` gives the record a written form denotes at a date;
    ``canonical(id, date)`` its official name; ``match_field(text)`` the id of a
    field-only form ("Nội vụ" -> "bnv"). Dates are ``datetime.date``, ISO
    strings or None (None = the latest state of the registry).
    """

    def __init__(self, rows: list[dict] | None = None) -> None:
        rows = read_jsonl(REGISTRY_FILE) if rows is None else rows
        known = {"id", "name", "type", "valid_from", "valid_to", "predecessors", "successors", "abbreviations",
                 "field", "field_informal", "variants", "name_en", "doc_code"}
        self.records: dict[str, Ministry] = {}
        for row in rows:
            rec = Ministry(
                id=row["id"], name=row["name"], type=row["type"],
                valid_from=_registry_date(row, "valid_from"), valid_to=_registry_date(row, "valid_to"),
                predecessors=tuple(row.get("predecessors") or ()), successors=tuple(row.get("successors") or ()),
                abbreviations=tuple(row.get("abbreviations") or ()), field=tuple(row.get("field") or ()),
                field_informal=tuple(row.get("field_informal") or ()), variants=tuple(row.get("variants") or ()),
                name_en=row.get("name_en") or "", doc_code=row.get("doc_code"),
                extra={k: v for k, v in row.items() if k not in known})
            if rec.id in self.records:
                raise ValueError(f"duplicate ministry id {rec.id!r}")
            self.records[rec.id] = rec
        self._by_name = {rec.name: rec.id for rec in self.records.values()}
        self.latest = max(d for r in self.records.values() for d in (r.valid_from, r.valid_to) if d)
        # "today" for the registry is the date it was last checked (its manifest version), not the
        # clock, so the same input gives the same output on any day
        self.as_of = max(self.latest, _registry_version_date())
        # Written forms, split by how they can appear in a text.
        self.field_specific: dict[str, set[str]] = {}  # after "Bộ" or a title: "Tài chính", "GD&ĐT"
        self.field_informal: dict[str, set[str]] = {}  # short, possibly ambiguous: "Giáo dục", "Nông nghiệp"
        self.bare: dict[str, set[str]] = {}            # on their own: "Văn phòng Chính phủ", "NHNN", "BTTTT"
        for rec in self.records.values():
            names = (rec.name,) + rec.variants + rec.abbreviations
            for form in names:
                if form.startswith("Bộ "):
                    self.field_specific.setdefault(form[3:], set()).add(rec.id)
                elif not is_abbreviation(form) or len(form) >= 4:
                    self.bare.setdefault(form, set()).add(rec.id)
            for form in rec.field:
                self.field_specific.setdefault(form, set()).add(rec.id)
            for form in rec.field_informal:
                self.field_informal.setdefault(form, set()).add(rec.id)
        self._field_keys: dict[str, set[str]] = {}
        for table in (self.field_specific, self.field_informal):
            for form, ids in table.items():
                self._field_keys.setdefault(form_key(form), set()).update(ids)
        self._keys: dict[str, FormInfo] = {}
        for table, specific in ((self.field_informal, False), (self.field_specific, True), (self.bare, True)):
            for form, ids in table.items():
                k = form_key(form)
                prev = self._keys.get(k)
                merged = set(ids) | (set(prev.ids) if prev else set())
                self._keys[k] = FormInfo(tuple(sorted(merged)), specific and len(merged) == 1)

    # -- look-ups ---------------------------------------------------------------
    def get(self, id: str) -> Ministry:
        """The record with this id (KeyError if unknown)."""
        return self.records[id]

    def _day(self, date) -> _dt.date:
        if date is None:
            return self.as_of
        if isinstance(date, _dt.date):
            return date
        return _dt.date.fromisoformat(str(date)[:10])

    def form_info(self, surface: str) -> FormInfo | None:
        """What a written form denotes, with or without its leading "Bộ" (None if unknown)."""
        s = surface.strip()
        info = self._keys.get(form_key(s))
        if info is None:
            stripped = re.sub(r"^[Bb]ộ\s*:?\s*", "", s)
            info = self._keys.get(form_key(stripped))
        return info

    def choose(self, ids: Iterable[str], date=None) -> Ministry:
        """Of several candidate bodies, the one valid at ``date`` (else the one nearest in time)."""
        day = self._day(date)
        recs = [self.records[i] for i in ids]
        return min(recs, key=lambda r: (r.distance(day), -(r.valid_from or _dt.date.min).toordinal()))

    def lookup(self, surface: str, date=None) -> Ministry | None:
        """The body that ``surface`` ("Bộ TT&TT", "Nội vụ", "NHNN", "Bộ Nông nghiệp") denotes at ``date``."""
        info = self.form_info(surface)
        if info is None:
            return None
        return self.choose(info.ids, date)

    def id_of(self, name: str) -> str | None:
        """The id of the body whose official name (or any written form) is ``name``, else None."""
        rec = self._by_name.get(name)
        if rec is None:
            found = self.lookup(name)
            return found.id if found is not None else None
        return rec

    def canonical(self, id: str, date=None) -> str:
        """The official name of body ``id`` at ``date``.

        A body keeps one name for as long as it exists in the registry; a body that was
        merged or dissolved before ``date`` keeps its own last name (a "Bộ Kế hoạch và Đầu tư"
        mentioned in 2026 is not the Ministry of Finance).
        """
        return self.records[id].name

    def match_field(self, text: str, date=None) -> str | None:
        """The id of the body named by a field-only form ("Nội vụ", "GD-ĐT", "Giáo dục") at ``date``, else None."""
        ids = self._field_keys.get(form_key(text))
        return self.choose(ids, date).id if ids else None

    def valid_at(self, date=None) -> list[Ministry]:
        """The bodies that existed at ``date`` (today's Government when None)."""
        day = self._day(date)
        return [r for r in self.records.values() if r.valid_at(day)]

    def successors_at(self, id: str, date=None) -> list[Ministry]:
        """The bodies that carried on body ``id``'s work at ``date`` (itself while it exists)."""
        day = self._day(date)
        todo, seen, out = [id], set(), []
        while todo:
            rec = self.records[todo.pop(0)]
            if rec.id in seen:
                continue
            seen.add(rec.id)
            if rec.valid_at(day) or not rec.successors:
                out.append(rec)
            else:
                todo.extend(rec.successors)
        return out


@shared
def registry() -> MinistryRegistry:
    """The process-wide registry, loaded on first use."""
    return MinistryRegistry()
