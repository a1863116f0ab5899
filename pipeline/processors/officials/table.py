"""Office holders seen in a corpus, used to resolve the bare mentions of a document.

A table of rows ``person_id, name, title, org, ministry_id, unit, first_seen, last_seen, mentions, ...`` (see
``vnextract officials``) says which offices the corpus gave each person explicitly, and when. A document
that names the person alone ("Ông Z cho biết") or with a title and no ministry ("Thứ trưởng X") gets the
office from the row in force at the document's date, widened by ``slack`` days on each side (an office is
held for a while before and after the corpus happens to mention it), and cut where the table shows a later
holder of a single-holder office.

Only rows that add something are used (an org or a unit), never a row that rests on the document itself
alone (it would only echo that document's own guess), and only when one person of that name fits the date:
two namesakes active at once leave the mention as the document gives it.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Iterable

from pipeline.knowledge.officials import read_table
from pipeline.text.patterns import trie_pattern


class HolderTable:
    """Rows of an officials table, by name; read-only once built (shared by threads).

    ``heads``: the offices one person holds in one body at a time (``head_office`` cues): the period of such
    a row ends where the table shows another person in the same office of the same body.
    """

    def __init__(self, rows: Iterable[dict], slack_days: int = 180, heads: frozenset[str] = frozenset()) -> None:
        self.slack = _dt.timedelta(days=slack_days)
        by_name: dict[str, list[dict]] = {}
        by_office: dict[tuple, list[dict]] = {}
        for row in rows:
            if not (row.get("org") or row.get("unit")) or not row.get("person_id"):
                continue   # "Thứ trưởng X" with nothing more: nothing to resolve with
            if row.get("first_seen") is None or row.get("last_seen") is None:
                continue
            row = dict(row, until=row["last_seen"] + self.slack,
                       only=_only_document(row))
            by_name.setdefault(row["name"], []).append(row)
            if row["title"] in heads:
                by_office.setdefault((row["title"], row.get("org"), row.get("unit")), []).append(row)
        # a later holder of the same single-holder office ends the period of an earlier one
        for holders in by_office.values():
            for row in holders:
                later = [h["first_seen"] for h in holders
                         if h["person_id"] != row["person_id"] and h["first_seen"] > row["last_seen"]]
                if later:
                    row["until"] = min(row["until"], min(later) - _dt.timedelta(days=1))
        self.by_name = by_name
        names = [n for n in by_name if len(n.split()) >= 2]
        self.name_re = re.compile(rf"(?<!\w)(?:{trie_pattern(names)})(?!\w)") if names else None

    @staticmethod
    def _distance(row: dict, day: _dt.date) -> int:
        if day < row["first_seen"]:
            return (row["first_seen"] - day).days
        if day > row["last_seen"]:
            return (day - row["last_seen"]).days
        return 0

    def lookup(self, name: str, day: _dt.date | None, titles: list[str], doc_id: str | None = None,
               org: str | None = None) -> dict | None:
        """The row that gives ``name`` its office at ``day`` (one of ``titles`` when the document gives
        titles, in ``org`` when it gives the ministry), or None when no row fits or namesakes make it
        ambiguous. A row seen only in document ``doc_id`` is that document's own guess: never used for it."""
        if day is None:
            return None
        rows = [r for r in self.by_name.get(name, ())
                if r["first_seen"] - self.slack <= day <= r["until"] and
                (doc_id is None or r["only"] != doc_id)]
        if titles:
            rows = [r for r in rows if r["title"] in titles]
        if org is not None:
            rows = [r for r in rows if r.get("org") == org]
        if not rows or len({r["person_id"] for r in rows}) > 1:
            return None
        return min(rows, key=lambda r: (self._distance(r, day), -int(r.get("mentions") or 0), r["title"],
                                        r.get("org") or "", r.get("unit") or ""))


def _only_document(row: dict) -> str | None:
    """The id of the one document a row rests on, else None."""
    evidence = (row.get("evidence") or "").split()
    return evidence[0] if len(evidence) == 1 and int(row.get("documents") or 1) == 1 else None


def load_table(source, slack_days: int = 180, heads: frozenset[str] = frozenset()) -> HolderTable | None:
    """A :class:`HolderTable` from a path (CSV or Parquet, read by :mod:`pipeline.knowledge.officials`) or from
    row dicts; None for no table."""
    if source is None:
        return None
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        source = read_table(source)
    return HolderTable(source, slack_days, heads)
