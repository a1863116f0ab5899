"""Label Studio: tasks to correct our entities in its interface, and the import of its exports.

``write_labelstudio`` writes the tasks (``data.text`` and one annotation whose regions are our
entities, ``annotations[].result``) and a labeling config for our labels and per-region
attributes. ``read_labelstudio`` reads Label Studio's JSON or JSON_MIN export (or our own
tasks) back into records: the latest annotation that was not cancelled, regions located by
their offsets (code points or UTF-16 units) or else by their text.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.document import Document
from pipeline.formats.record import (LABEL_COLORS, LABELS, REQUIRED_ATTRS, ErrorHandler, as_record, assemble_record,
                                     entity_attrs, entity_order, raise_error, reform_areas, with_required)
from pipeline.runtime.readers import InputError

# per-region free-text fields of the labeling config
TEXT_ATTRS = ("canonical", "title", "org", "value")


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
    for i, ent in enumerate(sorted(rec.get("entities") or (), key=entity_order)):
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
    on_error = on_error or raise_error
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
                             **with_required(label, dict(attrs))})
    layers = data.get("vnextract") if isinstance(data.get("vnextract"), dict) else {}
    return assemble_record(doc_id, text, data.get("meta") if isinstance(data.get("meta"), dict) else {},
                     entities, layers)


def from_labelstudio(tasks: Iterable[dict], on_error: ErrorHandler | None = None,
                     file: str = "<labelstudio>") -> Iterator[dict]:
    """Records from Label Studio tasks (its JSON or JSON_MIN export)."""
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            (on_error or raise_error)(InputError(file, i + 1, None, "a task must be a JSON object"))
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
