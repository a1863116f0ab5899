"""PLACE entities: Vietnamese administrative units, countries, foreign cities and regions.

The stage finds candidates (:mod:`pipeline.processors.places.candidates`), refuses those the
context makes something else (:mod:`pipeline.processors.places.guards`) and decides here:

- A name with its administrative word, and a name after a facility or natural-feature noun, is
  always tagged.
- Bare province names, aliases, countries, foreign cities and regions are tagged unless a guard
  refuses them. A one-syllable name the document uses for a person ("Trần Tuấn Anh ... ông Anh")
  is not a country there, and a short form flagged ``pair`` ("Việt", "Trung") is tagged only in a
  pair of countries ("Việt - Lào").
- Bare district names of two syllables or more are tagged under the same guards, except names
  listed ``admin_only`` (named after people or common words), names after a street word
  ("đường Tân Sơn") and names that continue into a longer capitalised name ("An Dương Vương").
- Bare commune names (and district names not accepted above) are tagged only when the document
  uses the same name with an administrative word, after a locative trigger ("sân bay Long
  Thành", "cầu Bạch Đằng"), or when a larger unit that contains them follows ("Thụy Văn, Thái
  Thụy, Thái Bình"). A gazetteer commune first seen after a facility noun is tagged bare too.
- Nothing is tagged inside a MINISTRY entity already in ``doc.entities`` (the stage requires the
  ministries stage: "Ngân hàng Nhà nước Việt Nam" holds no PLACE).

The ``canonical`` attribute (only when the place is known and unambiguous) is described in
:mod:`pipeline.lexicons.places`; a district or commune that several provinces have is taken in the
province the document names nearest to it. It is given at the document's date
(:func:`pipeline.docdate.document_date`, with the ``as_of`` of the ministry registry as the other
stages use, so the date is found once per document): the units changed in 2026
(``models/places_2026.tsv``) are the new ones from the day they take effect ("Đồng Nai" in a text of
May 2026 is Thành phố Đồng Nai); undated documents get the 2025 gazetteer.

The stage also fills layer ``places``: one ``{"start", "end", "text", "level"}`` per PLACE
(level as in the canonical, or "commune"/"district"/"admin" when no canonical was found, "site"
for a name found only after a facility or natural-feature noun; a lake or river named like an
administrative unit gets no canonical).
"""
from __future__ import annotations

import bisect
from typing import Any, Iterable

from pipeline.base import Processor
from pipeline.docdate import document_date
from pipeline.document import Document
from pipeline.lexicons.ministries import registry
from pipeline.lexicons.places import (ADMIN_FILE, ALIASES_FILE, CHANGES_FILE, LOCAL, WORLD, WORLD_FILE,
                                      PlaceLexicon, gazetteer)
from pipeline.processors.places.candidates import Cand, CandidateFinder, Toks
from pipeline.processors.places.guards import Guards
from pipeline.spans import SpanIndex


class _Anchors:
    """The provinces a document names, by position: which of some provinces is named nearest to an offset.

    At most one entry per province (34) is looked at per query, each by binary search.
    """

    __slots__ = ("_by_code",)

    def __init__(self, anchors: list[tuple[int, str]]) -> None:
        by_code: dict[str, list[tuple[int, int]]] = {}
        for idx, (pos, code) in enumerate(anchors):
            by_code.setdefault(code, []).append((pos, idx))
        self._by_code = {code: sorted(items) for code, items in by_code.items()}

    def __bool__(self) -> bool:
        return bool(self._by_code)

    def nearest(self, pos: int, codes: Iterable[str]) -> str | None:
        """The code among ``codes`` named nearest to ``pos``; of two as near, the one named first."""
        best = None
        for code in codes:
            items = self._by_code.get(code)
            if not items:
                continue
            k = bisect.bisect_left(items, (pos, -1))  # the first named at or after pos
            near = []
            if k < len(items):
                near.append((items[k][0] - pos, items[k][1]))
            if k > 0:
                left = bisect.bisect_left(items, (items[k - 1][0], -1))  # the first named there
                near.append((pos - items[left][0], items[left][1]))
            key = (min(near), code)
            if best is None or key < best:
                best = key
        return best[1] if best else None


class PlaceTagger(Processor):
    """Tag PLACE entities (see the module docstring for the rules and the ``canonical`` shape).

    Config: ``admin_file``, ``world_file``, ``aliases_file``, ``changes_file`` (names of files in
    ``models/``; ``changes_file`` None: no 2026 changes).
    """

    name = "places"
    requires = frozenset({"ministries"})
    provides = frozenset({"places"})

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        files = (config.get("admin_file", ADMIN_FILE), config.get("world_file", WORLD_FILE),
                 config.get("aliases_file", ALIASES_FILE), config.get("changes_file", CHANGES_FILE))
        defaults = (ADMIN_FILE, WORLD_FILE, ALIASES_FILE, CHANGES_FILE)
        self._lex = gazetteer() if files == defaults else PlaceLexicon.load(*files)
        self._finder = CandidateFinder(self._lex)
        self._guards = Guards(self._lex)
        # the date bound document_date shares with the ministries and officials stages (its cache key)
        self._as_of = registry().as_of if self._lex.change_days else None

    def epoch(self, doc: Document) -> int:
        """How many of the 2026 changes have taken effect at the document's date (0 without a date)."""
        if self._as_of is None:
            return 0
        day, how = document_date(doc, self._as_of)
        return self._lex.epoch(day, how)

    def __call__(self, doc: Document) -> Document:
        lex = self._lex
        text = doc.text
        toks = Toks(text)
        gaps = toks.gaps
        accepted = self._decide(text, toks, gaps, self._finder.find(toks))
        blocked = SpanIndex((e.start, e.end) for e in doc.entities if e.label == "MINISTRY")
        epoch = self.epoch(doc) if accepted else 0
        existing = {(e.start, e.end) for e in doc.entities if e.label == "PLACE"}
        layer = doc.layers.setdefault("places", [])
        # a lake or a river named like a commune ("hồ Gia Lạc") is not that commune
        canons = [lex.canonical(c.key, c.atype, epoch) if c.key in lex.names and
                  not (c.natural and lex.names[c.key].category not in WORLD) else None for c in accepted]
        # provinces the document names: they settle which of several same-named units is meant
        anchors = _Anchors([(c.start, canon["code"]) for c, canon in zip(accepted, canons)
                            if canon and canon["level"] in ("province", "district")])
        for c, canon in zip(accepted, canons):
            s, e = c.start, c.end
            if (s, e) in existing or blocked.any_overlap(s, e):
                continue
            if canon is None and anchors and not c.natural:
                code = anchors.nearest(c.start, lex.local_codes(c.key, c.atype))
                canon = lex.canonical_in(c.key, c.atype, code, epoch) if code is not None else None
            attrs = {"canonical": canon} if canon else {}
            doc.add_entity("PLACE", s, e, source="places", **attrs)
            layer.append({"start": s, "end": e, "text": text[s:e],
                          "level": canon["level"] if canon else ("admin" if c.atype else c.cat)})
        return doc

    def _decide(self, text: str, toks: Toks, gaps: list[str], cands: list[Cand]) -> list[Cand]:
        """Keep the candidates the context supports (see the module docstring)."""
        lex, guards = self._lex, self._guards
        with_admin = {c.key for c in cands if c.cat == "admin" or
                      (c.cat == "site" and not (c.natural and c.first == c.last))}
        keep = [False] * len(cands)
        given_names: set[str] = set()   # one-syllable names this document uses for people
        pairs: list[int] = []
        for idx, c in enumerate(cands):
            cat = c.cat
            if cat == "admin" or cat == "site":
                keep[idx] = True
                continue
            if cat == "admin_only":
                continue
            why = guards.guarded(text, toks, gaps, c)
            if why:
                if why == "surname" and c.first == c.last:
                    given_names.add(c.key)
                continue
            nm = lex.names[c.key]
            first = toks[c.first][2]
            if nm.pair:
                pairs.append(idx)
            elif cat in WORLD or cat == "province":
                keep[idx] = first[0].isupper() or cat in WORLD
            elif not first[0].isupper() or guards.local_guarded(toks, gaps, c):
                continue
            elif cat == "district" and nm.ntok >= 2:
                keep[idx] = True
            elif c.key in with_admin or guards.after(toks, gaps, c.first, "trigger"):
                keep[idx] = True
        if given_names:
            for idx, c in enumerate(cands):
                if keep[idx] and c.key in given_names and c.cat in WORLD:
                    keep[idx] = False  # "Trần Tuấn Anh ... ông Anh"
        # short forms in a pair of countries: "Việt - Trung", "Mỹ - Trung"
        in_pairs = set(pairs)
        for idx in pairs:
            for other in (idx - 1, idx + 1):
                if 0 <= other < len(cands) and cands[other].cat == "country" and \
                        (keep[other] or other in in_pairs):
                    a, b = sorted((cands[idx], cands[other]), key=lambda x: x.start)
                    if text[a.end:b.start].strip() in ("-", "–", "/"):
                        keep[idx] = True
        # a unit followed by a larger unit that contains it: "Thụy Văn, Thái Thụy, Thái Bình"
        for idx in range(len(cands) - 2, -1, -1):
            c, nxt = cands[idx], cands[idx + 1]
            if keep[idx] or not keep[idx + 1] or c.cat not in LOCAL:
                continue
            if text[c.end:nxt.start].strip() not in (",", "-", "–", "(") or \
                    not toks[c.first][2][0].isupper():
                continue
            if guards.guarded(text, toks, gaps, c) or guards.local_guarded(toks, gaps, c, chain=True):
                continue
            if lex.contains(nxt.key, c.key):
                keep[idx] = True
        return [c for c, k in zip(cands, keep) if k]
