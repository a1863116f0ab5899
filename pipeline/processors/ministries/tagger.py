"""Ministries of the Government of Viet Nam: a dated registry and the MINISTRY tagger.

``models/ministries.jsonl`` holds one record per ministry or ministry-level
agency since 2002 (ids such as ``btttt``), with its official name, validity
dates, predecessors/successors, abbreviations, field-only forms ("Nội vụ",
"GD&ĐT") and casing/spelling variants. ``MinistryRegistry`` loads it once and
answers look-ups; ``registry()`` returns a process-wide instance for other
stages (the officials stage uses it for ``org``).

``MinistryTagger`` finds, with one pattern built from the registry (tried only where a
cheap scan finds "Bộ", "Thứ", "Văn phòng", "NHNN", ...):

* "Bộ" + a field form: "Bộ Tài chính", "Bộ TT&TT", "Bộ Công thương", "Bộ Giáo dục" (an informal
  form followed by more of a longer name, "Bộ Giáo dục, Thanh niên và Thể thao", is not ours, but
  one followed by another body's name is: "Bộ Giáo dục và Đại học Quốc gia Hà Nội");
* a field form right after "Bộ trưởng"/"Thứ trưởng": "Bộ trưởng **Nội vụ**";
* further fields listed after one "Bộ": "Bộ Công an và **Quốc phòng**", "Liên Bộ Tài chính - **Công Thương**";
* names and codes of agencies not called "Bộ": "Văn phòng Chính phủ", "NHNN", "TTCP";

and rejects foreign ministries ("Bộ Quốc phòng Mỹ", "Bộ trưởng Tư pháp Jeff
Sessions"), codes inside document numbers ("TT-BTC") and words such as "cán bộ
Công an". Each MINISTRY gets ``canonical`` (the official name of the body at
the document's date) and ``id``. The date is ``meta.published``, else the latest
full date in the text, else the period most exact names in the text point to,
else the registry's version date. An exact name of a former body is its own canonical ("Bộ Kế hoạch và
Đầu tư" in 2026 stays itself); informal forms ("Bộ Nông nghiệp", "Bộ trưởng
Văn hóa") go to the body of that field existing at the date. Departments written next to their ministry
("Vụ Pháp chế, Bộ Xây dựng", "Cục X (Bộ Y)") become ORG entities with attribute
``ministry``.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterable

from pipeline.base import Processor
from pipeline.docdate import document_date
from pipeline.document import Document
from pipeline.lexicons.ministries import FormInfo, Ministry, MinistryRegistry, registry
from pipeline.resources import read_tsv
from pipeline.text.vietnamese import is_abbreviation, looks_vietnamese, old_tone_style

CUES_FILE = "ministry_cues.tsv"

# Between the words of a written-out name: spaces, or a comma/dash/ampersand, optionally followed by "và"
# ("Giao thông - Vận tải", "Lao động, Thương binh và Xã hội", "Kế hoạch và Đầu tư").
_WORD_GAP = r"(?:\s*[,\-–—&]\s*(?:và\s+)?|\s+và\s+|\s+)"
# Between the segments of an abbreviation: "GD&ĐT", "GD-ĐT", "GDĐT", "GD và ĐT", "VH, TT&DL".
_ABBR_GAP = r"(?:\s*[,\-–—&]\s*|\s+và\s+|\s?)"
_END = r"(?![\w&])"
# stdlib ``re`` has no \p{..} classes; the letters of Latin scripts (Vietnamese included) are listed instead
_U = "[" + "".join(chr(c) for c in range(0x41, 0x1F00) if chr(c).isupper() and chr(c).isalpha()) + "]"
_L = "[" + "".join(chr(c) for c in range(0x61, 0x1F00) if chr(c).islower() and chr(c).isalpha()) + "]"


def _rx(pattern: str, flags: int = 0) -> re.Pattern:
    """Compile with stdlib ``re`` (much faster per match than ``regex`` on these big alternations), after
    turning ``\\p{Lu}``, ``\\p{Ll}`` and ``\\p{L}`` into classes ``re`` knows."""
    pattern = pattern.replace(r"\p{Lu}", _U).replace(r"\p{Ll}", _L).replace(r"\p{L}", r"[^\W\d_]")
    return re.compile(pattern, flags)
def _form_regex(form: str) -> tuple[str, str]:
    """Regex source for one written form, split into its first character and the rest; tolerant of
    separators and (for names) of old-style tones."""
    if is_abbreviation(form):
        segments = [s for s in re.split(r"\s*[,\-–—&]\s*|\s+và\s+|\s+", form) if s]
        return segments[0][0], _ABBR_GAP.join([re.escape(segments[0][1:])] + [re.escape(s) for s in segments[1:]])
    words = [w for w in re.split(r"\s*[,\-–—&]\s*|\s+và\s+|\s+", form) if w]
    parts = []
    for i, w in enumerate(words):
        old = old_tone_style(w)
        if i == 0:
            w, old = w[1:], old[1:]
        parts.append(re.escape(w) if old == w else f"(?:{re.escape(w)}|{re.escape(old)})")
    return words[0][0], _WORD_GAP.join(parts)


def _alternation(forms: Iterable[str]) -> str:
    """One alternation of the given forms, longest first (so "Giáo dục và Đào tạo" wins over "Giáo dục"),
    grouped by first letter so that the regex engine tries only the forms that can match."""
    groups: dict[str, list[str]] = {}
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        first, rest = _form_regex(form)
        groups.setdefault(first.lower(), []).append(rest)
    return "|".join(re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in sorted(groups.items()))


def _trigger_regex(words: list[tuple[str, bool]]):
    """A fast stdlib ``re`` pattern for the first letters of every match: words grouped by their first
    character (literal), the rest case-insensitive where the flag says so."""
    groups: dict[str, set[str]] = {}
    for word, fold in words:
        rest = re.escape(word[1:])
        groups.setdefault(word[0], set()).add(f"(?i:{rest})" if fold and rest else rest)
    parts = []
    for first in sorted(groups):
        rests = sorted(groups[first], key=lambda r: (-len(r), r))
        parts.append(re.escape(first) + "(?:" + "|".join(rests) + ")")
    return re.compile("|".join(parts))


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
        cues: dict[str, list[str]] = {}
        for row in read_tsv(CUES_FILE):
            cues.setdefault(row["kind"], []).append(row["value"])
        reg = self.registry

        def alt(words: Iterable[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) or "(?!)"

        specific = list(reg.field_specific)
        all_fields = _alternation(specific + list(reg.field_informal))
        full_fields = _alternation(f for f in specific if not is_abbreviation(f))
        bare_words = _alternation(f for f in reg.bare if not is_abbreviation(f))
        bare_codes = alt(f for f in reg.bare if is_abbreviation(f))
        self._main = _rx(
            # "Bộ" + field: "Bộ Tài chính", "Bộ TT&TT", "các bộ: Tài chính"; lower-case fields only after a capital "Bộ"
            r"(?P<bo>(?<!\w)(?:(?P<bocap>Bộ)|bộ)"
            r"(?P<colon>\s*:)?\s+"
            r"(?:(?P<fcap>(?=\p{Lu})(?i:" + all_fields + r"))|(?(bocap)(?P<flow>(?i:" + full_fields + r"))|(?!)))"
            + _END + r")"
            # title + field: "Bộ trưởng Nội vụ", "Thứ trưởng GD-ĐT"
            r"|(?P<title>(?<!\w)(?:[Bb]ộ|[Tt]hứ)\s+trưởng\s+(?P<ftitle>(?=\p{Lu})(?i:" + all_fields + r"))" + _END + r")"
            # names and codes on their own: "Văn phòng Chính phủ", "NHNN"; not inside document numbers ("TT-NHNN")
            r"|(?<![\w\-/.])(?P<bare>(?=\p{Lu})(?i:" + bare_words + r")" + _END
            + r"|(?:" + bare_codes + r")(?![\w&]|[\-/]\w))")
        # cheap scan for the places where a match can start; the big pattern is tried there only
        firsts = {re.split(r"[\s,\-–—&]+", f)[0] for f in reg.bare if not is_abbreviation(f)}
        firsts |= {old_tone_style(w) for w in firsts}
        self._trigger = _trigger_regex(
            [(w, False) for w in ("Bộ", "bộ", "Thứ", "thứ")] + [(w, True) for w in firsts]
            + [(w, False) for w in reg.bare if is_abbreviation(w)])
        self._list_next = _rx(
            r"(?:\s*,\s*|\s*;\s*|\s+[-–—]\s+|\s+và\s+|\s+cùng\s+)(?P<f>(?=\p{Lu})(?i:" + all_fields + r"))" + _END)
        stop = alt(["Bộ"] + cues.get("department_head", []) + cues.get("org_head", []))
        foreign = r"\s*(?:của\s+)?(?:nước\s+)?(?:" + alt(cues.get("foreign_after", [])) + r")(?!\w)"
        # what may stand between a ministry and the country that makes it foreign: the rest of a longer
        # name ("Bộ Y tế, Lao động và Phúc lợi Nhật Bản", "Bộ Nông nghiệp và nguồn nước Cộng hòa ...")
        tail = (r"(?:\s+và(?:\s+\p{Ll}\p{L}*){1,3})?"
                r"(?:(?:\s*[,\-–&]\s*|\s+và\s+)(?!(?:" + stop + r")(?!\w))\p{Lu}\p{L}*(?:\s+\p{Ll}\p{L}*){0,4}){0,4}")
        self._foreign_after = _rx(tail + foreign)
        self._foreign_direct = _rx(
            foreign + r"|\s+(?:" + alt(cues.get("multilateral_after", [])) + r")(?!\w)")
        self._next_word = _rx(r"(?: |\s*[\-–,]\s*)(\p{Lu}(?:\p{L}|['\-])*)")
        self._next_word_direct = _rx(r" (\p{Lu}(?:\p{L}|['\-])*)")
        self._name_before = _rx(
            r"(\p{Lu}(?:\p{L}|[.'\-])*(?:\s+\p{Lu}(?:\p{L}|[.'\-])*){0,3})\s*(?:,|là|làm|\(|–|-)\s*"
            r"(?:(?:cựu|nguyên|tân|quyền|làm)\s+)?$")
        # "các Bộ trưởng Ngoại giao", "Hội nghị Bộ trưởng Tài chính": ministers of several countries
        self._plural_before = _rx(r"(?:^|\W)(?:" + alt(cues.get("not_title_before", [])) + r")\s+$",
                                            re.IGNORECASE)
        # an informal form followed by more of a name that is not ours: "Bộ Giáo dục, Thanh niên và Thể thao"
        self._longer_name = _rx(
            r"(?:\s*[\-–&]\s*\p{Lu}|(?:\s*,\s*|\s+và\s+)(?!(?:" + stop + r")(?!\w))\p{Lu}\p{Ll})")
        # ... unless what follows is another organisation's name, with capitals beyond its first word
        # ("Bộ Giáo dục và Đại học Quốc gia Hà Nội"): the informal form then stands for our ministry
        self._other_name_after = _rx(
            r"(?:\s*,\s*|\s+và\s+)\p{Lu}\p{Ll}*(?:\s+(?!và(?!\w))\p{Ll}+)*\s+\p{Lu}\p{Ll}")
        self._local_after = _rx(r"\s+(?:" + alt(cues.get("local_after", [])) + r")(?!\w)")
        hist = alt(cues.get("historical_near", []))
        self._hist_before = _rx(r"(?:^|\W)(?:" + hist + r")\W+(?:[Bb]ộ\s+trưởng\s+|[Tt]hứ\s+trưởng\s+)?$",
                                          flags=re.IGNORECASE)
        hist_after = alt(cues.get("historical_near", []) + cues.get("historical_after", []))
        self._hist_after = _rx(r"\s*\(?\s*(?:" + hist_after + r")(?!\w)", flags=re.IGNORECASE)
        # one date inside each period between two restructurings of the Government
        changes = sorted({d for r in reg.records.values() for d in (r.valid_from, r.valid_to) if d})
        bounds = [changes[0] - _dt.timedelta(days=365)] + changes + [reg._day(None)]
        self._era_probes = sorted({a + (b - a) // 2 for a, b in zip(bounds, bounds[1:]) if b > a})
        self._dept_head = _rx(r"(?<!\w)(?:" + alt(cues.get("department_head", [])) + r")(?=\s)")
        self._dept_head_comma = _rx(alt(cues.get("department_head_comma", [])))
        self._dept_stop = _rx(r"(?<!\w)(?:" + alt(cues.get("department_name_stop", [])) + r")(?!\w)")
        self._starts_upper = _rx(r"\s+\p{Lu}")
        # "cán bộ Công an", "Đảng bộ Công an": a lower-case "bộ" that ends another word
        self._bo_compound = _rx(r"(?:^|\W)(?:" + alt(cues.get("not_ministry_before", [])) + r")\s+$")
        self._dept_link = _rx(r"(?:,\s*|\s*\(\s*|\s+(?:trực\s+thuộc|thuộc)\s+)$")

    # -- checks ------------------------------------------------------------------
    def _foreign_after_group(self, text: str, end: int, title: bool) -> bool:
        """True when the words after a ministry name (or list) make it foreign ("Bộ Quốc phòng Mỹ").

        A following name that cannot be Vietnamese counts right after the name, and for a
        minister's title also after a comma or dash ("Bộ trưởng Thương mại - Steven Ciobo"; not
        "Bộ Quốc phòng, Viettel").
        """
        if self._foreign_after.match(text, end) or self._foreign_direct.match(text, end):
            return True
        m = (self._next_word if title else self._next_word_direct).match(text, end)
        if m is None:
            return False
        word = m.group(1).split("-")[0]
        # "Bộ trưởng Tư pháp Jeff Sessions": a name that cannot be Vietnamese follows (abbreviations aside)
        return not word.isupper() and not looks_vietnamese(word)

    def _foreign_before_title(self, text: str, title_start: int) -> bool:
        """True for "James Mattis, Bộ trưởng Quốc phòng" and "các Bộ trưởng Ngoại giao"."""
        before = text[max(0, title_start - 60):title_start]
        if self._plural_before.search(before):
            return True
        m = self._name_before.search(before)
        if not m:
            return False
        words = [w for w in re.split(r"[\s.\-']+", m.group(1)) if w]
        return any(not w.isupper() and not looks_vietnamese(w) for w in words)

    def _is_historical(self, text: str, start: int, end: int) -> bool:
        return bool(self._hist_before.search(text[max(0, start - 40):start]) or self._hist_after.match(text, end))

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
        items: list[_Item] = []
        pos = 0
        for t in self._trigger.finditer(text):
            if t.start() < pos:
                continue
            m = self._main.match(text, t.start())
            if m is None:
                continue
            pos = m.end()
            if m.group("bo"):
                if m.group("bocap") is None and self._bo_compound.search(text, max(0, m.start() - 12), m.start()):
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
            if not info.specific and self._longer_name.match(text, end) and not self._list_next.match(text, end) \
                    and not self._other_name_after.match(text, end):
                continue
            group = [_Item(start, end, text[fstart:end], info)]
            lpos = end
            while kind != "bare":  # "Bộ Nội vụ, Tư pháp và Công an": each listed field is a ministry
                n = self._list_next.match(text, lpos)
                if not n:
                    break
                fs, fe = n.span("f")
                if self._local_after.match(text, fe):
                    break
                ninfo = self.registry.form_info(n.group("f"))
                if ninfo is None:
                    break
                group.append(_Item(fs, fe, n.group("f"), ninfo))
                lpos = pos = fe
            if kind == "bare":
                if self._foreign_direct.match(text, lpos):
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
            doc.add_entity("MINISTRY", it.start, it.end, source="rules", canonical=canonical, id=rec.id)
            layer.append({"start": it.start, "end": it.end, "text": text[it.start:it.end],
                          "id": rec.id, "canonical": canonical})
        if self.departments:
            self._tag_departments(doc, layer)
        doc.layers["ministries"] = layer
        return doc

    # -- departments (ORG) -------------------------------------------------------------
    def _tag_departments(self, doc: Document, ministries: list[dict]) -> None:
        """ORG for a department written right before its ministry: "Vụ X, Bộ Y", "Cục X (Bộ Y)", "Cục X thuộc Bộ Y".

        After a bare comma only the units every ministry has (Vụ, Cục, Tổng cục, ...: cue
        ``department_head_comma``) are taken, since "A, Bộ Y" is also a plain list.
        """
        text = doc.text
        taken = {(m["start"], m["end"]) for m in ministries}
        starts = sorted(m["start"] for m in ministries)
        for mi in ministries:
            s = mi["start"]
            window_start = max(0, s - 120)
            window = text[window_start:s]
            link = self._dept_link.search(window)
            if not link:
                continue
            before = window[:link.start()]
            heads = list(self._dept_head.finditer(before))
            if not heads:
                continue
            h = heads[-1]
            name = before[h.end():]
            # the department's own name: capitalised, short, without punctuation or verbs inside
            if (re.search(r"[,;:.()\"“”!?\n\d]", name) or not self._starts_upper.match(name)
                    or len(name.split()) > 12 or self._dept_stop.search(name)):
                continue
            if link.group(0).strip() == "," and not self._dept_head_comma.fullmatch(h.group(0)):
                continue
            ds, de = window_start + h.start(), window_start + len(before.rstrip())
            if (ds, de) in taken or any(ds <= x < de for x in starts):
                continue
            doc.add_entity("ORG", ds, de, source="rules", ministry=mi["canonical"], ministry_id=mi["id"])
