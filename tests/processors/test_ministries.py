"""The ministries registry (pipeline/lexicons/ministries.py) and the MINISTRY tagger (pipeline/processors/ministries/)."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from pipeline.document import Document
from pipeline.docdate import document_date as _document_date
from pipeline.lexicons.ministries import MinistryRegistry, form_key, registry
from pipeline.processors.ministries import MinistryTagger


def document_date(doc):
    return _document_date(doc, registry().as_of)


@pytest.fixture(scope="module")
def reg() -> MinistryRegistry:
    return registry()


@pytest.fixture(scope="module")
def tagger() -> MinistryTagger:
    return MinistryTagger()


def tag(tagger, text, published=None):
    doc = Document(text, id="t", meta={"published": published})
    tagger(doc)
    doc.validate()
    return doc


def ministries(doc):
    return [(e.text, e.attrs["canonical"]) for e in doc.sorted_entities() if e.label == "MINISTRY"]


# -- registry ---------------------------------------------------------------------------

def test_registry_is_consistent(reg):
    recs = reg.records
    assert len(recs) >= 30
    for r in recs.values():
        assert r.type in ("bo", "co_quan_ngang_bo")
        assert r.name and r.name_en
        if r.valid_from and r.valid_to:
            assert r.valid_from < r.valid_to, r.id
        for s in r.successors:
            assert s in recs, (r.id, s)
            assert r.valid_to is not None, f"{r.id} has successors but no end date"
            assert r.id in recs[s].predecessors, f"{s} does not list {r.id} as predecessor"
            if recs[s].valid_from:
                assert recs[s].valid_from <= r.valid_to + dt.timedelta(days=1)
        for p in r.predecessors:
            assert p in recs and r.id in recs[p].successors, (r.id, p)
        if r.type == "bo":
            assert r.name.startswith("Bộ ")


def test_seventeen_bodies_today_and_twenty_two_in_2020(reg):
    today = reg.valid_at()
    assert len(today) == 17
    assert sum(r.type == "bo" for r in today) == 14
    assert {r.name for r in today if r.type != "bo"} == {
        "Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ", "Văn phòng Chính phủ"}
    assert len(reg.valid_at("2020-06-01")) == 22
    assert "Bộ Thủy sản" in {r.name for r in reg.valid_at("2006-01-01")}


def test_registry_matches_compiled_list(shared, reg):
    folder = shared / "data" / "vn_government" / "compiled_2025"
    with open(folder / "ministries_2025.csv", encoding="utf-8") as f:
        names = {row["name_vi"] for row in csv.DictReader(f)}
    assert names == {r.name for r in reg.valid_at("2025-06-01")}
    with open(folder / "ministries_pre2025_dissolved.csv", encoding="utf-8") as f:
        gone = {row["name_vi"] for row in csv.DictReader(f)}
    assert gone <= {r.name for r in reg.records.values() if r.valid_to == dt.date(2025, 2, 28)}


def test_lookup_and_field_forms(reg):
    assert form_key("Bộ GD và ĐT") == form_key("Bộ GD&ĐT") == form_key("bộ gd-đt")
    assert reg.lookup("Bộ TT&TT").name == "Bộ Thông tin và Truyền thông"
    assert reg.lookup("Bộ TTTT").id == reg.lookup("BTTTT").id == "btttt"
    assert reg.lookup("Bộ Công thương").name == "Bộ Công Thương"
    assert reg.lookup("Bộ LĐ-TB&XH").name == "Bộ Lao động - Thương binh và Xã hội"
    assert reg.lookup("NHNN").name == "Ngân hàng Nhà nước Việt Nam"
    assert reg.lookup("Bộ Văn hoá, Thể thao và Du lịch").id == "bvhttdl"  # old-style tone mark
    assert reg.match_field("Nội vụ") == "bnv"
    assert reg.match_field("Nông nghiệp", "2018-05-01") == "bnnptnt"
    assert reg.match_field("Nông nghiệp", "2025-05-01") == "bnnmt"
    assert reg.match_field("Văn hóa", "2005-05-01") == "bvhtt"
    assert reg.match_field("Chính trị") is None
    assert reg.canonical("bkhdt", "2026-01-01") == "Bộ Kế hoạch và Đầu tư"
    assert {r.id for r in reg.successors_at("bldtbxh", "2026-01-01")} == {"bnv", "bgddt", "byt"}
    assert [r.id for r in reg.successors_at("bbcvt", "2020-01-01")] == ["btttt"]


def test_document_date():
    assert document_date(Document("x", meta={"published": "2020-07-30"})) == (dt.date(2020, 7, 30), "published")
    d = Document("Ngày 8/2/2017, Bộ đã họp; ngày 1/3/2016 cũng vậy.")
    assert document_date(d) == (dt.date(2017, 2, 8), "text")
    assert document_date(Document("Năm 2016 và năm 2016, rồi năm 2015."))[1] == "year"
    assert document_date(Document("Không có ngày nào.")) == (None, "unknown")


# -- tagging: positives ------------------------------------------------------------------

def test_full_names_abbreviations_and_casing(tagger):
    doc = tag(tagger, "Hôm qua, Bộ TT&TT phối hợp với Bộ Công thương và bộ Y tế. "
                      "Bộ LĐ-TB&XH cùng NHNN, VPCP và TTCP báo cáo.", "2020-07-30")
    assert ministries(doc) == [
        ("Bộ TT&TT", "Bộ Thông tin và Truyền thông"), ("Bộ Công thương", "Bộ Công Thương"),
        ("bộ Y tế", "Bộ Y tế"), ("Bộ LĐ-TB&XH", "Bộ Lao động - Thương binh và Xã hội"),
        ("NHNN", "Ngân hàng Nhà nước Việt Nam"), ("VPCP", "Văn phòng Chính phủ"),
        ("TTCP", "Thanh tra Chính phủ")]
    assert all(e.attrs["id"] for e in doc.entities if e.label == "MINISTRY")
    assert doc.layers["ministries"][0]["id"] == "btttt"


def test_separator_variants(tagger):
    doc = tag(tagger, "Bộ Giao thông - Vận tải, Bộ Văn hóa - Thể thao & Du lịch, Bộ GD và ĐT, "
                      "Bộ Kế hoạch Đầu tư và Bộ Lao động, Thương binh và Xã hội đã ký.", "2019-01-01")
    assert [c for _, c in ministries(doc)] == [
        "Bộ Giao thông vận tải", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Giáo dục và Đào tạo",
        "Bộ Kế hoạch và Đầu tư", "Bộ Lao động - Thương binh và Xã hội"]


def test_field_only_forms_in_titles(tagger):
    doc = tag(tagger, "Bộ trưởng Nội vụ Lê Văn An và Thứ trưởng GD-ĐT Trần Thị Bình đã gặp "
                      "Phó Thủ tướng kiêm Bộ trưởng Ngoại giao.", "2021-03-01")
    assert ministries(doc) == [("Nội vụ", "Bộ Nội vụ"), ("GD-ĐT", "Bộ Giáo dục và Đào tạo"),
                               ("Ngoại giao", "Bộ Ngoại giao")]


def test_fields_listed_after_one_bo(tagger):
    doc = tag(tagger, "Đại diện Bộ Nội vụ, Tư pháp, Công thương đã dự. Trừ Bộ Công an và Quốc phòng, "
                      "các bộ: Tài chính, Y tế đều nộp báo cáo.", "2022-05-05")
    assert ministries(doc) == [
        ("Bộ Nội vụ", "Bộ Nội vụ"), ("Tư pháp", "Bộ Tư pháp"), ("Công thương", "Bộ Công Thương"),
        ("Bộ Công an", "Bộ Công an"), ("Quốc phòng", "Bộ Quốc phòng"),
        ("Tài chính", "Bộ Tài chính"), ("Y tế", "Bộ Y tế")]


def test_fields_joined_by_a_dash_after_lien_bo(tagger):
    doc = tag(tagger, "Thông tư của Liên Bộ Y tế - Tài chính hướng dẫn mức thu; Bộ Lao động - Thương binh "
                      "và Xã hội góp ý.", "2016-03-01")
    assert ministries(doc) == [("Bộ Y tế", "Bộ Y tế"), ("Tài chính", "Bộ Tài chính"),
                               ("Bộ Lao động - Thương binh và Xã hội", "Bộ Lao động - Thương binh và Xã hội")]


def test_list_stops_at_local_bodies(tagger):
    doc = tag(tagger, "Bộ Y tế, Công an tỉnh Nam Định và Sở Y tế đã vào cuộc.", "2022-05-05")
    assert ministries(doc) == [("Bộ Y tế", "Bộ Y tế")]


def test_ministry_after_its_department(tagger):
    doc = tag(tagger, "Cục Quản lý giá (Bộ Tài chính) và Vụ Pháp chế, Bộ Xây dựng cho biết; "
                      "Tổng cục Thủy lợi thuộc Bộ NN&PTNT cũng vậy.", "2019-09-09")
    assert ministries(doc) == [("Bộ Tài chính", "Bộ Tài chính"), ("Bộ Xây dựng", "Bộ Xây dựng"),
                               ("Bộ NN&PTNT", "Bộ Nông nghiệp và Phát triển nông thôn")]
    orgs = [(e.text, e.attrs["ministry"]) for e in doc.sorted_entities() if e.label == "ORG"]
    assert orgs == [("Cục Quản lý giá", "Bộ Tài chính"), ("Vụ Pháp chế", "Bộ Xây dựng"),
                    ("Tổng cục Thủy lợi", "Bộ Nông nghiệp và Phát triển nông thôn")]


def test_canonical_follows_the_document_date(tagger):
    text = "Bộ trưởng Nông nghiệp phát biểu tại hội nghị."
    assert ministries(tag(tagger, text, "2018-04-01")) == [("Nông nghiệp", "Bộ Nông nghiệp và Phát triển nông thôn")]
    assert ministries(tag(tagger, text, "2025-09-01")) == [("Nông nghiệp", "Bộ Nông nghiệp và Môi trường")]
    # undated: the date written in the text decides
    dated = "Ngày 3/4/2016, Bộ trưởng Nông nghiệp phát biểu."
    assert ministries(tag(tagger, dated)) == [("Nông nghiệp", "Bộ Nông nghiệp và Phát triển nông thôn")]
    # undated without any date: the exact names in the document point to the period
    era = "Bộ KH&ĐT và Bộ TN&MT họp với Bộ Nông nghiệp."
    assert ministries(tag(tagger, era))[-1] == ("Bộ Nông nghiệp", "Bộ Nông nghiệp và Phát triển nông thôn")


def test_former_bodies_keep_their_own_name(tagger):
    doc = tag(tagger, "Ông từng công tác 20 năm tại Bộ Kế hoạch và Đầu tư.", "2026-01-10")
    assert ministries(doc) == [("Bộ Kế hoạch và Đầu tư", "Bộ Kế hoạch và Đầu tư")]
    doc = tag(tagger, "Năm 2005, Bộ Bưu chính, Viễn thông ban hành quyết định.", None)
    assert ministries(doc) == [("Bộ Bưu chính, Viễn thông", "Bộ Bưu chính, Viễn thông")]
    doc = tag(tagger, "Năm 2005, Bộ Bưu chính, Viễn thông ban hành quyết định.", "2020-01-01")
    assert ministries(doc) == [("Bộ Bưu chính, Viễn thông", "Bộ Bưu chính, Viễn thông")]
    doc = tag(tagger, "Ông Trần Văn Cường, cựu Thứ trưởng Bộ Nông nghiệp, hầu tòa.", "2025-10-01")
    assert ministries(doc) == [("Bộ Nông nghiệp", "Bộ Nông nghiệp và Phát triển nông thôn")]
    doc = tag(tagger, "Theo nguyên Bộ trưởng Thương mại Lê Văn Bình, ...", "2017-05-01")
    assert ministries(doc) == [("Thương mại", "Bộ Thương mại")]


# -- tagging: negatives ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Bộ đã yêu cầu các đơn vị thuộc Bộ báo cáo Bộ trưởng.",
    "Ông là Ủy viên Bộ Chính trị, Bí thư Thành ủy.",
    "Bộ Ngoại giao Mỹ và Bộ Quốc phòng Nhật Bản ra tuyên bố.",
    "Bộ trưởng Quốc phòng Nhật Bản và Bộ trưởng Tư pháp Jeff Sessions đã họp.",
    "Người phát ngôn Bộ Ngoại giao nước này cho biết.",
    "Theo Thông tư 12/2020/TT-BTC và Quyết định 376/QĐ-BCT, Thông tư 05/2019/TT-NHNN.",
    "Nhiều cán bộ Công an và cán bộ y tế đã có mặt.",
    "Ông gặp Bộ trưởng Bộ Giáo dục và Thể thao Lào.",
    "Đại diện Bộ Y tế, Lao động và Phúc lợi Nhật Bản phát biểu.",
    "Hội nghị các Bộ trưởng Ngoại giao ASEAN khai mạc.",
    "Năm 2017, Bộ trưởng Thương mại Wilbur Ross đến thăm.",
])
def test_not_ministries(tagger, text):
    assert ministries(tag(tagger, text, "2017-06-01")) == []


def test_company_after_a_comma_is_not_a_foreign_name(tagger):
    doc = tag(tagger, "Đại diện Bộ Quốc phòng, Viettel và Bộ Tài chính, Deloitte đã có mặt.", "2020-01-01")
    assert ministries(doc) == [("Bộ Quốc phòng", "Bộ Quốc phòng"), ("Bộ Tài chính", "Bộ Tài chính")]


def test_lone_bo_and_politburo_in_context(tagger):
    doc = tag(tagger, "Bộ Công Thương cho biết Bộ sẽ báo cáo Bộ Chính trị.", "2020-01-01")
    assert ministries(doc) == [("Bộ Công Thương", "Bộ Công Thương")]


# -- robustness and speed --------------------------------------------------------------------

def test_offsets_on_awkward_text(tagger):
    text = "\u00a0Bộ\u00a0TT&TT\n\nBộ  Tài   chính;Bộ KH-ĐT.(VPCP)/NHNN–Bộ Y tế"
    doc = tag(tagger, text, None)
    for e in doc.entities:
        assert text[e.start:e.end] == e.text
    assert {c for _, c in ministries(doc)} >= {"Bộ Tài chính", "Bộ Kế hoạch và Đầu tư", "Văn phòng Chính phủ"}


def test_dev_gold(shared, tagger):
    tp = fp = fn = right = 0
    with open(shared / "gold" / "dev.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            gold = {(e["start"], e["end"]): e.get("canonical") for e in rec["entities"] if e["label"] == "MINISTRY"}
            doc = Document.from_dict(rec)
            tagger(doc)
            pred = {(e.start, e.end): e.attrs["canonical"] for e in doc.entities if e.label == "MINISTRY"}
            tp += len(gold.keys() & pred.keys())
            fp += len(pred.keys() - gold.keys())
            fn += len(gold.keys() - pred.keys())
            right += sum(gold[k] == pred[k] for k in gold.keys() & pred.keys())
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.95 and right / tp >= 0.95, (tp, fp, fn, right)


def test_informal_name_before_another_organisation(tagger):
    # the informal form stands for our ministry when another body's name follows it ...
    doc = tag(tagger, "Bộ Giáo dục và Học viện Kỹ thuật Quân sự ký kết hợp tác.", "2025-10-04")
    assert ministries(doc) == [("Bộ Giáo dục", "Bộ Giáo dục và Đào tạo")]
    doc = tag(tagger, "Bộ Nông nghiệp và Đại học Cần Thơ phối hợp nghiên cứu.", "2025-10-04")
    assert ministries(doc) == [("Bộ Nông nghiệp", "Bộ Nông nghiệp và Môi trường")]
    # ... but not when the longer name goes on like a ministry's fields (a foreign ministry)
    doc = tag(tagger, "Bộ Giáo dục, Thanh niên và Thể thao Campuchia cử đoàn sang.", "2025-10-04")
    assert ministries(doc) == []
    doc = tag(tagger, "Bộ Văn hóa và Thông tin Lào tổ chức triển lãm.", "2025-10-04")
    assert ministries(doc) == []
