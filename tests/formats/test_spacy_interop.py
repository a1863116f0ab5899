"""spaCy interop: Document -> spacy Doc -> Document, the "vnextract" component and its entry point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

from pipeline import Document, Processor, load, register  # noqa: E402
from pipeline.document import Token  # noqa: E402
from pipeline.formats.spacy_interop import SPANS_KEY, from_spacy, record_from_spacy, to_spacy  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# written for these tests
TEXT = ("Thứ trưởng Bộ Nội vụ Nguyễn Văn An làm việc với UBND tỉnh Khánh Hòa ngày 5/9/2016.\n\n"
        "Ông An đề nghị  đẩy mạnh cải cách thủ tục hành chính 🙂 trong năm nay.")
# the same with one decomposed (NFD) word: normalization changes the offsets after it
TEXT_NFD = TEXT.replace("đề nghị", "đề " + unicodedata.normalize("NFD", "nghị"))


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return i, i + len(needle)


def make_doc(with_tokens: bool = True) -> Document:
    """A document with nested entities, every kind of attribute and tokens that do not match them."""
    doc = Document(TEXT, id="t-1", meta={"published": "2016-09-06", "title": None})
    if with_tokens:
        # our own segmentation: multi-syllable words, one token ("An làm") crossing an entity end,
        # and a few characters ("🙂", the second space) covered by no token
        words = ["Thứ trưởng", "Bộ", "Nội vụ", "Nguyễn Văn", "An làm", "việc", "với", "UBND", "tỉnh",
                 "Khánh Hòa", "ngày", "5/9/2016", ".", "Ông", "An", "đề nghị", "đẩy mạnh", "cải cách",
                 "thủ tục", "hành chính", "trong", "năm", "nay", "."]
        pos = 0
        for w in words:
            s = TEXT.index(w, pos)
            doc.tokens.append(Token(s, s + len(w), "N" if w[0].isupper() else "V"))
            pos = s + len(w)
        doc.sentences = []
        from pipeline.document import Span
        first_end = TEXT.index(".") + 1
        doc.sentences = [Span(0, first_end), Span(TEXT.index("Ông"), len(TEXT))]
    doc.add_entity("MINISTRY", *find(TEXT, "Bộ Nội vụ"), canonical="Bộ Nội vụ", id="bnv")
    doc.add_entity("OFFICIAL", *find(TEXT, "Nguyễn Văn An"), title=["Thứ trưởng", "Ủy viên"], org="Bộ Nội vụ")
    doc.add_entity("ORG", *find(TEXT, "UBND tỉnh Khánh Hòa"))
    doc.add_entity("PLACE", *find(TEXT, "tỉnh Khánh Hòa"),
                   canonical={"level": "province", "name": "Tỉnh Khánh Hòa", "code": "56"})
    doc.add_entity("DATE", *find(TEXT, "ngày 5/9/2016"), value="2016-09-05")
    doc.add_entity("OFFICIAL", *find(TEXT, "An", 1), title=["Thứ trưởng", "Ủy viên"], org="Bộ Nội vụ")
    doc.add_entity("REFORM_AREA", *find(TEXT, "cải cách thủ tục hành chính"), area="procedures")
    doc.add_entity("REFORM_AREA", *find(TEXT, "thủ tục hành chính"), area="procedures")
    doc.add_entity("DATE", *find(TEXT, "năm nay"), value=None)
    doc.layers["paragraphs"] = [{"start": 0, "end": first_end if with_tokens else 10}]
    return doc


def test_to_spacy_keeps_text_tokens_and_tags():
    doc = make_doc()
    sdoc = to_spacy(doc)
    assert sdoc.text == doc.text
    ours = [(t.idx, t.idx + len(t.text)) for t in sdoc if not t._.vnx_added]
    assert ours == [(t.start, t.end) for t in doc.tokens]
    assert [t.text for t in sdoc if t._.vnx_added and not t.is_space] == ["🙂"]
    assert sdoc[0].text == "Thứ trưởng" and sdoc[0].tag_ == "N"
    assert len(list(sdoc.sents)) == 2
    assert sdoc.lang_ == "vi"


def test_ents_are_outermost_and_spans_hold_everything():
    doc = make_doc()
    sdoc = to_spacy(doc)
    assert len(sdoc.spans[SPANS_KEY]) == len(doc.entities)
    ents = [(e.label_, e._.vnx_start, e._.vnx_end) for e in sdoc.ents]
    # the ORG wins over the PLACE inside it, the longer REFORM_AREA over the shorter one
    assert ("ORG", *find(TEXT, "UBND tỉnh Khánh Hòa")) in ents
    assert not any(label == "PLACE" for label, _, _ in ents)
    assert ("REFORM_AREA", *find(TEXT, "cải cách thủ tục hành chính")) in ents
    assert ("REFORM_AREA", *find(TEXT, "thủ tục hành chính")) not in ents
    starts = sorted((e.start, e.end) for e in sdoc.ents)
    assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:])), "doc.ents must not overlap"


def test_span_attributes_and_exact_offsets():
    sdoc = to_spacy(make_doc())
    by_text = {(s.label_, s._.vnx_start): s for s in sdoc.spans[SPANS_KEY]}
    ministry = by_text[("MINISTRY", TEXT.index("Bộ Nội vụ"))]
    assert ministry.kb_id_ == "Bộ Nội vụ" and ministry._.vnx_canonical == "Bộ Nội vụ"
    assert ministry._.vnx_attrs == {"canonical": "Bộ Nội vụ", "id": "bnv"}
    official = by_text[("OFFICIAL", TEXT.index("Nguyễn Văn An"))]
    # the token "An làm" crosses the name's end: the span expands, the exact offsets are kept
    assert official.text == "Nguyễn Văn An làm"
    assert TEXT[official._.vnx_start:official._.vnx_end] == "Nguyễn Văn An"
    assert official._.vnx_title == ["Thứ trưởng", "Ủy viên"] and official._.vnx_org == "Bộ Nội vụ"
    place = by_text[("PLACE", TEXT.index("tỉnh Khánh Hòa"))]
    assert place.kb_id_ == "Tỉnh Khánh Hòa" and place._.vnx_canonical["code"] == "56"
    date = by_text[("DATE", TEXT.index("ngày 5/9/2016"))]
    assert date.kb_id_ == "2016-09-05" and date._.vnx_value == "2016-09-05"
    area = by_text[("REFORM_AREA", TEXT.index("cải cách"))]
    assert area.kb_id_ == "procedures" and area._.vnx_area == "procedures"
    nay = by_text[("DATE", TEXT.index("năm nay"))]
    assert nay.kb_id_ == "" and nay._.vnx_attrs == {"value": None}


@pytest.mark.parametrize("with_tokens", [True, False])
def test_round_trip_is_exact(with_tokens):
    doc = make_doc(with_tokens)
    back = from_spacy(to_spacy(doc))
    assert back.to_json() == doc.to_json()
    assert isinstance(back, Document)


def test_round_trip_keeps_the_normalized_mark_and_layers():
    rec = make_doc().to_json()
    rec["normalized"] = True
    rec["abbreviations"] = [{"start": 0, "end": 2, "short": "Th", "long": "Thứ"}]
    assert record_from_spacy(to_spacy(rec)) == rec


def test_split_tokens_makes_every_span_exact():
    doc = make_doc()
    sdoc = to_spacy(doc, split_tokens=True)
    assert sdoc.text == doc.text
    for span in sdoc.spans[SPANS_KEY]:
        assert (span.start_char, span.end_char) == (span._.vnx_start, span._.vnx_end)
    assert [t.text for t in sdoc[:6]][4:6] == ["An", "làm"]


@pytest.mark.parametrize("text", ["", "   ", "\n\nA  b\t c \n", "🙂🙂 x", "a\u00a0b"])
def test_odd_whitespace_and_uncovered_characters(text):
    doc = Document(text, id="odd")
    if text.strip():
        doc.add_entity("PLACE", text.index(text.strip()[0]), len(text.rstrip()))
    sdoc = to_spacy(doc)
    assert sdoc.text == text
    assert from_spacy(sdoc).to_json() == doc.to_json()


def test_foreign_spacy_doc():
    nlp = spacy.blank("xx")
    sdoc = nlp("Bộ Tư pháp họp ngày 3/2 .")
    from spacy.tokens import Span
    sdoc.ents = [Span(sdoc, 0, 3, label="MINISTRY", kb_id="Bộ Tư pháp"), Span(sdoc, 4, 6, label="DATE")]
    rec = record_from_spacy(sdoc)
    assert rec["id"] is None and rec["text"] == sdoc.text
    assert rec["entities"] == [
        {"label": "MINISTRY", "start": 0, "end": 10, "text": "Bộ Tư pháp", "canonical": "Bộ Tư pháp"},
        {"label": "DATE", "start": 15, "end": 23, "text": "ngày 3/2", "value": None}]
    assert all(t["end"] > t["start"] for t in rec["tokens"])


# -- the component -------------------------------------------------------------------------

class _FakeEntities(Processor):
    """A stand-in entity stage for these tests: finds a few fixed strings."""

    name = "test_interop_entities"
    requires = frozenset()
    provides = frozenset({"entities"})

    def __call__(self, doc):
        for label, needle, attrs in [("MINISTRY", "Bộ Nội vụ", {"canonical": "Bộ Nội vụ"}),
                                     ("PLACE", "tỉnh Khánh Hòa", {"canonical": {"name": "Tỉnh Khánh Hòa"}}),
                                     ("ORG", "UBND tỉnh Khánh Hòa", {}),
                                     ("REFORM_AREA", "thủ tục hành chính", {"area": "procedures"})]:
            start = doc.text.find(needle)
            while start >= 0:
                doc.add_entity(label, start, start + len(needle), source="test", **attrs)
                start = doc.text.find(needle, start + 1)
        return doc


register(_FakeEntities.name, _FakeEntities)
STAGES = ["normalize", "sentences", _FakeEntities.name]


@pytest.fixture(scope="module")
def spacy_vi():
    pytest.importorskip("pyvi")
    nlp = spacy.blank("vi")
    nlp.add_pipe("vnextract", config={"stages": STAGES, "set_sents": True})
    return nlp


def _component_entities(sdoc):
    return [{"label": s.label_, "start": s._.vnx_start, "end": s._.vnx_end, **s._.vnx_attrs}
            for s in sdoc.spans[SPANS_KEY]]


def test_component_gives_the_pipeline_entities(spacy_vi):
    ours = load(STAGES)(TEXT_NFD)  # normalization changes the offsets after the NFD word
    sdoc = spacy_vi(TEXT_NFD)
    expected = []
    for e in ours.to_json()["entities"]:
        start, end = ours.to_original(e["start"], e["end"])
        expected.append({**{k: v for k, v in e.items() if k != "text"}, "start": start, "end": end})
    assert expected[-1]["start"] != ours.to_json()["entities"][-1]["start"]
    assert _component_entities(sdoc) == expected
    assert all(TEXT_NFD[s._.vnx_start:s._.vnx_end] == s.text for s in sdoc.spans[SPANS_KEY])
    assert {(e.label_, e.text) for e in sdoc.ents} == {
        ("MINISTRY", "Bộ Nội vụ"), ("ORG", "UBND tỉnh Khánh Hòa"), ("REFORM_AREA", "thủ tục hành chính")}
    assert len(list(sdoc.sents)) == 2
    assert record_from_spacy(sdoc)["entities"][0]["text"] == "Bộ Nội vụ"


def test_component_maps_offsets_back_to_unnormalized_input(spacy_vi):
    raw = unicodedata.normalize("NFD", "Đoàn của <b>Bộ Nội vụ</b> đến UBND tỉnh Khánh Hoà.")
    sdoc = spacy_vi(raw)
    assert sdoc.text == raw
    labels = {s.label_: s for s in sdoc.spans[SPANS_KEY]}
    ministry = labels["MINISTRY"]
    assert raw[ministry._.vnx_start:ministry._.vnx_end] == unicodedata.normalize("NFD", "Bộ Nội vụ")
    place = labels["PLACE"]
    assert unicodedata.normalize("NFC", raw[place._.vnx_start:place._.vnx_end]) == "tỉnh Khánh Hoà"


def test_component_reads_metadata_and_serializes(spacy_vi, tmp_path):
    sdoc = spacy_vi.make_doc("Bộ Nội vụ")
    sdoc.user_data["vnextract_meta"] = {"published": "2020-01-02"}
    sdoc = spacy_vi.get_pipe("vnextract")(sdoc)
    assert sdoc._.vnx_meta == {"published": "2020-01-02"}
    spacy_vi.to_disk(tmp_path / "model")
    again = spacy.load(tmp_path / "model")
    assert [e.text for e in again("Họp tại Bộ Nội vụ").ents] == ["Bộ Nội vụ"]


def test_component_with_default_stages_matches_load():
    pytest.importorskip("pyvi")
    text = "Thứ trưởng Bộ TT&TT Phạm Anh Tuấn phát biểu về cải cách hành chính tại Hải Phòng ngày 30/7/2020."
    nlp = spacy.blank("vi")
    nlp.add_pipe("vnextract")
    sdoc = nlp(text)
    expected = [{k: v for k, v in e.items() if k != "text"} for e in load()(text).to_json()["entities"]]
    assert _component_entities(sdoc) == expected


def test_factory_is_found_through_the_entry_point(tmp_path):
    """``add_pipe("vnextract")`` without importing the module, via the spacy_factories entry point."""
    dist = tmp_path / "vnextract_ep_probe-0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vnextract-ep-probe\nVersion: 0.0\n")
    (dist / "entry_points.txt").write_text(
        "[spacy_factories]\nvnextract = pipeline.formats.spacy_interop:make_component\n")
    code = ("import spacy; nlp = spacy.blank('xx'); "
            "nlp.add_pipe('vnextract', config={'stages': ['normalize']}); print(nlp.pipe_names)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().replace("'", '"')) == ["vnextract"]
