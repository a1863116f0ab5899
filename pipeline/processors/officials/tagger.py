"""The officials stage: the :class:`OfficialTagger` processor, which runs the steps of the package in order."""
from __future__ import annotations

from typing import Any

from pipeline.base import Processor
from pipeline.docdate import document_date
from pipeline.document import Document
from pipeline.lexicons.places import ADMIN_WORDS
from pipeline.processors.officials.attributes import emit
from pipeline.processors.officials.context import DocContext
from pipeline.processors.officials.holders import career_offices, find_people
from pipeline.processors.officials.lexicon import Lexicon
from pipeline.processors.officials.linking import later_mentions, merge_people
from pipeline.processors.officials.offices import company_anchors, find_offices, org_from_earlier_office, triggers
from pipeline.processors.officials.table import load_table
from pipeline.processors.officials.zones import byline_zones
from pipeline.spans import SpanIndex


class OfficialTagger(Processor):
    """Adds OFFICIAL entities (title, titles, org, ministry_id, unit, person_id) and PERSON entities.

    ``table``: an officials table (a CSV/Parquet path or row dicts, see :mod:`.table`) that resolves the
    bare mentions of a person the corpus names elsewhere with an office; ``table_slack_days`` (180) widens
    each row's period on both sides.

    Reads the MINISTRY entities (and ORG entities with a ``ministry``) of the ministries stage and the
    PLACE entities of the places stage. Holds only its :class:`Lexicon`; everything about one document
    lives in a :class:`DocContext` made for the call, so one tagger serves many threads at once.
    """

    name = "officials"
    requires = frozenset({"ministries", "places"})
    provides = frozenset({"officials"})

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        unknown = set(config) - {"table", "table_slack_days"}
        if unknown:
            raise ValueError(f"officials: unknown option(s) {', '.join(sorted(unknown))} "
                             "(known: table, table_slack_days)")
        self.lexicon = Lexicon()
        # an officials table (``vnextract officials``): bare mentions resolved from the corpus
        self.table = load_table(config.get("table"), config.get("table_slack_days", 180),
                                self.lexicon.head_offices)

    def context(self, doc: Document) -> DocContext:
        """The per-document values of one call: date, units, places, bylines."""
        lex, text = self.lexicon, doc.text
        # the date of the document (meta.published, else the text's latest date) for the gazetteers
        day, how = document_date(doc, lex.registry.as_of)
        ministries = sorted((e.start, e.end, e.attrs.get("canonical")) for e in doc.entities
                            if e.label == "MINISTRY" and e.attrs.get("canonical"))
        dept_orgs = sorted((e.start, e.end, e.attrs.get("ministry")) for e in doc.entities
                           if e.label == "ORG" and e.attrs.get("ministry"))
        places = [(e.start, e.end) for e in doc.entities if e.label == "PLACE"]
        place_units = sorted((e.start, e.end, _unit_name(e.attrs.get("canonical"), text[e.start:e.end]))
                             for e in doc.entities if e.label == "PLACE")
        low = text.lower()
        low = low if len(low) == len(text) else text
        agencies = lex.find_agencies(text, low, SpanIndex(ministries), day)
        # units that give an office its ministry: the ministries and the agencies that belong to one
        units = sorted(ministries + agencies)
        blocked = sorted([(s, e) for s, e, _ in units] + places)
        return DocContext(text=text, low=low, day=day, rough=how == "year", ministries=ministries,
                          dept_orgs=dept_orgs, units=units, unit_index=SpanIndex(units),
                          unit_starts=[m[0] for m in units], dept_index=SpanIndex(dept_orgs),
                          blocked=SpanIndex(blocked), zones=SpanIndex(byline_zones(lex, text)),
                          table=self.table, doc_id=doc.id, place_units=SpanIndex(place_units))

    def __call__(self, doc: Document) -> Document:
        lex = self.lexicon
        ctx = self.context(doc)
        found = triggers(lex, ctx)
        offices = find_offices(lex, ctx, found)
        company_anchors(lex, ctx, offices)
        org_from_earlier_office(offices)
        # 1-4. names next to offices and honorifics, and well-known office holders
        people = find_people(lex, ctx, found, offices)
        merge_people(people)
        # 5. later mentions: full names and aliases
        later_mentions(lex, ctx, people, found)
        # 6. a career listed without names: "đồng chí X ... đã trải qua các cương vị: Thứ trưởng ...; Bộ trưởng ..."
        career_offices(lex, ctx.text, people, offices)
        # 7. attributes and entities
        emit(lex, ctx, doc, people)
        return doc


def _unit_name(canonical, surface: str) -> str:
    """The canonical name of a place's own unit without its administrative word ("TP.HCM", "thành phố Hồ
    Chí Minh" -> "Hồ Chí Minh"), else its surface."""
    name = surface
    if isinstance(canonical, dict):
        name = canonical.get("unit") or canonical.get("name") or surface
    elif isinstance(canonical, str) and canonical:
        name = canonical
    words = name.split()
    for n in (2, 1):
        if len(words) > n and tuple(w.lower() for w in words[:n]) in ADMIN_WORDS:
            return " ".join(words[n:])
    return name
