"""The DATE stage: ``find_dates`` and the ``DateTagger`` processor (see the package docstring)."""
from __future__ import annotations

from datetime import date

from pipeline.base import Processor
from pipeline.docdate import parse_date, published_date
from pipeline.document import Document
from pipeline.processors.dates.grammar import _grammar
from pipeline.processors.dates.select import _candidates, _combine, _select


def _find(text: str, pub: date | None) -> list[tuple[int, int, str | None]]:
    """``find_dates`` with the publication date already parsed."""
    g = _grammar()
    chosen = _select(text, _candidates(text, pub, g), g)
    return [(c.start, c.end, c.value) for c in _combine(text, chosen, pub, g)]


def find_dates(text: str, published: str | None) -> list[tuple[int, int, str | None]]:
    """Find the DATE expressions of ``text``: ``(start, end, value)`` triples in text order.

    ``published`` is the ISO publication date (or None) that relative expressions are
    resolved against; without it an unknown year is ``XXXX`` and deictic expressions
    ("hôm nay", "năm nay") get the value None.
    """
    return _find(text, parse_date(published))


class DateTagger(Processor):
    """Adds DATE entities with a TIMEX3-style ``value`` attribute (see ``find_dates``); the
    publication date is ``meta.published``."""

    name = "dates"
    requires: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset({"dates"})

    def __init__(self, **config) -> None:
        super().__init__(**config)
        self.grammar = _grammar()

    def __call__(self, doc: Document) -> Document:
        found = _find(doc.text, published_date(doc))
        layer = []
        for start, end, value in found:
            doc.add_entity("DATE", start, end, source="rules", value=value)
            layer.append({"start": start, "end": end, "text": doc.text[start:end], "value": value})
        doc.layers["dates"] = layer
        return doc
