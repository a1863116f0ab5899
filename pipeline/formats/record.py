"""The record model shared by every format: labels, attributes, reading and writing annotated JSONL.

A record is one annotated document of the output format (``../shared/spec/annotation-format.md``):
a dict with ``id``, ``text``, ``meta``, ``sentences``, ``tokens`` and ``entities`` (``label``,
``start``, ``end``, ``text`` and attributes such as ``canonical``, ``title``, ``org``, ``value``,
``area``). Imports give such records back (``assemble_record``): entities in the order of the
format (``entity_order``: by start, longer first), each with the attributes its label requires
(``with_required``; ``None`` when the annotator gave none).

``token_pieces`` tiles a text with our tokens plus the characters no token covers; the CoNLL
export and spaCy ``Doc`` construction both build on it.
"""
from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.document import Document, Entity, OffsetMap, Span, Token, span_problem
from pipeline.resources import shared
from pipeline.runtime.readers import InputError, dumps
from pipeline.schema import layer_problems, schema

# the labels of the format (the first five are scored); other labels found in the data are kept too
LABELS = ("MINISTRY", "OFFICIAL", "DATE", "PLACE", "REFORM_AREA", "ORG", "PERSON", "LOCATION")
REQUIRED_ATTRS = {"MINISTRY": ("canonical",), "OFFICIAL": ("title", "org"), "DATE": ("value",),
                  "REFORM_AREA": ("area",)}
# the keys of a record that are not extra layers
CORE_KEYS = ("id", "text", "meta", "sentences", "tokens", "entities", "normalized")
# the keys of an entity record that are not attributes
ENTITY_KEYS = ("label", "start", "end", "text")
LABEL_COLORS = {"MINISTRY": "#f4a261", "OFFICIAL": "#e76f51", "DATE": "#8ecae6", "PLACE": "#90be6d",
                "REFORM_AREA": "#c77dff", "ORG": "#ffd166", "PERSON": "#ef476f",
                "LOCATION": "#43aa8b"}

ErrorHandler = Callable[[InputError], None]
_PIECE = re.compile(r"\s+|\w+|[^\w\s]")


@shared
def reform_areas() -> tuple[str, ...]:
    """The values of ``REFORM_AREA.area``, as the output schema lists them."""
    return tuple(schema()["$defs"]["entity"]["properties"]["area"]["enum"])


def raise_error(err: InputError) -> None:
    """The default ``on_error`` of readers: stop at the first bad input."""
    raise ValueError(str(err))


def entity_attrs(ent: dict) -> dict:
    """The attributes of an entity record (every key but label, start, end, text)."""
    return {k: v for k, v in ent.items() if k not in ENTITY_KEYS}


def entity_order(e: dict) -> tuple:
    """The sort key of entities in a record: by start, longer first, then by label."""
    return (e["start"], -e["end"], e["label"])


def with_required(label: str, attrs: dict) -> dict:
    """``attrs`` with every attribute the format requires for ``label`` (``None`` when missing)."""
    for name in REQUIRED_ATTRS.get(label, ()):
        attrs.setdefault(name, None)
    return attrs


def as_record(item: Document | dict) -> dict:
    """The output-format record of a ``Document`` (a record is returned as it is)."""
    if isinstance(item, Document):
        return item.to_json()
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item
    raise TypeError(f"expected a Document or an annotated record, got {type(item).__name__}")


def assemble_record(doc_id: Any, text: str, meta: dict | None, entities: list[dict],
                    layers: dict | None = None) -> dict:
    """A record in the order of ``Document.to_json`` (entities sorted by ``entity_order``)."""
    layers = dict(layers or {})
    out = {"id": doc_id, "text": text, "meta": meta or {},
           "sentences": layers.pop("sentences", []) or [], "tokens": layers.pop("tokens", []) or [],
           "entities": sorted(entities, key=entity_order)}
    normalized = layers.pop("normalized", False)
    for name in sorted(layers):
        out[name] = layers[name]
    if normalized:
        out["normalized"] = True
    return out


def document_from_record(rec: dict) -> Document:
    """A ``Document`` with the layers and entities of an annotated record.

    The input string before normalization is not part of the format: ``doc.original``
    is the record's text (a record marked ``normalized`` keeps that mark).
    """
    doc = Document(rec["text"], id=rec.get("id"), meta=rec.get("meta") or {})
    doc.sentences = [Span(s["start"], s["end"]) for s in rec.get("sentences") or ()]
    doc.tokens = [Token(t["start"], t["end"], t.get("pos")) for t in rec.get("tokens") or ()]
    for e in rec.get("entities") or ():
        doc.entities.append(Entity(e["label"], e["start"], e["end"], doc.text[e["start"]:e["end"]],
                                   entity_attrs(e)))
    for name, value in rec.items():
        if name not in CORE_KEYS and isinstance(value, list):
            doc.layers[name] = value
    if rec.get("normalized"):
        n = len(doc.text)
        doc.offset_map = OffsetMap([(0, 0, n, True)], n, n)
    return doc


def layer_problem(text: str, name: str, items: Any) -> str | None:
    """Why a layer of a record (``sentences``, ``tokens`` or an extra layer) breaks the offsets of
    ``text``, or None (``pipeline.schema.layer_problems``; sentences and tokens must be spans)."""
    if name == "normalized":
        return None
    if name in ("sentences", "tokens"):
        if items is None:
            return None
        if not isinstance(items, list):
            return f"{name} must be a list, got {type(items).__name__}"
        for i, item in enumerate(items):
            problem = (span_problem(text, item.get("start"), item.get("end")) if isinstance(item, dict)
                       else f"not a span: {item!r:.40}")
            if problem:
                return f"{name}/{i}: {problem}"
        return None
    return next(layer_problems(text, name, items, check_schema=True), None)


def check_record(rec: Any) -> str | None:
    """Why a parsed JSON value is not an annotated document we can export, or None."""
    if not isinstance(rec, dict):
        return f"expected a JSON object, got {type(rec).__name__}"
    text = rec.get("text")
    if not isinstance(text, str):
        return "record has no text"
    ents = rec.get("entities", [])
    if not isinstance(ents, list):
        return "entities must be a list"
    for name in ("sentences", "tokens"):
        problem = layer_problem(text, name, rec.get(name))
        if problem:
            return problem
    for i, e in enumerate(ents):
        if not isinstance(e, dict) or not isinstance(e.get("label"), str):
            return f"entity {i} has no label"
        problem = span_problem(text, e.get("start"), e.get("end"), e.get("text"), empty=False)
        if problem:
            return f"entity {i}: {problem}"
    return None


def read_annotated(paths: Iterable[str | Path], on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Annotated records from JSONL files, one per line. A bad line goes to ``on_error`` (default: raise)."""
    on_error = on_error or raise_error
    for path in paths:
        path = Path(path)
        try:
            f = path.open("rb")
        except OSError as exc:
            on_error(InputError(str(path), None, None, f"cannot read file: {exc.strerror}"))
            continue
        with f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    on_error(InputError(str(path), n, None, f"not an annotated JSON line: {exc}"))
                    continue
                except RecursionError:
                    on_error(InputError(str(path), n, None, "not an annotated JSON line: nested too deeply"))
                    continue
                problem = check_record(rec)
                if problem:
                    doc_id = rec.get("id") if isinstance(rec, dict) else None
                    on_error(InputError(str(path), n, doc_id, problem))
                    continue
                for e in rec.get("entities") or ():
                    e.setdefault("text", rec["text"][e["start"]:e["end"]])
                yield rec


def write_jsonl(records: Iterable[dict], path: str | Path) -> int:
    """Write records as JSONL; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(dumps(rec) + "\n")
            n += 1
    return n


def token_pieces(text: str, tokens: Iterable[dict], cuts: Iterable[int] = ()) -> list[tuple[int, int, Any, bool]]:
    """Cover ``text`` with pieces ``(start, end, pos, ours)``: our tokens plus the rest.

    Characters no token covers become pieces of their own (whitespace runs, words,
    punctuation; ``ours`` False), so that the pieces tile the text exactly. Tokens are
    split at the offsets in ``cuts`` (entity boundaries) when one falls inside them.
    """
    spans = sorted((t["start"], t["end"], t.get("pos")) for t in tokens if t["end"] > t["start"])
    pieces: list[tuple[int, int, Any, bool]] = []
    pos = 0

    def fill(a: int, b: int) -> None:
        for m in _PIECE.finditer(text, a, b):
            pieces.append((m.start(), m.end(), None, False))

    for s, e, tag in spans:
        if s < pos:  # overlapping token (should not happen): keep what is left of it
            s = pos
            if s >= e:
                continue
        if s > pos:
            fill(pos, s)
        pieces.append((s, e, tag, True))
        pos = e
    fill(pos, len(text))
    cut_set = sorted(set(cuts))
    if cut_set:
        split: list[tuple[int, int, Any, bool]] = []
        for s, e, tag, ours in pieces:
            i = bisect.bisect_right(cut_set, s)
            if i >= len(cut_set) or cut_set[i] >= e:
                split.append((s, e, tag, ours))
                continue
            bounds = [s] + [c for c in cut_set[i:] if c < e] + [e]
            for a, b in zip(bounds, bounds[1:]):
                # a cut next to a space inside a word leaves the space outside both parts
                core = text[a:b]
                lead = len(core) - len(core.lstrip())
                trail = len(core) - len(core.rstrip())
                if lead:
                    split.append((a, a + lead, None, False))
                if b - trail > a + lead:
                    split.append((a + lead, b - trail, tag, ours))
                if trail and b - trail > a + lead:
                    split.append((b - trail, b, None, False))
        pieces = split
    return pieces
