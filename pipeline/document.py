"""The document model: a text with stand-off layers addressed by character offsets.

Every span (sentence, token, entity) is a pair of Python ``str`` indices into
``Document.text`` (end exclusive). ``Document.validate()`` checks that each one
is inside the text and that entities carry exactly ``text[start:end]``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from pipeline.docdate import check_published


class InvalidDocument(ValueError):
    """A document that cannot be processed (no text, wrong type, broken offsets)."""


def span_problem(text: str, start: Any, end: Any, surface: str | None = None, empty: bool = True) -> str | None:
    """Why ``start:end`` breaks the offset invariant of ``text``, or None: the offsets must be whole
    numbers inside the text (``empty``: may a span be empty?), and ``surface``, when given, must be
    exactly ``text[start:end]``. The one check behind ``Document.validate``, ``vnextract validate``
    and the importers."""
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return f"span {start!r}:{end!r} is not a pair of offsets"
    if not (0 <= start <= end <= len(text)) or (start == end and not empty):
        return f"span {start}:{end} outside text of length {len(text)}"
    if surface is not None and text[start:end] != surface:
        return f"text {surface!r} does not match text[{start}:{end}] {text[start:end]!r}"
    return None


@dataclass(slots=True)
class Span:
    """A plain region of the text (a sentence, a paragraph)."""

    start: int
    end: int

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end}


@dataclass(slots=True)
class Token:
    """A word (possibly several syllables) with its part-of-speech tag."""

    start: int
    end: int
    pos: str | None = None

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "pos": self.pos}


@dataclass(slots=True)
class Entity:
    """A labelled span. ``attrs`` holds label-specific attributes (canonical, title, org, value, area...)."""

    label: str
    start: int
    end: int
    text: str
    attrs: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # which stage proposed it (rules, model, ...)

    def to_json(self) -> dict:
        out = {"label": self.label, "start": self.start, "end": self.end, "text": self.text}
        out.update(self.attrs)
        return out


class OffsetMap:
    """Maps offsets in a normalized text back to the string the user gave.

    The normalized text is built from pieces: runs copied unchanged from the
    input, and replacements (a decoded HTML entity, a composed character, a
    dropped control character). ``pieces`` holds ``(out_start, orig_start,
    orig_end, copied)`` sorted by ``out_start``.
    """

    __slots__ = ("_out_starts", "_pieces", "out_len", "orig_len")

    def __init__(self, pieces: list[tuple[int, int, int, bool]], out_len: int, orig_len: int):
        self._pieces = pieces
        self._out_starts = [p[0] for p in pieces]
        self.out_len = out_len
        self.orig_len = orig_len

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Return the ``(start, end)`` in the original string covering ``text[start:end]``."""
        if not 0 <= start <= end <= self.out_len:
            raise ValueError(f"span {start}:{end} outside text of length {self.out_len}")
        return self._point(start, is_end=False), self._point(end, is_end=True)

    def _point(self, pos: int, is_end: bool) -> int:
        pieces = self._pieces
        if not pieces:
            return 0 if pos == 0 else self.orig_len
        if pos >= self.out_len:
            return pieces[-1][2] if is_end else self.orig_len
        i = bisect.bisect_right(self._out_starts, pos) - 1
        out_start, orig_start, orig_end, copied = pieces[i]
        if pos == out_start:
            # an end at a piece boundary ends where the previous piece ended in the input
            return pieces[i - 1][2] if is_end and i > 0 else orig_start
        if copied:
            return orig_start + (pos - out_start)
        return orig_end if is_end else orig_start


class Document:
    """One text with its metadata and annotation layers.

    ``text`` is the text all offsets refer to (after the ``normalize`` stage,
    the normalized text). ``original`` keeps the input string and
    ``offset_map`` maps spans back into it when normalization changed the text.

    ``warnings`` lists what was wrong with the input but did not stop processing (a
    ``meta.published`` that is not a date, so it counts as unknown): one message each, added by
    ``warn`` when a stage meets it; the runtime reports them. They are not part of ``to_json``.
    """

    def __init__(self, text: str, id: str | None = None, meta: dict | None = None):
        if not isinstance(text, str):
            raise InvalidDocument(f"document {id!r}: text must be a string, got {type(text).__name__}")
        self.id = id
        self.text = text
        self.meta: dict = dict(meta or {})
        self.original: str = text
        self.offset_map: OffsetMap | None = None
        self.sentences: list[Span] = []
        self.tokens: list[Token] = []
        self.entities: list[Entity] = []
        # extra layers added by stages: name -> list of JSON-ready dicts
        self.layers: dict[str, list] = {}
        self.done: set[str] = set()  # names of the stages that ran
        # values derived from the document that several stages use (its date): computed once, never output
        self.derived: dict = {}
        self.warnings: list[str] = []  # problems with the input that did not stop processing (not output)

    @classmethod
    def from_dict(cls, record: dict) -> "Document":
        """Build a document from ``{"id", "text", "meta"}`` (extra keys are ignored)."""
        if not isinstance(record, dict):
            raise InvalidDocument(f"expected a JSON object, got {type(record).__name__}")
        doc_id = record.get("id")
        if "text" not in record or record["text"] is None:
            raise InvalidDocument(f"document {doc_id!r} has no text")
        meta = record.get("meta") or {}
        if not isinstance(meta, dict):
            raise InvalidDocument(f"document {doc_id!r}: meta must be an object")
        # a flat record (id, title, text, published) is accepted too
        for key in ("published", "title", "url"):
            if key in record and key not in meta:
                meta[key] = record[key]
        return cls(record["text"], id=None if doc_id is None else str(doc_id), meta=meta)

    def warn(self, message: str) -> None:
        """Record a problem with this document's input that does not stop processing (once per message)."""
        if message not in self.warnings:
            self.warnings.append(message)

    # -- entities ---------------------------------------------------------
    def add_entity(self, label: str, start: int, end: int, source: str | None = None,
                   **attrs: Any) -> Entity:
        """Add an entity over ``text[start:end]``; its text is taken from the document."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"entity {label} {start}:{end} outside text of length {len(self.text)}")
        ent = Entity(label, start, end, self.text[start:end], attrs, source)
        self.entities.append(ent)
        return ent

    def entities_of(self, *labels: str) -> list[Entity]:
        return [e for e in self.entities if e.label in labels]

    def sorted_entities(self) -> list[Entity]:
        """Entities by start, longer first, then label (the order of the output format)."""
        return sorted(self.entities, key=lambda e: (e.start, -e.end, e.label))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the input string the document was made from.

        Raises ValueError when ``start:end`` is not a span of ``text`` (whether or not normalization
        changed the text)."""
        problem = span_problem(self.text, start, end)
        if problem:
            raise ValueError(f"document {self.id!r}: {problem}")
        if self.offset_map is None:
            return start, end
        return self.offset_map.to_original(start, end)

    # -- checks and output --------------------------------------------------
    def validate(self) -> None:
        """Raise InvalidDocument if any span is outside the text or an entity's text is wrong."""
        text = self.text
        for layer_name, spans in (("sentences", self.sentences), ("tokens", self.tokens)):
            for s in spans:
                problem = span_problem(text, s.start, s.end)
                if problem:
                    raise InvalidDocument(f"document {self.id!r}: {layer_name}: {problem}")
        for e in self.entities:
            problem = span_problem(text, e.start, e.end, e.text, empty=False)
            if problem:
                raise InvalidDocument(f"document {self.id!r}: entity {e.label}: {problem}")
        for name, items in self.layers.items():
            for item in items:
                if isinstance(item, dict) and "start" in item and "end" in item:
                    problem = span_problem(text, item["start"], item["end"], item.get("text"))
                    if problem:
                        raise InvalidDocument(f"document {self.id!r}: {name}: {problem}")

    def to_json(self) -> dict:
        """The output object of the annotation format (../shared/spec/annotation-format.md)."""
        return {key: [x.to_json() for x in value] if objects else value
                for key, (value, objects) in self.json_fields().items()}

    def json_fields(self) -> dict[str, tuple[Any, bool]]:
        """The fields of :meth:`to_json` in their order, each as ``(value, objects)``: when ``objects``
        is true the value is a list of Sentence/Token/Entity objects whose ``to_json()`` is the output,
        so that a writer can turn a long list into JSON a slice at a time (``pipeline.runtime.readers.
        document_line``) instead of holding a dict per token."""
        out: dict[str, tuple[Any, bool]] = {"id": (self.id, False), "text": (self.text, False),
                                            "meta": (self._output_meta(), False),
                                            "sentences": (self.sentences, True), "tokens": (self.tokens, True),
                                            "entities": (self.sorted_entities(), True)}
        for name in sorted(self.layers):
            out[name] = (self.layers[name], False)
        if self.offset_map is not None:
            out["normalized"] = (True, False)
        return out

    def _output_meta(self) -> dict:
        """``meta`` as the format allows it: ``published`` is an ISO date or null. A value that is not
        (see ``pipeline.docdate.check_published``) is written as null and kept in ``published_invalid``."""
        meta = self.meta
        if "published" in meta:
            value = meta["published"]
            day, problem = check_published(value)
            if problem:
                return {**meta, "published": None, "published_invalid": value}
            if day is None and value is not None:  # blank: no date
                return {**meta, "published": None}
            if day is not None and not isinstance(value, str):  # a date object given through the API
                return {**meta, "published": day.isoformat()}
        return meta

    def __repr__(self) -> str:
        return (f"Document(id={self.id!r}, chars={len(self.text)}, sentences={len(self.sentences)}, "
                f"tokens={len(self.tokens)}, entities={len(self.entities)})")

    def _repr_html_(self) -> str:
        """Entities drawn inline in a notebook (spaCy displaCy, outermost entities)."""
        from pipeline.extras import require
        displacy = require("spacy.displacy", "drawing entities in a notebook")

        from pipeline.spans import outermost
        ents = [{"start": e.start, "end": e.end, "label": e.label} for e in outermost(self.sorted_entities())]
        return displacy.render({"text": self.text, "ents": ents, "title": self.id}, style="ent",
                               manual=True, jupyter=False)
