"""REFORM_AREA mentions: administrative reform and its six areas.

The lexicon (``models/reform_areas.tsv``) is expanded into literal word
sequences and compiled into ONE regular expression shaped as a word trie, so a
document is scanned once and the longest phrase wins at each position. Some
lexicon entries carry context that must be present but is not part of the
mention ("đào tạo, bồi dưỡng <cán bộ, công chức>").

Abbreviations are mentions too: the common ones of ``models/abbreviations_common.tsv``
whose long form is a lexicon phrase (CCHC, TTHC, DVC, ...) and the ones the
document itself defines in parentheses (layer ``abbreviations``) whose long form
is a lexicon phrase: every occurrence of such a short form gets the long form's area.

Vetoes (``models/reform_area_exclusions.tsv``) drop a match when the same words
name a department, committee, law or ministry ("Vụ Cải cách hành chính",
"Luật Cán bộ, công chức", "Bộ Tài chính công bố") or run on into another word.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import regex

from pipeline.base import Processor
from pipeline.document import Document
from pipeline.lexicons.abbreviations import common_abbreviations
from pipeline.resources import ResourceError, read_tsv
from pipeline.spans import filter_spans
from pipeline.text.compiled import compile_pattern
from pipeline.text.vietnamese import is_abbreviation

LEXICON_FILE = "reform_areas.tsv"
EXCLUSIONS_FILE = "reform_area_exclusions.tsv"
AREAS = frozenset({"general", "institutions", "procedures", "apparatus", "civil_service",
                   "public_finance", "modernization"})

_TOKEN = re.compile(r"<|>|,|[^\s,<>]+")
# words of the text; commas and quotation marks between words are not words
_TEXT_WORD = re.compile(r"[^\s,\"“”]+")
_GROUP = re.compile(r"\[([^\[\]{}]*)\]|\{([^\[\]{}]*)\}")
_WS = r"[^\S\n]"  # whitespace that does not cross a line break
# between two words: spaces, or a quotation mark with optional spaces (bộ phận “một cửa”)
_SEP = "(?:" + _WS + "+|" + _WS + "*[\"“”]" + _WS + "*)"
# a lexicon comma may be missing in the text ("cán bộ công chức")
_COMMA = "(?:" + _WS + "*,)?" + _WS + "*"
_DEF_OPEN = re.compile(r"[^\S\n]*\([^\S\n]*")
# the lexicon token #NUM: a number, with thousands dots and an optional percent sign ("1.000", "10%")
NUM_TOKEN = "#NUM"
_NUM_RE = r"\d+(?:\.\d{3})*%?"
_NUM_WORD = re.compile(_NUM_RE)


@dataclass(frozen=True, slots=True)
class _Variant:
    """One literal phrase of the lexicon: its words and the word range of the mention."""

    words: tuple[str, ...]      # without commas
    pattern: tuple[str, ...]    # with commas, as the regex matches them
    span: tuple[int, int]       # indices into ``words``
    area: str
    exact: tuple[int, ...]      # word indices that must match case-sensitively (abbreviations)


def expand(phrase: str) -> list[str]:
    """All literal strings described by a lexicon phrase (``[..]`` optional, ``{..}`` alternatives)."""
    out, todo = [], [phrase]
    while todo:
        cur = todo.pop()
        m = _GROUP.search(cur)
        if m is None:
            out.append(" ".join(cur.split()))
            continue
        optional = m.group(1) is not None
        alts = (m.group(1) if optional else m.group(2)).split("|")
        if optional:
            alts.append("")
        for alt in alts:
            todo.append(cur[:m.start()] + " " + alt + " " + cur[m.end():])
    return sorted(set(out))


def _key(words) -> tuple[str, ...]:
    return tuple(NUM_TOKEN if w == NUM_TOKEN or _NUM_WORD.fullmatch(w) else w.lower() for w in words)


def _make_variant(literal: str, area: str) -> _Variant:
    words: list[str] = []
    pattern: list[str] = []
    start = end = None
    for tok in _TOKEN.findall(literal):
        if tok == "<":
            start = len(words)
        elif tok == ">":
            end = len(words)
        else:
            pattern.append(tok)
            if tok != ",":
                words.append(tok)
    if (start is None) != (end is None) or (start is not None and not 0 <= start < end):
        raise ResourceError(f"{LEXICON_FILE}: bad <...> in {literal!r}")
    if not words or pattern[0] == "," or pattern[-1] == ",":
        raise ResourceError(f"{LEXICON_FILE}: a phrase may not start or end with a comma: {literal!r}")
    span = (0, len(words)) if start is None else (start, end)
    exact = tuple(i for i, w in enumerate(words) if w != NUM_TOKEN and is_abbreviation(w))
    return _Variant(tuple(words), tuple(pattern), span, area, exact)


def _trie_regex(sequences: list[tuple[str, ...]]) -> str:
    """A regex matching any of the token sequences, shaped as a trie (shared prefixes once)."""
    trie: dict = {}
    for seq in sequences:
        node = trie
        for tok in seq:
            node = node.setdefault(tok, {})
        node[""] = True  # end marker

    def emit(node: dict, prev: str | None) -> str:
        alts = []
        # longer tokens first so that the alternation prefers them
        for tok in sorted((t for t in node if t), key=lambda t: (-len(t), t)):
            if tok == ",":
                edge = _COMMA
            else:
                body = _NUM_RE if tok == NUM_TOKEN else re.escape(tok)
                edge = ("" if prev is None or prev == "," else _SEP) + body
            alts.append(edge + emit(node[tok], tok))
        if "" in node:
            alts.append(r"(?!\w)")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    # a look-ahead on the first letters lets the engine skip most word starts at once
    firsts = sorted({seq[0][0].lower() for seq in sequences if seq and seq[0] != NUM_TOKEN})
    head = "(?=[" + "".join(re.escape(c) for c in firsts) + "])"
    return r"(?<!\w)" + head + emit(trie, None)


class ReformAreaTagger(Processor):
    """Tag REFORM_AREA entities with their ``area``."""

    name = "reform_areas"
    requires = frozenset({"abbreviations"})
    provides = frozenset({"reform_areas"})

    def __init__(self, **config):
        super().__init__(**config)
        self._variants: dict[tuple[str, ...], _Variant] = {}
        # lower-cased mention (no context) -> area, for abbreviations' long forms
        self._phrase_area: dict[tuple[str, ...], str] = {}
        patterns: set[tuple[str, ...]] = set()
        for row in read_tsv(LEXICON_FILE):
            area = row["area"].strip()
            if area not in AREAS:
                raise ResourceError(f"{LEXICON_FILE}: unknown area {area!r} for {row['phrase']!r}")
            for literal in expand(row["phrase"]):
                var = _make_variant(literal, area)
                self._variants.setdefault(_key(var.words), var)
                patterns.add(_key(var.pattern))
                if var.span == (0, len(var.words)):
                    self._phrase_area.setdefault(_key(var.words), area)
        self._pattern = compile_pattern(_trie_regex(sorted(patterns)), re.IGNORECASE)

        # "before" vetoes: one look-behind per `applies` group, tested at the mention's start
        # (the regex module allows variable-width look-behind, so no window is scanned)
        before: dict[str, list[str]] = {}
        self._after: list[tuple[re.Pattern, re.Pattern | None]] = []
        for row in read_tsv(EXCLUSIONS_FILE):
            applies = row["applies"].strip()
            if row["side"] == "before":
                before.setdefault(applies, []).append("(?:" + row["pattern"] + ")")
            elif row["side"] == "after":
                self._after.append((re.compile(row["pattern"]),
                                    None if applies == "*" else re.compile(applies)))
            else:
                raise ResourceError(f"{EXCLUSIONS_FILE}: side must be before or after: {row}")
        self._before: list[tuple[regex.Pattern, re.Pattern | None]] = [
            (regex.compile("(?<=" + "|".join(pats) + ")"), None if applies == "*" else re.compile(applies))
            for applies, pats in before.items()]

        # common abbreviations whose long form is a reform phrase
        self._common_abbr: dict[str, str] = {}
        for short, info in common_abbreviations().items():
            area = self.area_of(info["long"])
            if info["kind"] == "reform" and area is not None:
                self._common_abbr[short] = area
        self._common_abbr_re = self._abbr_regex(self._common_abbr)

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _abbr_regex(shorts) -> re.Pattern | None:
        if not shorts:
            return None
        alts = "|".join(re.escape(s) for s in sorted(shorts, key=lambda s: (-len(s), s)))
        return re.compile(r"(?<![\w&])(?:" + alts + r")(?![\w&])")

    def area_of(self, phrase: str) -> str | None:
        """The area of a phrase that is a whole lexicon mention (no context), else None."""
        return self._phrase_area.get(_key(_TEXT_WORD.findall(phrase)))

    def _vetoed(self, text: str, start: int, end: int, context_start: int | None = None) -> str | None:
        """The side ("before"/"after") of an exclusion that applies, else None; "before" contexts are
        tested at the mention's start and, for a lexicon match with leading context, at the start of
        that context too."""
        mention = text[start:end].lower()
        for pat, applies in self._before:
            if (applies is None or applies.search(mention)) and (
                    pat.match(text, start) or (context_start is not None and pat.match(text, context_start))):
                return "before"
        for pat, applies in self._after:
            if (applies is None or applies.search(mention)) and pat.match(text, end):
                return "after"
        return None

    def _resolve(self, text: str, m: re.Match) -> tuple[int, int, str] | None:
        """Mention offsets and area of a lexicon match, or None when its abbreviations' case is wrong."""
        words = list(_TEXT_WORD.finditer(text, m.start(), m.end()))
        var = self._variants.get(_key(w.group() for w in words))
        if var is None:
            return None
        for i in var.exact:
            if words[i].group() != var.words[i]:
                return None
        return words[var.span[0]].start(), words[var.span[1] - 1].end(), var.area

    def _scan(self, text: str, pos: int, endpos: int, out: list[tuple[int, int, str]],
              vetoed: list[tuple[int, int]]) -> None:
        while True:
            m = self._pattern.search(text, pos, endpos)
            if m is None:
                return
            found = self._resolve(text, m)
            if found is None:
                pos = m.start() + 1
                continue
            start, end, area = found
            if start > m.start():
                # the leading context may hold mentions of its own
                self._scan(text, m.start(), start, out, vetoed)
            side = self._vetoed(text, start, end, m.start() if start > m.start() else None)
            if side:
                vetoed.append((start, end))
                if side == "after" and start > m.start():
                    # the mention may start a longer phrase of its own: "thực hiện <tinh giản> biên chế"
                    pos = start
                    continue
            else:
                out.append((start, end, area))
            pos = end

    # -- the stage --------------------------------------------------------
    def find(self, doc: Document) -> list[tuple[int, int, str]]:
        """``(start, end, area)`` of every mention in ``doc`` (sorted, no overlaps)."""
        text = doc.text
        found: list[tuple[int, int, str]] = []
        vetoed: list[tuple[int, int]] = []
        self._scan(text, 0, len(text), found, vetoed)
        # the short form defined right after a vetoed name: "Ban Chỉ đạo cải cách hành chính (CCHC)"
        vetoed_defs = {m.end() for _, e in vetoed for m in [_DEF_OPEN.match(text, e)] if m}

        # the document's own definitions come first: a reform long form makes its short form a
        # mention; another long form ("DVC (dịch vụ cảng)") cancels a common reform abbreviation
        own: dict[str, str | None] = {}
        for item in doc.layers.get("abbreviations", []):
            if item["short"] not in own:
                own[item["short"]] = self.area_of(item["long"])
        abbr_hits: list[tuple[int, int, str]] = []
        if self._common_abbr_re is not None:
            for m in self._common_abbr_re.finditer(text):
                short = m.group()
                if own.get(short, self._common_abbr[short]) is not None:
                    abbr_hits.append((m.start(), m.end(), own.get(short) or self._common_abbr[short]))
        own = {k: v for k, v in own.items() if v is not None and k not in self._common_abbr}
        if own:
            for m in self._abbr_regex(own).finditer(text):
                abbr_hits.append((m.start(), m.end(), own[m.group()]))
        found.sort()
        starts = [s for s, _, _ in found]
        for start, end, area in abbr_hits:
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and end <= found[i][1]:
                continue  # part of a longer lexicon mention ("cải cách TTHC")
            if start in vetoed_defs or self._vetoed(text, start, end):
                continue
            found.append((start, end, area))
        return filter_spans(found, "leftmost")

    def __call__(self, doc: Document) -> Document:
        mentions = self.find(doc)
        for start, end, area in mentions:
            doc.add_entity("REFORM_AREA", start, end, source="rules", area=area)
        doc.layers["reform_areas"] = [
            {"start": s, "end": e, "text": doc.text[s:e], "area": a} for s, e, a in mentions]
        return doc
