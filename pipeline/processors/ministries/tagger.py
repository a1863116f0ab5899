"""The MINISTRY stage processor: ``MinistryTagger`` (see the package docstring)."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from pipeline.base import Processor
from pipeline.docdate import document_date
from pipeline.document import Document
from pipeline.lexicons.ministries import FormInfo, Ministry, MinistryRegistry, registry
from pipeline.processors.ministries.departments import _tag_departments
from pipeline.processors.ministries.patterns import _Patterns
from pipeline.text.vietnamese import looks_vietnamese


@dataclass
class _Item:
    """One matched mention before it is resolved."""

    start: int
    end: int
    surface: str          # the form looked up (the field, without "Bộ")
    info: FormInfo


class MinistryTagger(Processor):
    """Adds MINISTRY entities (attrs ``canonical``, ``id``) and ORG entities for departments of a ministry.

    Config: ``departments`` (default True) to add the ORG entities; ``registry`` to use another
    MinistryRegistry.
    """

    name = "ministries"
    requires = frozenset()
    provides = frozenset({"ministries"})

    #: a body named by an informal form ("Bộ Giao thông") or by a name that foreign ministries share
    #: ("Bộ Thương mại", ``generic_name``) is taken without a marker ("nguyên", "cũ") only up to this many
    #: years after it was dissolved: for a dated document ...
    RECENT_YEARS = 3
    #: ... and for a document whose date was guessed from its text
    OLD_YEARS = 5

    def __init__(self, **config) -> None:
        super().__init__(**config)
        self.registry: MinistryRegistry = config.get("registry") or registry()
        self.departments = bool(config.get("departments", True))
        self.patterns = _Patterns(self.registry)
        reg = self.registry
        # one date inside each period between two restructurings of the Government
        changes = sorted({d for r in reg.records.values() for d in (r.valid_from, r.valid_to) if d})
        bounds = [changes[0] - _dt.timedelta(days=365)] + changes + [reg._day(None)]
        self._era_probes = sorted({a + (b - a) // 2 for a, b in zip(bounds, bounds[1:]) if b > a})

    # -- checks ------------------------------------------------------------------
    def _foreign_after_group(self, text: str, end: int, title: bool) -> bool:
        """True when the words after a ministry name (or list) make it foreign ("Bộ Quốc phòng Mỹ").

        A following name that cannot be Vietnamese counts right after the name, and for a
        minister's title also after a comma or dash ("Bộ trưởng Thương mại - Steven Ciobo"; not
        "Bộ Quốc phòng, Viettel").
        """
        p = self.patterns
        if p.foreign_after.match(text, end) or p.foreign_direct.match(text, end):
            return True
        m = (p.next_word if title else p.next_word_direct).match(text, end)
        if m is None:
            return False
        word = m.group(1).split("-")[0]
        # "Bộ trưởng Tư pháp Jeff Sessions": a name that cannot be Vietnamese follows (abbreviations aside)
        return not word.isupper() and not looks_vietnamese(word)

    def _foreign_before_title(self, text: str, title_start: int) -> bool:
        """True for "James Mattis, Bộ trưởng Quốc phòng" and "các Bộ trưởng Ngoại giao"."""
        before = text[max(0, title_start - 60):title_start]
        if self.patterns.plural_before.search(before):
            return True
        m = self.patterns.name_before.search(before)
        if not m:
            return False
        words = [w for w in re.split(r"[\s.\-']+", m.group(1)) if w]
        return any(not w.isupper() and not looks_vietnamese(w) for w in words)

    def _is_historical(self, text: str, start: int, end: int) -> bool:
        p = self.patterns
        return bool(p.hist_before.search(text[max(0, start - 40):start]) or p.hist_after.match(text, end))

    def _accept(self, item: _Item, text: str, day: _dt.date, how: str) -> Ministry | None:
        """The body an item denotes at ``day``, or None when it cannot be a ministry of that time."""
        rec = self.registry.choose(item.info.ids, day)
        if len(item.info.ids) > 1 and self._is_historical(text, item.start, item.end):
            # "cựu Thứ trưởng Bộ Nông nghiệp" in 2026: the body of that name that had been dissolved by then
            former = [self.registry.get(i) for i in item.info.ids]
            former = [r for r in former if r.valid_to is not None and r.valid_to < day]
            return max(former, key=lambda r: r.valid_to) if former else rec
        if rec.valid_at(day) or self._is_historical(text, item.start, item.end):
            return rec
        if item.info.specific and not rec.extra.get("generic_name"):
            return rec  # an exact name of one of our bodies ("Bộ Bưu chính, Viễn thông" in a 2020 article)
        gone = (day - rec.valid_to).days if rec.valid_to is not None and day > rec.valid_to else None
        years = self.RECENT_YEARS if how == "published" else self.OLD_YEARS
        if gone is None or gone <= 366 * years:
            return rec
        return None

    # -- processing -----------------------------------------------------------------
    def _candidates(self, text: str) -> list[_Item]:
        """All mentions whose context does not rule them out, before dates are considered."""
        p = self.patterns
        items: list[_Item] = []
        pos = 0
        for t in p.trigger.finditer(text):
            if t.start() < pos:
                continue
            m = p.main.match(text, t.start())
            if m is None:
                continue
            pos = m.end()
            if m.group("bo"):
                if m.group("bocap") is None and p.bo_compound.search(text, max(0, m.start() - 12), m.start()):
                    continue
                fg = "fcap" if m.group("fcap") is not None else "flow"
                fstart, end = m.span(fg)
                start = fstart if m.group("colon") else m.start("bo")
                kind = "bo"
            elif m.group("title"):
                fstart, end = m.span("ftitle")
                start = fstart
                kind = "title"
            else:
                start, end = m.span("bare")
                fstart = start
                kind = "bare"
            info = self.registry.form_info(text[fstart:end])
            if info is None:
                continue
            if kind == "title" and self._foreign_before_title(text, m.start("title")):
                continue
            if not info.specific and p.longer_name.match(text, end) and not p.list_next.match(text, end) \
                    and not p.other_name_after.match(text, end):
                continue
            group = [_Item(start, end, text[fstart:end], info)]
            lpos = end
            while kind != "bare":  # "Bộ Nội vụ, Tư pháp và Công an": each listed field is a ministry
                n = p.list_next.match(text, lpos)
                if not n:
                    break
                fs, fe = n.span("f")
                if p.local_after.match(text, fe):
                    break
                ninfo = self.registry.form_info(n.group("f"))
                if ninfo is None:
                    break
                group.append(_Item(fs, fe, n.group("f"), ninfo))
                lpos = pos = fe
            if kind == "bare":
                if p.foreign_direct.match(text, lpos):
                    continue
            elif self._foreign_after_group(text, lpos, kind == "title"):
                continue
            items.extend(group)
        return items

    def _date_for(self, doc: Document, items: list[_Item]) -> tuple[_dt.date, str]:
        """The document's date; a guess from a bare year is replaced by a date in the period that most of
        the document's exact ministry names point to (at least two of them must agree; one when there is
        no date at all). Names that foreign ministries share ("Bộ Thương mại") are no evidence."""
        day, how = document_date(doc, self.registry.as_of)
        if how in ("published", "text"):
            return day, how
        day = self.registry._day(day)
        specific = [r for r in (self.registry.get(it.info.ids[0]) for it in items if it.info.specific)
                    if not r.extra.get("generic_name")]
        needed = 1 if how == "unknown" else 2
        if len(specific) < needed:
            return day, how
        def support(d: _dt.date) -> int:
            return sum(r.valid_at(d) for r in specific)
        best, best_n = day, support(day)
        for probe in self._era_probes:
            n = support(probe)
            if n > best_n and n >= needed:
                best, best_n = probe, n
        return best, how

    def __call__(self, doc: Document) -> Document:
        text = doc.text
        items = self._candidates(text)
        day, how = self._date_for(doc, items) if items else (None, "unknown")
        layer = []
        for it in items:
            rec = self._accept(it, text, day, how)
            if rec is None:
                continue
            canonical = self.registry.canonical(rec.id, day)
            doc.add_entity("MINISTRY", it.start, it.end, source="rules", canonical=canonical, id=rec.id,
                           ministry_id=rec.id)
            layer.append({"start": it.start, "end": it.end, "text": text[it.start:it.end],
                          "id": rec.id, "canonical": canonical})
        if self.departments:
            _tag_departments(doc, layer, self.patterns)
        doc.layers["ministries"] = layer
        return doc
