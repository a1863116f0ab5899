"""spaCy interoperability: our documents as ``spacy.tokens.Doc`` and back, and a spaCy component.

``to_spacy(doc)`` builds a ``Doc`` whose text is exactly ``doc.text``, with our tokens
(POS in ``token.tag_``), our sentences, ``doc.ents`` (the outermost entities: non-overlapping,
longest first) and every entity in ``doc.spans["vnextract"]``. A span's ``kb_id_`` holds
its main attribute (``canonical``, ``value`` for DATE, ``area`` for REFORM_AREA); all
attributes and the exact character offsets are available as extension attributes::

    span._.vnx_attrs      # {"canonical": ..., "title": ..., ...}
    span._.vnx_start, span._.vnx_end   # exact offsets (a span may cover more tokens than the entity)
    span._.vnx_canonical, span._.vnx_title, span._.vnx_org, span._.vnx_value, span._.vnx_area

``from_spacy(sdoc)`` turns such a ``Doc`` (also one read back from a ``DocBin`` saved with
``store_user_data=True``) into a ``Document`` again; the round trip is exact.

The component: ``nlp = spacy.blank("vi"); nlp.add_pipe("vnextract")`` runs our pipeline on
each text and sets the same ``doc.ents`` and ``doc.spans["vnextract"]``, with offsets in the
text spaCy was given (the normalized text may differ from it; spans are mapped back).
Importing this module registers the factory; the ``spacy_factories`` entry point of the
package does it too, so ``add_pipe("vnextract")`` works without an import.
"""
from __future__ import annotations

import bisect
from typing import Any, Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.base import Pipeline
from pipeline.document import Document
from pipeline.formats.record import (CORE_KEYS, as_record, document_from_record, entity_attrs, entity_order,
                                     token_pieces, with_required)
from pipeline.resources import shared
from pipeline.spans import outermost

SPANS_KEY = "vnextract"
USER_DATA_KEY = "vnextract"
_ID_PREFIX = "vnx-"
_KB_ATTR = {"DATE": "value", "REFORM_AREA": "area"}  # every other label: canonical
_ATTR_NAMES = ("canonical", "title", "org", "value", "area")


# -- helpers over the JSON shape ---------------------------------------------------------

def _untuple(value: Any) -> Any:
    """msgpack (DocBin user data) turns lists into tuples; give JSON values back."""
    if isinstance(value, (list, tuple)):
        return [_untuple(v) for v in value]
    if isinstance(value, dict):
        return {k: _untuple(v) for k, v in value.items()}
    return value


def kb_string(label: str, attrs: dict) -> str:
    """The string put into ``span.kb_id_``: the entity's main attribute, "" when it has none."""
    value = attrs.get(_KB_ATTR.get(label, "canonical"))
    if isinstance(value, dict):  # a structured canonical (places): its name
        value = value.get("name") or value.get("unit")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value if isinstance(value, str) else ""


# -- extension attributes ---------------------------------------------------------------

def _info(doc: Doc) -> dict | None:
    info = doc.user_data.get(USER_DATA_KEY)
    return info if isinstance(info, dict) else None


def span_record(span: Span) -> dict | None:
    """The entity record (exact offsets, all attributes) behind a span, or None for a foreign span."""
    info = _info(span.doc)
    if not info:
        return None
    ents = info.get("entities") or ()
    sid = span.id_
    if sid.startswith(_ID_PREFIX):
        try:
            rec = ents[int(sid[len(_ID_PREFIX):])]
        except (ValueError, IndexError):
            rec = None
        if rec is not None and rec["label"] == span.label_:
            return _untuple(rec)
    for rec in ents:  # a span made elsewhere over the same characters
        if rec["label"] == span.label_ and rec["start"] == span.start_char and rec["end"] == span.end_char:
            return _untuple(rec)
    return None


def _span_attrs(span: Span) -> dict:
    rec = span_record(span)
    if rec is not None:
        return entity_attrs(rec)
    attrs = {}
    if span.kb_id_:
        attrs[_KB_ATTR.get(span.label_, "canonical")] = span.kb_id_
    return attrs


def _register_extensions() -> None:
    Span.set_extension("vnx_attrs", getter=_span_attrs, force=True)
    Span.set_extension("vnx_start", getter=lambda s: (span_record(s) or {}).get("start", s.start_char), force=True)
    Span.set_extension("vnx_end", getter=lambda s: (span_record(s) or {}).get("end", s.end_char), force=True)
    for name in _ATTR_NAMES:
        Span.set_extension(f"vnx_{name}", getter=lambda s, n=name: _span_attrs(s).get(n), force=True)
    Doc.set_extension("vnx_id", getter=lambda d: (_info(d) or {}).get("id"), force=True)
    Doc.set_extension("vnx_meta", getter=lambda d: _untuple((_info(d) or {}).get("meta") or {}), force=True)
    Token.set_extension("vnx_added", getter=lambda t: t.i in set((_info(t.doc) or {}).get("added") or ()),
                        force=True)


_register_extensions()


# -- Document -> Doc ----------------------------------------------------------------------

@shared
def default_vocab():
    """A Vietnamese vocabulary (without loading spaCy's pyvi tokenizer)."""
    from spacy.util import get_lang_class
    from spacy.vocab import create_vocab
    return create_vocab("vi", get_lang_class("vi").Defaults)


def _set_entities(sdoc: Doc, entities: list[dict]) -> None:
    """Put entity records (offsets into sdoc.text) into spans[SPANS_KEY] and doc.ents."""
    spans = []
    for i, ent in enumerate(entities):
        span = sdoc.char_span(ent["start"], ent["end"], label=ent["label"],
                              kb_id=kb_string(ent["label"], entity_attrs(ent)),
                              span_id=f"{_ID_PREFIX}{i}", alignment_mode="expand")
        if span is None:  # only whitespace tokens under it: cannot be a span
            continue
        spans.append((ent, span))
    sdoc.spans[SPANS_KEY] = [s for _, s in spans]
    # in the order of the format, so that of two entities over the same characters the first label wins
    outer = {id(e) for e in outermost(sorted((e for e, _ in spans), key=entity_order))}
    # two outermost entities may still share a token (a span covers whole tokens): the longer
    # token span wins (of two as long, the earlier one; of two equal, the first entity)
    sdoc.set_ents(outermost([s for e, s in spans if id(e) in outer]), default="outside")


def to_spacy(item: Document | dict, vocab=None, split_tokens: bool = False) -> Doc:
    """A spaCy ``Doc`` of an annotated document (a ``Document`` or a record of the output format).

    The Doc's text equals ``doc.text``; its tokens are ours (characters no token covers
    become extra tokens, flagged ``token._.vnx_added``). With ``split_tokens``, tokens are
    also split where an entity starts or ends inside them, so every span is exact.
    """
    rec = as_record(item)
    text = rec["text"]
    entities = [dict(e) for e in rec.get("entities") or ()]
    cuts = [x for e in entities for x in (e["start"], e["end"])] if split_tokens else ()
    has_tokens = bool(rec.get("tokens"))
    pieces = token_pieces(text, rec.get("tokens") or (), cuts)

    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str | None] = []
    added: list[int] = []
    starts: list[int] = []
    i = 0
    while i < len(pieces):
        s, e, tag, ours = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        # a single space after a token is its trailing space, not a token of its own
        trailing = (nxt is not None and not nxt[3] and text[nxt[0]:nxt[1]] == " "
                    and not text[s:e].isspace())
        if not ours or not has_tokens:
            added.append(len(words))
        words.append(text[s:e])
        spaces.append(trailing)
        tags.append(tag)
        starts.append(s)
        i += 2 if trailing else 1
    if not has_tokens:
        added = list(range(len(words)))

    sentences = [(s["start"], s["end"]) for s in rec.get("sentences") or ()]
    sent_starts = None
    if sentences and words:
        sent_starts = [False] * len(words)
        for s, _ in sentences:
            j = bisect.bisect_left(starts, s)
            while j < len(words) and words[j].isspace():
                j += 1
            if j < len(words):
                sent_starts[j] = True
        sent_starts[0] = True

    sdoc = Doc(vocab or default_vocab(), words=words, spaces=spaces, sent_starts=sent_starts)
    if sdoc.text != text:  # pragma: no cover - token_pieces tiles the text by construction
        raise ValueError(f"document {rec.get('id')!r}: tokens do not cover the text")
    for tok, tag in zip(sdoc, tags):
        if tag:
            tok.tag_ = tag
    layers = {k: v for k, v in rec.items() if k not in CORE_KEYS}
    sdoc.user_data[USER_DATA_KEY] = {
        "id": rec.get("id"), "meta": rec.get("meta") or {}, "entities": entities,
        "sentences": [{"start": s, "end": e} for s, e in sentences], "layers": layers,
        "normalized": bool(rec.get("normalized")), "has_tokens": has_tokens, "added": added,
    }
    _set_entities(sdoc, entities)
    return sdoc


# -- Doc -> Document ----------------------------------------------------------------------

def record_from_spacy(sdoc: Doc) -> dict:
    """The output-format record of a spaCy Doc (made by ``to_spacy``, the component, or elsewhere).

    Entities come from ``doc.spans["vnextract"]`` (else ``doc.ents``): a span made by us
    keeps its exact offsets and attributes; another span gets its character offsets and
    its ``kb_id_`` as the main attribute.
    """
    info = _untuple(_info(sdoc) or {})
    text = sdoc.text
    added = set(info.get("added") or ())
    if info and not info.get("has_tokens", True):
        tokens = []
    else:
        tokens = [{"start": t.idx, "end": t.idx + len(t.text), "pos": t.tag_ or None}
                  for t in sdoc if t.i not in added and not (not info and t.is_space)]
    if info.get("sentences") is not None and info:
        sentences = info["sentences"]
    elif sdoc.has_annotation("SENT_START"):
        sentences = []
        for sent in sdoc.sents:
            s, e = sent.start_char, sent.end_char
            while e > s and text[e - 1].isspace():
                e -= 1
            while s < e and text[s].isspace():
                s += 1
            if e > s:
                sentences.append({"start": s, "end": e})
    else:
        sentences = []
    spans = sdoc.spans[SPANS_KEY] if SPANS_KEY in sdoc.spans else sdoc.ents
    entities = []
    for span in spans:
        rec = span_record(span)
        if rec is None:
            attrs = with_required(span.label_, _span_attrs(span))
            rec = {"label": span.label_, "start": span.start_char, "end": span.end_char,
                   "text": span.text, **attrs}
        entities.append(dict(rec))
    entities.sort(key=entity_order)
    out = {"id": info.get("id"), "text": text, "meta": info.get("meta") or {},
           "sentences": sentences, "tokens": tokens, "entities": entities}
    for name in sorted(info.get("layers") or {}):
        out[name] = info["layers"][name]
    if info.get("normalized"):
        out["normalized"] = True
    return out


def from_spacy(sdoc: Doc) -> Document:
    """A ``Document`` from a spaCy Doc (the inverse of ``to_spacy``)."""
    return document_from_record(record_from_spacy(sdoc))


# -- the spaCy component ------------------------------------------------------------------

class VnextractComponent:
    """Runs the vnextract pipeline on ``doc.text`` and sets ``doc.ents`` and ``doc.spans["vnextract"]``.

    Publication date and other metadata (the anchor of relative dates) can be given per
    document in ``doc.user_data["vnextract_meta"]`` before the component runs.
    """

    def __init__(self, nlp: Language, name: str = "vnextract", stages: list[str] | None = None,
                 config: dict | None = None, set_sents: bool = False) -> None:
        self.name = name
        self.pipeline = Pipeline(stages, config=config or {})
        self.set_sents = set_sents

    def __call__(self, sdoc: Doc) -> Doc:
        meta = sdoc.user_data.get("vnextract_meta") or {}
        ours = self.pipeline(Document(sdoc.text, meta=dict(meta)))
        entities = []
        for ent in ours.to_json()["entities"]:
            s, e = ours.to_original(ent["start"], ent["end"])
            if e <= s:
                continue
            entities.append({**ent, "start": s, "end": e, "text": sdoc.text[s:e]})
        entities.sort(key=entity_order)
        sentences = []
        for sent in ours.sentences:
            s, e = ours.to_original(sent.start, sent.end)
            if e > s:
                sentences.append({"start": s, "end": e})
        sdoc.user_data[USER_DATA_KEY] = {
            "id": None, "meta": dict(meta), "entities": entities, "sentences": sentences,
            "layers": {}, "normalized": False, "has_tokens": True,
            "added": [t.i for t in sdoc if t.is_space],
        }
        _set_entities(sdoc, entities)
        if self.set_sents and sentences and not sdoc.has_annotation("DEP"):
            starts = {s["start"] for s in sentences}
            for tok in sdoc:
                tok.is_sent_start = tok.i == 0 or tok.idx in starts
        return sdoc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32):
        for sdoc in docs:
            yield self(sdoc)


@Language.factory("vnextract", default_config={"stages": None, "config": {}, "set_sents": False},
                  assigns=["doc.ents", "doc.spans"])
def make_component(nlp: Language, name: str, stages: list[str] | None, config: dict,
                   set_sents: bool) -> VnextractComponent:
    """spaCy factory of the ``vnextract`` component (``nlp.add_pipe("vnextract")``)."""
    return VnextractComponent(nlp, name, stages=stages, config=config, set_sents=set_sents)
