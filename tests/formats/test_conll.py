"""CoNLL: read by spaCy's converter, round trips, other tag schemes, the outermost entities."""
from __future__ import annotations

from pipeline import Document
from pipeline.formats.conll import DOCSTART, conll_lines, parse_conll, read_conll, write_conll
from pipeline.spans import outermost


def test_conll_lines(records):
    lines = list(conll_lines(records[0]))
    assert lines[0] == DOCSTART and lines[1] == ""
    rows = [line.split(" ") for line in lines[2:] if line]
    assert all(len(r) == 3 for r in rows)
    words = [r[0] for r in rows]
    tags = {r[0]: r[2] for r in rows}
    assert "Bộ_trưởng" in words and "🙂" in words
    assert [r[2] for r in rows[1:4]] == ["B-MINISTRY", "I-MINISTRY", "B-OFFICIAL"]
    # the outermost ORG, not the PLACE inside it
    assert tags["UBND"] == "B-ORG" and tags["Nghệ_An"] == "I-ORG"
    # only the outermost entities are tagged, so tokens are cut at their boundaries only
    assert ["Chính_phủ_số", "Np", "B-REFORM_AREA"] in rows
    # one blank line between the two sentences
    assert lines[2:].index("") == words.index(".") + 1


def test_conll_is_read_by_spacy_and_round_trips(tmp_path, records):
    from spacy.training.converters import conll_ner_to_docs
    path = tmp_path / "out.conll"
    assert write_conll(records, path) == 3
    content = path.read_text(encoding="utf-8")
    sdocs = list(conll_ner_to_docs(content, n_sents=0, no_print=True))
    ours = list(read_conll(path))
    assert len(sdocs) == len(ours) == 2  # the empty document has no tokens
    for rec, sdoc, back in zip(records, sdocs, ours):
        expected = [(e["label"], "".join(e["text"].split())) for e in outermost(rec["entities"])]
        assert [(e.label_, e.text.replace("_", "").replace(" ", "")) for e in sdoc.ents] == expected
        assert [(e["label"], e["text"].replace(" ", "")) for e in back["entities"]] == expected
    assert len(list(sdocs[0].sents)) == 2


def test_parse_conll_accepts_other_tag_schemes():
    content = "Bộ B-MINISTRY\nNội_vụ I-MINISTRY\nhọp O\n\nHà_Nội U-PLACE\nngày B-DATE\n3/2 L-DATE\n"
    (rec,) = parse_conll(content)
    assert rec["text"] == "Bộ Nội vụ họp\nHà Nội ngày 3/2"
    assert [(e["label"], e["text"]) for e in rec["entities"]] == [
        ("MINISTRY", "Bộ Nội vụ"), ("PLACE", "Hà Nội"), ("DATE", "ngày 3/2")]
    assert rec["entities"][0]["canonical"] is None and rec["entities"][2]["value"] is None



def test_conll_tags_the_first_label_of_entities_over_the_same_span():
    """Of two outermost entities over the same characters, the first in the order of the format
    (by label) is tagged, whatever the order of the record's entities."""
    doc = Document("Bộ Nội vụ họp.", id="same-span")
    doc.add_entity("ORG", 0, 9)
    doc.add_entity("MINISTRY", 0, 9, canonical="Bộ Nội vụ")
    rec = doc.to_json()
    for entities in (rec["entities"], rec["entities"][::-1]):
        lines = list(conll_lines(dict(rec, entities=entities)))
        assert lines[2:5] == ["Bộ - B-MINISTRY", "Nội - I-MINISTRY", "vụ - I-MINISTRY"]
