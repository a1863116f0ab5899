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
* in a list sharing one office ("các Phó Thủ tướng A, B", "tổ ĐBQH gồm ông A,
  bà B"), in a career list after a named person ("đã trải qua các cương vị:
  ..."), after an appointment ("X được ... giữ chức ..."), and from a headline
  office ("Chủ tịch Hà Nội: ...") for the person the body opens with;
* after "người đồng cấp" (and a country): the office named last before it
  ("Bộ trưởng Quốc phòng Hàn Quốc X gặp người đồng cấp Mỹ Y": Y is a Bộ trưởng);
* on every later mention of a full name, and of the given name alone (or a
  foreign surname, last word or first: "ông Han" for "Han Min-koo") after an
  honorific or an office; a given name two people share goes to the one
  named last.

Words right after an office that qualify it ("lâm thời", "thứ nhất",
"Thường trực") are part of the title. ``org`` comes from a ministry, a
department of one (ORG from the ministries stage) or an agency of one
(``models/agencies.tsv``, resolved at the document's date) in the office's
organisation phrase, after a comma or in parentheses; an office written
without its organisation before a name ("Người phát ngôn X") takes the
ministry of the same office named earlier without a name. An abbreviation in
parentheses inside the organisation phrase ("(MTTQ)") is skipped, and a
minister's field that is no MINISTRY ("Thứ trưởng Ngoại giao Nga") is part of
it. A bare "đại biểu X" in a session of a people's council (the document names
HĐND more often than the National Assembly) is an "đại biểu HĐND".

A Vietnamese name starts with a surname from the closed list in
``models/surnames.tsv``; a foreign name is recognised by syllables that do not
follow Vietnamese spelling, or by a country right before it; lower-case
particles inside it ("bin", "von") are part of it. The ``title`` is
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

from pipeline.base import Processor
from pipeline.document import Document
from pipeline.docdate import document_date
from pipeline.lexicons.ministries import registry
from pipeline.text.patterns import NAME_INITIAL, trie_pattern
from pipeline.resources import ResourceError, read_tsv

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
# an abbreviation in parentheses inside an organisation phrase: "Ủy ban T.Ư Mặt trận Tổ quốc (MTTQ) Việt Nam"
_PAREN_ABBR = regex.compile(r"[ \t]*\((?=[^)]*\p{Lu}[^)]*\p{Lu})[\p{Lu}\d&.\-]{2,12}\)(?=[ \t])")
_FOLLOWING_SYLLABLE = regex.compile(r"[ ](\p{Lu}[\p{Ll}\p{M}]+)(?![\p{L}\p{M}])")
_NAME_JOINERS = re.compile(r"[-'’]")
_COMMA_OR_PAREN = re.compile(r"[ \t]*[,(][ \t]*")
_NON_BLANK = re.compile(r"\S+")
_RAW_TOKEN = re.compile(r"[^\s,;:!?()\[\]{}\"“”«»…/]+")
_PLACE_WORDS = {"thành phố", "phố", "thủ đô", "bang", "tỉnh", "tại", "ở", "vùng", "hạt", "quận", "tp", "tp."}
_BLANKS = re.compile(r"\s+")
# "tại Việt Nam" between an office abroad and the comma before its holder's name
_AT_PLACE = regex.compile(r"[ \t]+(?:tại|ở)(?:[ \t]+\p{Lu}[\p{L}\p{M}.&'’-]*){1,4}(?=[ \t]*,)")
_APPOSITION_GAP = re.compile(r"[ \t]*,[ \t]*")
# the end of a career list: the end of the sentence (not "T.Ư." or an ellipsis inside it)
_LIST_END = regex.compile(r"\.\.\.|…|\.(?=\s+\p{Lu}|\s*$)|\n")
_CREDIT_LIMIT = re.compile(r"\.\s|\.$|[\n;)]")
_CREDIT_TOKEN = regex.compile(r"[ \t]*(\S+)")
# a token that ends in an outlet's capitals after a dash or slash ("Sáng-TTXVN", "Hải/VGP"), or is one ("TTXVN")
_OUTLET_END = regex.compile(r"(?:[-–/]|^)\p{Lu}{2,}[\p{Lu}\d&.]*$")
_PHRASE_END = re.compile(r"[,.;:()\n–—]")
_FULL_STOP = re.compile(r"[.!?\n]\s")
_PASSIVE = re.compile(r"(?<!\w)được(?!\w)")
_SENTENCE_END = re.compile(r"[.!?;:\n]\s")
_HEADLINE_COLON = re.compile(r"[ \t]*:")
_BODY_START = re.compile(r"\n\s*")
_LAST_BLANK = regex.compile(r"[ ]$")
_PLURAL_AFTER = re.compile(r"[ \t]+(?:các|những)[ \t]")
_LIST_SEP = re.compile(r"[ \t]*(?:,[ \t]*(?:và[ \t]+)?|[ \t]+và[ \t]+)")
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


def _name_tokens(text: str, pos: int, limit: int, initials: bool = False):
    """The capitalised words of a name written from ``pos`` on, at most ``limit``, as (word, start,
    end), stopping after a word that ends a sentence with its full stop; with ``initials``, also the
    end of a final initial after two words or more ("Nguyễn Văn D.", else None)."""
    toks: list[tuple[str, int, int]] = []
    m = _RAW_TOKEN.match(text, pos)
    while m and len(toks) < limit:
        tok, s, e = m.group(), m.start(), m.end()
        if initials and len(toks) >= 2 and NAME_INITIAL.fullmatch(tok):
            return toks, e
        stop = tok.endswith(".") and not _ABBREV_DOT.match(tok)
        if stop:
            tok, e = tok[:-1], e - 1
        if not tok or not _NAME_TOKEN.fullmatch(tok):
            break
        toks.append((tok, s, e))
        if stop:
            break
        nxt = _NEXT_TOKEN.match(text, e)
        m = _RAW_TOKEN.match(text, nxt.start(1)) if nxt else None
    return toks, None


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
    base: str = ""      # the office's title in models/offices.tsv, without prefixes or qualifiers
    shared: bool = False  # given to several listed names ("tổ ĐBQH gồm ..."): after a person's own offices


@dataclass
class _Person:
    name: str
    offices: list[_Office] = field(default_factory=list)
    foreign: bool = False
    mentions: set[tuple[int, int]] = field(default_factory=set)
    known: str | None = None   # the name in the gazetteer of well-known office holders
    expert: bool = False       # introduced by a degree or a role ("TS", "chuyên gia")


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
        self._load_agencies()

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
            r"(?:(?<![\w.])(?P<former>nguyên|cựu)\s+)?(?:(?<![\w.])(?P<new>tân)\s+)?"
            r"(?:(?<![\w.])(?<!chính\s)(?P<acting>quyền|q\.)\s+)?(?:(?<![\w.])(?P<deputy>phó)\s+)?$",
            regex.IGNORECASE | regex.REVERSE)

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
        self._hon_start_re = regex.compile(rf"(?:\s*[,–—-]|\s+là)\s*(?:{hon_alt})\.?\s+")
        self._hon_for_re = regex.compile(rf"\s*,?\s+(?:đối với|cho)\s+(?:{hon_alt})\.?\s+")
        self._hon_at_re = regex.compile(rf"(?:{hon_alt})\.?[ \t]+")
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
        self._qualifier_re = regex.compile(
            rf"[ \t]+(?P<q>{_alternation(cues.get('qualifier', []))})(?![{_WORD_CHARS}])") \
            if cues.get("qualifier") else None
        self._candidate_re = regex.compile(
            rf"(?:^|[^{_WORD_CHARS}])(?:{_alternation(cues.get('candidate', []))})[ \t]+$", regex.REVERSE) \
            if cues.get("candidate") else None
        self._career_re = regex.compile(
            rf"(?<![{_WORD_CHARS}])(?:{_alternation(cues.get('career_intro', []))})[^.:;\n]{{0,60}}:")
        self._list_intro_re = regex.compile(
            rf"[ \t]*(?:{_alternation(cues.get('list_intro', []))})(?![{_WORD_CHARS}])[ \t]*:?[ \t]*")
        self._preposition_re = regex.compile(
            rf"(?:^|[^{_WORD_CHARS}])(?:{_alternation(cues.get('preposition', []))})[ \t]+$", regex.REVERSE)
        self._unique = set(cues.get("unique_office", []))
        self._org_before_name = {tuple(w.split()) for w in cues.get("org_before_name", [])}
        self._informal_re = regex.compile(
            rf"(?:^|[^{_WORD_CHARS}])(?:{_alternation(cues.get('informal_address', []))})[ \t]+$",
            regex.REVERSE | regex.IGNORECASE)
        self._plural_re = regex.compile(
            rf"(?:^|[^{_WORD_CHARS}])(?:{_alternation(cues.get('plural', []))})[ \t]+$", regex.REVERSE)

        def cue_re(kind: str) -> regex.Pattern:
            return regex.compile(rf"(?<![{_WORD_CHARS}])(?:{_alternation(cues.get(kind, []))})"
                                 rf"(?![{_WORD_CHARS}])")
        self._org_tokens = {v for k in ("company", "nonministry_org", "local_org", "department", "place_before")
                            for v in cues.get(k, []) if " " not in v and v[:1].isupper()}
        self._org_tokens |= {h[:1].upper() + h[1:] for h in self.honorifics if " " not in h}
        self._assembly_re = cue_re("assembly_context")
        self._counterpart_re = cue_re("counterpart") if cues.get("counterpart") else None
        particles = _alternation(cues.get("name_particle", [])) or "(?!)"
        # particles and the capitalised word after them, or an "al-Thani" word
        self._particle_re = regex.compile(
            rf"[ ](?:(?:{particles})(?:[ ](?:{particles}))*(?:[ ]\p{{Lu}}[\p{{Ll}}\p{{M}}]+(?:-\p{{L}}[\p{{Ll}}\p{{M}}]*)*){{1,3}}"
            rf"|(?:al|el)-\p{{Lu}}[\p{{Ll}}\p{{M}}]+)(?![\p{{L}}\p{{M}}])")
        self._assembly_named_re = cue_re("assembly_named")
        self._council_re = cue_re("council_context")
        self._company_re = cue_re("company")
        self._nonmin_re = cue_re("nonministry_org")
        self._local_re = cue_re("local_org")
        self._dept_re = cue_re("department")
        # the connector between a name and an office after it
        appoint = _alternation(cues.get("appoint", []))
        # an age may stand between the name and the comma: "ông X, 54 tuổi, Chủ tịch ...", "bà Y (45 tuổi), ..."
        age = r"(?:\s*,\s*\d{1,3}\s*tuổi|\s*\(\s*\d{1,3}\s*tuổi\s*\))?"
        self._connector_back = regex.compile(
            rf"{age}(?:\s*(?:,|\(|[–—-])\s*(?:(?:{appoint})\s+)?|\s+(?:{appoint})\s+)$", regex.REVERSE)
        self._appoint_before_re = regex.compile(
            rf"(?<![{_WORD_CHARS}])(?:{_alternation(cues.get('appoint_verb', []))})[ \t]+$")
        self._chain_gap = regex.compile(rf"^\s*(?:,\s*(?:(?:{appoint})\s+)?|(?:{appoint})\s+|,?\s*kiêm\s+)$")
        self._run_before = regex.compile(
            r"(?P<run>(?:\p{Lu}[\p{L}\p{M}'’-]*[ ])*\p{Lu}[\p{L}\p{M}'’-]*)$", regex.REVERSE)
        # credits and bylines
        self._credit_re = re.compile(
            rf"(?<!\w)(?:{trie_pattern(cues.get('byline_label', []))})[ \t]*:[ \t]*")
        # "Minh Anh/VnExpress": up to four capitalized words right before a slash and an outlet name
        self._before_slash = regex.compile(
            r"(?:\p{Lu}[\p{L}\p{M}.]*[ ]){0,3}\p{Lu}[\p{L}\p{M}.]*[ ]?$", regex.REVERSE)
        # the last segment of a line that holds only capitalized words: a byline ("Thu Hằng", "LÊ PHONG")
        self._trailing_re = regex.compile(
            r"(?:^|(?<=[.!?…\"”)\]]))[ \t]*"
            r"(?P<seg>(?:[\p{Lu}\d][\p{L}\p{M}.&'’]*[ \t]*(?:[-–/,&][ \t]*)?){1,8})$", regex.REVERSE)

    def _load_agencies(self) -> None:
        """Agencies that belong to a ministry (models/agencies.tsv) and written forms of ministries' fields."""
        self._registry = registry()
        try:
            rows = read_tsv("agencies.tsv")
        except ResourceError:
            rows = []
        self._agencies: dict[str, list[tuple[str, _dt.date | None, _dt.date | None]]] = {}
        for row in rows:
            surface, mid = row["surface"].strip(), row["ministry"].strip()
            if not surface or mid not in self._registry.records:
                continue
            self._agencies.setdefault(_BLANKS.sub(" ", surface.casefold()), []).append(
                (mid, _parse_date(row.get("valid_from", "").strip()), _parse_date(row.get("valid_to", "").strip())))
        self._agency_re = re.compile(rf"(?<!\w)(?:{trie_pattern(self._agencies)})(?![\w&])") \
            if self._agencies else None
        # the rest of an agency's name right after its head's office: "Cục trưởng [Cục] Hàng không Việt Nam"
        heads = {"cục": "Cục trưởng", "tổng cục": "Tổng cục trưởng", "vụ": "Vụ trưởng", "viện": "Viện trưởng"}
        rests: dict[str, dict[str, str]] = {}
        for key in self._agencies:
            for head, title in heads.items():
                if key.startswith(head + " "):
                    rests.setdefault(title, {})[key[len(head) + 1:]] = key
        self._agency_rest = {title: (re.compile(rf"(?:{trie_pattern(r)})(?![\w&])"), r) for title, r in rests.items()}
        # "Bộ" and a field, also of a foreign ministry ("Bộ Ngoại giao Trung Quốc"): one unit of an organisation
        fields = set(self._registry.field_specific) | set(self._registry.field_informal)
        self._bo_field_re = regex.compile(
            rf"[Bb]ộ\s+(?:{_alternation(fields)})(?![{_WORD_CHARS}&])", regex.IGNORECASE)
        # a field right after a minister's title that is no MINISTRY ("Thứ trưởng Ngoại giao Nga"): one unit
        self._field_re = regex.compile(rf"(?:{_alternation(fields)})(?![{_WORD_CHARS}&])", regex.IGNORECASE)

    def _agency_ministry(self, key: str) -> str | None:
        """The canonical name of the ministry agency ``key`` belongs to at the document's date."""
        rows = self._agencies.get(key)
        if not rows:
            return None
        day = self._doc_day
        if day is None:
            fit = [r for r in rows if r[2] is None] or rows
        else:
            fit = [r for r in rows if (r[1] is None or r[1] <= day) and (r[2] is None or day <= r[2])]
            if not fit:
                def distance(r):
                    if r[1] is not None and day < r[1]:
                        return (r[1] - day).days
                    return (day - r[2]).days if r[2] is not None and day > r[2] else 0
                fit = [min(rows, key=distance)]
        mid = fit[-1][0]
        if day is not None:
            rec = self._registry.get(mid)
            if not rec.valid_at(day):
                after = self._registry.successors_at(mid, day)
                if len(after) == 1:
                    mid = after[0].id
        return self._registry.canonical(mid, day)

    def _find_agencies(self, text: str, ministries) -> list[tuple[int, int, str]]:
        """(start, end, ministry) of every agency of a ministry named in ``text`` (not inside a MINISTRY)."""
        if self._agency_re is None:
            return []
        low = self._low
        if low is text:
            return []
        out = []
        for m in self._agency_re.finditer(low):
            s, e = m.start(), m.end()
            if not text[s].isupper() or any(ms < e and s < me for ms, me, _ in ministries):
                continue
            nxt = _NEXT_TOKEN.match(text, e)
            if nxt and self._is_country_at(text[nxt.start(1):nxt.start(1) + 40].split(), 0):
                continue   # "Cục Hàng không Liên bang Mỹ": a foreign agency
            org = self._agency_ministry(_BLANKS.sub(" ", m.group(0)))
            if org:
                out.append((s, e, org))
        return out

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

    def _foreign_name_in_run(self, toks: list[str], after_place_word: bool = False,
                             blocked: set[int] = frozenset()) -> int | None:
        """Index where a foreign name (1-4 tokens, one not Vietnamese-shaped) ends the run, else None;
        it never takes in a token of a place or unit (``blocked``): "Fed New York William Dudley"."""
        j = len(toks)
        while j > 0 and len(toks) - j < 4:
            t = toks[j - 1]
            if not _NAME_TOKEN.fullmatch(t) or t.isupper() and len(t) > 1 or t in self._org_tokens \
                    or j - 1 in blocked:
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
                    and not self._blocked_start(toks, 0) and not self._is_country_at(toks, 0) \
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
        fi = self._foreign_name_in_run(toks, after_place_word, blocked) if allow_country else None
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
        zones = [self._credit_zone(text, m) for m in self._credit_re.finditer(text)]
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
    def _credit_zone(text: str, m) -> tuple[int, int]:
        """The span of one credit: its label and the few capitalized words after it, up to the outlet.

        "Ảnh: Nhan Sáng-TTXVN Phát biểu tại ..." stops after "TTXVN": a caption without a full stop must not
        swallow the next sentence.
        """
        start = m.start()
        pos = end = m.end()
        stop = _CREDIT_LIMIT.search(text, pos)
        limit = stop.start() if stop else len(text)
        count = 0
        for tm in _CREDIT_TOKEN.finditer(text, pos, limit):
            tok = tm.group(1)
            core = tok.rstrip(".,;:")
            if not core or not (core[0].isupper() or core[0].isdigit() or core in ("-", "–", "/", "&", "và")):
                break
            end = tm.end(1)
            count += 1
            if _OUTLET_END.search(core) or count >= 6 or core != tok:
                break
        return start, end

    @staticmethod
    def _in_zones(zones, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in zones)

    # -- main -----------------------------------------------------------------
    def __call__(self, doc: Document) -> Document:
        text = doc.text
        # the date of the document (meta.published, else the text's latest date) for the gazetteers
        self._doc_day, how = document_date(doc, self._registry.as_of)
        self._date_rough = how == "year"
        date = self._date = self._doc_day
        ministries = sorted((e.start, e.end, e.attrs.get("canonical")) for e in doc.entities
                            if e.label == "MINISTRY" and e.attrs.get("canonical"))
        dept_orgs = sorted((e.start, e.end, e.attrs.get("ministry")) for e in doc.entities
                           if e.label == "ORG" and e.attrs.get("ministry"))
        places = [(e.start, e.end) for e in doc.entities if e.label == "PLACE"]
        low = text.lower()
        self._low = low if len(low) == len(text) else text
        agencies = self._find_agencies(text, ministries)
        # units that give an office its ministry: the ministries and the agencies that belong to one
        units = sorted(ministries + agencies)
        blocked_spans = sorted([(s, e) for s, e, _ in units] + places)
        self._min_starts = [m[0] for m in units]
        self._blocked_starts = [b[0] for b in blocked_spans]
        zones = self._byline_zones(text)
        triggers = self._triggers(text)

        offices = self._find_offices(text, triggers, units, dept_orgs, blocked_spans, zones)
        self._company_anchors(text, offices, units)
        self._org_from_earlier_office(offices)
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
        office_at = {}
        for off in offices:
            office_at.setdefault(off.start, off)
        name_office = {off.name: off for off in offices if off.name is not None}
        # 2. name, office (apposition or connector) and chains of offices
        for k, off in enumerate(offices):
            if off.person is not None:
                continue
            # "X, Bộ trưởng các Bộ ...": an office of several people is not X's apposition
            # a civil servant's name needs an honorific before it: "ông X, chuyên viên Vụ Y"
            civil = off.level == "civil_service"
            found = None if _PLURAL_AFTER.match(text, off.end) or \
                civil and not self._public_body_after(text, off.end, units, office_at) else \
                self._name_before(text, off.start, blocked_spans, zones, need_honorific=civil)
            if found is not None and self._clause_subject(text, off, found[0], name_office):
                # "trả lời của Phó Thủ tướng X, Chủ tịch Quốc hội cho rằng": the office starts a new clause
                continue
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
        # an office followed by ", ông X": "Bộ trưởng Bộ Nội vụ, ông Lê Vĩnh Tân", "Đại sứ Italy tại Việt Nam, bà X"
        for off in offices:
            if off.person is None:
                at = off.comp_end
                pm = _AT_PLACE.match(text, at)
                if pm:
                    at = pm.end()
                m = self._hon_start_re.match(text[at:at + 40])
                if not m and self._appoint_before_re.search(text, max(0, off.start - 30), off.start):
                    # "bổ nhiệm giữ chức Thứ trưởng Bộ Y tế đối với ông X"
                    m = self._hon_for_re.match(text[at:at + 40])
                if m:
                    span = self._name_at(text, at + m.end(), blocked_spans, after_honorific=True)
                    if span is None or self._in_zones(zones, *span[0]):
                        continue
                    own = _APPOSITION_GAP.match(text, span[0][1])
                    if own and own.end() in office_at and (
                            off.comp_end == off.end or self._preposition_re.search(text, max(0, off.start - 12),
                                                                                   off.start)):
                        # "quyết định của Thủ tướng, ông X, Vụ trưởng ...": X holds the office after his name
                        continue
                    p = person_for(span[0], span[1] or off.foreign)
                    off.person = p.name
        holders: list[tuple[_Office, str]] = [(off, off.person) for off in offices if off.person is not None]
        # one office shared by the names listed after it: "các Phó Thủ tướng A, B và C", "tổ ĐBQH gồm A, bà B"
        for off in offices:
            if off.name is not None and self._plural_re.search(text, max(0, off.start - 8), off.start):
                for span, foreign, own in self._listed_names(text, off.name[1], office_at, blocked_spans, zones,
                                                             first_sep=True):
                    if own is None:
                        off.shared = True
                        holders.append((off, person_for(span, foreign or off.foreign).name))
            elif off.name is None and off.person is None:
                lm = self._list_intro_re.match(text, off.comp_end)
                if lm and lm.end() > off.comp_end:
                    for span, foreign, own in self._listed_names(text, lm.end(), office_at, blocked_spans, zones,
                                                                 first_sep=False):
                        off.shared = True
                        holders.append((off, person_for(span, foreign or off.foreign).name))
        # an office only one person holds, given by the text right before a name, is nobody else's
        # ("Phó Thủ tướng A, Chủ tịch Quốc hội cho rằng" when the text names the Chủ tịch Quốc hội B)
        direct = {off.title: off.person for off in offices
                  if off.name is not None and off.person and not off.foreign and off.title == off.base
                  and off.base in self._unique}
        for off, name in holders:
            if off.name is None and direct.get(off.title, name) != name:
                continue
            people[name].offices.append(off)
        # "người đồng cấp Mỹ X": X holds the office of the official named just before
        self._counterparts(text, offices, people, person_for, blocked_spans, zones)
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
            if span in names_at and self._hon_kind.get(key) in ("role", "academic"):
                people[names_at[span]].expert = True
            if span in names_at and self._hon_kind.get(key) == "rank" and not self._in_zones(zones, *span) and \
                    not any(o.level == "nonofficial" or o.company for o in people[names_at[span]].offices):
                people[names_at[span]].offices.append(
                    _Office(t_start, t_end, t_end, text[t_start:t_end], "rank", "no", None))
            if self._in_zones(zones, *span) or span in names_at:
                continue
            one = text[span[0]:span[1]]
            if len(one.split()) == 1 and one not in people and \
                    (not foreign or self._hon_kind.get(key) != "courtesy" or (one,) in self._countries
                     or one in self._org_tokens):
                continue  # one word: an alias of someone known, or a foreign surname after ông/bà
            p = person_for(span, foreign)
            if self._hon_kind.get(key) in ("role", "academic"):
                p.expert = True
            if self._hon_kind.get(key) == "rank":
                p.offices.append(_Office(t_start, t_end, t_end, text[t_start:t_end], "rank", "no", None))
        # "ông X được Bộ Chính trị điều động, chỉ định giữ chức Bí thư Tỉnh ủy": the office X is appointed to
        self._appointed_offices(text, offices, people, names_at)
        # a headline office ("Chủ tịch Hà Nội: ...") names the person the body opens with ("Ông X yêu cầu ...")
        self._headline_office(text, offices, people)
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
                if self._informal_re.search(text, max(0, m.start() - 12), m.start()):
                    continue   # "chị Nguyễn Thị Hồng": a namesake, not the office holder
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
        # 6. a career listed without names: "đồng chí X ... đã trải qua các cương vị: Thứ trưởng ...; Bộ trưởng ..."
        self._career_offices(text, people, offices)
        # 7. attributes and entities
        self._emit(doc, people, ministries, offices)
        return doc

    def _counterparts(self, text, offices, people, person_for, blocked_spans, zones) -> None:
        """Give the name after "người đồng cấp" (and a country) the office named last before it in the text,
        when that office has a holder ("Bộ trưởng Quốc phòng Hàn Quốc X gặp người đồng cấp Mỹ Y": Y is a Bộ trưởng);
        with a foreign country or name the office is foreign (org null)."""
        if self._counterpart_re is None:
            return
        for m in self._counterpart_re.finditer(text):
            first = _NEXT_TOKEN.match(text, m.end())
            toks = _name_tokens(text, first.start(1), 7)[0] if first else []
            if not toks:
                continue
            words = [t[0] for t in toks]
            blocked = {k for k, t in enumerate(toks)
                       if _covering(blocked_spans, self._blocked_starts, t[1]) is not None}
            parsed = self._parse_run(words, adjacent=True, blocked=blocked)
            if parsed is None:
                continue
            k, foreign = parsed
            span = (toks[k][1], toks[-1][2])
            name = text[span[0]:span[1]]
            if self._in_zones(zones, *span) or (name in people and people[name].offices):
                continue
            ref = None   # the office named last before "đồng cấp": its holder must be known
            for off in offices:
                if off.start >= m.start():
                    break
                if off.level not in ("nonofficial", "rank"):
                    ref = off
            if ref is None or ref.person is None or ref.company or ref.person == name or \
                    m.start() - ref.comp_end > 300:
                continue
            vn = tuple(words[:k]) in self._vn_country
            foreign = not vn and (foreign or (k > 0 and self._ends_with_country(words[:k])) or
                                  ("-" in name) or (ref.foreign and k == 0 and not looks_vietnamese(words[-1])))
            copy = _Office(m.start(), m.end(), m.end(), ref.title, ref.level, ref.policy, ref.implied_org,
                           foreign=foreign, base=ref.base)
            if foreign or ref.foreign or ref.org_kind != "explicit":
                copy.org, copy.org_kind = None, "none"
            else:
                copy.org, copy.org_kind = ref.org, "explicit"
            p = person_for(span, foreign)
            copy.person = p.name
            p.offices.append(copy)

    @staticmethod
    def _org_from_earlier_office(offices: list[_Office]) -> None:
        """Give an office written without its organisation right before a name ("Người phát ngôn X") the
        ministry of the same office named earlier without a name ("Người phát ngôn Bộ Ngoại giao khẳng định")."""
        seen: dict[str, str] = {}
        for off in offices:
            if off.name is None:
                if off.org_kind == "explicit" and off.org and not off.foreign:
                    seen[off.base] = off.org
                continue
            if off.comp_end <= off.end and off.org is None and off.org_kind == "none" \
                    and not off.foreign and off.level not in _NULL_LEVELS and off.base in seen:
                off.org, off.org_kind = seen[off.base], "explicit"

    def _company_anchors(self, text: str, offices: list[_Office], units) -> None:
        """Mark an office without organisation as a company's when the nearest organisation named before it
        is a company ("Công ty X ... gồm: A, Giám đốc; B, Phó Giám đốc")."""
        for off in offices:
            if off.org_kind != "anchor" or off.level not in ("department", "generic"):
                continue
            lo = max(0, off.start - 300)
            company = None
            for cm in self._company_re.finditer(text, lo, off.start):
                company = cm
            if company is None or _FULL_STOP.search(text, company.end(), off.start):
                continue
            stop = _FULL_STOP.search(text, off.comp_end)
            rest = text[off.comp_end:stop.start() if stop else len(text)]
            if self._local_re.search(rest) or self._nonmin_re.search(rest):
                continue   # "..., Phó Giám đốc, Thủ trưởng Cơ quan Cảnh sát điều tra Công an tỉnh", "kiêm ... UBND"
            i = bisect.bisect_left(self._min_starts, off.start) - 1
            if i >= 0 and units[i][1] > company.end():
                continue
            local = None
            for lm in self._local_re.finditer(text, company.end(), off.start):
                local = lm
            if local is None:
                off.company = True

    def _clause_subject(self, text: str, off: _Office, span: tuple[int, int], name_office) -> bool:
        """True if ``off`` after "NAME, " is the subject of a new clause rather than NAME's apposition.

        That is the case when NAME has its own office right before it, that office stands after a
        preposition ("của đại biểu X"), and a verb follows the office phrase without a comma
        ("..., Bộ trưởng Bộ Y tế cho hay").
        """
        own = name_office.get(span)
        if own is None or own is off or not self._preposition_re.search(text, max(0, own.start - 12), own.start):
            return False
        nxt = _NEXT_TOKEN.match(text, off.comp_end)
        if not nxt or not nxt.group(1)[:1].islower():
            return False
        low = nxt.group(1).casefold()
        two = _NEXT_TOKEN.match(text, nxt.end(1))
        pair = (low, two.group(1).casefold()) if two else None
        return (low,) in self._stop or (pair is not None and pair in self._stop)

    def _public_body_after(self, text: str, pos: int, units, office_at) -> bool:
        """True if the phrase after a civil-service word names a public body ("cán bộ địa chính xã Y",
        "chuyên viên Vụ Z") or another office follows ("thanh tra viên, Phó Cục trưởng ..."), not a company
        or school ("chuyên viên pháp lý ngân hàng")."""
        m = _PHRASE_END.search(text, pos, min(len(text), pos + 80))
        end = m.start() if m else min(len(text), pos + 80)
        seg = text[pos:end]
        if self._company_re.search(seg):
            return False
        if m and m.group(0) == ",":
            nxt = _APPOSITION_GAP.match(text, m.start())
            if nxt and nxt.end() in office_at:
                return True
        i = bisect.bisect_left(self._min_starts, pos)
        if i < len(units) and units[i][0] < end:
            return True
        return bool(self._local_re.search(seg) or self._dept_re.search(seg) or self._nonmin_re.search(seg))

    def _appointed_offices(self, text, offices, people, names_at) -> None:
        """Give an office after an appointment phrase ("giữ chức", "làm") to the name before a passive
        "được" earlier in the same sentence, when nobody else is named in between."""
        spans = sorted(names_at)
        ends = [sp[1] for sp in spans]
        for off in offices:
            if off.person is not None or off.name is not None or off.level == "nonofficial":
                continue
            if not self._appoint_before_re.search(text, max(0, off.start - 30), off.start):
                continue
            i = bisect.bisect_right(ends, off.start) - 1
            if i < 0:
                continue
            span = spans[i]
            gap = text[span[1]:off.start]
            if len(gap) > 120 or not _PASSIVE.search(gap) or _SENTENCE_END.search(gap) or \
                    any(span[1] <= o.start < off.start for o in offices if o is not off):
                continue
            p = people.get(names_at[span])
            if p is None:
                continue
            off.person = p.name
            p.offices.append(off)

    def _headline_office(self, text: str, offices: list[_Office], people: dict[str, _Person]) -> None:
        """Give an office that opens the headline, followed by a colon, to the person the body opens with."""
        line_end = text.find("\n")
        if line_end < 0 or not offices or offices[0].start > 0:
            return
        off = offices[0]
        if off.person is not None or off.name is not None or off.level == "nonofficial" or off.company \
                or not _HEADLINE_COLON.match(text, off.comp_end) or off.comp_end > line_end:
            return
        body = _BODY_START.match(text, line_end)
        if not body:
            return
        hm = self._hon_at_re.match(text, body.end())
        if not hm:
            return
        owner = None
        for p in people.values():
            if any(ms < line_end for ms, me in p.mentions):
                return   # the headline names someone: the office is that person's or the speaker's
            if any(ms == hm.end() for ms, me in p.mentions):
                owner = p
        if owner is None or any(o.level != "rank" for o in owner.offices):
            return
        off.person = owner.name
        owner.offices.append(off)

    def _career_offices(self, text: str, people: dict[str, _Person], offices: list[_Office]) -> None:
        """Give the offices of a career list to the person named last before it."""
        if not people or ":" not in text:
            return
        for cm in self._career_re.finditer(text):
            stop = _LIST_END.search(text, cm.end())
            end = stop.start() if stop else len(text)
            listed = [o for o in offices if cm.end() <= o.start < end and o.person is None and o.name is None]
            if not listed:
                continue
            best, best_end = None, -1
            for p in people.values():
                for ms, me in p.mentions:
                    if best_end < me <= cm.start() and cm.start() - me < 600:
                        best, best_end = p, me
            if best is None:
                continue
            for o in listed:
                o.person = best.name
                best.offices.append(o)

    # -- offices ----------------------------------------------------------------
    def _triggers(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every office and honorific in the text: (start, end, lower-case key, "office" or "hon")."""
        low = self._low
        matches = self._trigger_re.finditer(low) if low is not text \
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
        assembly = councils = None
        for t_start, t_end, key, kind in triggers:
            if kind != "office" or self._in_zones(zones, t_start, t_end):
                continue
            info = self.offices[key]
            if key == "đại biểu":
                if assembly is None:
                    assembly = bool(self._assembly_re.search(text))
                    councils = self._council_mentions(text)
                if not assembly:
                    continue   # a conference delegate
                if councils and self._council_nearer(councils, t_start):
                    info = self.offices.get("đại biểu hđnd", info)   # a deputy of a people's council
            before = text[max(0, t_start - 30):t_start]
            if key.startswith("bí thư") and before.endswith(("Ban ", "ban ")):
                continue   # Ban Bí thư (the Secretariat)
            pm = self._office_prefix_re.search(before)
            title = info["title"]
            if pm.group("deputy"):
                title = "Phó " + title
            if pm.group("acting"):
                title = "quyền " + title
            level = info["level"]
            if self._candidate_re is not None and self._candidate_re.search(text, max(0, t_start - 30), t_start):
                level = "nonofficial"   # "ứng viên tổng thống X": a candidate, not an office holder
            end = t_end
            if self._qualifier_re is not None:
                qm = self._qualifier_re.match(text, t_end)
                if qm:
                    # "Thủ tướng lâm thời", "Bí thư thứ nhất", "Ủy viên Thường trực": part of the title
                    title, end = f"{title} {_BLANKS.sub(' ', qm.group('q'))}", qm.end()
            off = _Office(t_start - len(pm.group(0)), end, end, title, level, info["policy"],
                          info["implied_org"], former=bool(pm.group("former")), base=info["title"])
            self._scan_after(text, off, ministries, dept_orgs, blocked_spans, zones)
            out.append(off)
        return out

    def _council_mentions(self, text: str) -> list[tuple[int, bool]]:
        """(position, is a council?) of every mention of a people's council or of the National Assembly,
        or [] when the text names no council."""
        council = [(m.start(), True) for m in self._council_re.finditer(text)]
        if not council:
            return []
        return sorted(council + [(m.start(), False) for m in self._assembly_named_re.finditer(text)])

    @staticmethod
    def _council_nearer(mentions: list[tuple[int, bool]], pos: int) -> bool:
        """True when the text names a people's council more often than the National Assembly, or as often
        and the body named last before ``pos`` (else first after it) is a council."""
        n_council = sum(is_council for _, is_council in mentions)
        if 2 * n_council != len(mentions):
            return 2 * n_council > len(mentions)
        before = [is_council for at, is_council in mentions if at < pos]
        if before:
            return before[-1]
        return next(is_council for at, is_council in mentions if at > pos)

    def _scan_after(self, text, off: _Office, ministries, dept_orgs, blocked_spans, zones) -> None:
        """Read the organisation phrase after an office and the name that ends it."""
        toks: list[tuple[str, int, int]] = []
        p = off.end
        while len(toks) < 16:
            if toks:
                pa = _PAREN_ABBR.match(text, p)
                if pa:
                    p = pa.end()   # the abbreviation of the organisation just named: skipped
                    continue
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
            unit = self._org_unit_at(text, off, s, first=(i == 0))
            if unit is not None:
                unit_end, unit_org = unit
                if civil:
                    break
                if unit_org:
                    minis_in.append(unit_org)
                while i < len(toks) and toks[i][1] < unit_end:
                    i += 1
                comp_end = unit_end
                lower_run = 0
                prev_country = False
                continue
            if _CAP_TOKEN.fullmatch(tok) and (tok[0].isupper() or tok[0].isdigit()):
                if tok[0].isdigit():
                    break
                j = i
                while j < len(toks) and _CAP_TOKEN.fullmatch(toks[j][0]) and toks[j][0][0].isupper() \
                        and _covering(ministries, self._min_starts, toks[j][1]) is None:
                    j += 1
                cut = self._org_name_cut(toks, i, j)
                if cut is not None:
                    # "T.Ư Đoàn Bùi Quang Huy": "Đoàn" ends the organisation, the name follows
                    comp_end = toks[cut][2]
                    i = cut + 1
                    lower_run = 0
                    continue
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
                        if foreign:
                            end = self._name_particles_end(text, end)
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
            if low in ("thuộc", "trực") and not civil:
                # "Trung tâm X (trực) thuộc Bộ Y": the ministry the unit belongs to
                k = i + 1 if low == "thuộc" else (i + 2 if two == ("trực", "thuộc") else -1)
                if 0 < k < len(toks) and _covering(ministries, self._min_starts, toks[k][1]) is not None:
                    comp_end = toks[k - 1][2]
                    i = k
                    continue
            if (low,) in self._stop or (two and two in self._stop):
                break
            if i == 0 and (low,) not in self._lead and not (two and two in self._lead):
                break
            if civil:
                break
            lower_run += 1
            if lower_run > 4:
                break
            if two and two in self._lead and (low,) not in self._lead:
                e = toks[i + 1][2]   # a two-word lead ("thứ nhất") is one unit
                i += 1
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
                if ministry is None:
                    # "Vụ trưởng, Vụ Chính sách thuế (Bộ Tài chính)": a department of a ministry after the comma
                    ministry = next((d for d in dept_orgs if d[0] == at), None)
                if ministry is not None and off.policy != "no" and not off.foreign \
                        and off.level not in _NULL_LEVELS:
                    off.org, off.org_kind = ministry[2], "explicit"

    def _name_particles_end(self, text: str, end: int) -> int:
        """The end of a foreign name that goes on with lower-case particles and more name words after
        ``end`` ("Mohammed bin Abdulrahman al-Thani", "Ursula von der Leyen")."""
        while True:
            m = self._particle_re.match(text, end)
            if not m:
                return end
            end = m.end()

    def _org_name_cut(self, toks, i: int, j: int) -> int | None:
        """Index in the capitalized run toks[i:j] of a word that ends an organisation although it is a surname
        ("Đoàn" after "T.Ư"), when a full name starting with a common surname follows it."""
        for m in range(i, j - 2):
            if self.surnames.get(toks[m + 1][0]) != "common":
                continue
            for n in (2, 3):
                if m - n + 1 >= 0 and tuple(t[0] for t in toks[m - n + 1:m + 1]) in self._org_before_name:
                    return m
        return None

    def _org_unit_at(self, text: str, off: _Office, pos: int, first: bool):
        """An organisation unit that starts at ``pos`` in an office's organisation phrase, as (end, ministry).

        "Hàng không Việt Nam" right after "Cục trưởng" (the rest of an agency's name: its ministry), or
        "Bộ" with a field that is not a MINISTRY entity ("Bộ Ngoại giao Trung Quốc": no ministry).
        """
        if first and off.base in self._agency_rest and text[pos:pos + 1].isupper():
            rest_re, rests = self._agency_rest[off.base]
            m = rest_re.match(self._low, pos)
            if m:
                nxt = _NEXT_TOKEN.match(text, m.end())
                if not (nxt and self._is_country_at(text[nxt.start(1):nxt.start(1) + 40].split(), 0)):
                    return m.end(), self._agency_ministry(rests[_BLANKS.sub(" ", m.group(0))])
        if text.startswith(("Bộ ", "bộ "), pos):
            m = self._bo_field_re.match(text, pos)
            if m:
                return m.end(), None
        if first and off.level == "ministry" and text[pos:pos + 1].isupper():
            m = self._field_re.match(text, pos)
            if m:
                return m.end(), None
        return None

    def _listed_names(self, text, pos, office_at, blocked_spans, zones, first_sep: bool):
        """The names listed from ``pos`` on ("A, bà B và ông C"), as (span, foreign, own office or None).

        An item is an office with its name, an honorific and a name, or a Vietnamese name of two or more
        words; ``first_sep`` says whether a comma or "và" comes before the first item.
        """
        out = []
        need_sep = first_sep
        while len(out) < 8:
            p = pos
            if need_sep:
                m = _LIST_SEP.match(text, pos)
                if not m:
                    break
                p = m.end()
            need_sep = True
            own = office_at.get(p)
            if own is not None and own.name is not None:
                out.append((own.name, own.foreign, own))
                pos = own.name[1]
                continue
            hm = self._hon_at_re.match(text, p)
            found = self._name_at(text, hm.end() if hm else p, blocked_spans, after_honorific=True)
            if found is None or self._in_zones(zones, *found[0]):
                break
            span, foreign = found
            if not hm and (foreign or len(text[span[0]:span[1]].split()) < 2):
                break
            out.append((span, foreign, None))
            pos = span[1]
        return out

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
    def _name_before(self, text, start, blocked_spans, zones, need_honorific: bool = False):
        """A name that ends right before ``start`` with a connector: "X, Phó Vụ trưởng", "X làm Chủ tịch".

        After an honorific the connector may be a plain blank ("đồng chí X Ủy viên Trung ương Đảng");
        ``need_honorific`` asks for an honorific before the name in every case.
        """
        window = text[max(0, start - 120):start]
        cm = self._connector_back.search(window)
        plain = False
        if not cm or cm.start() == cm.end():
            if not window.endswith(" ") or window.endswith("  ") or start >= len(text) or \
                    not text[start].isupper():
                return None
            cm, plain = _LAST_BLANK.search(window), True
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
        if (plain or need_honorific) and not (honorific_before and k == 0 or
                                              k > 0 and self._hon_kind.get(words[k - 1].casefold()) is not None):
            return None
        span = (toks[k][1], toks[-1][2])
        if self._in_zones(zones, *span):
            return None
        return span, foreign

    def _name_at(self, text, pos, blocked_spans, after_honorific: bool):
        """The name that starts exactly at ``pos`` (after an honorific)."""
        toks, initial = _name_tokens(text, pos, 5, initials=True)
        if not toks:
            return None
        words = [t[0] for t in toks]
        if len(words) == 1:
            # one syllable: an alias of a known name, or a foreign surname ("ông Trump")
            return (toks[0][1], toks[0][2]), not looks_vietnamese(words[0])
        if self._is_country_at(words, 0):
            return None   # "người dân Bồ Đào Nha": a country, not a name
        blocked = {k for k, t in enumerate(toks)
                   if _covering(blocked_spans, self._blocked_starts, t[1]) is not None}
        parsed = self._parse_run(words, adjacent=True, blocked=blocked, after_honorific=True)
        if parsed is None:
            initial = None
            # "ông Nguyễn Văn A Hà Nội": keep the longest name prefix that parses
            for n in range(len(words) - 1, 1, -1):
                parsed = self._parse_run(words[:n], adjacent=True, blocked=blocked, after_honorific=True)
                if parsed is not None:
                    toks = toks[:n]
                    break
        if parsed is None:
            return None
        if initial is not None and not parsed[1]:
            return (toks[0][1], initial), False
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
        # aliases: the given name (last syllable, last two) or a foreign surname (last word, or first word)
        alias_owner: dict[str, set[str]] = {}
        for n, p in people.items():
            parts = n.split()
            cands = set()
            if len(parts) >= 2:
                cands.add(parts[-1])
                if len(parts) >= 3 and not p.foreign:
                    cands.add(" ".join(parts[-2:]))
                if p.foreign:
                    cands.add(parts[0])   # an East Asian family name comes first: "Han Min-koo" ... "ông Han"
            for c in cands:
                alias_owner.setdefault(c, set()).add(n)
        aliases = {a: next(iter(o)) for a, o in alias_owner.items() if len(o) == 1 and a not in people}
        # a given name two people share ("ông Hùng" after "Lê Văn Hùng" and "Trần Quốc Hùng"): the one named last
        shared = {a: o for a, o in alias_owner.items() if len(o) > 1 and a not in people}
        if not aliases and not shared:
            return
        for _, t_end, key, kind in triggers:
            m = self._after_trigger.match(text, t_end)
            if not m:
                continue
            a1, a2 = m.group("a1"), m.group("a2")
            two_ok = kind == "office" or self._hon_kind.get(key) == "courtesy"
            if a2 and two_ok and (f"{a1} {a2}" in aliases or f"{a1} {a2}" in shared):
                alias, s, e = f"{a1} {a2}", m.start("a1"), m.end("a2")
            elif a2 is None and (a1 in aliases or a1 in shared):
                alias, s, e = a1, m.start("a1"), m.end("a1")
            else:
                continue
            if self._in_zones(zones, s, e):
                continue
            if alias in aliases:
                owner = people[aliases[alias]]
            else:
                last = {n: max((ms for ms, me in people[n].mentions if me <= s), default=-1) for n in shared[alias]}
                name = max(last, key=lambda n: last[n])
                if last[name] < 0:
                    continue
                owner = people[name]
            if any(ms <= s and e <= me for ms, me in owner.mentions):
                continue
            owner.mentions.add((s, e))

    @staticmethod
    def _merge_people(people: dict[str, _Person]) -> None:
        """Fold a name into the longer one it ends ("Comey" into "James Comey") or, for a foreign family name,
        starts ("Park" into "Park Jin"), and a name with one word too many ("Bùi Văn Ga Thí", a caption run into the next sentence) into the shorter one."""
        def merge(src: _Person, dst: _Person, trim: int | None = None) -> None:
            dst.offices.extend(src.offices)
            dst.expert = dst.expert or src.expert
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
            if not longer and len(parts) == 1 and people[name].foreign:
                # "Park" after "Park Jin": an East Asian family name comes first
                longer = [q for q in people if q != name and people[q].foreign and len(q.split()) > 1
                          and q.split()[0] == name]
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

    def _row_fits(self, row: dict, date: _dt.date) -> bool:
        """True if the gazetteer row was in force at ``date`` (give or take a year and a half when the date
        is only the year the text mentions most)."""
        slack = _dt.timedelta(days=550 if self._date_rough else 0)
        return (row["from"] is None or row["from"] <= date + slack) and \
            (row["to"] is None or date - slack < row["to"])

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
            if offs and p.expert and not known and all(o.former for o in offs):
                # "TS X, nguyên Viện trưởng ...": an expert speaking of a past office, not an official
                nonofficial, offs = offs, []
            if offs and nonofficial and not known and all(o.level == "generic" and not o.org for o in offs):
                # "bà X, Hiệu trưởng Trường Y, Trưởng ban coi thi": a post inside that school or company
                nonofficial, offs = nonofficial + offs, []
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
        ordered = [o for o in strong if not o.shared] + [o for o in strong if o.shared] + \
            [o for o in offs if o.level in _WEAK_LEVELS]
        titles: list[str] = []
        for o in ordered:
            if o.title not in titles:
                titles.append(o.title)
        known = self._known_for(p.known, self._date, titles) if p.known else None
        # a name with joined syllables is a transliteration ("An Tha-ni"): never a Vietnamese ministry's
        foreign = p.foreign or any(o.foreign for o in offs) or "-" in p.name or \
            bool(known and known["country"] not in ("", "Việt Nam"))
        org = None
        if not foreign:
            for kind in ("explicit", "implied"):
                giver = next((o for o in ordered if o.org_kind == kind and o.org), None)
                if giver is not None:
                    org = giver.org
                    # the title is the office that org belongs to ("Thứ trưởng Bộ Công an" in a career list)
                    titles.remove(giver.title)
                    titles.insert(0, giver.title)
                    break
            # an office outside any ministry (Phó Thủ tướng, Bí thư, a local body) outweighs a ministry guessed
            # from the context for a generic office ("do Phó Thủ tướng X làm trưởng ban")
            if org is None and any(o.org_kind == "explicit_null" or o.level in _NULL_LEVELS
                                   for o in offs if o.level not in _WEAK_LEVELS) \
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
