"""The date a document speaks from: one definition for every stage that needs it.

``published_date`` reads ``meta.published``; ``document_date`` falls back on the text (its latest
full date, else the year it names most often). Both are computed once per document and kept on it.
"""
from __future__ import annotations

import datetime as _dt
import re

from pipeline.document import Document

_FULL_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)(?!\d)"
    r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?:năm|[/\-.])\s?((?:19|20)\d\d)(?!\d)")


def parse_date(value, partial: bool = False) -> _dt.date | None:
    """An ISO date (``YYYY-MM-DD``, anything after the day ignored) as a ``date``; None when empty or
    not a date. With ``partial``, ``YYYY`` is 1 July and ``YYYY-MM`` the 15th of that month."""
    if not value:
        return None
    text = str(value)[:10]
    try:
        if partial and len(text) == 4:
            return _dt.date(int(text), 7, 1)
        if partial and len(text) == 7:
            return _dt.date(int(text[:4]), int(text[5:7]), 15)
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def published_date(doc: Document) -> _dt.date | None:
    """``meta.published`` as a date (None when absent or not a date)."""
    return parse_date(doc.meta.get("published") if doc.meta else None)


def document_date(doc: Document, as_of: _dt.date) -> tuple[_dt.date | None, str]:
    """The date a document speaks from, and how it was found.

    ``meta.published`` when set (``"published"``); otherwise the latest full date written in the text
    that is not after ``as_of`` (``"text"``: for news the publication date or close to it); otherwise
    the year the text mentions most often (``"year"``, as 1 July of that year); otherwise
    ``(None, "unknown")``. The answer is kept on the document, so stages that ask again pay nothing.
    """
    key = ("document_date", as_of)
    cached = doc.derived.get(key)
    if cached is None:
        cached = doc.derived[key] = _find_document_date(doc, as_of)
    return cached


def _find_document_date(doc: Document, as_of: _dt.date) -> tuple[_dt.date | None, str]:
    day = published_date(doc)
    if day is not None:
        return day, "published"
    best = None
    for m in _FULL_DATE.finditer(doc.text):
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        try:
            day = _dt.date(int(y), int(mo), int(d))
        except ValueError:
            continue
        if day <= as_of and (best is None or day > best):
            best = day
    if best:
        return best, "text"
    counts: dict[int, int] = {}
    for m in _YEAR.finditer(doc.text):
        y = int(m.group(1))
        if y <= as_of.year:
            counts[y] = counts.get(y, 0) + 1
    if counts:
        year = max(counts, key=lambda y: (counts[y], y))
        return _dt.date(year, 7, 1), "year"
    return None, "unknown"
