"""The JSON line `annotate` writes is built a slice at a time, and is exactly dumps(doc.to_json())."""
from __future__ import annotations

import pytest

from pipeline.document import Document
from pipeline.runtime import readers
from pipeline.runtime.readers import document_line, dumps


@pytest.mark.parametrize("slice_size", [1, 2, 3, 20_000])
def test_the_line_is_dumps_of_to_json(nlp, monkeypatch, slice_size):
    monkeypatch.setattr(readers, "LINE_SLICE", slice_size)
    docs = [
        nlp({"id": "a", "text": "Bộ Tài chính họp tại Đà Nẵng ngày 1/7/2025. Thứ trưởng Bộ TT&amp;TT Phạm Anh Tuấn "
                                "nói về cải cách hành chính \"một cửa\".", "meta": {"published": "2025-07-02"}}),
        nlp({"id": "empty", "text": "", "meta": {}}),
        Document("Không có gì", id="bare"),  # no stage ran: empty lists, no layers
    ]
    odd = Document("x", id="odd", meta={"published": "yesterday", "src": "\u00e9\u4e2d"})
    odd.layers["tokens"] = [{"start": 0, "end": 1}]  # a layer with a field's name replaces it in place
    odd.layers["aaa"] = {"nested": [1, 2.5, None, True]}
    docs.append(odd)
    for doc in docs:
        assert document_line(doc) == dumps(doc.to_json())


def test_a_long_list_is_never_turned_into_dicts_all_at_once(nlp, monkeypatch):
    monkeypatch.setattr(readers, "LINE_SLICE", 5)
    doc = nlp({"id": "big", "text": "Bộ Tài chính họp tại Đà Nẵng ngày 1/7/2025. " * 20})
    lengths = []

    def spy(obj):
        if isinstance(obj, list):
            lengths.append(len(obj))
        return dumps(obj)
    monkeypatch.setattr(readers, "dumps", spy)
    line = document_line(doc)
    monkeypatch.undo()
    assert line == dumps(doc.to_json())
    # 160 tokens, 60 entities, 20 sentences: at most 5 at a time (the layers, 20 dicts each, go whole)
    assert len(doc.tokens) == 160 and max(lengths) == 20
    assert lengths.count(5) >= len(doc.tokens) // 5
