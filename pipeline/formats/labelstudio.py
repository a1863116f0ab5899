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
from pipeline.formats.record import (ENTITY_KEYS, LABEL_COLORS, LABELS, REQUIRED_ATTRS, ErrorHandler, as_record,
                                     assemble_record, entity_attrs, entity_order, layer_problem, raise_error,
                                     reform_areas, with_required)
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


def _locate(text: str, start: Any, end: Any, surface: Any, u16: list[int] | None) -> tuple[int, int] | None:
    """Offsets of a region in ``text``: as given, as UTF-16 offsets, or the nearest occurrence of its text."""
    if not (type(start) is int and type(end) is int):  # noqa: E721 - a bool is not an offset
        return None
    if not isinstance(surface, str):
        surface = None
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


def _pick_annotation(task: dict) -> tuple[list | None, str | None]:
    """The result list to import, the latest non-cancelled annotation, else the latest prediction
    (None when there is none), and why it cannot be read (None when it can)."""
    for key in ("annotations", "completions", "predictions"):
        found = task.get(key)
        if not found:
            continue
        if not isinstance(found, list):
            return None, f"{key} must be a list, got {type(found).__name__}"
        items = [a for a in found if isinstance(a, dict) and not a.get("was_cancelled")]
        if items:
            best = max(enumerate(items), key=lambda p: (str(p[1].get("updated_at") or p[1].get("created_at") or ""),
                                                        p[0]))[1]
            result = best.get("result") or []
            if not isinstance(result, list):
                return None, f"{key}: result must be a list of regions, got {type(result).__name__}"
            return result, None
    return None, None


def _one_or_list(values: list) -> Any:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


def _entries(value: Any, what: str) -> tuple[list, str | None]:
    """The entries of a result field (``labels``, ``text``, ``choices``): a list as it is, a single
    string as one entry (never one entry per character), nothing for null; else a problem."""
    if value is None:
        return [], None
    if isinstance(value, str):
        return [value], None
    if isinstance(value, list):
        return value, None
    return [], f"{what} must be a list, got {type(value).__name__} {value!r:.40}"


def labelstudio_record(task: dict, index: int = 0, on_error: ErrorHandler | None = None,
                       file: str = "<labelstudio>", line: int | None = None) -> dict | None:
    """The record of one exported Label Studio task (None when it has no annotation or no text).

    A region that cannot be read (a label that is not a name, a field of the wrong type, a
    region whose text is not found) is reported to ``on_error`` and left out; the other
    regions are imported. ``line`` is where the task is in its file (default: ``index + 1``).
    """
    on_error = on_error or raise_error
    line = index + 1 if line is None else line
    data = task.get("data") if isinstance(task.get("data"), dict) else task
    text = data.get("text")
    doc_id = data.get("doc_id", data.get("id", task.get("id")))
    doc_id = None if doc_id is None else str(doc_id)

    def report(reason: str) -> None:
        on_error(InputError(file, line, doc_id, reason))

    if not isinstance(text, str):
        report("task has no data.text")
        return None
    result, problem = _pick_annotation(task)
    if problem:
        report(problem)
        return None
    if result is None and "data" not in task and isinstance(task.get("label"), list):
        result = [{"id": f"m{i}", "from_name": "label", "type": "labels", "value": r}
                  for i, r in enumerate(task["label"])]  # JSON_MIN export
    if result is None:
        report("task has no annotation")
        return None
    u16 = _utf16_to_index(text)
    regions: dict[str, dict] = {}
    for k, r in enumerate(result):
        if not isinstance(r, dict):
            report(f"result {k} is not an object: {r!r:.40}")
            continue
        typ = r.get("type")
        value = r.get("value")
        if not isinstance(value, dict):
            if typ in ("labels", "textarea", "choices"):
                report(f"result {k} ({typ}) has no value object")
            continue  # relations and other results without a region
        rid = str(r.get("id", len(regions)))
        field = r.get("from_name")
        if not (field is None or isinstance(field, str)):
            report(f"result {k}: from_name must be a name, got {field!r:.40}")
            continue
        reg = regions.setdefault(rid, {"labels": [], "fields": {}, "value": None})
        if typ == "labels" or "labels" in value:
            labels, problem = _entries(value.get("labels"), f"region {rid}: labels")
            bad = [x for x in labels if not (isinstance(x, str) and x.strip())]
            if problem or bad:
                report(problem or f"region {rid}: labels {bad!r:.60} are not label names")
            reg["labels"].extend(x.strip() for x in labels if isinstance(x, str) and x.strip())
            reg["value"] = value
        elif typ == "textarea" or "text" in value and isinstance(value["text"], list):
            entries, problem = _entries(value.get("text"), f"region {rid}: {field}")
            if problem:
                report(problem)
                continue
            reg["fields"][field] = list(entries)
            reg["value"] = reg["value"] or value
        elif typ == "choices" or "choices" in value:
            entries, problem = _entries(value.get("choices"), f"region {rid}: {field}")
            if problem:
                report(problem)
                continue
            reg["fields"][field] = list(entries)
            reg["value"] = reg["value"] or value
    entities = []
    for rid, reg in regions.items():
        if not reg["labels"]:
            continue  # attributes of a region whose label was deleted (or whose labels were reported)
        v = reg["value"]
        where = _locate(text, v.get("start"), v.get("end"), v.get("text"), u16)
        if where is None:
            report(f"region {rid} {v.get('start')!r:.20}:{v.get('end')!r:.20} {v.get('text')!r:.60} "
                   f"not found in the text")
            continue
        s, e = where
        attrs: dict[str, Any] = {}
        fields = dict(reg["fields"])
        raw = fields.pop("attrs", None)
        if raw:
            try:
                extra = json.loads("\n".join(str(x) for x in raw))
                if not isinstance(extra, dict):
                    raise ValueError("not a JSON object")
            except (ValueError, RecursionError) as exc:
                report(f"region {rid}: attrs is not a JSON object: {exc}")
            else:
                clash = sorted(set(extra) & set(ENTITY_KEYS))
                if clash:
                    report(f"region {rid}: attrs may not set {', '.join(clash)} (left out)")
                attrs.update({k: x for k, x in extra.items() if k not in ENTITY_KEYS})
        for name, values in fields.items():
            if isinstance(name, str) and name and name not in ENTITY_KEYS:
                attrs[name] = _one_or_list([x.strip() if isinstance(x, str) else x for x in values])
        for label in dict.fromkeys(reg["labels"]):
            entities.append({"label": label, "start": s, "end": e, "text": text[s:e],
                             **with_required(label, dict(attrs))})
    layers = {}
    for name, items in (data.get("vnextract") if isinstance(data.get("vnextract"), dict) else {}).items():
        problem = layer_problem(text, name, items) if name not in ("id", "text", "meta", "entities") else "not a layer"
        if problem:
            report(f"data.vnextract.{name} left out: {problem}")
        else:
            layers[name] = items
    return assemble_record(doc_id, text, data.get("meta") if isinstance(data.get("meta"), dict) else {},
                           entities, layers)


def _records(numbered: Iterable[tuple[int, Any]], on_error: ErrorHandler | None, file: str) -> Iterator[dict]:
    """Records from ``(line, task)`` pairs; a task that is not an object is reported and skipped."""
    for i, (line, task) in enumerate(numbered):
        if not isinstance(task, dict):
            (on_error or raise_error)(InputError(file, line, None,
                                                 f"a task must be a JSON object, got {type(task).__name__}"))
            continue
        rec = labelstudio_record(task, i, on_error, file, line)
        if rec is not None:
            yield rec


def from_labelstudio(tasks: Iterable[dict], on_error: ErrorHandler | None = None,
                     file: str = "<labelstudio>") -> Iterator[dict]:
    """Records from Label Studio tasks (its JSON or JSON_MIN export)."""
    yield from _records(((i + 1, task) for i, task in enumerate(tasks)), on_error, file)


def _jsonl_tasks(content: str, on_error: ErrorHandler, file: str) -> Iterator[tuple[int, Any]]:
    """``(line, task)`` of each JSON line; a line that is not JSON is reported and skipped."""
    for n, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            on_error(InputError(file, n, None, f"not a JSON line: {exc.msg} (column {exc.colno})"))
        except RecursionError:
            on_error(InputError(file, n, None, "not a JSON line: nested too deeply"))


def read_labelstudio(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a Label Studio export file (a JSON list of tasks, one task, or JSONL).

    A file that cannot be read or parsed, a JSONL line that is not JSON, a task that is not an
    object: each is reported to ``on_error`` (default: raise ValueError) and the rest is imported.
    """
    on_error = on_error or raise_error
    path = Path(path)
    file = str(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        on_error(InputError(file, None, None, f"cannot read the file: not UTF-8 ({exc.reason} at byte {exc.start})"))
        return
    except OSError as exc:
        on_error(InputError(file, None, None, f"cannot read the file: {exc.strerror or exc}"))
        return
    try:
        tasks = json.loads(content)
    except RecursionError:
        on_error(InputError(file, None, None, "not a Label Studio export: JSON nested too deeply"))
        return
    except json.JSONDecodeError as exc:
        if content.lstrip().startswith("["):  # a JSON list that is broken, not JSON lines
            on_error(InputError(file, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            return
        yield from _records(_jsonl_tasks(content, on_error, file), on_error, file)
        return
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        on_error(InputError(file, None, None, f"not a Label Studio export: expected a task or a list of tasks, "
                                              f"got {'null' if tasks is None else type(tasks).__name__}"))
        return
    yield from from_labelstudio(tasks, on_error, file)
