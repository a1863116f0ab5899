"""The ``sentences`` stage: sentence boundaries for Vietnamese news text.

A sentence ends at a line break (titles and captions have no final
punctuation) or at ``.``, ``!``, ``?``, ``…`` (with any closing quotes or
brackets) followed by a space and something that can start a sentence. A
period after a known abbreviation (``TP.``, ``PGS.``, ``ThS.``) or a single
capital letter does not end a sentence; a period between digits (``30.7``,
``1.234``) never does, because no space follows it. Very long stretches
without a boundary are cut at a space so that later stages work on bounded
pieces.
"""
from __future__ import annotations

import re

from pipeline.base import Processor
from pipeline.document import Document, Span
from pipeline.resources import read_tsv

# A candidate starts at the first mark of a run (a match starting inside the run would end where the
# match from its first mark ends) and takes the blanks after it possessively (the next part starts with
# a non-blank or with blanks it may take itself): both keep a long run of dots or of blanks linear.
_CANDIDATE = re.compile(
    r"(?<![.!?…])(?P<end>[.!?…]+[”\"’'»)\]]*)(?=\s++(?P<next>[\"“‘'«(\[\-–—•*]?\s*[^\W_a-zđ]|[\"“‘«(\[\-–—•]))")
_WORD_BEFORE = re.compile(r"([^\s\"“(]+)$")


class SentenceSplitter(Processor):
    """Adds ``doc.sentences``. Option ``max_chars``: longest sentence before a forced cut (default 2000)."""

    name = "sentences"
    requires = frozenset()
    provides = frozenset({"sentences"})

    def __init__(self, max_chars: int = 2000, **config) -> None:
        super().__init__(**config)
        self.max_chars = max_chars
        self.abbreviations = {row["abbr"] for row in read_tsv("sentence_abbreviations.tsv")}

    def _closes_abbreviation(self, text: str, dot: int) -> bool:
        """Whether the period at ``dot`` closes an abbreviation rather than a sentence."""
        m = _WORD_BEFORE.search(text, max(0, dot - 20), dot)
        if not m:
            return False
        word = m.group(1)
        if word in self.abbreviations:
            return True
        # a single capital letter is an initial ("Nguyễn V. A.")
        return len(word) == 1 and word.isupper()

    def split(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans of ``text``, trimmed of surrounding whitespace."""
        spans: list[tuple[int, int]] = []
        for line in re.finditer(r"[^\n]+", text):
            start = line.start()
            for m in _CANDIDATE.finditer(text, line.start(), line.end()):
                end_mark = m.group("end")
                if end_mark[0] == "." and len(end_mark) == 1 and self._closes_abbreviation(text, m.start()):
                    continue
                self._add(text, start, m.end(), spans)
                start = m.end()
            self._add(text, start, line.end(), spans)
        return spans

    def _add(self, text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        while end - start > self.max_chars:
            cut = text.rfind(" ", start + self.max_chars // 2, start + self.max_chars)
            if cut <= start:
                cut = start + self.max_chars
            spans.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if end > start:
            spans.append((start, end))

    def __call__(self, doc: Document) -> Document:
        doc.sentences = [Span(s, e) for s, e in self.split(doc.text)]
        return doc
