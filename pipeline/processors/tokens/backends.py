"""Backends of the tokens stage: each segments and tags one sentence.

``crf`` (:mod:`pipeline.processors.tokens.crf`) is the default; ``pyvi`` and ``underthesea`` call those
libraries (installed with the ``anchors`` extra); ``syllables`` needs no model at all.
"""
from __future__ import annotations

from pipeline.extras import require
from pipeline.text.syllables import SYLLABLE


class Backend:
    """Segments and tags one sentence: returns a list of (word, tag), words may contain spaces or '_'."""

    name = ""

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:  # pragma: no cover
        raise NotImplementedError


class PyviBackend(Backend):
    name = "pyvi"

    def __init__(self) -> None:
        require("pyvi", "the pyvi token backend")
        from pyvi import ViPosTagger, ViTokenizer
        self._tokenize = ViTokenizer.tokenize
        self._tag = ViPosTagger.postagging

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        words, tags = self._tag(self._tokenize(sentence))
        return list(zip(words, tags))


class UnderthesesBackend(Backend):
    name = "underthesea"

    def __init__(self) -> None:
        self._pos_tag = require("underthesea", "the underthesea token backend").pos_tag

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(w, t) for w, t in self._pos_tag(sentence)]


class SyllableBackend(Backend):
    name = "syllables"

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(m.group(), None) for m in SYLLABLE.finditer(sentence)]
