import pytest

from pipeline.document import Document, InvalidDocument, OffsetMap, Span, Token


def test_add_entity_takes_text_from_document():
    doc = Document("Bộ Nội vụ họp.")
    ent = doc.add_entity("MINISTRY", 0, 9, canonical="Bộ Nội vụ")
    assert ent.text == "Bộ Nội vụ"
    assert ent.to_json() == {"label": "MINISTRY", "start": 0, "end": 9, "text": "Bộ Nội vụ",
                             "canonical": "Bộ Nội vụ"}


def test_add_entity_outside_text_is_refused():
    doc = Document("abc")
    with pytest.raises(ValueError):
        doc.add_entity("PLACE", 2, 9)
    with pytest.raises(ValueError):
        doc.add_entity("PLACE", 2, 2)


def test_validate_catches_tampered_entity_and_spans():
    doc = Document("Hải Phòng")
    ent = doc.add_entity("PLACE", 0, 9)
    doc.validate()
    ent.text = "Hà Nội"
    with pytest.raises(InvalidDocument, match="does not match"):
        doc.validate()
    ent.text = "Hải Phòng"
    doc.tokens.append(Token(5, 20, "N"))
    with pytest.raises(InvalidDocument, match="outside text"):
        doc.validate()


def test_entities_are_output_by_start_then_longer_first():
    doc = Document("UBND tỉnh Tuyên Quang")
    doc.add_entity("PLACE", 5, 21)
    doc.add_entity("ORG", 0, 21)
    doc.add_entity("PLACE", 10, 21)
    order = [(e["start"], e["end"]) for e in doc.to_json()["entities"]]
    assert order == [(0, 21), (5, 21), (10, 21)]


def test_from_dict_requires_text_and_accepts_flat_records():
    with pytest.raises(InvalidDocument, match="no text"):
        Document.from_dict({"id": "x"})
    with pytest.raises(InvalidDocument):
        Document.from_dict(["not", "a", "dict"])
    doc = Document.from_dict({"id": 7, "text": "a", "published": "2020-01-02"})
    assert doc.id == "7" and doc.meta["published"] == "2020-01-02"


def test_offset_map_copied_and_replaced_pieces():
    # original "a&amp;b" -> normalized "a&b"
    omap = OffsetMap([(0, 0, 1, True), (1, 1, 6, False), (2, 6, 7, True)], out_len=3, orig_len=7)
    assert omap.to_original(0, 1) == (0, 1)
    assert omap.to_original(1, 2) == (1, 6)
    assert omap.to_original(0, 3) == (0, 7)
    assert omap.to_original(2, 3) == (6, 7)
    with pytest.raises(ValueError):
        omap.to_original(0, 4)


def test_span_json():
    assert Span(1, 4).to_json() == {"start": 1, "end": 4}


def test_notebook_display_draws_outermost_entities():
    doc = Document("UBND tỉnh Tuyên Quang họp.", id="d")
    doc.add_entity("ORG", 0, 21)
    doc.add_entity("PLACE", 5, 21)
    html = doc._repr_html_()
    assert html.count("<mark") == 1 and "ORG" in html and "Tuyên Quang" in html


@pytest.mark.parametrize("changed", [False, True])
def test_to_original_refuses_spans_outside_the_text(changed):
    from pipeline import load
    doc = load(["normalize"])(Document("<p>Hải Phòng</p>" if changed else "Hải Phòng"))
    assert (doc.offset_map is not None) == changed
    n = len(doc.text)
    s, e = doc.to_original(0, n)
    assert doc.original[s:e].strip("</p>") == "Hải Phòng"
    for start, end in ((0, n + 1), (-1, 2), (3, 2), (n + 5, n + 9), (0.0, 2)):
        with pytest.raises(ValueError, match="outside text|not a pair"):
            doc.to_original(start, end)


def test_warnings_are_kept_apart_from_the_output():
    doc = Document("Hải Phòng", meta={"published": "yesterday"})
    doc.warn("something")
    doc.warn("something")
    assert doc.warnings == ["something"]
    out = doc.to_json()
    assert "warnings" not in out and out["meta"] == {"published": None, "published_invalid": "yesterday"}


def test_span_problem_refuses_bools_and_floats():
    from pipeline.document import span_problem
    assert span_problem("abc", 0, 2) is None
    for start, end in ((True, 2), (0, True), (0.0, 2), (0, 2.0), ("0", 2), (None, 2)):
        assert "not a pair of offsets" in span_problem("abc", start, end)
