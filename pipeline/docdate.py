"""The date a document speaks from: one definition for every stage that needs it.

``published_date`` reads ``meta.published`` (the one place that does: every stage goes through it);
``document_date`` falls back on the text (its latest full date, else the year it names most often),
computed once per document and kept on it. A ``meta.published`` that is not an ISO date
(``YYYY-MM-DD``) between 1900 and 2100 is unknown: ``published_date`` gives None and adds a warning
to ``Document.warnings``, and ``Document.to_json`` writes ``published: null`` (``check_published``).
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # document.py imports this module (check_published); no import back at run time
    from pipeline.document import Document

#: the years a date of this pipeline may have: relative dates are computed from the publication
#: date, and TIMEX values have four-digit years
MIN_YEAR, MAX_YEAR = 1900, 2100
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_FULL_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)(?!\d)"
    r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?:năm|[/\-.])\s?((?:19|20)\d\d)(?!\d)")


def parse_date(value, partial: bool = False) -> _dt.date | None:
    """An ISO date (``YYYY-MM-DD``, anything after the day ignored) as a ``date``; None when empty,
    not a date or not between the years ``MIN_YEAR`` and ``MAX_YEAR``. With ``partial``, ``YYYY`` is
    1 July and ``YYYY-MM`` the 15th of that month."""
    if not value:
        return None
    text = str(value)[:10]
    try:
        if partial and re.fullmatch(r"\d{4}", text):
            day = _dt.date(int(text), 7, 1)
        elif partial and re.fullmatch(r"\d{4}-\d{2}", text):
            day = _dt.date(int(text[:4]), int(text[5:7]), 15)
        elif _ISO_DAY.fullmatch(text):
            day = _dt.date.fromisoformat(text)
        else:
            return None
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def check_published(value: Any) -> tuple[_dt.date | None, str | None]:
    """A ``meta.published`` value as ``(date, problem)``: ``(None, None)`` when it is absent (None or
    blank), ``(None, why)`` when it is not an ISO date between ``MIN_YEAR`` and ``MAX_YEAR``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    day = parse_date(value) if isinstance(value, (str, _dt.date)) else None
    if day is None:
        return None, (f"meta.published {value!r} is not an ISO date (YYYY-MM-DD) between {MIN_YEAR} and "
                      f"{MAX_YEAR}; the publication date is unknown, relative dates are not resolved")
    return day, None


def published_date(doc: Document) -> _dt.date | None:
    """``meta.published`` as a date: None when absent or not valid (see ``check_published``; then
    the problem is added to ``doc.warnings``, once)."""
    day, problem = check_published(doc.meta.get("published") if doc.meta else None)
    if problem:
        doc.warn(problem)
    return day


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
