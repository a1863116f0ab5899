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



def test_read_annotated_deep_nesting_and_broken_layers_are_line_errors(tmp_path, records):
    path = tmp_path / "in.jsonl"
    broken = dict(records[1], sentences=[{"start": 0, "end": 10 ** 6}])
    not_spans = dict(records[1], tokens=["x"])
    path.write_text(json.dumps(records[0]) + "\n" + "[" * 100000 + "\n" + json.dumps(broken) + "\n"
                    + json.dumps(not_spans) + "\n" + json.dumps(records[1]) + "\n", encoding="utf-8")
    errors = []
    got = list(read_annotated([path], on_error=errors.append))
    assert [r["id"] for r in got] == ["a/1", "b"]
    assert [e.line for e in errors] == [2, 3, 4]
    assert "sentences/0" in errors[1].reason and "tokens/0" in errors[2].reason
