"""The JSON Schema of the output format and a checker for annotated JSONL files.

``validate_record`` checks one annotated document: the schema
(``pipeline/data/annotation.schema.json``), then what a schema cannot say:
every span inside the text, ``text[start:end] == entity.text``, entities in
the order of the format (by start, longer first).
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Iterator

from pipeline.document import span_problem
from pipeline.resources import shared


@shared
def schema() -> dict:
    """The output format's JSON Schema, as shipped in the package."""
    return json.loads(resources.files("pipeline").joinpath("data/annotation.schema.json").read_text("utf-8"))


@shared
def _validator():
    import jsonschema
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


def validate_record(record: dict) -> list[str]:
    """Problems found in one annotated document (an empty list when it is valid)."""
    problems = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(document)"
        problems.append(f"{where}: {err.message}")
    if problems:
        return problems
    text = record["text"]
    for layer in ("sentences", "tokens", "paragraphs", "abbreviations"):
        for i, span in enumerate(record.get(layer, [])):
            problem = span_problem(text, span["start"], span["end"])
            if problem:
                problems.append(f"{layer}/{i}: {problem}")
    previous = None
    for i, ent in enumerate(record["entities"]):
        s, e = ent["start"], ent["end"]
        problem = span_problem(text, s, e, ent["text"], empty=False)
        if problem:
            problems.append(f"entities/{i}: {problem}")
        key = (s, -e)
        if previous is not None and key < previous:
            problems.append(f"entities/{i}: not in order (by start, longer first)")
        previous = key
    return problems


def validate_file(path: str) -> Iterator[str]:
    """Problems in a JSONL file, one string each, naming the line and document."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield f"{path}:{n}: undecodable bytes (not UTF-8)"
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"{path}:{n}: not valid JSON: {exc.msg}"
                continue
            doc_id = record.get("id") if isinstance(record, dict) else None
            for problem in validate_record(record) if isinstance(record, dict) else ["not a JSON object"]:
                yield f"{path}:{n}: document {doc_id!r}: {problem}"
