"""OFFICIAL and PERSON entities: named people, with the office the document gives them.

The stage works on ``doc.text`` with compiled regular expressions and uses the
MINISTRY entities of the ``ministries`` stage (and, when present, its ORG
entities with a ``ministry`` attribute and PLACE entities) to fill ``org``.

How a name is found:

* after an office ("Thứ trưởng Bộ TT&TT Phạm Anh Tuấn", "Tổng thống Mỹ Donald
  Trump"): the words between the office and the name are its organisation;
* before an office, in apposition ("ông Đỗ Quý Tiến, Phó Vụ trưởng Vụ ...,
  Bộ Nội vụ") or with a connector ("X làm Chủ tịch UBND tỉnh");
* after an honorific ("ông", "bà", "đồng chí", "TS" ...): a PERSON unless an
  office is given to the same name somewhere in the document;
* on every later mention of a full name, and of the given name alone (or a
  foreign surname) after an honorific or an office, when only one person of
  the document carries it.

A Vietnamese name starts with a surname from the closed list in
``models/surnames.tsv``; a foreign name is recognised by syllables that do not
follow Vietnamese spelling, or by a country right before it. The ``title`` is
the first office of the person in the document (a string; ``titles`` lists
all of them), ``org`` the canonical ministry the office belongs to, else None.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import regex

from .base import Processor
from .document import Document
from .resources import ResourceError, read_tsv

# levels whose holders never belong to a ministry
_NULL_LEVELS = {"central", "party", "assembly", "judicial", "provincial", "foreign", "rank"}
_WEAK_LEVELS = {"civil_service", "rank"}

_WORD_CHARS = r"\p{L}\p{M}"
# one title-case syllable of a name: "Nguyễn", "A" (ethnic names), "Jae-myung", "O'Brien"
_NAME_TOKEN = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]*(?:[-'’]\p{L}[\p{Ll}\p{M}]*)*")
# a capitalized token of an organisation phrase: "UBND", "T.Ư", "TP.HCM", "TT&TT", "GD-ĐT"
_CAP_TOKEN = regex.compile(r"(?:\p{Lu}|\d)[\p{L}\p{M}\d.&'’\-]*")
# the next token after position p, separated by blanks only (no punctuation, no line break)
_NEXT_TOKEN = regex.compile(r"[ \t]+([^\s,;:!?()\[\]{}\"“”«»…/]+)")
_FOLLOWING_SYLLABLE = regex.compile(r"[ ](\p{Lu}[\p{Ll}\p{M}]+)(?![\p{L}\p{M}])")
_NAME_JOINERS = re.compile(r"[-'’]")
_COMMA_OR_PAREN = re.compile(r"[ \t]*[,(][ \t]*")
_NON_BLANK = re.compile(r"\S+")
_RAW_TOKEN = re.compile(r"[^\s,;:!?()\[\]{}\"“”«»…/]+")
_PLACE_WORDS = {"thành phố", "phố", "thủ đô", "bang", "tỉnh", "tại", "ở", "vùng", "hạt", "quận", "tp", "tp."}
_BLANKS = re.compile(r"\s+")
_ROLE_DESCRIPTION = regex.compile(r"(?:[ \t]+\p{Ll}[\p{Ll}\p{M}]*){1,3}[ \t]+(?=\p{Lu})")
_AFTER_HONORIFIC = regex.compile(r"\.?[ \t]+(?=\p{Lu})")
_ABBREV_DOT = regex.compile(r"^(?:\p{Lu}{1,3}\.|Tp\.|(?:\p{Lu}\.)+\p{Lu}?\.?|[\p{Lu}.]+\.\p{Lu}+\.?)$")
# Vietnamese syllable shape (tone marks and vowel hats removed): onset, 1-3 vowels, coda
_VI_SYLLABLE = regex.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?[aeiouy]{1,3}(?:ch|ng|nh|c|m|n|p|t)?$")


def _strip_marks(word: str) -> str:
    """Lower-case ``word`` without tone marks or vowel hats (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def looks_vietnamese(token: str) -> bool:
    """True if every part of ``token`` has the shape of a Vietnamese syllable."""
    parts = _NAME_JOINERS.split(token)
    return all(_VI_SYLLABLE.match(_strip_marks(p)) for p in parts if p)


def _alternation(words, flags_ci: bool = False) -> str:
    """A regex alternation of ``words``, longest first, blanks matching any run of spaces."""
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in uniq)


def trie_pattern(words) -> str:
    """A regex (for the ``re`` module) matching any of ``words``, built as a trie so that it runs fast.

    At each branch the longer word is tried first; a blank in a word matches any run of blanks.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        alts = [(r"[ \t]+" if ch == " " else re.escape(ch)) + build(sub)
                for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


def _covering(spans: list[tuple], starts: list[int], pos: int):
    """The span of ``spans`` (sorted by start, not overlapping much) that contains ``pos``, else None."""
    i = bisect.bisect_right(starts, pos) - 1
    while i >= 0:
        span = spans[i]
        if span[0] <= pos < span[1]:
            return span
        if pos - span[0] > 200:
            break
        i -= 1
    return None


def _parse_date(value) -> _dt.date | None:
    if not value:
        return None
    try:
        text = str(value)[:10]
        if len(text) == 4:
            return _dt.date(int(text), 7, 1)
        if len(text) == 7:
            return _dt.date(int(text[:4]), int(text[5:7]), 15)
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class _Office:
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


@dataclass
class _Person:
    name: str
    offices: list[_Office] = field(default_factory=list)
    foreign: bool = False
    mentions: set[tuple[int, int]] = field(default_factory=set)
    known: str | None = None   # the name in the gazetteer of well-known office holders


class OfficialTagger(Processor):
    """Adds OFFICIAL entities (title, titles, org) and PERSON entities."""

    name = "officials"
    requires = frozenset({"ministries"})
    provides = frozenset({"officials"})

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self._load_surnames()
        self._load_offices()
        self._load_honorifics()
        self._load_cues()
        self._load_known()

    # -- resources ----------------------------------------------------------
    def _load_surnames(self) -> None:
        self.surnames: dict[str, str] = {}
        for row in read_tsv("surnames.tsv"):
            self.surnames[row["surname"].strip()] = row["tier"].strip()

    def _load_offices(self) -> None:
        self.offices: dict[str, dict] = {}
        self.offices_surfaces: list[str] = []
        for row in read_tsv("offices.tsv"):
            self.offices_surfaces.append(row["surface"].strip())
            key = row["surface"].strip().casefold()
            self.offices[key] = {
                "title": row["title"].strip(), "level": row["level"].strip(),
                "policy": row["ministry"].strip(), "implied_org": row["implied_org"].strip() or None}
        self._office_prefix_re = regex.compile(
            r"(?:(?P<former>nguyên|cựu)\s+)?(?:(?P<new>tân)\s+)?(?:(?P<acting>quyền|q\.)\s+)?"
            r"(?:(?P<deputy>phó)\s+)?$", regex.IGNORECASE)

    def _load_honorifics(self) -> None:
        self.honorifics: dict[str, str] = {}
        for row in read_tsv("honorifics.tsv"):
            self.honorifics[row["honorific"].strip()] = row["kind"].strip()
        self._hon_kind = {h.casefold(): kind for h, kind in self.honorifics.items()}
        # the forms an honorific may take in the text: as listed, or with a capital first letter
        self._hon_forms = set()
        for h in self.honorifics:
            self._hon_forms.add(h)
            if h != "anh":      # "Anh" capitalized is mostly the country (England)
                self._hon_forms.add(h[:1].upper() + h[1:])
        hon_alt = _alternation(self._hon_forms)
        self._hon_end_re = regex.compile(rf"(?:^|[^{_WORD_CHARS}])(?:{hon_alt})\.?[ \t]+$", regex.REVERSE)
        self._hon_start_re = regex.compile(rf"\s*[,–—-]\s*(?:{hon_alt})\.?\s+")
        # one pass over the lower-cased text finds every office and honorific
        trigger_words = {w.casefold() for w in self.offices} | set(self._hon_kind)
        self._trigger_re = re.compile(rf"(?<!\w)(?:{trie_pattern(trigger_words)})(?!\w)")
        self._trigger_re_ci = regex.compile(
            rf"(?<![{_WORD_CHARS}])(?:{_alternation(trigger_words)})(?![{_WORD_CHARS}])", regex.IGNORECASE)
        # the name (one or two capitalized syllables) right after a trigger, for aliases
        self._after_trigger = regex.compile(
            r"\.?[ \t]+(?P<a1>\p{Lu}[\p{Ll}\p{M}]*)(?:[ ](?P<a2>\p{Lu}[\p{Ll}\p{M}]*))?(?![\p{L}\p{M}])")

    def _load_cues(self) -> None:
        cues: dict[str, list[str]] = {}
        for row in read_tsv("official_cues.tsv"):
            cues.setdefault(row["kind"].strip(), []).append(row["value"].strip())
        self.cues = cues
        self._countries = {tuple(c.split()) for c in cues.get("country", [])}
        self._country_max = max((len(c) for c in self._countries), default=1)
        self._vn_country = {("Việt", "Nam"), ("VN",)}
        self._place_blockers = {tuple(p.split()) for p in cues.get("place_blocker", [])}
        self._lead = {tuple(w.split()) for w in cues.get("lead", [])}
        self._stop = {tuple(w.split()) for w in cues.get("stop", [])}

        def cue_re(kind: str) -> regex.Pattern:
            return regex.compile(rf"(?<![{_WORD_CHARS}])(?:{_alternation(cues.get(kind, []))})"
                                 rf"(?![{_WORD_CHARS}])")
        self._org_tokens = {v for k in ("company", "nonministry_org", "local_org", "department", "place_before")
                            for v in cues.get(k, []) if " " not in v and v[:1].isupper()}
        self._org_tokens |= {h[:1].upper() + h[1:] for h in self.honorifics if " " not in h}
        self._assembly_re = cue_re("assembly_context")
        self._company_re = cue_re("company")
        self._nonmin_re = cue_re("nonministry_org")
        self._local_re = cue_re("local_org")
        # the connector between a name and an office after it
        appoint = _alternation(cues.get("appoint", []))
        self._connector_back = regex.compile(
            rf"(?:\s*(?:,|\(|[–—-])\s*(?:(?:{appoint})\s+)?|\s+(?:{appoint})\s+)$", regex.REVERSE)
        self._chain_gap = regex.compile(rf"^\s*(?:,\s*(?:(?:{appoint})\s+)?|(?:{appoint})\s+|,?\s*kiêm\s+)$")
        self._run_before = regex.compile(
            r"(?P<run>(?:\p{Lu}[\p{L}\p{M}'’-]*[ ])*\p{Lu}[\p{L}\p{M}'’-]*)$", regex.REVERSE)
        # credits and bylines
        self._credit_re = re.compile(
            rf"(?<!\w)(?:{trie_pattern(cues.get('byline_label', []))})[ \t]*:[ \t]*[^\n;)]*?(?=\.\s|\.$|[\n;)]|$)")
        # "Minh Anh/VnExpress": up to four capitalized words right before a slash and an outlet name
        self._before_slash = regex.compile(
            r"(?:\p{Lu}[\p{L}\p{M}.]*[ ]){0,3}\p{Lu}[\p{L}\p{M}.]*[ ]?$", regex.REVERSE)
        # the last segment of a line that holds only capitalized words: a byline ("Thu Hằng", "LÊ PHONG")
        self._trailing_re = regex.compile(
            r"(?:^|(?<=[.!?…\"”)\]]))[ \t]*"
            r"(?P<seg>(?:[\p{Lu}\d][\p{L}\p{M}.&'’]*[ \t]*(?:[-–/,&][ \t]*)?){1,8})$", regex.REVERSE)

    def _load_known(self) -> None:
        """Well-known office holders, used when the text names them without an office."""
        self.known: dict[str, list[dict]] = {}
        self.known_alias: dict[str, str] = {}
        try:
            rows = read_tsv("officials_known.tsv")
        except ResourceError:
            rows = []
        for row in rows:
            rec = {"name": row["name"].strip(), "title": row["title"].strip(),
                   "org": row["org"].strip() or None, "country": row["country"].strip(),
                   "from": _parse_date(row["valid_from"].strip()), "to": _parse_date(row["valid_to"].strip())}
            self.known.setdefault(rec["name"], []).append(rec)
            alias = row.get("alias", "").strip()
            if alias:
                self.known_alias[alias] = rec["name"]
        names = list(self.known) + list(self.known_alias)
        self._known_re = re.compile(rf"(?<!\w)(?:{trie_pattern(names)})(?!\w)") if names else None

    # -- helpers --------------------------------------------------------------
    def _is_country_at(self, toks: list[str], i: int) -> int:
        """Length in tokens of a foreign country name starting at toks[i], else 0."""
        for n in range(min(self._country_max, len(toks) - i), 0, -1):
            if tuple(toks[i:i + n]) in self._countries:
                return n
        return 0

    def _blocked_start(self, toks: list[str], i: int) -> bool:
        for n in (4, 3, 2):
            if tuple(toks[i:i + n]) in self._place_blockers:
                return True
        return False

    def _inside_blocker(self, toks: list[str], i: int) -> bool:
        """True if toks[i] is the second or third syllable of a place name ("Bắc Ninh")."""
        for back in (1, 2):
            if i - back < 0:
                break
            for n in (back + 1, back + 2):
                if tuple(toks[i - back:i - back + n]) in self._place_blockers:
                    return True
        return False

    def _vn_name_in_run(self, toks: list[str], adjacent: bool, blocked: set[int]) -> int | None:
        """Index where a Vietnamese name starts in the capitalized run ``toks`` (the name runs to its end)."""
        n = len(toks)
        for i in range(max(0, n - 4), n - 1):
            tier = self.surnames.get(toks[i])
            if tier is None or i in blocked:
                continue
            if tier == "ambiguous" and n - i < 3 and not (adjacent and i == 0):
                continue
            if tier == "ambiguous" and self.surnames.get(toks[i + 1]) == "common":
                continue  # "Bắc Ninh Nguyễn Nhân Chiến": the name starts at the common surname
            if self._blocked_start(toks, i) or self._inside_blocker(toks, i) or self._is_country_at(toks, i):
                continue
            if i > 0 and n - i == 4 and self.surnames.get(toks[i + 1]) == "common":
                continue  # "huyện Tương Dương Nguyễn Phùng Hùng": a place ends in a surname
            if not all(_NAME_TOKEN.fullmatch(t) and looks_vietnamese(t) for t in toks[i:]):
                continue
            if len(toks[i + 1]) == 1:   # "Nguyễn A ..." is not a name start; "Hầu A Lềnh" is
                if n - i < 3:
                    continue
            return i
        return None

    def _foreign_name_in_run(self, toks: list[str], after_place_word: bool = False) -> int | None:
        """Index where a foreign name (1-4 tokens, one not Vietnamese-shaped) ends the run, else None."""
        j = len(toks)
        while j > 0 and len(toks) - j < 4:
            t = toks[j - 1]
            if not _NAME_TOKEN.fullmatch(t) or t.isupper() and len(t) > 1 or t in self._org_tokens:
                break
            if any(tuple(toks[k:j]) in self._countries or tuple(toks[k:j]) in self._vn_country
                   for k in range(max(0, j - self._country_max), j)):
                break
            j -= 1
        if j == len(toks):
            return None
        if after_place_word and j == 0 and len(toks) >= 3:
            j = len(toks) - 2   # "Thị trưởng thành phố London Sadiq Khan": the city comes first
        if not any(not looks_vietnamese(t) for t in toks[j:]):
            return None
        return j

    def _parse_run(self, toks: list[str], adjacent: bool, blocked: set[int],
                   after_honorific: bool = False, allow_country: bool = True,
                   after_place_word: bool = False, after_country: bool = False) -> tuple[int, bool] | None:
        """Split a capitalized run into organisation words and a name at its end.

        Returns (index where the name starts, foreign?) or None.
        """
        if after_honorific:
            if 2 <= len(toks) <= 4 and toks[0] in self.surnames and 0 not in blocked \
                    and not self._blocked_start(toks, 0) \
                    and all(_NAME_TOKEN.fullmatch(t) and looks_vietnamese(t) for t in toks):
                return 0, False
            if len(toks) <= 4 and all(_NAME_TOKEN.fullmatch(t) for t in toks) \
                    and any(not looks_vietnamese(t) for t in toks) and not self._is_country_at(toks, 0):
                return 0, True
            return None
        vi = self._vn_name_in_run(toks, adjacent, blocked)
        # a foreign country before the name: "Thủ tướng Úc Anthony Albanese", "Trung Quốc Lý Cường"
        country_end = None
        for i in range(len(toks) if allow_country else 0):
            n = self._is_country_at(toks, i)
            if n and i + n < len(toks) and not self._blocked_start(toks, i):
                country_end = i + n
                break
        if vi is not None:
            # a country inside the name is a given name ("Nguyễn Thị Mỹ Hạnh", "Đỗ Đức Duy")
            return vi, country_end is not None and country_end <= vi
        rest = toks[country_end:] if country_end is not None else []
        if rest and len(rest) <= 4 and all(_NAME_TOKEN.fullmatch(t) for t in rest) \
                and (len(rest) >= 2 or not looks_vietnamese(rest[0])):
            return country_end, True
        fi = self._foreign_name_in_run(toks, after_place_word) if allow_country else None
        if fi is not None:
            if not adjacent and not after_country:
                # far from the office: only a two-word foreign name ("thẩm phán liên bang James Robart")
                if len(toks) - fi < 2:
                    return None
                fi = len(toks) - 2
            return fi, True
        return None

    # -- byline zones ---------------------------------------------------------
    def _byline_zones(self, text: str) -> list[tuple[int, int]]:
        """Spans of photo credits and bylines, where no name is an official or a person of the story."""
        zones = [(m.start(), m.end()) for m in self._credit_re.finditer(text)]
        at = text.find("/")
        while at >= 0:
            if at + 1 < len(text) and (text[at + 1].isupper() or text[at + 1:at + 3].lstrip()[:1].isupper()):
                m = self._before_slash.search(text, max(0, at - 60), at)
                if m:
                    zones.append((m.start(), at))
            at = text.find("/", at + 1)
        line_start = text.find("\n")
        while line_start >= 0:
            line_end = text.find("\n", line_start + 1)
            if line_end < 0:
                line_end = len(text)
            lo = max(line_start + 1, line_end - 100)
            m = self._trailing_re.search(text, lo, line_end)
            if m and m.group("seg").strip() and (m.start("seg") > lo or lo == line_start + 1):
                zones.append((m.start("seg"), m.end("seg")))
            line_start = text.find("\n", line_end) if line_end < len(text) else -1
        return sorted(zones)

    @staticmethod
    def _in_zones(zones, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in zones)

    # -- main -----------------------------------------------------------------
    def __call__(self, doc: Document) -> Document:
        text = doc.text
        date = self._date = _parse_date(doc.meta.get("published"))
        ministries = sorted((e.start, e.end, e.attrs.get("canonical")) for e in doc.entities
                            if e.label == "MINISTRY" and e.attrs.get("canonical"))
        dept_orgs = sorted((e.start, e.end, e.attrs.get("ministry")) for e in doc.entities
                           if e.label == "ORG" and e.attrs.get("ministry"))
        places = [(e.start, e.end) for e in doc.entities if e.label == "PLACE"]
        blocked_spans = sorted([(s, e) for s, e, _ in ministries] + places)
        self._min_starts = [m[0] for m in ministries]
        self._blocked_starts = [b[0] for b in blocked_spans]
        zones = self._byline_zones(text)
        triggers = self._triggers(text)

        offices = self._find_offices(text, triggers, ministries, dept_orgs, blocked_spans, zones)
        people: dict[str, _Person] = {}
        names_at: dict[tuple[int, int], str] = {}

        def person_for(span: tuple[int, int], foreign: bool = False) -> _Person:
            name = text[span[0]:span[1]]
            p = people.get(name)
            if p is None:
                p = people[name] = _Person(name)
            p.foreign = p.foreign or foreign
            p.mentions.add(span)
            names_at[span] = name
            return p

        # 1. office -> name after it
        for off in offices:
            if off.name is not None:
                p = person_for(off.name, off.foreign)
                off.person = p.name
        # 2. name, office (apposition or connector) and chains of offices
        for k, off in enumerate(offices):
            if off.person is not None:
                continue
            found = None if off.level == "civil_service" else \
                self._name_before(text, off.start, blocked_spans, zones)
            if found is not None:
                span, foreign = found
                p = person_for(span, foreign or off.foreign)
                off.person = p.name
                continue
            if k > 0 and offices[k - 1].person is not None and \
                    self._chain_gap.match(text[offices[k - 1].comp_end:off.start]):
                off.person = offices[k - 1].person
        for k in range(len(offices) - 2, -1, -1):
            off, nxt = offices[k], offices[k + 1]
            if off.person is None and nxt.person is not None and \
                    self._chain_gap.match(text[off.comp_end:nxt.start]):
                off.person = nxt.person
        # an office followed by ", ông X": "Bộ trưởng Bộ Nội vụ, ông Lê Vĩnh Tân"
        for off in offices:
            if off.person is None:
                m = self._hon_start_re.match(text[off.comp_end:off.comp_end + 40])
                if m:
                    span = self._name_at(text, off.comp_end + m.end(), blocked_spans, after_honorific=True)
                    if span is not None and not self._in_zones(zones, *span[0]):
                        p = person_for(span[0], span[1] or off.foreign)
                        off.person = p.name
        for off in offices:
            if off.person is not None:
                people[off.person].offices.append(off)
        # 3. honorific + name (PERSON unless an office is known), ranks as weak offices
        for t_start, t_end, key, kind in triggers:
            if kind != "hon":
                continue
            m = _AFTER_HONORIFIC.match(text, t_end)
            described = False
            if not m and self._hon_kind.get(key) == "role":
                # "chuyên gia kinh tế Lê Quốc Phong": a few lower-case words describe the role
                m = _ROLE_DESCRIPTION.match(text, t_end)
                described = True
            if not m:
                continue
            found = self._name_at(text, m.end(), blocked_spans, after_honorific=True)
            if found is None:
                continue
            span, foreign = found
            if (described or text[t_start:t_end] == "Anh") and \
                    (foreign or len(text[span[0]:span[1]].split()) < 2):
                continue
            if self._in_zones(zones, *span) or span in names_at:
                continue
            one = text[span[0]:span[1]]
            if len(one.split()) == 1 and one not in people and \
                    (not foreign or self._hon_kind.get(key) != "courtesy" or (one,) in self._countries
                     or one in self._org_tokens):
                continue  # one word: an alias of someone known, or a foreign surname after ông/bà
            p = person_for(span, foreign)
            if self._hon_kind.get(key) == "rank":
                p.offices.append(_Office(t_start, t_end, t_end, text[t_start:t_end], "rank", "no", None))
        # 4. well-known office holders named without an office
        if self._known_re is not None:
            for m in self._known_re.finditer(text):
                surface = m.group(0)
                full = self.known_alias.get(surface, surface)
                if surface != full:
                    # an alias (foreign surname) needs an honorific or office before it
                    if not self._hon_end_re.search(text[max(0, m.start() - 20):m.start()]) and \
                            not any(o.comp_end <= m.start() and
                                    not text[o.comp_end:m.start()].strip() for o in offices):
                        continue
                if self._in_zones(zones, m.start(), m.end()):
                    continue
                p = people.get(full) or people.get(surface)
                if p is None:
                    p = people[surface] = _Person(surface)
                p.mentions.add((m.start(), m.end()))
                rows = self.known[full]
                if date is None or any(self._row_fits(r, date) for r in rows):
                    p.known = full
                    if all(r["country"] not in ("", "Việt Nam") for r in rows):
                        p.foreign = True
        self._merge_people(people)
        # 5. later mentions: full names and aliases
        self._later_mentions(text, people, triggers, zones)
        # 6. attributes and entities
        self._emit(doc, people, ministries, offices)
        return doc

    # -- offices ----------------------------------------------------------------
    def _triggers(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every office and honorific in the text: (start, end, lower-case key, "office" or "hon")."""
        low = text.lower()
        matches = self._trigger_re.finditer(low) if len(low) == len(text) \
            else self._trigger_re_ci.finditer(text)
        out = []
        for m in matches:
            key = _BLANKS.sub(" ", m.group(0).lower())
            if key in self.offices:
                out.append((m.start(), m.end(), key, "office"))
            elif key in self._hon_kind and (_BLANKS.sub(" ", text[m.start():m.end()]) in self._hon_forms
                                            or text[m.start():m.end()] == "Anh"):
                out.append((m.start(), m.end(), key, "hon"))
        return out

    def _find_offices(self, text, triggers, ministries, dept_orgs, blocked_spans, zones) -> list[_Office]:
        out: list[_Office] = []
        assembly = None
        for t_start, t_end, key, kind in triggers:
            if kind != "office" or self._in_zones(zones, t_start, t_end):
                continue
            info = self.offices[key]
            if key == "đại biểu":
                if assembly is None:
                    assembly = bool(self._assembly_re.search(text))
                if not assembly:
                    continue   # a conference delegate
            before = text[max(0, t_start - 30):t_start]
            if key.startswith("bí thư") and before.endswith(("Ban ", "ban ")):
                continue   # Ban Bí thư (the Secretariat)
            pm = self._office_prefix_re.search(before)
            title = info["title"]
            if pm.group("deputy"):
                title = "Phó " + title
            if pm.group("acting"):
                title = "quyền " + title
            off = _Office(t_start - len(pm.group(0)), t_end, t_end, title, info["level"], info["policy"],
                          info["implied_org"], former=bool(pm.group("former")))
            self._scan_after(text, off, ministries, dept_orgs, blocked_spans, zones)
            out.append(off)
        return out

    def _scan_after(self, text, off: _Office, ministries, dept_orgs, blocked_spans, zones) -> None:
        """Read the organisation phrase after an office and the name that ends it."""
        toks: list[tuple[str, int, int]] = []
        p = off.end
        while len(toks) < 16:
            m = _NEXT_TOKEN.match(text, p)
            if not m:
                break
            tok, s, e = m.group(1), m.start(1), m.end(1)
            stop_after = False
            if tok.endswith(".") and not _ABBREV_DOT.match(tok):
                tok, e, stop_after = tok[:-1], e - 1, True
            if tok:
                toks.append((tok, s, e))
            p = m.end(1)
            if stop_after:
                break
        comp_end = off.end
        minis_in: list[str | None] = []
        i = 0
        lower_run = 0
        prev_country = False
        civil = off.level == "civil_service"
        while i < len(toks):
            tok, s, e = toks[i]
            ministry = _covering(ministries, self._min_starts, s)
            if ministry is not None:
                if civil:
                    break
                minis_in.append(ministry[2])
                while i < len(toks) and toks[i][1] < ministry[1]:
                    i += 1
                comp_end = ministry[1]
                lower_run = 0
                continue
            if _CAP_TOKEN.fullmatch(tok) and (tok[0].isupper() or tok[0].isdigit()):
                if tok[0].isdigit():
                    break
                j = i
                while j < len(toks) and _CAP_TOKEN.fullmatch(toks[j][0]) and toks[j][0][0].isupper() \
                        and _covering(ministries, self._min_starts, toks[j][1]) is None:
                    j += 1
                run = toks[i:j]
                words = [t[0] for t in run]
                blocked = {k for k, t in enumerate(run)
                           if _covering(blocked_spans, self._blocked_starts, t[1]) is not None}
                domestic = off.level in ("provincial", "civil_service") or \
                    bool(self._local_re.search(text, off.end, s))
                parsed = self._parse_run(words, adjacent=(i == 0), blocked=blocked,
                                         allow_country=not domestic, after_country=prev_country,
                                         after_place_word=i > 0 and toks[i - 1][0].casefold() in _PLACE_WORDS)
                if civil and (parsed is None or parsed[0] != 0 or i != 0):
                    break
                if parsed is not None:
                    k, foreign = parsed
                    start, end = run[k][1], run[-1][2]
                    if not self._in_zones(zones, start, end) and not self._followed_by_name_char(text, end):
                        org_words = " ".join(w for w in words[:k])
                        off.foreign = foreign or self._ends_with_country(words[:k])
                        off.name = (start, end)
                        if k:
                            comp_end = run[k - 1][2]
                        off.comp_end = max(comp_end, off.end)
                        self._classify(text, off, minis_in, dept_orgs, org_words, run[0][1] if k else s)
                        return
                    break
                nxt = toks[j][0] if j < len(toks) else ""
                prev_country = self._ends_with_country(words) and not nxt[:1].islower()
                if prev_country:
                    off.foreign = True   # "Bộ trưởng Quốc phòng Mỹ", but not "Vụ Pháp chế"
                comp_end = run[-1][2]
                i = j
                lower_run = 0
                continue
            # lower-case word
            prev_country = False
            low = tok.casefold()
            two = (low, toks[i + 1][0].casefold()) if i + 1 < len(toks) else None
            if (low,) in self._stop or (two and two in self._stop):
                break
            if i == 0 and (low,) not in self._lead and not (two and two in self._lead):
                break
            if civil:
                break
            lower_run += 1
            if lower_run > 4:
                break
            comp_end = e
            i += 1
        off.comp_end = comp_end
        # no name after it: still classify its organisation for apposition use
        self._classify(text, off, minis_in, dept_orgs, "", off.end)
        # "Phó Vụ trưởng Vụ Cải cách hành chính, Bộ Nội vụ": a ministry right after a comma
        if not minis_in:
            m = _COMMA_OR_PAREN.match(text, off.comp_end)
            if m:
                at = m.end()
                ministry = _covering(ministries, self._min_starts, at)
                ministry = ministry if ministry is not None and ministry[0] == at else None
                if ministry is not None and off.policy != "no" and not off.foreign:
                    off.org, off.org_kind = ministry[2], "explicit"

    def _followed_by_name_char(self, text: str, end: int) -> bool:
        return end < len(text) and (text[end].isalpha() or text[end].isdigit())

    def _ends_with_country(self, words: list[str]) -> bool:
        return any(tuple(words[len(words) - n:]) in self._countries
                   for n in range(1, min(self._country_max, len(words)) + 1))

    def _classify(self, text, off: _Office, minis_in, dept_orgs, org_words: str, comp_start: int) -> None:
        """Decide ``org`` of one office mention from its organisation phrase."""
        comp = text[off.end:off.comp_end] if off.comp_end > off.end else ""
        if org_words and not comp:
            comp = org_words
        if off.level in ("department", "generic", "civil_service") and self._company_re.search(comp):
            off.company = True
        if off.policy == "no" or off.level in _NULL_LEVELS or off.foreign:
            off.org, off.org_kind = None, "none"
            return
        if minis_in:
            if off.level != "ministry" and self._local_re.search(comp):
                # "Trưởng phòng GD-ĐT quận 3", "Giám đốc Sở Y tế tỉnh X": a local office of that field
                off.org, off.org_kind = None, "explicit_null"
                return
            off.org, off.org_kind = minis_in[0], "explicit"
            return
        dept = next((d for d in dept_orgs if off.end <= d[0] < max(off.comp_end, off.end + 1)), None)
        if dept is not None:
            off.org, off.org_kind = dept[2], "explicit"
            return
        if comp.strip():
            if self._local_re.search(comp) or self._nonmin_re.search(comp) or off.company:
                off.org, off.org_kind = None, "explicit_null"
                return
            if off.policy == "explicit":
                off.org, off.org_kind = None, "none"
                return
            if off.implied_org and off.policy == "yes":
                off.org, off.org_kind = off.implied_org, "implied"
                return
            off.org, off.org_kind = None, "deferred"
            return
        if off.policy == "explicit":
            off.org, off.org_kind = None, "none"
        elif off.implied_org:
            off.org, off.org_kind = off.implied_org, "implied"
        elif off.policy == "yes":
            off.org, off.org_kind = None, "deferred"
        else:
            off.org, off.org_kind = None, "anchor"

    # -- names before an office / after an honorific ----------------------------
    def _name_before(self, text, start, blocked_spans, zones):
        """A name that ends right before ``start`` with a connector: "X, Phó Vụ trưởng", "X làm Chủ tịch"."""
        window = text[max(0, start - 120):start]
        cm = self._connector_back.search(window)
        if not cm or cm.start() == cm.end():
            return None
        head = window[:cm.start()]
        rm = self._run_before.search(head)
        if not rm:
            return None
        base = start - len(window)
        toks = [(mt.group(0), base + mt.start(), base + mt.end())
                for mt in _NON_BLANK.finditer(rm.group("run"))]
        toks = [(t, s + rm.start(), e + rm.start()) for t, s, e in toks]
        words = [t[0] for t in toks]
        blocked = {k for k, t in enumerate(toks)
                   if _covering(blocked_spans, self._blocked_starts, t[1]) is not None}
        honorific_before = bool(self._hon_end_re.search(head[:rm.start()]))
        parsed = self._parse_run(words, adjacent=honorific_before, blocked=blocked,
                                 after_honorific=False)
        if parsed is None and honorific_before:
            parsed = self._parse_run(words, adjacent=True, blocked=blocked, after_honorific=True)
        if parsed is None:
            return None
        k, foreign = parsed
        if foreign and not honorific_before and not self._ends_with_country(words[:k]):
            return None
        span = (toks[k][1], toks[-1][2])
        if self._in_zones(zones, *span):
            return None
        return span, foreign

    def _name_at(self, text, pos, blocked_spans, after_honorific: bool):
        """The name that starts exactly at ``pos`` (after an honorific)."""
        toks = []
        p = pos
        m = _RAW_TOKEN.match(text, p)
        while m and len(toks) < 5:
            tok = m.group(0)
            s = p
            e = p + len(tok)
            stop = False
            if tok.endswith(".") and not _ABBREV_DOT.match(tok):
                tok, e, stop = tok[:-1], e - 1, True
            if not tok or not _NAME_TOKEN.fullmatch(tok):
                break
            toks.append((tok, s, e))
            if stop:
                break
            m2 = _NEXT_TOKEN.match(text, e)
            if not m2:
                break
            p = m2.start(1)
            m = _RAW_TOKEN.match(text, p)
        if not toks:
            return None
        words = [t[0] for t in toks]
        if len(words) == 1:
            # one syllable: an alias of a known name, or a foreign surname ("ông Trump")
            return (toks[0][1], toks[0][2]), not looks_vietnamese(words[0])
        blocked = {k for k, t in enumerate(toks)
                   if _covering(blocked_spans, self._blocked_starts, t[1]) is not None}
        parsed = self._parse_run(words, adjacent=True, blocked=blocked, after_honorific=True)
        if parsed is None:
            # "ông Nguyễn Văn A Hà Nội": keep the longest name prefix that parses
            for n in range(len(words) - 1, 1, -1):
                parsed = self._parse_run(words[:n], adjacent=True, blocked=blocked, after_honorific=True)
                if parsed is not None:
                    toks = toks[:n]
                    break
        if parsed is None:
            return None
        return (toks[0][1], toks[-1][2]), parsed[1]

    # -- later mentions -----------------------------------------------------------
    def _later_mentions(self, text, people: dict[str, _Person], triggers, zones) -> None:
        """Add every further mention of a known name, and of its alias after an honorific or office."""
        if not people:
            return
        for name, person in people.items():
            if len(name) < 2:
                continue
            at = text.find(name)
            while at >= 0:
                end = at + len(name)
                if (at == 0 or not text[at - 1].isalpha()) and (end == len(text) or not text[end].isalpha()) \
                        and not self._in_zones(zones, at, end) and not self._continues_name(text, end, person):
                    person.mentions.add((at, end))
                at = text.find(name, end)
        # aliases: the given name (last syllable, last two) or a foreign surname
        alias_owner: dict[str, set[str]] = {}
        for n, p in people.items():
            parts = n.split()
            cands = set()
            if len(parts) >= 2:
                cands.add(parts[-1])
                if len(parts) >= 3 and not p.foreign:
                    cands.add(" ".join(parts[-2:]))
            for c in cands:
                alias_owner.setdefault(c, set()).add(n)
        aliases = {a: next(iter(o)) for a, o in alias_owner.items() if len(o) == 1 and a not in people}
        if not aliases:
            return
        for _, t_end, key, kind in triggers:
            m = self._after_trigger.match(text, t_end)
            if not m:
                continue
            a1, a2 = m.group("a1"), m.group("a2")
            two_ok = kind == "office" or self._hon_kind.get(key) == "courtesy"
            if a2 and two_ok and f"{a1} {a2}" in aliases:
                alias, s, e = f"{a1} {a2}", m.start("a1"), m.end("a2")
            elif a2 is None and a1 in aliases:
                alias, s, e = a1, m.start("a1"), m.end("a1")
            else:
                continue
            if self._in_zones(zones, s, e):
                continue
            owner = people[aliases[alias]]
            if any(ms <= s and e <= me for ms, me in owner.mentions):
                continue
            owner.mentions.add((s, e))

    @staticmethod
    def _merge_people(people: dict[str, _Person]) -> None:
        """Fold a name into the longer one it is part of ("Comey" into "James Comey"), and a name with one
        word too many ("Bùi Văn Ga Thí", a caption run into the next sentence) into the shorter one."""
        def merge(src: _Person, dst: _Person, trim: int | None = None) -> None:
            dst.offices.extend(src.offices)
            for s, e in src.mentions:
                dst.mentions.add((s, s + trim) if trim else (s, e))
            dst.foreign = dst.foreign or src.foreign
            dst.known = dst.known or src.known
            del people[src.name]

        for name in sorted(people, key=lambda n: len(n.split())):
            if name not in people:
                continue
            parts = name.split()
            longer = [q for q in people if q != name and len(q.split()) > len(parts)
                      and q.split()[-len(parts):] == parts]
            if len(longer) == 1:
                merge(people[name], people[longer[0]])
                continue
            if len(parts) >= 3:
                shorter = " ".join(parts[:-1])
                if shorter in people:
                    merge(people[name], people[shorter], trim=len(shorter))

    def _continues_name(self, text: str, end: int, person: _Person) -> bool:
        """True if a Vietnamese name continues after ``end`` ("Hồ Chí Minh" inside a longer name)."""
        if person.foreign:
            return False
        nxt = _FOLLOWING_SYLLABLE.match(text, end)
        return bool(nxt) and looks_vietnamese(nxt.group(1)) and nxt.group(1) not in self.surnames

    @staticmethod
    def _row_fits(row: dict, date: _dt.date) -> bool:
        return (row["from"] is None or row["from"] <= date) and (row["to"] is None or date < row["to"])

    def _known_for(self, name: str, date: _dt.date | None, titles: list[str]) -> dict | None:
        """The gazetteer row of ``name`` at ``date`` (any date when unknown), preferring one of ``titles``."""
        rows = [r for r in self.known.get(name, []) if date is None or self._row_fits(r, date)]
        if titles:
            same = [r for r in rows if r["title"] in titles]
            return same[-1] if same else None
        return rows[-1] if rows else None

    # -- output ----------------------------------------------------------------
    def _context_ministry(self, ministries, pos: int) -> str | None:
        before = [m for m in ministries if m[1] <= pos]
        if before:
            return before[-1][2]
        after = [m for m in ministries if m[0] >= pos]
        return after[0][2] if after else None

    def _anchor_org(self, text, ministries, pos: int) -> str | None:
        """The nearest organisation before ``pos``: a ministry gives it, a local body gives None."""
        best_min = max((m for m in ministries if m[1] <= pos), key=lambda m: m[1], default=None)
        lo = best_min[1] if best_min else max(0, pos - 400)
        local = None
        for lm in self._local_re.finditer(text, lo, pos):
            local = lm
        if local is not None or best_min is None:
            return None
        return best_min[2]

    def _emit(self, doc: Document, people: dict[str, _Person], ministries, offices) -> None:
        text = doc.text
        candidates = []
        for p in people.values():
            offs = [o for o in p.offices if o.level != "nonofficial" and not o.company]
            nonofficial = [o for o in p.offices if o.level == "nonofficial" or o.company]
            known = p.known
            if p.foreign and known is None and not offs and not nonofficial:
                continue   # a foreign name after ông/bà, with no office: too unsure to be a PERSON
            if not offs and nonofficial and not known:
                label, attrs = "PERSON", {"role": nonofficial[0].title}
            elif not offs and not known:
                label, attrs = "PERSON", {}
            else:
                label = "OFFICIAL"
                attrs = self._official_attrs(text, p, offs, ministries)
            for s, e in p.mentions:
                candidates.append((s, e, label, attrs, p.name))
        # the longest mention wins where two overlap
        taken: list[tuple[int, int]] = [(e.start, e.end) for e in doc.entities if e.label in ("OFFICIAL", "PERSON")]
        summary: dict[str, dict] = {}
        for s, e, label, attrs, name in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if any(ts < e and s < te for ts, te in taken):
                continue
            taken.append((s, e))
            doc.add_entity(label, s, e, source="rules", **attrs)
            row = summary.setdefault(name, {"name": name, "label": label, **attrs, "mentions": []})
            row["mentions"].append([s, e])
        layer = doc.layers.setdefault("officials", [])
        for row in sorted(summary.values(), key=lambda r: min(m[0] for m in r["mentions"])):
            row["mentions"].sort()
            layer.append(row)

    def _official_attrs(self, text, p: _Person, offs: list[_Office], ministries) -> dict:
        offs = sorted(offs, key=lambda o: o.start)
        strong = [o for o in offs if o.level not in _WEAK_LEVELS]
        ordered = strong + [o for o in offs if o.level in _WEAK_LEVELS]
        titles: list[str] = []
        for o in ordered:
            if o.title not in titles:
                titles.append(o.title)
        known = self._known_for(p.known, self._date, titles) if p.known else None
        foreign = p.foreign or any(o.foreign for o in offs) or \
            bool(known and known["country"] not in ("", "Việt Nam"))
        org = None
        if not foreign:
            for kind in ("explicit", "implied"):
                org = next((o.org for o in offs if o.org_kind == kind and o.org), None)
                if org:
                    break
            if org is None and any(o.org_kind == "explicit_null" for o in offs if o.level not in _WEAK_LEVELS) \
                    and not any(o.org_kind == "deferred" and o.policy == "yes" for o in offs):
                org = None
            elif org is None:
                if known and known.get("org"):
                    org = known["org"]
                else:
                    for o in offs:
                        if o.org_kind == "deferred":
                            org = self._context_ministry(ministries, o.start)
                        elif o.org_kind == "anchor":
                            org = self._anchor_org(text, ministries, o.start)
                        if org:
                            break
        if not titles and known:
            titles = [known["title"]]
            if not foreign and org is None:
                org = known.get("org")
        attrs: dict[str, Any] = {"title": titles[0] if titles else None, "org": org}
        if len(titles) > 1:
            attrs["titles"] = titles
        if offs and all(o.former for o in offs if o.title == attrs["title"]) and \
                any(o.former for o in offs):
            attrs["former"] = True
        return attrs
