"""Exports of annotated documents to other tools, and imports of their annotations back.

=============  ===================================================================  ========
format         what is written                                                      import
=============  ===================================================================  ========
``conll``      token-per-line BIO of the outermost entities (CoNLL-2003 columns:     yes (*)
               token, POS, tag; ``-DOCSTART-`` between documents, a blank line
               between sentences; the spaces inside a word become ``_``)
``spacy``      a spaCy ``DocBin`` (``DocBin().from_disk()``), see ``spacy_interop``  yes
``labelstudio`` Label Studio tasks (``data.text``, ``annotations[].result``) and a   yes
               labeling config for our labels and attributes
``brat``       brat standoff: ``ID.txt`` + ``ID.ann`` per document, ``annotation.conf``  yes
=============  ===================================================================  ========

(*) CoNLL keeps tokens, not the text: an imported document's text is its tokens joined
by spaces, so entity labels and surfaces survive, offsets do not.

Everything here works on records of the output format
(``../shared/spec/annotation-format.md``): dicts with ``id``, ``text``, ``meta``,
``sentences``, ``tokens`` and ``entities`` (``label``, ``start``, ``end``, ``text`` and
attributes such as ``canonical``, ``title``, ``org``, ``value``, ``area``). Imports give
such records back, entities sorted by start (longer first), each with the attributes
the format requires for its label (``None`` when the annotator gave none).
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.document import Document, Entity, OffsetMap, Span, Token
from pipeline.runtime.readers import InputError, dumps

# the labels of the format (the first five are scored); other labels found in the data are kept too
LABELS = ("MINISTRY", "OFFICIAL", "DATE", "PLACE", "REFORM_AREA", "ORG", "PERSON", "LOCATION")
REQUIRED_ATTRS = {"MINISTRY": ("canonical",), "OFFICIAL": ("title", "org"), "DATE": ("value",),
                  "REFORM_AREA": ("area",)}
# per-region free-text fields of the Label Studio config
TEXT_ATTRS = ("canonical", "title", "org", "value")
_CORE_KEYS = ("id", "text", "meta", "sentences", "tokens", "entities", "normalized")
_ENTITY_KEYS = ("label", "start", "end", "text")
LABEL_COLORS = {"MINISTRY": "#f4a261", "OFFICIAL": "#e76f51", "DATE": "#8ecae6", "PLACE": "#90be6d",
                "REFORM_AREA": "#c77dff", "ORG": "#ffd166", "PERSON": "#ef476f",
                "LOCATION": "#43aa8b"}

ErrorHandler = Callable[[InputError], None]
_PIECE = re.compile(r"\s+|\w+|[^\w\s]")


@lru_cache(maxsize=1)
def reform_areas() -> tuple[str, ...]:
    """The values of ``REFORM_AREA.area``, as the output schema lists them."""
    from pipeline.schema import schema
    return tuple(schema()["$defs"]["entity"]["properties"]["area"]["enum"])


def _raise(err: InputError) -> None:
    raise ValueError(str(err))


def entity_attrs(ent: dict) -> dict:
    """The attributes of an entity record (every key but label, start, end, text)."""
    return {k: v for k, v in ent.items() if k not in _ENTITY_KEYS}


def _entity_key(e: dict) -> tuple:
    return (e["start"], -e["end"], e["label"])


def _with_required(label: str, attrs: dict) -> dict:
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


def _assemble(doc_id: Any, text: str, meta: dict | None, entities: list[dict],
              layers: dict | None = None) -> dict:
    """A record in the order of ``Document.to_json``."""
    layers = dict(layers or {})
    out = {"id": doc_id, "text": text, "meta": meta or {},
           "sentences": layers.pop("sentences", []) or [], "tokens": layers.pop("tokens", []) or [],
           "entities": sorted(entities, key=_entity_key)}
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
        if name not in _CORE_KEYS and isinstance(value, list):
            doc.layers[name] = value
    if rec.get("normalized"):
        n = len(doc.text)
        doc.offset_map = OffsetMap([(0, 0, n, True)], n, n)
    return doc


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
    for i, e in enumerate(ents):
        if not isinstance(e, dict) or not isinstance(e.get("label"), str):
            return f"entity {i} has no label"
        s, t = e.get("start"), e.get("end")
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= len(text)):
            return f"entity {i} has a span {s}:{t} outside the text"
        if "text" in e and text[s:t] != e["text"]:
            return f"entity {i} text {e['text']!r} does not match text[{s}:{t}] {text[s:t]!r}"
    return None


def read_annotated(paths: Iterable[str | Path], on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Annotated records from JSONL files, one per line. A bad line goes to ``on_error`` (default: raise)."""
    on_error = on_error or _raise
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


def outermost(entities: Iterable[dict]) -> list[dict]:
    """Non-overlapping entities, longest first (ties: the earlier one), returned by start."""
    chosen: list[dict] = []
    taken: list[tuple[int, int]] = []
    for ent in sorted(entities, key=lambda e: (-(e["end"] - e["start"]), e["start"], e["label"])):
        s, e = ent["start"], ent["end"]
        if all(e <= ts or s >= te for ts, te in taken):
            chosen.append(ent)
            taken.append((s, e))
    return sorted(chosen, key=lambda e: (e["start"], -e["end"], e["label"]))


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


# -- CoNLL ---------------------------------------------------------------------------------

DOCSTART = "-DOCSTART- -X- O O"
_WS = re.compile(r"\s")


def conll_lines(item: Document | dict) -> Iterator[str]:
    """The CoNLL lines of one document (starting with the ``-DOCSTART-`` line).

    Tokens are ours, split where an entity starts or ends inside one; whitespace inside
    a token becomes ``_``. Tags are BIO over the outermost entities.
    """
    rec = as_record(item)
    text = rec["text"]
    ents = outermost(rec.get("entities") or ())
    cuts = [x for e in ents for x in (e["start"], e["end"])]
    pieces = [p for p in token_pieces(text, rec.get("tokens") or (), cuts) if not text[p[0]:p[1]].isspace()]
    sent_starts = sorted(s["start"] for s in rec.get("sentences") or ())
    ent_starts = [e["start"] for e in ents]
    yield DOCSTART
    yield ""
    prev_sent = prev_end = None
    prev_ent = None
    for s, e, pos, _ in pieces:
        j = bisect.bisect_right(ent_starts, s) - 1
        ent = ents[j] if j >= 0 and ents[j]["end"] >= e else None
        if prev_end is not None and (ent is None or ent is not prev_ent):  # never break inside an entity
            if sent_starts:
                new_sentence = bisect.bisect_right(sent_starts, s) != prev_sent
            else:
                new_sentence = "\n" in text[prev_end:s]
            if new_sentence:
                yield ""
        prev_sent = bisect.bisect_right(sent_starts, s)
        prev_end = e
        if ent is None:
            tag = "O"
        else:
            tag = ("I-" if ent is prev_ent else "B-") + ent["label"]
        prev_ent = ent
        word = _WS.sub("_", text[s:e])
        pos_col = _WS.sub("_", pos) if pos else "-"
        yield f"{word} {pos_col} {tag}"
    yield ""


def write_conll(records: Iterable[Document | dict], path: str | Path) -> int:
    """Write documents in CoNLL format; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            for line in conll_lines(rec):
                f.write(line + "\n")
            n += 1
    return n


def parse_conll(content: str, id_prefix: str = "conll") -> Iterator[dict]:
    """Records from CoNLL text (BIO, IOB1 or BILUO tags in the last column).

    The text of a document is its words joined by spaces, one sentence per line.
    """
    docs = re.split(r"^-DOCSTART-[^\n]*$", content, flags=re.M)
    n = 0
    for block in docs:
        sentences = [s for s in re.split(r"\n[ \t]*\n", block) if s.strip()]
        if not sentences and n == 0 and not block.strip():
            continue  # text before the first -DOCSTART-
        parts: list[str] = []
        tokens: list[dict] = []
        sents: list[dict] = []
        entities: list[dict] = []
        pos = 0
        open_ent: dict | None = None
        for sent in sentences:
            sent_start = pos
            for line in sent.strip().splitlines():
                cols = line.split()
                if not cols:
                    continue
                word = cols[0].replace("_", " ")
                tag = cols[-1] if len(cols) > 1 else "O"
                tok_pos = cols[1] if len(cols) > 2 and cols[1] != "-" else None
                if pos > sent_start:
                    parts.append(" ")
                    pos += 1
                start, end = pos, pos + len(word)
                parts.append(word)
                pos = end
                tokens.append({"start": start, "end": end, "pos": tok_pos})
                prefix, _, label = tag.partition("-")
                if tag == "O" or not label:
                    open_ent = None
                    continue
                continues = (prefix in ("I", "L", "E") and open_ent is not None
                             and open_ent["label"] == label)
                if continues:
                    open_ent["end"] = end
                else:
                    open_ent = {"label": label, "start": start, "end": end}
                    entities.append(open_ent)
                if prefix in ("L", "E", "U", "S"):
                    open_ent = None
            open_ent = None
            if pos > sent_start:
                sents.append({"start": sent_start, "end": pos})
                parts.append("\n")
                pos += 1
        if not tokens:
            continue
        text = "".join(parts)[:-1]
        n += 1
        ents = [_with_required(e["label"], {**e, "text": text[e["start"]:e["end"]]}) for e in entities]
        yield _assemble(f"{id_prefix}-{n}", text, {}, ents, {"sentences": sents, "tokens": tokens})


def read_conll(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a CoNLL file (see ``parse_conll``)."""
    path = Path(path)
    yield from parse_conll(path.read_text(encoding="utf-8-sig"), id_prefix=path.stem)


# -- spaCy DocBin --------------------------------------------------------------------------

def write_docbin(records: Iterable[Document | dict], path: str | Path) -> int:
    """Write documents into a spaCy ``DocBin`` file (user data kept, so attributes survive)."""
    from spacy.tokens import DocBin

    from pipeline.formats.spacy_interop import to_spacy
    db = DocBin(store_user_data=True)
    n = 0
    for rec in records:
        db.add(to_spacy(rec))
        n += 1
    db.to_disk(path)
    return n


def read_docbin(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a spaCy ``DocBin`` file (ours or anyone's: ``doc.ents`` or ``spans["vnextract"]``)."""
    from spacy.tokens import DocBin

    from pipeline.formats.spacy_interop import default_vocab, record_from_spacy
    db = DocBin().from_disk(path)
    for sdoc in db.get_docs(default_vocab()):
        yield record_from_spacy(sdoc)


# -- Label Studio --------------------------------------------------------------------------

def _textarea_value(value: Any) -> list[str] | None:
    """The TextArea entries for an attribute value, or None when it needs the JSON field."""
    def ok(s: Any) -> bool:
        return isinstance(s, str) and s.strip() != "" and "\n" not in s and s == s.strip()
    if ok(value):
        return [value]
    if isinstance(value, list) and len(value) >= 2 and all(ok(v) for v in value):
        return list(value)
    return None


def labelstudio_task(item: Document | dict, layers: bool = True, key: str = "annotations") -> dict:
    """One Label Studio task: ``data.text`` and one annotation whose regions are our entities.

    Attributes become per-region results: TextAreas ``canonical``, ``title`` (one entry
    per office), ``org``, ``value``, Choices ``area``; anything else (structured values,
    extra attributes) goes as JSON into the ``attrs`` TextArea. With ``layers``, the
    sentences, tokens and other layers ride along in ``data.vnextract`` so that an import
    gives them back.
    """
    rec = as_record(item)
    text = rec["text"]
    data: dict[str, Any] = {"text": text, "doc_id": rec.get("id"), "meta": rec.get("meta") or {}}
    if layers:
        data["vnextract"] = {k: v for k, v in rec.items() if k not in ("id", "text", "meta", "entities")}
    result: list[dict] = []
    for i, ent in enumerate(sorted(rec.get("entities") or (), key=_entity_key)):
        rid = f"e{i}"
        span = {"start": ent["start"], "end": ent["end"]}

        def region(from_name: str, typ: str, value: dict) -> dict:
            return {"id": rid, "from_name": from_name, "to_name": "text", "type": typ, "value": value}

        label = ent["label"]
        result.append(region("label", "labels", {**span, "text": text[ent["start"]:ent["end"]],
                                                  "labels": [label]}))
        extra = {}
        for name, value in entity_attrs(ent).items():
            entries = _textarea_value(value) if name in TEXT_ATTRS else None
            if entries is not None:
                result.append(region(name, "textarea", {**span, "text": entries}))
            elif name == "area" and isinstance(value, str) and value in reform_areas():
                result.append(region("area", "choices", {**span, "choices": [value]}))
            elif value is None and name in REQUIRED_ATTRS.get(label, ()):
                continue  # absent is read back as None
            else:
                extra[name] = value
        if extra:
            result.append(region("attrs", "textarea",
                                 {**span, "text": [json.dumps(extra, ensure_ascii=False, sort_keys=True)]}))
    return {"data": data, key: [{"result": result}]}


def labelstudio_config(labels: Iterable[str] = LABELS) -> str:
    """The Label Studio labeling config (XML) for our labels and per-region attributes."""
    from xml.sax.saxutils import quoteattr
    names = list(dict.fromkeys([*LABELS, *labels]))
    label_tags = "\n".join(
        f'    <Label value={quoteattr(n)} background={quoteattr(LABEL_COLORS.get(n, "#cccccc"))}/>'
        for n in names)
    choices = "\n".join(f"      <Choice value={quoteattr(a)}/>" for a in reform_areas())
    return f"""<View>
  <Header value="vnextract: correct the entities; select a region to edit its attributes"/>
  <Labels name="label" toName="text">
{label_tags}
  </Labels>
  <Text name="text" value="$text"/>
  <View visibleWhen="region-selected">
    <Header value="canonical: official name (MINISTRY, PLACE, ORG)"/>
    <TextArea name="canonical" toName="text" perRegion="true" editable="true" maxSubmissions="1" rows="1"/>
    <Header value="title: office without its organisation (OFFICIAL; one entry per office)"/>
    <TextArea name="title" toName="text" perRegion="true" editable="true" rows="1"/>
    <Header value="org: canonical name of the ministry the office belongs to (OFFICIAL; empty if none)"/>
    <TextArea name="org" toName="text" perRegion="true" editable="true" maxSubmissions="1" rows="1"/>
    <Header value="value: TIMEX3 value (DATE), e.g. 2020-07-30, 2020-Q3, 2011/2020, P10Y"/>
    <TextArea name="value" toName="text" perRegion="true" editable="true" maxSubmissions="1" rows="1"/>
    <Header value="area (REFORM_AREA)"/>
    <Choices name="area" toName="text" perRegion="true" choice="single-radio">
{choices}
    </Choices>
    <Header value="other attributes (JSON object)"/>
    <TextArea name="attrs" toName="text" perRegion="true" editable="true" maxSubmissions="1" rows="2"/>
  </View>
</View>
"""


def write_labelstudio(records: Iterable[Document | dict], path: str | Path,
                      config_path: str | Path | None = None, layers: bool = True) -> tuple[int, Path]:
    """Write Label Studio tasks (a JSON list) and the labeling config; returns (count, config path).

    The config goes to ``config_path``, by default ``labelstudio_config.xml`` beside ``path``.
    """
    path = Path(path)
    config_path = Path(config_path) if config_path else path.with_name("labelstudio_config.xml")
    labels: dict[str, None] = {}
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for rec in records:
            task = labelstudio_task(rec, layers=layers)
            for r in task["annotations"][0]["result"]:
                if r["type"] == "labels":
                    labels.update(dict.fromkeys(r["value"]["labels"]))
            f.write(("\n" if n == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
            n += 1
        f.write("\n]\n")
    config_path.write_text(labelstudio_config(labels), encoding="utf-8")
    return n, config_path


def _utf16_to_index(text: str) -> list[int] | None:
    """Code point index of every UTF-16 offset of ``text`` (None when they are the same)."""
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    table = []
    for i, c in enumerate(text):
        table.append(i)
        if ord(c) > 0xFFFF:
            table.append(i)
    table.append(len(text))
    return table


def _locate(text: str, start: Any, end: Any, surface: str | None, u16: list[int] | None) -> tuple[int, int] | None:
    """Offsets of a region in ``text``: as given, as UTF-16 offsets, or the nearest occurrence of its text."""
    if not (isinstance(start, int) and isinstance(end, int)):
        return None
    if 0 <= start < end <= len(text) and (surface is None or text[start:end] == surface):
        return start, end
    if u16 is not None and 0 <= start < end < len(u16):
        s, e = u16[start], u16[end]
        if s < e and (surface is None or text[s:e] == surface):
            return s, e
    if surface:
        hits = [m.start() for m in re.finditer(re.escape(surface), text)]
        if hits:
            s = min(hits, key=lambda h: abs(h - start))
            return s, s + len(surface)
    return None


def _pick_annotation(task: dict) -> list[dict] | None:
    """The result list to import: the latest non-cancelled annotation, else the latest prediction."""
    for key in ("annotations", "completions", "predictions"):
        items = [a for a in task.get(key) or () if isinstance(a, dict) and not a.get("was_cancelled")]
        if items:
            best = max(enumerate(items), key=lambda p: (str(p[1].get("updated_at") or p[1].get("created_at") or ""),
                                                        p[0]))[1]
            return best.get("result") or []
    return None


def _one_or_list(values: list) -> Any:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def labelstudio_record(task: dict, index: int = 0, on_error: ErrorHandler | None = None,
                       file: str = "<labelstudio>") -> dict | None:
    """The record of one exported Label Studio task (None when it has no annotation or no text)."""
    on_error = on_error or _raise
    data = task.get("data") if isinstance(task.get("data"), dict) else task
    text = data.get("text")
    doc_id = data.get("doc_id", data.get("id", task.get("id")))
    doc_id = None if doc_id is None else str(doc_id)
    if not isinstance(text, str):
        on_error(InputError(file, index + 1, doc_id, "task has no data.text"))
        return None
    result = _pick_annotation(task)
    if result is None and "data" not in task and isinstance(task.get("label"), list):
        result = [{"id": f"m{i}", "from_name": "label", "type": "labels", "value": r}
                  for i, r in enumerate(task["label"])]  # JSON_MIN export
    if result is None:
        on_error(InputError(file, index + 1, doc_id, "task has no annotation"))
        return None
    u16 = _utf16_to_index(text)
    regions: dict[str, dict] = {}
    for r in result:
        if not isinstance(r, dict) or not isinstance(r.get("value"), dict):
            continue
        rid = str(r.get("id", len(regions)))
        reg = regions.setdefault(rid, {"labels": [], "fields": {}, "value": None})
        value = r["value"]
        typ = r.get("type")
        if typ == "labels" or "labels" in value:
            reg["labels"].extend(value.get("labels") or ())
            reg["value"] = value
        elif typ == "textarea" or "text" in value and isinstance(value["text"], list):
            reg["fields"][r.get("from_name")] = list(value.get("text") or ())
            reg["value"] = reg["value"] or value
        elif typ == "choices" or "choices" in value:
            reg["fields"][r.get("from_name")] = list(value.get("choices") or ())
            reg["value"] = reg["value"] or value
    entities = []
    for rid, reg in regions.items():
        if not reg["labels"]:
            continue  # attributes of a region whose label was deleted
        v = reg["value"]
        where = _locate(text, v.get("start"), v.get("end"), v.get("text"), u16)
        if where is None:
            on_error(InputError(file, index + 1, doc_id,
                                f"region {rid} {v.get('start')}:{v.get('end')} {v.get('text')!r} not found in the text"))
            continue
        s, e = where
        attrs: dict[str, Any] = {}
        fields = dict(reg["fields"])
        raw = fields.pop("attrs", None)
        if raw:
            try:
                extra = json.loads("\n".join(raw))
                if not isinstance(extra, dict):
                    raise ValueError("not a JSON object")
                attrs.update(extra)
            except ValueError as exc:
                on_error(InputError(file, index + 1, doc_id, f"region {rid}: attrs is not a JSON object: {exc}"))
        for name, values in fields.items():
            if name:
                attrs[name] = _one_or_list([x.strip() if isinstance(x, str) else x for x in values])
        for label in dict.fromkeys(reg["labels"]):
            entities.append({"label": label, "start": s, "end": e, "text": text[s:e],
                             **_with_required(label, dict(attrs))})
    layers = data.get("vnextract") if isinstance(data.get("vnextract"), dict) else {}
    return _assemble(doc_id, text, data.get("meta") if isinstance(data.get("meta"), dict) else {},
                     entities, layers)


def from_labelstudio(tasks: Iterable[dict], on_error: ErrorHandler | None = None,
                     file: str = "<labelstudio>") -> Iterator[dict]:
    """Records from Label Studio tasks (its JSON or JSON_MIN export)."""
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            (on_error or _raise)(InputError(file, i + 1, None, "a task must be a JSON object"))
            continue
        rec = labelstudio_record(task, i, on_error, file)
        if rec is not None:
            yield rec


def read_labelstudio(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a Label Studio export file (a JSON list of tasks, one task, or JSONL)."""
    path = Path(path)
    content = path.read_text(encoding="utf-8-sig")
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError:
        tasks = [json.loads(line) for line in content.splitlines() if line.strip()]
    if isinstance(tasks, dict):
        tasks = [tasks]
    yield from from_labelstudio(tasks, on_error, str(path))


# -- brat standoff -------------------------------------------------------------------------

BRAT_INDEX = "vnextract-documents.jsonl"


def _brat_stem(doc_id: Any, n: int, used: set[str]) -> str:
    stem = re.sub(r"[^\w.-]+", "_", str(doc_id)).strip("._") if doc_id is not None else ""
    stem = stem or f"doc-{n:06d}"
    base, k = stem, 2
    while stem.lower() in used:
        stem = f"{base}-{k}"
        k += 1
    used.add(stem.lower())
    return stem


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of a span between line breaks (brat spans do not cross lines)."""
    frags = []
    s = start
    for i in range(start, end):
        if text[i] == "\n":
            if i > s:
                frags.append((s, i))
            s = i + 1
    if end > s:
        frags.append((s, end))
    return frags or [(start, end)]


def brat_ann(item: Document | dict) -> str:
    """The ``.ann`` content of one document.

    ``T`` lines hold the entities; ``area`` is a brat attribute (``A`` line); the other
    attributes are a JSON object in an ``AnnotatorNotes`` line.
    """
    rec = as_record(item)
    text = rec["text"]
    lines = []
    n_attr = n_note = 0
    for i, ent in enumerate(sorted(rec.get("entities") or (), key=_entity_key), 1):
        frags = _fragments(text, ent["start"], ent["end"])
        where = ";".join(f"{s} {e}" for s, e in frags)
        surface = " ".join(text[s:e] for s, e in frags).replace("\t", " ")
        lines.append(f"T{i}\t{ent['label']} {where}\t{surface}")
        attrs = entity_attrs(ent)
        area = attrs.get("area")
        if isinstance(area, str) and area in reform_areas():
            n_attr += 1
            lines.append(f"A{n_attr}\tarea T{i} {area}")
            del attrs["area"]
        if attrs:
            n_note += 1
            lines.append(f"#{n_note}\tAnnotatorNotes T{i}\t{json.dumps(attrs, ensure_ascii=False, sort_keys=True)}")
    return "".join(line + "\n" for line in lines)


def brat_conf(labels: Iterable[str] = LABELS) -> str:
    """``annotation.conf`` for our labels (any overlap allowed) and the ``area`` attribute."""
    names = list(dict.fromkeys([*LABELS, *labels]))
    return ("[entities]\n" + "".join(f"{n}\n" for n in names)
            + "\n[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
            + "\n[events]\n\n[attributes]\n"
            + f"area\tArg:REFORM_AREA, Value:{'|'.join(reform_areas())}\n")


def write_brat(records: Iterable[Document | dict], outdir: str | Path) -> int:
    """Write ``STEM.txt`` and ``STEM.ann`` per document into ``outdir``, with ``annotation.conf``.

    File stems come from the document ids (made safe for file names); the real ids,
    metadata and other layers are kept in ``vnextract-documents.jsonl`` for the import.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    labels: dict[str, None] = {}
    n = 0
    with open(outdir / BRAT_INDEX, "w", encoding="utf-8") as index:
        for rec in records:
            rec = as_record(rec)
            stem = _brat_stem(rec.get("id"), n, used)
            (outdir / f"{stem}.txt").write_text(rec["text"], encoding="utf-8", newline="")
            (outdir / f"{stem}.ann").write_text(brat_ann(rec), encoding="utf-8", newline="\n")
            labels.update(dict.fromkeys(e["label"] for e in rec.get("entities") or ()))
            keep = {k: v for k, v in rec.items() if k not in ("text", "entities")}
            index.write(dumps({"file": stem, **keep}) + "\n")
            n += 1
    (outdir / "annotation.conf").write_text(brat_conf(labels), encoding="utf-8")
    return n


def parse_brat(text: str, ann: str, on_error: ErrorHandler | None = None, file: str = "<brat>",
               doc_id: str | None = None) -> list[dict]:
    """Entity records from ``.ann`` content over ``text``."""
    on_error = on_error or _raise
    ents: dict[str, dict] = {}
    attrs: dict[str, dict] = {}
    for n, line in enumerate(ann.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        try:
            if line.startswith("T"):
                label, _, where = cols[1].partition(" ")
                spans = [tuple(int(x) for x in frag.split()) for frag in where.split(";")]
                s, e = min(p[0] for p in spans), max(p[1] for p in spans)
                if not 0 <= s < e <= len(text):
                    raise ValueError(f"span {s}:{e} outside the text")
                ents[cols[0]] = {"label": label, "start": s, "end": e, "text": text[s:e]}
            elif line.startswith("A") or line.startswith("M"):
                parts = cols[1].split(" ")
                attrs.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) > 2 else True
            elif line.startswith("#"):
                kind, _, ref = cols[1].partition(" ")
                note = cols[2] if len(cols) > 2 else ""
                try:
                    value = json.loads(note)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    attrs.setdefault(ref, {}).update(value)
                elif note:
                    attrs.setdefault(ref, {})["note"] = note
            # relations (R), events (E), equivalences (*), normalizations (N) are not ours
        except (IndexError, ValueError) as exc:
            on_error(InputError(file, n, doc_id, f"bad brat line {line!r}: {exc}"))
    out = []
    for tid, ent in ents.items():
        extra = attrs.get(tid, {})
        out.append(_with_required(ent["label"], {**ent, **extra}))
    return out


def read_brat(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a brat directory (every ``.txt`` with its ``.ann``), in the exported order."""
    root = Path(path)
    index: dict[str, dict] = {}
    order: list[str] = []
    if (root / BRAT_INDEX).is_file():
        for line in (root / BRAT_INDEX).read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                stem = entry.pop("file")
                index[stem] = entry
                order.append(stem)
    stems = sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.txt"))
    stems = [s for s in order if s in stems] + [s for s in stems if s not in index]
    for stem in stems:
        txt, ann = root / f"{stem}.txt", root / f"{stem}.ann"
        with open(txt, encoding="utf-8", newline="") as f:
            text = f.read()
        entry = index.get(stem, {"id": stem, "meta": {}})
        ann_text = ann.read_text(encoding="utf-8") if ann.is_file() else ""
        ents = parse_brat(text, ann_text, on_error, str(ann), entry.get("id"))
        layers = {k: v for k, v in entry.items() if k not in ("id", "meta")}
        yield _assemble(entry.get("id"), text, entry.get("meta") or {}, ents, layers)


# -- registry of formats -----------------------------------------------------------------

EXPORTERS: dict[str, Callable[..., Any]] = {
    "conll": write_conll, "spacy": write_docbin, "labelstudio": write_labelstudio, "brat": write_brat}
IMPORTERS: dict[str, Callable[..., Iterator[dict]]] = {
    "labelstudio": read_labelstudio, "brat": read_brat, "spacy": read_docbin, "conll": read_conll}
