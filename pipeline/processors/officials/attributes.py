"""The attributes of each person and the entities they become.

An OFFICIAL's ``title`` is the first office of the person in the document (a string; ``titles``
lists all of them), ``org`` the canonical ministry the office belongs to, else None; a person with no
office is a PERSON (with the ``role`` of a post outside the state, if any).
"""
from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Any

from pipeline.document import Document
from pipeline.ids import person_id
from pipeline.processors.officials.context import DocContext, Office, Person
from pipeline.processors.officials.lexicon import Lexicon
from pipeline.processors.officials.offices import NULL_LEVELS
from pipeline.spans import filter_spans

_WEAK_LEVELS = frozenset({"civil_service", "rank"})


class _Ministries:
    """The MINISTRY entities of a document (sorted), asked where the nearest one before a position is."""

    __slots__ = ("_items", "_starts", "_by_end", "_ends", "_suffix_min_end")

    def __init__(self, ministries: list[tuple[int, int, str]]) -> None:
        self._items = ministries
        self._starts = [m[0] for m in ministries]
        self._by_end = sorted(range(len(ministries)), key=lambda i: (ministries[i][1], i))
        self._ends = [ministries[i][1] for i in self._by_end]
        # the smallest end from each ministry on (it rises with the index): the last ministry ending by
        # ``pos`` is the last index where it is at most ``pos``
        self._suffix_min_end = list(accumulate((m[1] for m in reversed(ministries)), min))[::-1]

    def context(self, pos: int) -> str | None:
        """The ministry of the story at ``pos``: the last (in start order) ending before it, else the
        first starting after it."""
        last = bisect.bisect_right(self._suffix_min_end, pos)
        if last:
            return self._items[last - 1][2]
        i = bisect.bisect_left(self._starts, pos)
        return self._items[i][2] if i < len(self._items) else None

    def nearest_before(self, pos: int) -> tuple[int, int, str] | None:
        """The ministry that ends last by ``pos`` (the first in start order of those ending together)."""
        j = bisect.bisect_right(self._ends, pos)
        if not j:
            return None
        first = bisect.bisect_left(self._ends, self._ends[j - 1])
        return self._items[self._by_end[first]]


def anchor_org(lex: Lexicon, ctx: DocContext, ministries: _Ministries, pos: int) -> str | None:
    """The nearest organisation before ``pos``: a ministry gives it, a local body gives None."""
    best_min = ministries.nearest_before(pos)
    lo = best_min[1] if best_min else max(0, pos - 400)
    local = None
    for lm in lex.local_re.finditer(ctx.text, lo, pos):
        local = lm
    if local is not None or best_min is None:
        return None
    return best_min[2]


def emit(lex: Lexicon, ctx: DocContext, doc: Document, people: dict[str, Person]) -> None:
    """Add the OFFICIAL and PERSON entities and the ``officials`` layer (one row per person)."""
    ministries = _Ministries(ctx.ministries)
    candidates = []
    for p in people.values():
        offs = [o for o in p.offices if o.level != "nonofficial" and not o.company]
        nonofficial = [o for o in p.offices if o.level == "nonofficial" or o.company]
        # the document's own description of the person (a role outside the state, a former office) is
        # never overridden from the officials table
        own_role = not any(not o.former for o in offs) and (bool(nonofficial) or any(o.former for o in offs))
        table = p.table if p.table and not own_role else None
        known = p.known or (table if table and ctx.table.lookup(table, ctx.day, [], ctx.doc_id) else None)
        if offs and p.expert and not known and all(o.former for o in offs):
            # "TS X, nguyên Viện trưởng ...": an expert speaking of a past office, not an official
            nonofficial, offs = offs, []
        if offs and nonofficial and not known and all(o.level == "generic" and not o.org for o in offs):
            # "bà X, Hiệu trưởng Trường Y, Trưởng ban coi thi": a post inside that school or company
            nonofficial, offs = nonofficial + offs, []
        if p.foreign and known is None and not offs and not nonofficial:
            continue   # a foreign name after ông/bà, with no office: too unsure to be a PERSON
        if not offs and nonofficial and not known:
            label, attrs = "PERSON", {"role": nonofficial[0].title, "person_id": person_id(p.name)}
        elif not offs and not known:
            label, attrs = "PERSON", {"person_id": person_id(p.name)}
        else:
            label = "OFFICIAL"
            attrs = official_attrs(lex, ctx, ministries, p, offs, table)
        for s, e in p.mentions:
            candidates.append((s, e, label, attrs, p.name))
    # the longest mention wins where two overlap (of two mentions of one span, the one listed first);
    # entities are added longest first, as they are chosen
    taken = [e for e in doc.entities if e.label in ("OFFICIAL", "PERSON")]
    kept = filter_spans(candidates, "longest", taken=taken)
    kept.sort(key=lambda c: (c[0] - c[1], c[0]))
    summary: dict[str, dict] = {}
    for s, e, label, attrs, name in kept:
        doc.add_entity(label, s, e, source="rules", **attrs)
        row = summary.setdefault(name, {"name": name, "label": label, **attrs, "mentions": []})
        row["mentions"].append([s, e])
    layer = doc.layers.setdefault("officials", [])
    for row in sorted(summary.values(), key=lambda r: min(m[0] for m in r["mentions"])):
        row["mentions"].sort()
        layer.append(row)


def official_attrs(lex: Lexicon, ctx: DocContext, ministries: _Ministries, p: Person,
                   offs: list[Office], table: str | None = None) -> dict:
    """``title``, ``titles``, ``org`` and ``former`` of an official with offices ``offs``."""
    offs = sorted(offs, key=lambda o: o.start)
    strong = [o for o in offs if o.level not in _WEAK_LEVELS]
    # an office held at the document's date comes before the former ones ("nguyên Bộ trưởng ..., Bí thư ...")
    current = [o for o in strong if not o.former]
    if current and len(current) < len(strong):
        strong = current + [o for o in strong if o.former]
    ordered = [o for o in strong if not o.shared] + [o for o in strong if o.shared] + \
        [o for o in offs if o.level in _WEAK_LEVELS]
    titles: list[str] = []
    for o in ordered:
        if o.title not in titles:
            titles.append(o.title)
    # the ministry the text itself gives: an explicit one, else one the office implies (not a former office's
    # when the person holds another now)
    givers = [o for o in ordered if not o.former] if current else ordered
    giver = next((o for kind in ("explicit", "implied") for o in givers if o.org_kind == kind and o.org), None)
    text_org = giver.org if giver is not None else None
    # the offices the text gives without their body: only those may take one from the table
    open_titles = [o.title for o in current or strong if not o.unit and not o.org]
    # the office known from elsewhere: the registry of office holders, else the officials table (not where
    # the text names the office's body itself)
    known = lex.known_for(p.known, ctx.day, ctx.rough, titles, text_org) if p.known else None
    via = "registry" if known else None
    if known is None and table and (open_titles or not strong):
        known = ctx.table.lookup(table, ctx.day, open_titles if strong else titles, ctx.doc_id, text_org)
        via = "table" if known else None
        if known is not None and known["title"] in titles:
            titles.remove(known["title"])   # the office the table completes is the one the person is named by
            titles.insert(0, known["title"])
    resolved = False
    # a name with joined syllables is a transliteration ("An Tha-ni"): never a Vietnamese ministry's
    foreign = p.foreign or any(o.foreign for o in offs) or "-" in p.name or \
        bool(known and known.get("country", "") not in ("", "Việt Nam"))
    org = None
    if not foreign:
        if giver is not None:
            org = giver.org
            # the title is the office that org belongs to ("Thứ trưởng Bộ Công an" in a career list)
            titles.remove(giver.title)
            titles.insert(0, giver.title)
        # an office outside any ministry (Phó Thủ tướng, Bí thư, a local body) outweighs a ministry guessed
        # from the context for a generic office ("do Phó Thủ tướng X làm trưởng ban")
        if org is None and via != "table" and any(o.org_kind == "explicit_null" or o.level in NULL_LEVELS
                               for o in offs if o.level not in _WEAK_LEVELS) \
                and not any(o.org_kind == "deferred" and o.policy == "yes" for o in offs):
            org = None
        elif org is None:
            if known and known.get("org"):
                org, resolved = known["org"], True
            else:
                for o in offs:
                    if o.org_kind == "deferred":
                        org = ministries.context(o.start)
                    elif o.org_kind == "anchor":
                        org = anchor_org(lex, ctx, ministries, o.start)
                    if org:
                        break
    if not titles and known:
        titles, resolved = [known["title"]], True
        if not foreign and org is None:
            org = known.get("org")
    attrs: dict[str, Any] = {"title": titles[0] if titles else None, "org": org}
    if len(titles) > 1:
        attrs["titles"] = titles
    if offs and all(o.former for o in offs if o.title == attrs["title"]) and \
            any(o.former for o in offs):
        attrs["former"] = True
    ministry = lex.registry.id_of(org) if org else None
    unit = next((o.unit for o in ordered if o.title == attrs["title"] and o.unit), None)
    if unit is None and via == "table" and resolved and not org:
        unit = known.get("unit")
    if ministry:
        attrs["ministry_id"] = ministry
    if unit and not org:
        attrs["unit"] = unit
    if resolved:
        attrs["resolved"] = via
    # who the person is across documents: the registry's person (by the registry's full name), the
    # table's, else the name in its office: the ministry, else the body, else the title
    if via == "table":
        attrs["person_id"] = known["person_id"]
    elif via == "registry" or (p.registry is not None and lex.held_by(p.registry, titles, org)):
        attrs["person_id"] = person_id(p.registry, "registry")
    else:
        scope = ministry or (unit if not org else None) or (f"title:{attrs['title']}" if attrs["title"] else "")
        attrs["person_id"] = person_id(p.name, scope)
    return attrs
