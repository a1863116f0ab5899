"""The JSON Schema of the output format and a checker for annotated JSONL files.

``validate_record`` checks one annotated document: the schema
(``pipeline/data/annotation.schema.json``; an ``integer`` there is a JSON number written
without a fraction, so ``0.0`` is not an offset), then what a schema cannot say, each with
``pipeline.document.span_problem``: every span inside the text, ``text[start:end]`` equal to
the ``text`` an entity or a layer item carries (every extra layer whose items have
``start``/``end``: places, ministries, dates, reform_areas, abbreviations and their long
forms, the mentions of officials), entities in the order of the format (by start, longer
first), ``paragraphs[].duplicate_of`` naming an earlier paragraph with the same text, and
``meta.published`` a real date. ``validate_file`` checks a JSONL file line by line.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from pipeline.docdate import MAX_YEAR, MIN_YEAR, check_published
from pipeline.document import span_problem
from pipeline.resources import shared

# the keys of a record that are not extra layers
_CORE = ("id", "text", "meta", "sentences", "tokens", "entities", "normalized")


@shared
def schema() -> dict:
    """The output format's JSON Schema, as shipped in the package."""
    return json.loads(resources.files("pipeline").joinpath("data/annotation.schema.json").read_text("utf-8"))


def _is_integer(checker, value: Any) -> bool:
    """An ``integer`` of the schema: a Python int (not a bool, not a float such as 0.0)."""
    return isinstance(value, int) and not isinstance(value, bool)


@shared
def _validator():
    import jsonschema
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    strict = jsonschema.validators.extend(cls, type_checker=cls.TYPE_CHECKER.redefine("integer", _is_integer))
    return strict(schema())


@lru_cache(maxsize=None)
def _layer_validator(name: str):
    """A validator of the layer ``name`` alone, when the schema describes it (else None)."""
    if name not in schema()["properties"]:
        return None
    sub = {"$schema": schema()["$schema"], "$defs": schema()["$defs"], **schema()["properties"][name]}
    return type(_validator())(sub)


def layer_problems(text: str, name: str, items: Any, check_schema: bool = False) -> Iterator[str]:
    """The offset problems of the items of one extra layer (items that are not spans are skipped):
    ``start``/``end`` with the ``text`` an item carries (``short`` for abbreviations),
    an abbreviation's ``long_start``/``long_end``, the ``mentions`` of officials. With
    ``check_schema``, first what the schema says about a layer it describes (``paragraphs``,
    ``places``...)."""
    validator = _layer_validator(name) if check_schema else None
    if validator is not None:
        for err in validator.iter_errors(items):
            yield "/".join(str(p) for p in (name, *err.absolute_path)) + f": {err.message}"
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if "start" in item or "end" in item:
            key = "short" if name == "abbreviations" else "text"  # the surface an item carries
            surface = item.get(key) if isinstance(item.get(key), str) else None
            if key in item and surface is None:
                yield f"{name}/{i}: {key} must be a string"
            problem = span_problem(text, item.get("start"), item.get("end"), surface)
            if problem:
                yield f"{name}/{i}: {problem}"
        if "long_start" in item or "long_end" in item:  # an abbreviation's long form
            surface = item.get("long") if isinstance(item.get("long"), str) else None
            problem = span_problem(text, item.get("long_start"), item.get("long_end"), surface)
            if problem:
                yield f"{name}/{i}/long: {problem}"
        mentions = item.get("mentions")
        if isinstance(mentions, list):
            for k, m in enumerate(mentions):
                pair = m if isinstance(m, list) and len(m) == 2 else (None, None)
                problem = span_problem(text, pair[0], pair[1], empty=False)
                if problem:
                    yield f"{name}/{i}/mentions/{k}: {problem}"


def _paragraph_problems(text: str, paragraphs: Any) -> Iterator[str]:
    """``duplicate_of`` must name an earlier paragraph whose text is the same."""
    if not isinstance(paragraphs, list):
        return
    for i, para in enumerate(paragraphs):
        if not isinstance(para, dict) or "duplicate_of" not in para:
            continue
        j = para["duplicate_of"]
        if not (_is_integer(None, j) and 0 <= j < i):
            yield f"paragraphs/{i}: duplicate_of {j!r} is not the index of an earlier paragraph"
            continue
        first = paragraphs[j]
        spans = [(p.get("start"), p.get("end")) if isinstance(p, dict) else (None, None) for p in (first, para)]
        if any(span_problem(text, s, e) for s, e in spans):
            continue  # the span itself is reported
        (a, b), (c, d) = spans
        if text[a:b] != text[c:d]:
            yield f"paragraphs/{i}: duplicate_of {j}, but paragraph {j} has another text"


def validate_record(record: Any) -> list[str]:
    """Problems found in one annotated document (an empty list when it is valid). Never raises:
    whatever ``record`` holds, each problem is a line naming where it is."""
    if not isinstance(record, dict):
        return [f"(document): expected a JSON object, got {type(record).__name__}"]
    problems = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(document)"
        problems.append(f"{where}: {err.message}")
    if problems:  # the checks below read what the schema makes sure of, but never raise on anything
        return problems
    text = record["text"]
    published = record["meta"].get("published")
    if check_published(published)[1]:
        problems.append(f"meta/published: {published!r} is not a date between {MIN_YEAR} and {MAX_YEAR}")
    for layer in ("sentences", "tokens", "paragraphs"):
        spans = record.get(layer)
        for i, span in enumerate(spans if isinstance(spans, list) else ()):
            if isinstance(span, dict):
                problem = span_problem(text, span.get("start"), span.get("end"))
                if problem:
                    problems.append(f"{layer}/{i}: {problem}")
    problems.extend(_paragraph_problems(text, record.get("paragraphs")))
    entities = record.get("entities")
    previous = None
    for i, ent in enumerate(entities if isinstance(entities, list) else ()):
        if not isinstance(ent, dict):
            continue
        s, e = ent.get("start"), ent.get("end")
        surface = ent.get("text") if isinstance(ent.get("text"), str) else None
        problem = span_problem(text, s, e, surface, empty=False)
        if problem:
            problems.append(f"entities/{i}: {problem}")
            continue
        key = (s, -e)
        if previous is not None and key < previous:
            problems.append(f"entities/{i}: not in order (by start, longer first)")
        previous = key
    for name in sorted(k for k in record if k not in _CORE and k != "paragraphs"):
        problems.extend(layer_problems(text, name, record[name]))
    return list(dict.fromkeys(problems))


def validate_file(path: str) -> Iterator[str]:
    """Problems in a JSONL file, one string each, naming the file, the line and the document; a
    file that cannot be read (missing, a directory, no permission) is one problem, not an exception."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield f"{path}: cannot read: {exc.strerror or exc}"
        return
    with f:
        n = 0
        while True:
            try:
                raw = f.readline()
            except OSError as exc:  # a directory opened on some systems, a device that fails
                yield f"{path}:{n + 1}: cannot read: {exc.strerror or exc}"
                return
            if not raw:
                return
            n += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield f"{path}:{n}: undecodable bytes (not UTF-8)"
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                yield f"{path}:{n}: not valid JSON: {getattr(exc, 'msg', 'nested too deeply')}"
                continue
            doc_id = record.get("id") if isinstance(record, dict) else None
            for problem in validate_record(record):
                yield f"{path}:{n}: document {doc_id!r}: {problem}"
