"""Names: where a name starts in a run of capitalised words, and whether it is Vietnamese or foreign.

A Vietnamese name starts with a surname from the closed list in ``models/surnames.tsv``; a foreign
name is recognised by syllables that do not follow Vietnamese spelling, or by a country right before
it; lower-case particles inside it ("bin", "von") are part of it.
"""
from __future__ import annotations

import re

import regex

from pipeline.processors.officials.context import DocContext, Person
from pipeline.processors.officials.lexicon import NEXT_TOKEN, Lexicon
from pipeline.text.patterns import NAME_INITIAL
from pipeline.text.vietnamese import looks_vietnamese

# one title-case syllable of a name: "Nguyễn", "A" (ethnic names), "Jae-myung", "O'Brien"
NAME_TOKEN = regex.compile(r"\p{Lu}[\p{Ll}\p{M}]*(?:[-'’]\p{L}[\p{Ll}\p{M}]*)*")
# a token ending in a dot that is an abbreviation, not the end of a sentence: "TS.", "T.Ư.", "TP.HCM."
ABBREV_DOT = regex.compile(r"^(?:\p{Lu}{1,3}\.|Tp\.|(?:\p{Lu}\.)+\p{Lu}?\.?|[\p{Lu}.]+\.\p{Lu}+\.?)$")
_RAW_TOKEN = re.compile(r"[^\s,;:!?()\[\]{}\"“”«»…/]+")
_FOLLOWING_SYLLABLE = regex.compile(r"[ ](\p{Lu}[\p{Ll}\p{M}]+)(?![\p{L}\p{M}])")
_NON_BLANK = re.compile(r"\S+")
_LAST_BLANK = regex.compile(r"[ ]$")


def name_tokens(text: str, pos: int, limit: int, initials: bool = False):
    """The capitalised words of a name written from ``pos`` on, at most ``limit``, as (word, start,
    end), stopping after a word that ends a sentence with its full stop; with ``initials``, also the
    end of a final initial after two words or more ("Nguyễn Văn D.", else None)."""
    toks: list[tuple[str, int, int]] = []
    m = _RAW_TOKEN.match(text, pos)
    while m and len(toks) < limit:
        tok, s, e = m.group(), m.start(), m.end()
        if initials and len(toks) >= 2 and NAME_INITIAL.fullmatch(tok):
            return toks, e
        stop = tok.endswith(".") and not ABBREV_DOT.match(tok)
        if stop:
            tok, e = tok[:-1], e - 1
        if not tok or not NAME_TOKEN.fullmatch(tok):
            break
        toks.append((tok, s, e))
        if stop:
            break
        nxt = NEXT_TOKEN.match(text, e)
        m = _RAW_TOKEN.match(text, nxt.start(1)) if nxt else None
    return toks, None


def vn_name_in_run(lex: Lexicon, toks: list[str], adjacent: bool, blocked: set[int]) -> int | None:
    """Index where a Vietnamese name starts in the capitalized run ``toks`` (the name runs to its end)."""
    n = len(toks)
    for i in range(max(0, n - 4), n - 1):
        tier = lex.surnames.get(toks[i])
        if tier is None or i in blocked:
            continue
        if tier == "ambiguous" and n - i < 3 and not (adjacent and i == 0):
            continue
        if tier == "ambiguous" and lex.surnames.get(toks[i + 1]) == "common":
            continue  # "Bắc Ninh Nguyễn Nhân Chiến": the name starts at the common surname
        if lex.blocked_start(toks, i) or lex.inside_blocker(toks, i) or lex.is_country_at(toks, i):
            continue
        if i > 0 and n - i == 4 and lex.surnames.get(toks[i + 1]) == "common":
            continue  # "huyện Tương Dương Nguyễn Phùng Hùng": a place ends in a surname
        if not all(NAME_TOKEN.fullmatch(t) and looks_vietnamese(t) for t in toks[i:]):
            continue
        if len(toks[i + 1]) == 1:   # "Nguyễn A ..." is not a name start; "Hầu A Lềnh" is
            if n - i < 3:
                continue
        return i
    return None


def foreign_name_in_run(lex: Lexicon, toks: list[str], after_place_word: bool = False,
                         blocked: set[int] = frozenset()) -> int | None:
    """Index where a foreign name (1-4 tokens, one not Vietnamese-shaped) ends the run, else None;
    it never takes in a token of a place or unit (``blocked``): "Fed New York William Dudley"."""
    j = len(toks)
    while j > 0 and len(toks) - j < 4:
        t = toks[j - 1]
        if not NAME_TOKEN.fullmatch(t) or t.isupper() and len(t) > 1 or t in lex.org_tokens \
                or j - 1 in blocked:
            break
        if any(tuple(toks[k:j]) in lex.countries or tuple(toks[k:j]) in lex.vn_country
               for k in range(max(0, j - lex.country_max), j)):
            break
        j -= 1
    if j == len(toks):
        return None
    if after_place_word and j == 0 and len(toks) >= 3:
        j = len(toks) - 2   # "Thị trưởng thành phố London Sadiq Khan": the city comes first
    if not any(not looks_vietnamese(t) for t in toks[j:]):
        return None
    return j


def parse_run(lex: Lexicon, toks: list[str], adjacent: bool, blocked: set[int],
               after_honorific: bool = False, allow_country: bool = True,
               after_place_word: bool = False, after_country: bool = False) -> tuple[int, bool] | None:
    """Split a capitalized run into organisation words and a name at its end.

    Returns (index where the name starts, foreign?) or None.
    """
    if after_honorific:
        if 2 <= len(toks) <= 4 and toks[0] in lex.surnames and 0 not in blocked \
                and not lex.blocked_start(toks, 0) and not lex.is_country_at(toks, 0) \
                and all(NAME_TOKEN.fullmatch(t) and looks_vietnamese(t) for t in toks):
            return 0, False
        if len(toks) <= 4 and all(NAME_TOKEN.fullmatch(t) for t in toks) \
                and any(not looks_vietnamese(t) for t in toks) and not lex.is_country_at(toks, 0):
            return 0, True
        return None
    vi = vn_name_in_run(lex, toks, adjacent, blocked)
    # a foreign country before the name: "Thủ tướng Úc Anthony Albanese", "Trung Quốc Lý Cường"
    country_end = None
    for i in range(len(toks) if allow_country else 0):
        n = lex.is_country_at(toks, i)
        if n and i + n < len(toks) and not lex.blocked_start(toks, i):
            country_end = i + n
            break
    if vi is not None:
        # a country inside the name is a given name ("Nguyễn Thị Mỹ Hạnh", "Đỗ Đức Duy")
        return vi, country_end is not None and country_end <= vi
    rest = toks[country_end:] if country_end is not None else []
    if rest and len(rest) <= 4 and all(NAME_TOKEN.fullmatch(t) for t in rest) \
            and (len(rest) >= 2 or not looks_vietnamese(rest[0])):
        return country_end, True
    fi = foreign_name_in_run(lex, toks, after_place_word, blocked) if allow_country else None
    if fi is not None:
        if not adjacent and not after_country:
            # far from the office: only a two-word foreign name ("thẩm phán liên bang James Robart")
            if len(toks) - fi < 2:
                return None
            fi = len(toks) - 2
        return fi, True
    return None


def name_particles_end(lex: Lexicon, text: str, end: int) -> int:
    """The end of a foreign name that goes on with lower-case particles and more name words after
    ``end`` ("Mohammed bin Abdulrahman al-Thani", "Ursula von der Leyen")."""
    while True:
        m = lex.particle_re.match(text, end)
        if not m:
            return end
        end = m.end()


def followed_by_name_char(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalpha() or text[end].isdigit())


def name_before(lex: Lexicon, ctx: DocContext, start: int, need_honorific: bool = False):
    """A name that ends right before ``start`` with a connector: "X, Phó Vụ trưởng", "X làm Chủ tịch".

    After an honorific the connector may be a plain blank ("đồng chí X Ủy viên Trung ương Đảng");
    ``need_honorific`` asks for an honorific before the name in every case.
    """
    text = ctx.text
    window = text[max(0, start - 120):start]
    cm = lex.connector_back.search(window)
    plain = False
    if not cm or cm.start() == cm.end():
        if not window.endswith(" ") or window.endswith("  ") or start >= len(text) or \
                not text[start].isupper():
            return None
        cm, plain = _LAST_BLANK.search(window), True
    head = window[:cm.start()]
    rm = lex.run_before.search(head)
    if not rm:
        return None
    base = start - len(window)
    toks = [(mt.group(0), base + mt.start(), base + mt.end())
            for mt in _NON_BLANK.finditer(rm.group("run"))]
    toks = [(t, s + rm.start(), e + rm.start()) for t, s, e in toks]
    words = [t[0] for t in toks]
    blocked = ctx.blocked_tokens(toks)
    honorific_before = bool(lex.hon_end_re.search(head[:rm.start()]))
    parsed = parse_run(lex, words, adjacent=honorific_before, blocked=blocked,
                      after_honorific=False)
    if parsed is None and honorific_before:
        parsed = parse_run(lex, words, adjacent=True, blocked=blocked, after_honorific=True)
    if parsed is None:
        return None
    k, foreign = parsed
    if foreign and not honorific_before and not lex.ends_with_country(words[:k]):
        return None
    if (plain or need_honorific) and not (honorific_before and k == 0 or
                                          k > 0 and lex.hon_kind.get(words[k - 1].casefold()) is not None):
        return None
    span = (toks[k][1], toks[-1][2])
    if ctx.in_zones(*span):
        return None
    return span, foreign


def name_at(lex: Lexicon, ctx: DocContext, pos: int, after_honorific: bool):
    """The name that starts exactly at ``pos`` (after an honorific)."""
    text = ctx.text
    toks, initial = name_tokens(text, pos, 5, initials=True)
    if not toks:
        return None
    words = [t[0] for t in toks]
    if len(words) == 1:
        # one syllable: an alias of a known name, or a foreign surname ("ông Trump")
        return (toks[0][1], toks[0][2]), not looks_vietnamese(words[0])
    if lex.is_country_at(words, 0):
        return None   # "người dân Bồ Đào Nha": a country, not a name
    blocked = ctx.blocked_tokens(toks)
    parsed = parse_run(lex, words, adjacent=True, blocked=blocked, after_honorific=True)
    if parsed is None:
        initial = None
        # "ông Nguyễn Văn A Hà Nội": keep the longest name prefix that parses
        for n in range(len(words) - 1, 1, -1):
            parsed = parse_run(lex, words[:n], adjacent=True, blocked=blocked, after_honorific=True)
            if parsed is not None:
                toks = toks[:n]
                break
    if parsed is None:
        return None
    if initial is not None and not parsed[1]:
        return (toks[0][1], initial), False
    return (toks[0][1], toks[-1][2]), parsed[1]


def continues_name(lex: Lexicon, text: str, end: int, person: Person) -> bool:
    """True if a Vietnamese name continues after ``end`` ("Hồ Chí Minh" inside a longer name)."""
    if person.foreign:
        return False
    nxt = _FOLLOWING_SYLLABLE.match(text, end)
    return bool(nxt) and looks_vietnamese(nxt.group(1)) and nxt.group(1) not in lex.surnames
