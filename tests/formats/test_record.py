"""The record model: reading annotated JSONL."""
from __future__ import annotations

import json

import pytest

from pipeline.formats.record import read_annotated


def test_read_annotated_reports_bad_lines_and_keeps_the_rest(tmp_path, records):
    path = tmp_path / "in.jsonl"
    bad_entity = dict(records[0], entities=[{"label": "X", "start": 0, "end": 3, "text": "nope"}])
    path.write_text(json.dumps(records[0]) + "\nnot json\n\n" + json.dumps(bad_entity) + "\n"
                    + json.dumps({"id": "no-text"}) + "\n" + json.dumps(records[1]) + "\n", encoding="utf-8")
    errors = []
    got = list(read_annotated([path, tmp_path / "missing.jsonl"], on_error=errors.append))
    assert [r["id"] for r in got] == ["a/1", "b"]
    assert [(e.line, e.id) for e in errors] == [(2, None), (4, "a/1"), (5, "no-text"), (None, None)]
    with pytest.raises(ValueError):
        list(read_annotated([path]))

