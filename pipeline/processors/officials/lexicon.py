"""The officials stage's tables, compiled once per process into patterns and lookups.

:class:`Lexicon` reads the shared tables of people (``surnames()``, ``honorifics()``, ``offices()``
from :mod:`pipeline.lexicons.people`), the stage's cues (``models/official_cues.tsv``), the agencies
that belong to a ministry (``models/agencies.tsv``, resolved at a document's date through the
ministries registry) and the well-known office holders (``models/officials_known.tsv``). After its
constructor it is never written to, so one lexicon serves every thread.
"""
from __future__ import annotations

import datetime as _dt
import re

import regex

from pipeline.docdate import parse_date
from pipeline.lexicons.abbreviations import common_abbreviations
from pipeline.lexicons.ministries import registry
from pipeline.lexicons.people import Office as OfficeRow, honorifics, offices, surnames
from pipeline.resources import ResourceError, manifest, read_tsv
from pipeline.spans import SpanIndex
from pipeline.text.compiled import compile_pattern
from pipeline.text.patterns import trie_pattern

WORD_CHARS = r"\p{L}\p{M}"
BLANKS = re.compile(r"\s+")
# the next token after position p, separated by blanks only (no punctuation, no line break)
NEXT_TOKEN = regex.compile(r"[ \t]+([^\s,;:!?()\[\]{}\"“”«»…/]+)")


def words_pattern(words) -> str:
    """A regex matching any of ``words`` (blanks match any run of spaces), the longer word first where
    two start alike."""
    return trie_pattern([w for w in words if w], blank=r"\s+")


def longest_first(words) -> str:
    """An alternation of ``words``, longest first, blanks matching any run of spaces.

    Unlike :func:`words_pattern`, the longest word is tried first even when the words do not start
    alike. That matters where a pattern is matched backwards (``regex.REVERSE``) and the match's start
    is used ("được bầu làm" before "làm"), or where a case-insensitive pattern holds two words that
    differ only in case ("KH..." and "Kh..."): a trie tries them in another order.
    """
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in uniq)


class Lexicon:
    """Every table and pattern of the stage; read-only once built."""

    def __init__(self) -> None:
        self.surnames = surnames()
        self._load_offices()
        self._load_honorifics()
        self._load_cues()
        self._load_known()
        self._load_agencies()

    # -- people's tables -------------------------------------------------------
    def _load_offices(self) -> None:
        # keyed by the case-folded surface; a later row of the same surface wins
        self.offices: dict[str, OfficeRow] = {row.surface.casefold(): row for row in offices()}
        self.office_prefix_re = regex.compile(
            r"(?:(?<![\w.])(?P<former>nguyên|cựu)\s+)?(?:(?<![\w.])(?P<new>tân)\s+)?"
            r"(?:(?<![\w.])(?<!chính\s)(?P<acting>quyền|q\.)\s+)?(?:(?<![\w.])(?P<deputy>phó)\s+)?$",
            regex.IGNORECASE | regex.REVERSE)

    def _load_honorifics(self) -> None:
        self.honorifics = honorifics()
        self.hon_kind = {h.casefold(): kind for h, kind in self.honorifics.items()}
        # the forms an honorific may take in the text: as listed, or with a capital first letter
        hon_forms = set()
        for h in self.honorifics:
            hon_forms.add(h)
            if h != "anh":      # "Anh" capitalized is mostly the country (England)
                hon_forms.add(h[:1].upper() + h[1:])
        self.hon_forms = frozenset(hon_forms)
        hon_alt = words_pattern(self.hon_forms)
        self.hon_end_re = regex.compile(rf"(?:^|[^{WORD_CHARS}])(?:{hon_alt})\.?[ \t]+$", regex.REVERSE)
        self.hon_start_re = compile_pattern(rf"(?:\s*[,–—-]|\s+là)\s*(?:{hon_alt})\.?\s+")
        self.hon_for_re = compile_pattern(rf"\s*,?\s+(?:đối với|cho)\s+(?:{hon_alt})\.?\s+")
        self.hon_at_re = compile_pattern(rf"(?:{hon_alt})\.?[ \t]+")
        # one pass over the lower-cased text finds every office and honorific
        trigger_words = {w.casefold() for w in self.offices} | set(self.hon_kind)
        self.trigger_re = compile_pattern(rf"(?<!\w)(?:{trie_pattern(trigger_words)})(?!\w)")
        self.trigger_re_ci = regex.compile(
            rf"(?<![{WORD_CHARS}])(?:{words_pattern(trigger_words)})(?![{WORD_CHARS}])", regex.IGNORECASE)
        # the name (one or two capitalized syllables) right after a trigger, for aliases
        self.after_trigger = regex.compile(
            r"\.?[ \t]+(?P<a1>\p{Lu}[\p{Ll}\p{M}]*)(?:[ ](?P<a2>\p{Lu}[\p{Ll}\p{M}]*))?(?![\p{L}\p{M}])")

    # -- cues ------------------------------------------------------------------
    def _load_cues(self) -> None:
        cues: dict[str, list[str]] = {}
        for row in read_tsv("official_cues.tsv"):
            cues.setdefault(row["kind"].strip(), []).append(row["value"].strip())
        self.countries = frozenset(tuple(c.split()) for c in cues.get("country", []))
        self.country_max = max((len(c) for c in self.countries), default=1)
        self.vn_country = frozenset(tuple(c.split()) for c in cues.get("home_country", []))
        self.place_words = frozenset(w.casefold() for w in cues.get("place_word", []))
        self.agency_heads = tuple(cues.get("agency_head", []))
        self.place_blockers = frozenset(tuple(p.split()) for p in cues.get("place_blocker", []))
        self.lead = frozenset(tuple(w.split()) for w in cues.get("lead", []))
        self.stop = frozenset(tuple(w.split()) for w in cues.get("stop", []))
        self.qualifier_re = regex.compile(
            rf"[ \t]+(?P<q>{words_pattern(cues.get('qualifier', []))})(?![{WORD_CHARS}])") \
            if cues.get("qualifier") else None
        self.candidate_re = regex.compile(
            rf"(?:^|[^{WORD_CHARS}])(?:{words_pattern(cues.get('candidate', []))})[ \t]+$", regex.REVERSE) \
            if cues.get("candidate") else None
        self.career_re = regex.compile(
            rf"(?<![{WORD_CHARS}])(?:{words_pattern(cues.get('career_intro', []))})[^.:;\n]{{0,60}}:")
        self.list_intro_re = regex.compile(
            rf"[ \t]*(?:{words_pattern(cues.get('list_intro', []))})(?![{WORD_CHARS}])[ \t]*:?[ \t]*")
        self.preposition_re = regex.compile(
            rf"(?:^|[^{WORD_CHARS}])(?:{words_pattern(cues.get('preposition', []))})[ \t]+$", regex.REVERSE)
        self.unique = frozenset(cues.get("unique_office", []))
        self.org_before_name = frozenset(tuple(w.split()) for w in cues.get("org_before_name", []))
        self.informal_re = regex.compile(
            rf"(?:^|[^{WORD_CHARS}])(?:{words_pattern(cues.get('informal_address', []))})[ \t]+$",
            regex.REVERSE | regex.IGNORECASE)
        # "ông X, một nông dân ở xã Y", "ông X (45 tuổi, trú tại ...)": a private citizen
        self.citizen_re = regex.compile(
            rf"[ \t]*[,(][ \t]*(?:\d{{1,3}}[ \t]*tuổi[ \t]*[,;)]?[ \t]*)?(?:(?:là|một|người)[ \t]+)?"
            rf"(?:{words_pattern(cues.get('citizen', []))})(?![{WORD_CHARS}])") if cues.get("citizen") else None
        # "khóa XV", "nhiệm kỳ 2021-2026" after a body's name: not part of the unit
        self.term_tail_re = regex.compile(
            rf"[\s,(]*(?<![{WORD_CHARS}])(?:{words_pattern(cues.get('term_word', []))})(?![{WORD_CHARS}]).*$",
            regex.IGNORECASE) if cues.get("term_word") else None
        self.head_offices = frozenset(cues.get("head_office", []))
        # a body's abbreviations written out in a unit ("HĐND" -> "Hội đồng nhân dân", "T.Ư" -> "Trung ương")
        long = {short: row["long"] for short, row in common_abbreviations().items() if row["kind"] in ("org", "other")}
        self.unit_abbr = long
        self.unit_abbr_re = regex.compile(rf"(?<![{WORD_CHARS}])(?:{trie_pattern(long)})(?![{WORD_CHARS}])") \
            if long else None
        self.plural_re = regex.compile(
            rf"(?:^|[^{WORD_CHARS}])(?:{words_pattern(cues.get('plural', []))})[ \t]+$", regex.REVERSE)

        def cue_re(kind: str) -> regex.Pattern:
            return regex.compile(rf"(?<![{WORD_CHARS}])(?:{words_pattern(cues.get(kind, []))})"
                                 rf"(?![{WORD_CHARS}])")
        org_tokens = {v for k in ("company", "nonministry_org", "local_org", "department", "place_before")
                      for v in cues.get(k, []) if " " not in v and v[:1].isupper()}
        org_tokens |= {h[:1].upper() + h[1:] for h in self.honorifics if " " not in h}
        self.org_tokens = frozenset(org_tokens)
        self.assembly_re = cue_re("assembly_context")
        self.counterpart_re = cue_re("counterpart") if cues.get("counterpart") else None
        particles = words_pattern(cues.get("name_particle", [])) or "(?!)"
        # particles and the capitalised word after them, or an "al-Thani" word
        self.particle_re = regex.compile(
            rf"[ ](?:(?:{particles})(?:[ ](?:{particles}))*(?:[ ]\p{{Lu}}[\p{{Ll}}\p{{M}}]+(?:-\p{{L}}[\p{{Ll}}\p{{M}}]*)*){{1,3}}"
            rf"|(?:al|el)-\p{{Lu}}[\p{{Ll}}\p{{M}}]+)(?![\p{{L}}\p{{M}}])")
        self.assembly_named_re = cue_re("assembly_named")
        self.council_re = cue_re("council_context")
        self.company_re = cue_re("company")
        self.nonmin_re = cue_re("nonministry_org")
        self.local_re = cue_re("local_org")
        self.dept_re = cue_re("department")
        # the connector between a name and an office after it (matched backwards: the longest connector first)
        appoint_back = longest_first(cues.get("appoint", []))
        # an age may stand between the name and the comma: "ông X, 54 tuổi, Chủ tịch ...", "bà Y (45 tuổi), ..."
        age = r"(?:\s*,\s*\d{1,3}\s*tuổi|\s*\(\s*\d{1,3}\s*tuổi\s*\))?"
        self.connector_back = regex.compile(
            rf"{age}(?:\s*(?:,|\(|[–—-])\s*(?:(?:{appoint_back})\s+)?|\s+(?:{appoint_back})\s+)$", regex.REVERSE)
        self.appoint_before_re = regex.compile(
            rf"(?<![{WORD_CHARS}])(?:{words_pattern(cues.get('appoint_verb', []))})[ \t]+$")
        appoint = words_pattern(cues.get("appoint", []))
        self.chain_gap = regex.compile(rf"^\s*(?:,\s*(?:(?:{appoint})\s+)?|(?:{appoint})\s+|,?\s*kiêm\s+)$")
        self.run_before = regex.compile(
            r"(?P<run>(?:\p{Lu}[\p{L}\p{M}'’-]*[ ])*\p{Lu}[\p{L}\p{M}'’-]*)$", regex.REVERSE)
        # credits and bylines
        self.credit_re = compile_pattern(
            rf"(?<!\w)(?:{trie_pattern(cues.get('byline_label', []))})[ \t]*:[ \t]*")
        # "Minh Anh/VnExpress": up to four capitalized words right before a slash and an outlet name
        self.before_slash = regex.compile(
            r"(?:\p{Lu}[\p{L}\p{M}.]*[ ]){0,3}\p{Lu}[\p{L}\p{M}.]*[ ]?$", regex.REVERSE)
        # the last segment of a line that holds only capitalized words: a byline ("Thu Hằng", "LÊ PHONG")
        self.trailing_re = regex.compile(
            r"(?:^|(?<=[.!?…\"”)\]]))[ \t]*"
            r"(?P<seg>(?:[\p{Lu}\d][\p{L}\p{M}.&'’]*[ \t]*(?:[-–/,&][ \t]*)?){1,8})$", regex.REVERSE)

    def is_country_at(self, toks: list[str], i: int) -> int:
        """Length in tokens of a foreign country name starting at toks[i], else 0."""
        for n in range(min(self.country_max, len(toks) - i), 0, -1):
            if tuple(toks[i:i + n]) in self.countries:
                return n
        return 0

    def ends_with_country(self, words: list[str]) -> bool:
        return any(tuple(words[len(words) - n:]) in self.countries
                   for n in range(1, min(self.country_max, len(words)) + 1))

    def country_follows(self, text: str, end: int) -> bool:
        """True if the words right after ``end`` name a foreign country ("Cục Hàng không Liên bang Mỹ")."""
        nxt = NEXT_TOKEN.match(text, end)
        return bool(nxt) and bool(self.is_country_at(text[nxt.start(1):nxt.start(1) + 40].split(), 0))

    def blocked_start(self, toks: list[str], i: int) -> bool:
        for n in (4, 3, 2):
            if tuple(toks[i:i + n]) in self.place_blockers:
                return True
        return False

    def inside_blocker(self, toks: list[str], i: int) -> bool:
        """True if toks[i] is the second or third syllable of a place name ("Bắc Ninh")."""
        for back in (1, 2):
            if i - back < 0:
                break
            for n in (back + 1, back + 2):
                if tuple(toks[i - back:i - back + n]) in self.place_blockers:
                    return True
        return False

    # -- agencies of a ministry -------------------------------------------------
    def _load_agencies(self) -> None:
        """Agencies that belong to a ministry (models/agencies.tsv) and written forms of ministries' fields."""
        self.registry = registry()
        try:
            rows = read_tsv("agencies.tsv")
        except ResourceError:
            rows = []
        agencies: dict[str, list[tuple[str, _dt.date | None, _dt.date | None]]] = {}
        for row in rows:
            surface, mid = row["surface"].strip(), row["ministry"].strip()
            if not surface or mid not in self.registry.records:
                continue
            agencies.setdefault(BLANKS.sub(" ", surface.casefold()), []).append(
                (mid, parse_date(row.get("valid_from", "").strip(), partial=True),
                 parse_date(row.get("valid_to", "").strip(), partial=True)))
        self.agencies = agencies
        self.agency_re = compile_pattern(rf"(?<!\w)(?:{trie_pattern(agencies)})(?![\w&])") if agencies else None
        # the rest of an agency's name right after its head's office: "Cục trưởng [Cục] Hàng không Việt Nam"
        heads = {title.casefold().removesuffix(" trưởng"): title for title in self.agency_heads}
        rests: dict[str, dict[str, str]] = {}
        for key in agencies:
            for head, title in heads.items():
                if key.startswith(head + " "):
                    rests.setdefault(title, {})[key[len(head) + 1:]] = key
        self.agency_rest = {title: (compile_pattern(rf"(?:{trie_pattern(r)})(?![\w&])"), r) for title, r in rests.items()}
        # "Bộ" and a field, also of a foreign ministry ("Bộ Ngoại giao Trung Quốc"): one unit of an organisation
        fields = set(self.registry.field_specific) | set(self.registry.field_informal)
        self.bo_field_re = regex.compile(
            rf"[Bb]ộ\s+(?:{longest_first(fields)})(?![{WORD_CHARS}&])", regex.IGNORECASE)
        # a field right after a minister's title that is no MINISTRY ("Thứ trưởng Ngoại giao Nga"): one unit
        self.field_re = regex.compile(rf"(?:{longest_first(fields)})(?![{WORD_CHARS}&])", regex.IGNORECASE)

    def agency_ministry(self, key: str, day: _dt.date | None) -> str | None:
        """The canonical name of the ministry agency ``key`` belongs to at ``day`` (the document's date)."""
        rows = self.agencies.get(key)
        if not rows:
            return None
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
            rec = self.registry.get(mid)
            if not rec.valid_at(day):
                after = self.registry.successors_at(mid, day)
                if len(after) == 1:
                    mid = after[0].id
        return self.registry.canonical(mid, day)

    def find_agencies(self, text: str, low: str, ministries: SpanIndex,
                      day: _dt.date | None) -> list[tuple[int, int, str]]:
        """(start, end, ministry) of every agency of a ministry named in ``text`` (not inside a MINISTRY);
        ``low`` is ``text`` in lower case, or ``text`` itself when lower-casing changes its length."""
        if self.agency_re is None or low is text:
            return []
        out = []
        for m in self.agency_re.finditer(low):
            s, e = m.start(), m.end()
            if not text[s].isupper() or ministries.any_overlap(s, e):
                continue
            if self.country_follows(text, e):
                continue   # "Cục Hàng không Liên bang Mỹ": a foreign agency
            org = self.agency_ministry(BLANKS.sub(" ", m.group(0)), day)
            if org:
                out.append((s, e, org))
        return out

    # -- well-known office holders -------------------------------------------------
    def _load_known(self) -> None:
        """Well-known office holders, used when the text names them without an office."""
        known: dict[str, list[dict]] = {}
        known_alias: dict[str, str] = {}
        try:
            rows = read_tsv("officials_known.tsv")
        except ResourceError:
            rows = []
        for row in rows:
            rec = {"name": row["name"].strip(), "title": row["title"].strip(),
                   "org": row["org"].strip() or None, "country": row["country"].strip(),
                   "from": parse_date(row["valid_from"].strip(), partial=True),
                   "to": parse_date(row["valid_to"].strip(), partial=True)}
            known.setdefault(rec["name"], []).append(rec)
            alias = row.get("alias", "").strip()
            if alias:
                known_alias[alias] = rec["name"]
        self.known = known
        self.known_alias = known_alias
        # an open row (no valid_to) says the office is held up to the date the table was checked, not after
        through = manifest().get("officials_known.tsv", {}).get("verified_through")
        self.known_through = parse_date(through) if through else None
        names = list(known) + list(known_alias)
        self.known_re = compile_pattern(rf"(?<!\w)(?:{trie_pattern(names)})(?!\w)") if names else None

    def row_fits(self, row: dict, date: _dt.date, rough: bool) -> bool:
        """True if the gazetteer row was in force at ``date`` (give or take a year and a half when the date
        is ``rough``: only the year the text mentions most). A row still open is known to hold only up to
        the table's ``verified_through`` date."""
        slack = _dt.timedelta(days=550 if rough else 0)
        if row["from"] is not None and row["from"] > date + slack:
            return False
        if row["to"] is not None:
            return date - slack < row["to"]
        return self.known_through is None or date - slack <= self.known_through

    def held_by(self, name: str, titles: list[str], org: str | None) -> bool:
        """True if the registry gives ``name``, at any date, one of ``titles`` (in ``org`` when given): the
        text speaks of that office holder, in an office of another time ("Bộ trưởng Bộ Công an Tô Lâm"
        in a later article)."""
        return any(_holds(r, titles, org) for r in self.known.get(name, ()))

    def known_for(self, name: str, date: _dt.date | None, rough: bool, titles: list[str],
                  org: str | None = None) -> dict | None:
        """The gazetteer row of ``name`` at ``date`` (any date when unknown), preferring one of ``titles``
        (in ``org`` when the text gives the ministry: "Bộ trưởng Bộ Công Thương X" is not the registry's
        science minister X)."""
        rows = [r for r in self.known.get(name, []) if date is None or self.row_fits(r, date, rough)]
        if titles:
            same = [r for r in rows if _holds(r, titles, org)]
            return same[-1] if same else None
        return rows[-1] if rows else None


def _holds(row: dict, titles: list[str], org: str | None) -> bool:
    """True if the registry row is one of ``titles`` (in ``org``, when the text gives a ministry)."""
    return row["title"] in titles and (org is None or row["org"] in (None, org))
