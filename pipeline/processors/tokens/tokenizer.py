"""The ``tokens`` stage: word segmentation and part-of-speech tags, as offsets into the text.

Backends (option ``backend``):
- ``crf`` (default): our own python-crfsuite model doing segmentation and POS
  in one pass, trained on UD_Vietnamese-VTB (``python3 -m pipeline.train.segpos``);
  the most accurate and fastest on VTB test (bench/RESULTS.md);
- ``pyvi``: pyvi's CRF segmenter and POS tagger;
- ``underthesea``: underthesea's ``pos_tag`` (segmentation and tags in one call);
- ``syllables``: every syllable, number or punctuation mark a token, no tags
  (no model at all: the fastest, for users who only need entities).

Whatever the backend, the result is corrected by the same constraints:
sequences listed in ``models/token_patterns.tsv`` (``TT&TT``, ``NĐ-CP``,
``30/7/2020``, ``1.234,5``, URLs) are one token, never split and never glued
to a neighbour; a personal name (a surname from ``models/surnames.tsv``
followed by capitalised syllables) is one token tagged ``Np``. Backends are
run sentence by sentence, so a huge document never becomes one giant call.
"""
from __future__ import annotations

import re
from typing import Callable

from pipeline.base import Processor
from pipeline.document import Document, Token
from pipeline.lexicons.people import surnames
from pipeline.processors.tokens.backends import Backend, PyviBackend, SyllableBackend, UnderthesesBackend
from pipeline.processors.tokens.crf import CrfBackend
from pipeline.resources import read_tsv
from pipeline.spans import filter_spans

_CAP_SYLLABLE = r"[^\W\d_a-zđ]\w*"

BACKENDS: dict[str, Callable[[], Backend]] = {
    "pyvi": PyviBackend,
    "underthesea": UnderthesesBackend,
    "syllables": SyllableBackend,
    "crf": CrfBackend,
}


def align(sentence: str, words: list[tuple[str, str | None]], offset: int = 0) -> list[Token]:
    """Find each backend word in ``sentence`` and return tokens with offsets (plus ``offset``).

    A word's syllables may be joined by spaces or underscores; whitespace in the
    text between them is skipped. A word that cannot be found where expected
    (a backend that rewrote a character) is searched for a little further on and
    dropped if absent, so the offsets never lie.
    """
    tokens: list[Token] = []
    pos = 0
    n = len(sentence)
    for word, tag in words:
        chars = [c for c in word.replace("_", " ") if not c.isspace()]
        if not chars:
            continue
        i = pos
        while i < n and sentence[i].isspace():
            i += 1
        start = i
        ok = True
        for c in chars:
            while i < n and sentence[i].isspace() and c != sentence[i]:
                i += 1
            if i < n and sentence[i] == c:
                i += 1
            elif i < n and c == "_" and sentence[i] == "_":
                i += 1
            else:
                ok = False
                break
        if not ok:
            first = word.replace("_", " ").split()[0]
            found = sentence.find(first, pos, pos + 200)
            if found < 0:
                continue
            start, i = found, found + len(first)
        tokens.append(Token(start + offset, i + offset, tag))
        pos = i
    return tokens


class Tokenizer(Processor):
    """Adds ``doc.tokens``. Options: ``backend`` ("crf", "pyvi", "underthesea", "syllables"), ``merge_names`` (True)."""

    name = "tokens"
    requires = frozenset({"sentences"})
    provides = frozenset({"tokens"})

    def __init__(self, backend: str = "crf", merge_names: bool = True, **config) -> None:
        super().__init__(**config)
        if backend not in BACKENDS:
            raise ValueError(f"unknown tokenizer backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        self.backend_name = backend
        self.backend = BACKENDS[backend]()
        rows = read_tsv("token_patterns.tsv")
        self._protected = re.compile("|".join(f"(?P<{r['name']}>{r['pattern']})" for r in rows))
        self._protected_pos = {r["name"]: r["pos"] for r in rows}
        self._names = None
        if merge_names:
            family_names = sorted(surnames(), key=len, reverse=True)
            if family_names:
                alternation = "|".join(map(re.escape, family_names))
                self._names = re.compile(
                    rf"(?<!\w)(?:{alternation})(?: {_CAP_SYLLABLE}){{1,4}}(?!\w)")

    def _constraints(self, text: str) -> list[tuple[int, int, str | None]]:
        spans = [(m.start(), m.end(), self._protected_pos[m.lastgroup])
                 for m in self._protected.finditer(text)]
        if self._names is not None:
            spans += [(m.start(), m.end(), "Np") for m in self._names.finditer(text)]
        return filter_spans(spans, "leftmost")  # first and longest wins; overlaps dropped

    @staticmethod
    def _apply(text: str, tokens: list[Token],
               constraints: list[tuple[int, int, str | None]]) -> list[Token]:
        """Cut tokens at constraint boundaries, then merge everything inside each constraint."""
        if not constraints:
            return tokens
        cuts = sorted({p for s, e, _ in constraints for p in (s, e)})
        pieces: list[Token] = []
        ci = 0
        for t in tokens:
            while ci < len(cuts) and cuts[ci] <= t.start:
                ci += 1
            start = t.start
            j = ci
            while j < len(cuts) and cuts[j] < t.end:
                pieces.append(Token(start, cuts[j], t.pos))
                start = cuts[j]
                j += 1
            pieces.append(Token(start, t.end, t.pos))
        for t in pieces:  # a cut may leave the space between two words at a piece's edge
            while t.start < t.end and text[t.start].isspace():
                t.start += 1
            while t.end > t.start and text[t.end - 1].isspace():
                t.end -= 1
        pieces = [t for t in pieces if t.end > t.start]
        out: list[Token] = []
        k = 0
        for t in pieces:
            while k < len(constraints) and constraints[k][1] <= t.start:
                k += 1
            if k < len(constraints) and constraints[k][0] <= t.start and t.end <= constraints[k][1]:
                s, e, pos = constraints[k]
                if out and out[-1].start == s and out[-1].end == e:
                    continue
                out.append(Token(s, e, pos or t.pos))
            else:
                out.append(t)
        return out

    def tokenize(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """Tokens of ``text[start:end]`` with offsets into ``text``."""
        end = len(text) if end is None else end
        piece = text[start:end]
        if not piece.strip():
            return []
        direct = getattr(self.backend, "spans", None)
        if direct is not None:
            tokens = [Token(s, e, tag) for s, e, tag in direct(piece, start)]
        else:
            tokens = align(piece, self.backend(piece), offset=start)
        return self._apply(text, tokens, [(s + start, e + start, p) for s, e, p in self._constraints(piece)])

    def __call__(self, doc: Document) -> Document:
        tokens: list[Token] = []
        for sent in doc.sentences:
            tokens.extend(self.tokenize(doc.text, sent.start, sent.end))
        doc.tokens = tokens
        return doc
