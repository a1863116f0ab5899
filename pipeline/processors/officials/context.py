"""What one pass of the officials stage over one document works on.

:class:`DocContext` holds the per-document values (the text, its date, the units and places found by
earlier stages, the byline zones), built at the start of each call and handed to the steps that need
them, so the stage itself keeps no per-document state and serves many threads at once.
:class:`Office` and :class:`Person` are what the steps learn about office mentions and people.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from pipeline.spans import SpanIndex


@dataclass
class Office:
    """One office mention and what was learnt about it."""

    start: int
    end: int            # end of the office words
    comp_end: int       # end of its organisation phrase
    title: str
    level: str
    policy: str         # yes / context / explicit / no
    implied_org: str | None
    former: bool = False
    org: str | None = None
    org_kind: str = ""  # explicit / explicit_null / implied / anchor / deferred / none
    foreign: bool = False
    company: bool = False
    name: tuple[int, int] | None = None   # the name found after it
    person: str | None = None
    base: str = ""      # the office's title in models/offices.tsv, without prefixes or qualifiers
    shared: bool = False  # given to several listed names ("tổ ĐBQH gồm ..."): after a person's own offices
    unit: str | None = None   # the body outside the ministries its organisation phrase names ("UBND tỉnh X")


@dataclass
class Person:
    name: str
    offices: list[Office] = field(default_factory=list)
    foreign: bool = False
    mentions: set[tuple[int, int]] = field(default_factory=set)
    known: str | None = None   # the name in the gazetteer of well-known office holders, when a row fits the date
    registry: str | None = None   # that name, whatever the date: the person of an office it gives at another time
    expert: bool = False       # introduced by a degree or a role ("TS", "chuyên gia")
    table: str | None = None   # the name in the officials table the stage was given
    citizen: bool = False      # described as a private citizen ("ông X, một nông dân ..."): no known office


@dataclass(frozen=True)
class DocContext:
    """The per-document values of one call."""

    text: str
    low: str                  # ``text`` lower-cased, or ``text`` itself when that changes its length
    day: _dt.date | None      # the document's date (meta.published, else the text's latest date)
    rough: bool               # ``day`` is only the year the text names most
    ministries: list[tuple[int, int, str]]   # MINISTRY entities: (start, end, canonical), sorted
    dept_orgs: list[tuple[int, int, str]]    # ORG entities of a ministry: (start, end, ministry), sorted
    units: list[tuple[int, int, str]]        # ministries and agencies of one, sorted: they give an office its org
    unit_index: SpanIndex     # ``units`` by position
    unit_starts: list[int]    # the start of each of ``units``
    dept_index: SpanIndex     # ``dept_orgs`` by position
    blocked: SpanIndex        # units and places: no name starts inside one
    zones: SpanIndex          # bylines and photo credits: nobody named there is in the story
    table: object = None      # the officials table (:class:`HolderTable`) given to the stage, if any
    doc_id: str | None = None  # the document's id: a table row seen only in this document adds nothing
    place_units: SpanIndex | None = None   # PLACE entities: (start, end, the unit's canonical name)

    def in_zones(self, start: int, end: int) -> bool:
        """True if ``start:end`` lies inside a byline or a photo credit."""
        return bool(self.zones.covering(start, end))

    def unit_at(self, pos: int) -> tuple[int, int, str] | None:
        """The unit that contains the character at ``pos`` (the one starting last), else None."""
        found = self.unit_index.covering(pos, pos + 1)
        return found[-1] if found else None

    def dept_from(self, start: int, end: int) -> tuple[int, int, str] | None:
        """The first department (ORG of a ministry) that starts in ``start:end``, else None."""
        found = self.dept_index.starts_within(start, end)
        return found[0] if found else None

    def blocked_tokens(self, toks: list[tuple[str, int, int]]) -> set[int]:
        """Indexes of the tokens (word, start, end) that start inside a unit or a place."""
        return {k for k, t in enumerate(toks) if self.blocked.covering(t[1], t[1] + 1)}
