"""Abbreviations the document defines in parentheses: "cải cách hành chính (CCHC)".

A definition is a long form followed by its short form in parentheses, or the
reverse ("ĐVSNCL (đơn vị sự nghiệp công lập)"). The short form's letters must
be the initials of the long form's syllables, read the Vietnamese way:

* each letter is the first letter of one syllable ("Đ" for "đ", and a plain
  "D" is accepted for "đ" too, as writers often type it so);
* "&" stands for "và" (TT&TT = Thông tin và Truyền thông);
* "." and "-" only separate groups of letters (TP.HCM, KT-XH);
* a "và" of the long form may have no letter (KHCN = Khoa học và Công nghệ);
* a whole word written out in the short form must be the same word in the long
  form ("Bộ TT&TT" for "Bộ Thông tin và Truyền thông").

The stage stores ``doc.layers["abbreviations"]``, one dict per definition:
``{"short", "long", "start", "end", "long_start", "long_end"}`` where
``start``/``end`` are the offsets of the short form and ``long_start``/``long_end``
those of the long form. Other stages read it through :func:`doc_abbreviations`.
Abbreviations used without a definition are listed in
``models/abbreviations_common.tsv`` (see :func:`pipeline.lexicons.abbreviations.common_abbreviations`).
"""
from __future__ import annotations

import re
import unicodedata

from pipeline.base import Processor
from pipeline.document import Document


# "(SHORT)" or "(long form)": up to 40 characters without brackets; checked further in _short_units
_PAREN = re.compile(r"\(([^()\n]{1,40})\)")
# a syllable or "&"; the long form is read from these
_SYLLABLE = re.compile(r"\w+|&")
# characters that end the search for a long form before "(" (clause boundaries)
_STOP = re.compile(r"[()\[\]\n.;:!?\"“”]")
_MAX_LONG_CHARS = 160


def _is_upper_letter(ch: str) -> bool:
    return ch.isalpha() and ch.isupper()


def _short_units(short: str) -> list[tuple[str, str]] | None:
    """Split a short form into units: ("L", letter), ("AND", "&") or ("W", word).

    Returns None when the string does not look like an abbreviation (fewer
    than two capital letters, lower-case prose, too long, ...).
    """
    short = short.strip()
    if not 2 <= len(short) <= 20:
        return None
    tokens = short.split()
    if len(tokens) > 3:
        return None
    units: list[tuple[str, str]] = []
    capitals = 0
    for tok in tokens:
        tok_caps = sum(1 for ch in tok if _is_upper_letter(ch))
        if tok_caps >= 2 or (tok_caps == 1 and any(c in tok for c in "&.-") and len(tok) > 1):
            if not (tok[0].isupper() or tok[0].isdigit()) or not all(ch.isalnum() or ch in "&.-" for ch in tok):
                return None
            for ch in tok:
                if ch == "&":
                    units.append(("AND", ch))
                elif ch in ".-":
                    continue
                elif ch.isalnum():
                    # lower-case letters inside an acronym ("TTg") are initials too
                    units.append(("L", ch))
            capitals += tok_caps
        elif tok[:1].isupper() and tok[1:].islower() and tok.isalpha():
            units.append(("W", tok))  # a word written out: "Bộ" in "Bộ TT&TT"
        else:
            return None
    if capitals < 2 or not any(kind == "L" for kind, _ in units):
        return None
    if units[0][0] == "AND" or units[-1][0] == "AND":
        return None
    return units


def _base(ch: str) -> str:
    """A letter without its diacritics ("Ủ" -> "u", "ư" -> "u"); "đ" stays "đ"."""
    return unicodedata.normalize("NFD", ch.casefold())[0]


def _initial_matches(letter: str, syllable: str) -> bool:
    if letter.isdigit():
        return syllable == letter
    a, b = letter.casefold(), syllable[0].casefold()
    return a == b or _base(a) == _base(b) or (a == "d" and b == "đ")


def _align(units: list[tuple[str, str]], syls: list[str]) -> int | None:
    """Match ``units`` against a suffix of ``syls`` (both read from the end).

    Returns the index in ``syls`` where the long form starts, or None.
    Iterative search over (unit index, syllable index) with the "và"-skip as
    the only branching; inputs are tiny.
    """
    stack = [(len(units) - 1, len(syls) - 1)]
    seen = set()
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i < 0:
            return j + 1
        if j < 0:
            continue
        kind, val = units[i]
        syl = syls[j]
        low = syl.casefold()
        # "và" without a letter of its own (never as the first or last syllable)
        if low == "và" and 0 < i and j < len(syls) - 1:
            stack.append((i, j - 1))
        if kind == "L" and syl != "&" and _initial_matches(val, syl):
            stack.append((i - 1, j - 1))
        elif kind == "AND" and low in ("và", "&"):
            stack.append((i - 1, j - 1))
        elif kind == "W" and low == val.casefold():
            stack.append((i - 1, j - 1))
    return None


def _match_long_before(text: str, end: int, units: list[tuple[str, str]]) -> tuple[int, int] | None:
    """Find a long form ending right before ``end`` (the "(" position)."""
    window_start = max(0, end - _MAX_LONG_CHARS)
    window = text[window_start:end]
    stop = None
    for m in _STOP.finditer(window):
        stop = m.end()
    if stop is not None:
        window_start += stop
        window = text[window_start:end]
    if not window.strip():
        return None
    syl_matches = list(_SYLLABLE.finditer(window))
    if not syl_matches:
        return None
    # the last syllable must touch the bracket (only spaces between)
    if window[syl_matches[-1].end():].strip():
        return None
    syls = [m.group() for m in syl_matches]
    first = _align(units, syls)
    if first is None or first >= len(syls):
        return None
    return window_start + syl_matches[first].start(), window_start + syl_matches[-1].end()


def _match_long_inside(text: str, start: int, end: int, units: list[tuple[str, str]]) -> bool:
    """True when ``text[start:end]`` (bracket contents) is exactly the long form of ``units``."""
    syls = _SYLLABLE.findall(text[start:end])
    if not syls or len(syls) > 3 * len(units):
        return False
    return _align(units, syls) == 0


class AbbreviationFinder(Processor):
    """Find "long form (SHORT)" and "SHORT (long form)" definitions; store them in a layer."""

    name = "abbreviations"
    requires = frozenset()
    provides = frozenset({"abbreviations"})

    def __init__(self, **config):
        super().__init__(**config)
        # short form immediately before "(": one or two acronym-like tokens
        self._short_before = re.compile(
            r"(?<!\w)((?:[^\W\d_]\w*\s)?[^\W_][\w&.\-]*\w)\s*$")

    def __call__(self, doc: Document) -> Document:
        text = doc.text
        found: list[dict] = []
        for m in _PAREN.finditer(text):
            inner_start, inner_end = m.start(1), m.end(1)
            inner = m.group(1)
            stripped = inner.strip()
            lead = len(inner) - len(inner.lstrip())
            s_start = inner_start + lead
            s_end = s_start + len(stripped)
            units = _short_units(stripped)
            if units is not None:
                span = _match_long_before(text, m.start(), units)
                if span is not None:
                    found.append({"short": stripped, "long": text[span[0]:span[1]],
                                  "start": s_start, "end": s_end,
                                  "long_start": span[0], "long_end": span[1]})
                    continue
            # reverse form: SHORT (long form)
            before = self._short_before.search(text, max(0, m.start() - 30), m.start())
            if before is None:
                continue
            short, short_start = before.group(1), before.start(1)
            candidates = [(short, short_start)]
            if " " in short:  # "Các ĐVSNCL (...)": also the last token alone
                cut = short.rindex(" ") + 1
                candidates.append((short[cut:], short_start + cut))
            for cand, cand_start in candidates:
                units = _short_units(cand)
                if units is not None and _match_long_inside(text, s_start, s_end, units):
                    found.append({"short": cand, "long": stripped,
                                  "start": cand_start, "end": cand_start + len(cand),
                                  "long_start": s_start, "long_end": s_end})
                    break
        doc.layers["abbreviations"] = found
        return doc


def doc_abbreviations(doc: Document) -> dict[str, str]:
    """``short -> long`` for the abbreviations ``doc`` defines (first definition wins).

    Empty when the abbreviations stage did not run.
    """
    out: dict[str, str] = {}
    for item in doc.layers.get("abbreviations", []):
        out.setdefault(item["short"], item["long"])
    return out
