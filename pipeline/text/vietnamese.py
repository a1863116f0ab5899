"""What Vietnamese words look like: syllable shape, tone-mark spellings, abbreviations.

One definition each, for every stage: whether a word can be a Vietnamese syllable (which tells a
Vietnamese given name from a foreign word), the two tone-mark conventions of oa/oe/uy syllables,
and whether a written form is an abbreviation.
"""
from __future__ import annotations

import re
import unicodedata

# the shape of a Vietnamese syllable once tone marks and vowel hats are removed: onset, 1-3 vowels, final
_SYLLABLE_SHAPE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_JOINERS = re.compile(r"[-'’]")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_OLD_STYLE_END = re.compile(r"([oOuU])([" + _TONE_MARKS + r"])([aAeEyY])$")
_OLD_STYLE = re.compile(r"([oOuU])([aAeEyY])([" + _TONE_MARKS + r"])(?!\w)")


def strip_marks(word: str) -> str:
    """``word`` in lower case without tone marks or vowel hats, đ as d ("Đường" -> "duong")."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def looks_vietnamese(word: str) -> bool:
    """Whether every part of ``word`` (split at hyphens and apostrophes) has the shape of a Vietnamese
    syllable: "Phương", "Nguyễn" yes; "Merkel", "Madrid", "Qin" no."""
    parts = [p for p in _JOINERS.split(word) if p]
    return bool(parts) and all(_SYLLABLE_SHAPE.fullmatch(strip_marks(p)) for p in parts)


def old_tone_style(word: str) -> str:
    """The old-style spelling of a syllable ending in oa/oe/uy ("hòa" -> "hoà", "Thủy" -> "Thuỷ"), else ``word``."""
    nfd = unicodedata.normalize("NFD", word)
    m = _OLD_STYLE_END.search(nfd)
    if not m:
        return word
    return unicodedata.normalize("NFC", nfd[:m.start()] + m.group(1) + m.group(3) + m.group(2))


def new_tone_style(text: str) -> str:
    """Every oa/oe/uy syllable of ``text`` in the new style ("hoà" -> "hòa"); the length is unchanged."""
    return unicodedata.normalize("NFC", _OLD_STYLE.sub(r"\1\3\2", unicodedata.normalize("NFD", text)))


def is_abbreviation(form: str) -> bool:
    """Whether a written form is an abbreviation: at least two capital letters, no small letter and no
    blank ("NHNN", "TT&TT", "NĐ-CP", "GD&ĐT"; not "Bộ", "GD và ĐT", "VH, TT&DL")."""
    if " " in form:
        return False
    capitals = 0
    for ch in form:
        if ch.isalpha():
            if not ch.isupper():
                return False
            capitals += 1
    return capitals >= 2
