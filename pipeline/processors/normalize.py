"""The ``normalize`` stage: one canonical form of the text, with a map back to the input.

What it does, in one pass over the input:
- HTML: when the text looks like markup, tags are removed (block tags become a
  line break) and character references are decoded;
- Unicode: NFC, so every Vietnamese letter is one code point;
- tone marks: one convention (the "new" placement used by the gold data and
  most newsrooms: ``hòa``, ``thủy``, ``khỏe``), a same-length rewrite;
- whitespace: Windows/Mac newlines become ``\\n``; tabs, exotic spaces,
  zero-width and control characters each become one plain space, so for NFC
  input without markup an offset into the normalized text is also an offset
  into the input (gold annotations are made on the input text); with
  ``compact=True`` runs of spaces become one space and invisible characters
  are dropped instead;
- paragraphs: an exact repeat of an earlier paragraph (scraped pages repeat
  them) is listed in the ``paragraphs`` layer with ``duplicate_of``; with
  ``drop_duplicates=True`` it is removed from the text.

The normalized text is what every offset refers to; ``Document.to_original``
maps a span back to the input string.
"""
from __future__ import annotations

import html
import re
import unicodedata

from pipeline.base import Processor
from pipeline.document import Document, OffsetMap
from pipeline.resources import read_tsv

# a tag, or the opening of a comment (its end is looked for with str.find: see _html_tags)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>|<!--")
_HTML_HINT = re.compile(r"</?(?:p|br|div|span|a|b|i|em|strong|li|ul|ol|h[1-6]|table|tr|td|img|figure|figcaption)\b[^<>]*>", re.I)
_HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});")
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "tr", "table", "figure", "figcaption", "blockquote", "section", "article"}
_SKIP_CONTENT_TAGS = {"script", "style"}

# characters that need work: CR, controls, zero-width/format chars, combining marks,
# exotic spaces and tabs, runs of spaces
_NEEDS_WORK = re.compile(
    "\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]"
    "|[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000 ]{2,}|[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
    "|[^\\W\\d_]?[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


# a line break continues the paragraph unless a blank line follows; the look-ahead stops at the first
# line break (blanks other than "\n" before it), so a long run of blank lines costs its length once
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![^\S\n]*\n)[^\n]*)*")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Non-empty paragraphs: runs of text between blank lines, trimmed of surrounding whitespace."""
    spans = []
    for m in _PARAGRAPH.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _html_tags(text: str):
    """The tags and closed comments of ``text`` in order, as (start, end, closing, tag name or "").

    A comment runs from "<!--" to the first "-->" after it; an unclosed "<!--" is text. Once no "-->"
    follows a position, none follows any later one, so each "-->" is looked for once.
    """
    pos = 0
    no_close_from = len(text) + 1
    while True:
        m = _HTML_TAG.search(text, pos)
        if m is None:
            return
        if m.group(2) is not None:
            yield m.start(), m.end(), m.group(1), m.group(2)
            pos = m.end()
            continue
        close = -1 if m.end() >= no_close_from else text.find("-->", m.end())
        if close < 0:
            no_close_from = min(no_close_from, m.end())
            pos = m.end()
            continue
        yield m.start(), close + 3, "", ""
        pos = close + 3


class _Builder:
    """Accumulates output pieces and the offset map while scanning the input."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pieces: list[tuple[int, int, int, bool]] = []
        self.out_len = 0
        self.changed = False

    def copy(self, src: str, start: int, end: int) -> None:
        if end > start:
            self.pieces.append((self.out_len, start, end, True))
            self.parts.append(src[start:end])
            self.out_len += end - start

    def replace(self, new: str, start: int, end: int) -> None:
        self.changed = True
        if new:
            # a same-length replacement maps character for character
            self.pieces.append((self.out_len, start, end, len(new) == end - start))
            self.parts.append(new)
            self.out_len += len(new)
        elif self.pieces and not self.pieces[-1][3]:
            # a deletion: extend the previous replacement so ends still map to the input
            o, s, _, c = self.pieces[-1]
            self.pieces[-1] = (o, s, end, c)

    def text(self) -> str:
        return "".join(self.parts)


# a run of non-ASCII characters and the character before it (a base letter a mark may compose with)
_NON_ASCII_RUN = re.compile(r".?[^\x00-\x7f]+", re.S)


def _compose(chunk: str) -> str:
    return unicodedata.normalize("NFC", chunk)


class Normalizer(Processor):
    """Normalize ``doc.text`` (see the module docstring). Options:

    ``html`` ("auto" | True | False), ``tone_marks`` ("new" | "keep"),
    ``compact`` (bool: collapse space runs, drop invisible characters), ``drop_duplicates`` (bool).
    """

    name = "normalize"
    requires = frozenset()
    provides = frozenset({"normalized", "paragraphs"})

    def __init__(self, html: str | bool = "auto", tone_marks: str = "new",
                 compact: bool = False, drop_duplicates: bool = False, **config) -> None:
        super().__init__(**config)
        if tone_marks not in ("new", "keep"):
            raise ValueError("tone_marks must be 'new' or 'keep'")
        self.html = html
        self.compact = compact
        self.drop_duplicates = drop_duplicates
        self._tone_table: dict[str, str] = {}
        self._tone_re = None
        if tone_marks == "new":
            rows = read_tsv("tone_marks.tsv")
            self._tone_table = {r["old"]: r["new"] for r in rows}
            # a rewrite applies only at the end of a syllable (no letter follows);
            # "qu" + vowel is a consonant cluster, so "quý" stays as it is
            alternation = "|".join(sorted(map(re.escape, self._tone_table), key=len, reverse=True))
            self._tone_re = re.compile(rf"(?<![qQ])(?:{alternation})(?![^\W\d_])")

    # -- passes -------------------------------------------------------------
    def _strip_html(self, text: str, b: _Builder) -> None:
        pos = 0
        skip_until = None
        for start, end, closing, tag in _html_tags(text):
            if skip_until is None:
                self._decode_entities(text, pos, start, b)
            tag = tag.lower()
            if skip_until is not None:
                if closing and tag == skip_until:
                    skip_until = None
                b.replace("", start, end)
                pos = end
                continue
            if tag in _SKIP_CONTENT_TAGS and not closing:
                skip_until = tag
            b.replace("\n" if tag in _BLOCK_TAGS and b.out_len > 0 else "", start, end)
            pos = end
        if skip_until is None:
            self._decode_entities(text, pos, len(text), b)

    @staticmethod
    def _decode_entities(text: str, start: int, end: int, b: _Builder) -> None:
        pos = start
        for m in _HTML_ENTITY.finditer(text, start, end):
            decoded = html.unescape(m.group())
            if decoded == m.group():
                continue
            b.copy(text, pos, m.start())
            b.replace(decoded, m.start(), m.end())
            pos = m.end()
        b.copy(text, pos, end)

    def _clean(self, text: str, b: _Builder) -> None:
        pos = 0
        for m in _NEEDS_WORK.finditer(text):
            s, e = m.start(), m.end()
            chunk = m.group()
            first = chunk[0]
            if first == "\r":
                new = "\n"
            elif first in " \t\u00a0\u1680\u202f\u205f\u3000" or "\u2000" <= first <= "\u200a":
                new = " " if self.compact else " " * len(chunk)
            elif unicodedata.category(first) in ("Cc", "Cf", "Zl", "Zp"):
                new = "\n" if first in "\u2028\u2029" else ("" if self.compact else " ")
            else:
                new = _compose(chunk)
            if new == chunk:
                continue
            b.copy(text, pos, s)
            b.replace(new, s, e)
            pos = e
        b.copy(text, pos, len(text))

    def _retone(self, text: str) -> str:
        if self._tone_re is None:
            return text
        return self._tone_re.sub(lambda m: self._tone_table[m.group()], text)

    # -- stage --------------------------------------------------------------
    def normalize(self, text: str) -> tuple[str, OffsetMap | None]:
        """Return the normalized text and an offset map (None when the length-changing passes changed nothing)."""
        maps = []
        use_html = self.html is True or (self.html == "auto" and _HTML_HINT.search(text) is not None)
        if use_html:
            b = _Builder()
            self._strip_html(text, b)
            if b.changed:
                maps.append(OffsetMap(b.pieces, b.out_len, len(text)))
                text = b.text()
        if _NEEDS_WORK.search(text):
            b = _Builder()
            self._clean(text, b)
            if b.changed:
                maps.append(OffsetMap(b.pieces, b.out_len, len(text)))
                text = b.text()
        if not unicodedata.is_normalized("NFC", text):
            # what the combining-mark pass does not cover: characters NFC maps to others on their own
            # (CJK compatibility ideographs, the Angstrom sign) or composes without a combining mark
            # (Hangul jamo); rare, so found by one C-speed check and then per run of non-ASCII characters
            b = _Builder()
            self._compose_rest(text, b)
            if b.changed:
                maps.append(OffsetMap(b.pieces, b.out_len, len(text)))
                text = b.text()
        text = self._retone(text)  # same length, no map needed
        return text, _chain(maps)

    @staticmethod
    def _compose_rest(text: str, b: _Builder) -> None:
        pos = 0
        for m in _NON_ASCII_RUN.finditer(text):
            new = _compose(m.group())
            if new != m.group():
                b.copy(text, pos, m.start())
                b.replace(new, m.start(), m.end())
                pos = m.end()
        b.copy(text, pos, len(text))

    def __call__(self, doc: Document) -> Document:
        original = doc.text
        text, omap = self.normalize(original)
        paragraphs = []
        first_seen: dict[str, int] = {}
        drops = []
        for i, (s, e) in enumerate(_paragraph_spans(text)):
            para = {"start": s, "end": e}
            key = text[s:e]
            if key in first_seen and e - s >= 20:
                para["duplicate_of"] = first_seen[key]
                drops.append((s, e))
            else:
                first_seen.setdefault(key, i)
            paragraphs.append(para)
        if self.drop_duplicates and drops:
            b = _Builder()
            pos = 0
            for s, e in drops:
                # remove the paragraph and the blank line before it
                cut = s
                while cut > pos and text[cut - 1] in " \n":
                    cut -= 1
                b.copy(text, pos, cut)
                b.replace("", cut, e)
                pos = e
            b.copy(text, pos, len(text))
            omap = _chain([m for m in (omap, OffsetMap(b.pieces, b.out_len, len(text))) if m])
            text = b.text()
            paragraphs = [{"start": s, "end": e} for s, e in _paragraph_spans(text)]
        doc.text = text
        doc.original = original
        doc.offset_map = omap
        doc.layers["paragraphs"] = paragraphs
        return doc


class _ChainedMap(OffsetMap):
    """Composition of several maps (HTML pass, then cleaning pass, then dropping)."""

    def __init__(self, maps: list[OffsetMap]):  # noqa: D401 - no super(): it only delegates
        self.maps = maps
        self.out_len = maps[-1].out_len
        self.orig_len = maps[0].orig_len

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        for m in reversed(self.maps):
            start, end = m.to_original(start, end)
        return start, end


def _chain(maps: list[OffsetMap]) -> OffsetMap | None:
    if not maps:
        return None
    return maps[0] if len(maps) == 1 else _ChainedMap(maps)
