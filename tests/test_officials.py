"""The officials stage: OFFICIAL (title, org) and PERSON entities. All sentences are written for these tests."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.document import Document
from pipeline.officials import OfficialTagger, looks_vietnamese

ROOT_SCORE = "tools/score.py"


@pytest.fixture(scope="module")
def tagger() -> OfficialTagger:
    return OfficialTagger()


def run(tagger, text: str, ministries: dict[str, str] | None = None, published: str | None = None,
        places: list[str] | None = None) -> Document:
    """Tag ``text``; ``ministries`` maps a surface in the text to its canonical name (added as MINISTRY)."""
    doc = Document(text, id="t", meta={"published": published})
    for surface, canonical in (ministries or {}).items():
        start = text.find(surface)
        while start >= 0:
            doc.add_entity("MINISTRY", start, start + len(surface), canonical=canonical)
            start = text.find(surface, start + 1)
    for surface in places or []:
        start = text.find(surface)
        while start >= 0:
            doc.add_entity("PLACE", start, start + len(surface))
            start = text.find(surface, start + 1)
    tagger(doc)
    doc.validate()
    return doc


def officials(doc: Document) -> list[tuple[str, str | None, str | None]]:
    return [(e.text, e.attrs.get("title"), e.attrs.get("org"))
            for e in doc.sorted_entities() if e.label == "OFFICIAL"]


def persons(doc: Document) -> list[str]:
    return [e.text for e in doc.sorted_entities() if e.label == "PERSON"]


# -- office before the name ----------------------------------------------------------
def test_office_then_ministry_then_name(tagger):
    doc = run(tagger, "Tiêu đề\n\nThứ trưởng Bộ Tài chính Nguyễn Văn An phát biểu tại hội nghị.",
              {"Bộ Tài chính": "Bộ Tài chính"})
    assert officials(doc) == [("Nguyễn Văn An", "Thứ trưởng", "Bộ Tài chính")]


def test_field_only_ministry_and_deputy_prefix(tagger):
    doc = run(tagger, "Phó Thủ tướng Lê Văn Khoa và Bộ trưởng Nội vụ Đặng Thu Hà cùng dự lễ.",
              {"Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Lê Văn Khoa", "Phó Thủ tướng", None),
                              ("Đặng Thu Hà", "Bộ trưởng", "Bộ Nội vụ")]


def test_provincial_office_skips_place_that_starts_with_a_surname(tagger):
    doc = run(tagger, "Chủ tịch UBND tỉnh Thái Bình Ngô Quang Hải và Bí thư Thành ủy Hà Nội Tạ Minh Đức "
                      "đã ký kết.")
    assert officials(doc) == [("Ngô Quang Hải", "Chủ tịch", None), ("Tạ Minh Đức", "Bí thư", None)]


def test_acting_and_former_offices(tagger):
    doc = run(tagger, "Nguyên Thủ tướng Vũ Văn Lâm gặp quyền Bộ trưởng Bộ Y tế Đinh Thị Lan.",
              {"Bộ Y tế": "Bộ Y tế"})
    by_name = {e.text: e.attrs for e in doc.entities if e.label == "OFFICIAL"}
    assert by_name["Vũ Văn Lâm"]["title"] == "Thủ tướng" and by_name["Vũ Văn Lâm"]["former"] is True
    assert by_name["Đinh Thị Lan"]["title"] == "quyền Bộ trưởng"
    assert by_name["Đinh Thị Lan"]["org"] == "Bộ Y tế"


# -- apposition and connectors ----------------------------------------------------------
def test_apposition_with_department_and_ministry_after_comma(tagger):
    doc = run(tagger, "Dự họp có bà Lê Thị Hoa, Phó Vụ trưởng Vụ Pháp chế, Bộ Tư pháp; ông Mai Văn Sáu, "
                      "Giám đốc Sở Nội vụ tỉnh Nghệ An.", {"Bộ Tư pháp": "Bộ Tư pháp"})
    assert officials(doc) == [("Lê Thị Hoa", "Phó Vụ trưởng", "Bộ Tư pháp"),
                              ("Mai Văn Sáu", "Giám đốc", None)]


def test_name_before_office_without_honorific(tagger):
    doc = run(tagger, "Trần Văn Bình, Thủ tướng Chính phủ, đã ký quyết định này.")
    assert officials(doc) == [("Trần Văn Bình", "Thủ tướng", None)]


def test_name_then_connector_then_office(tagger):
    doc = run(tagger, "Ông Hồ Quang Vinh làm Chủ tịch UBND tỉnh Gia Lai\n\n"
                      "HĐND tỉnh đã bầu ông Hồ Quang Vinh, Phó bí thư Tỉnh ủy, làm Chủ tịch UBND tỉnh.")
    found = officials(doc)
    assert found == [("Hồ Quang Vinh", "Chủ tịch", None)] * 2
    attrs = next(e.attrs for e in doc.entities if e.label == "OFFICIAL")
    assert "Phó Bí thư" in attrs["titles"]


def test_chain_of_offices_before_a_name(tagger):
    doc = run(tagger, "Tổng Bí thư, Chủ tịch nước Đỗ Minh Khang tiếp đoàn đại biểu.")
    (ent,) = [e for e in doc.entities if e.label == "OFFICIAL"]
    assert (ent.text, ent.attrs["title"], ent.attrs["org"]) == ("Đỗ Minh Khang", "Tổng Bí thư", None)
    assert ent.attrs["titles"] == ["Tổng Bí thư", "Chủ tịch nước"]


def test_list_of_officials_is_not_an_apposition(tagger):
    doc = run(tagger, "Tham dự có Bộ trưởng Bộ Xây dựng Lý Văn Hùng, Thứ trưởng Tôn Thất Bảo.",
              {"Bộ Xây dựng": "Bộ Xây dựng"})
    assert officials(doc) == [("Lý Văn Hùng", "Bộ trưởng", "Bộ Xây dựng"),
                              ("Tôn Thất Bảo", "Thứ trưởng", "Bộ Xây dựng")]


def test_office_then_comma_then_honorific_and_name(tagger):
    doc = run(tagger, "Phát biểu tại hội nghị, Thứ trưởng Bộ Nội vụ, ông Quách Văn Toàn cho biết sẽ sắp xếp "
                      "lại các đơn vị.", {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Quách Văn Toàn", "Thứ trưởng", "Bộ Nội vụ")]


def test_local_office_of_a_ministry_field_has_no_org(tagger):
    doc = run(tagger, "Giám đốc Sở Y tế tỉnh Bình Phước Lục Văn Thành kiểm tra bệnh viện.", {"Y tế": "Bộ Y tế"})
    assert officials(doc) == [("Lục Văn Thành", "Giám đốc", None)]


def test_bare_dai_bieu_is_a_deputy_only_in_a_national_assembly_story(tagger):
    doc = run(tagger, "Tại kỳ họp Quốc hội, đại biểu Giáp Văn Hòa (Bắc Giang) đề nghị giảm thủ tục.")
    assert officials(doc) == [("Giáp Văn Hòa", "đại biểu Quốc hội", None)]
    doc = run(tagger, "Hội thảo khoa học có 200 đại biểu tham dự; đại biểu Giáp Văn Hòa phát biểu.")
    assert officials(doc) == []


# -- later mentions -----------------------------------------------------------------------
def test_later_full_and_partial_mentions_share_attributes(tagger):
    doc = run(tagger, "Chủ tịch UBND tỉnh Nam Định Phạm Đình Nghị cho biết tỉnh sẽ cắt giảm thủ tục. "
                      "Ông Nghị nhấn mạnh cần làm ngay. Theo ông Phạm Đình Nghị, kết quả đã rõ.")
    assert officials(doc) == [("Phạm Đình Nghị", "Chủ tịch", None), ("Nghị", "Chủ tịch", None),
                              ("Phạm Đình Nghị", "Chủ tịch", None)]


def test_partial_mention_is_skipped_when_two_people_share_the_given_name(tagger):
    doc = run(tagger, "Thứ trưởng Lê Văn Hùng và Cục trưởng Trần Quốc Hùng cùng dự. Ông Hùng cho biết thêm.")
    assert [o[0] for o in officials(doc)] == ["Lê Văn Hùng", "Trần Quốc Hùng"]


def test_office_elsewhere_in_the_document_applies_to_every_mention(tagger):
    doc = run(tagger, "Ông Bùi Đức Thịnh: cần tinh gọn bộ máy\n\n"
                      "Thứ trưởng Bộ Nội vụ Bùi Đức Thịnh nói như vậy sáng nay.", {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Bùi Đức Thịnh", "Thứ trưởng", "Bộ Nội vụ")] * 2


# -- org ------------------------------------------------------------------------------------
def test_org_of_a_department_under_a_ministry(tagger):
    doc = run(tagger, "Bộ Y tế vừa họp báo. Cục trưởng Cục An toàn thực phẩm Ngô Văn Tuấn cho biết "
                      "sẽ kiểm tra. Ông Hồ Văn Nam, Cục trưởng Cục Quản lý giá, Bộ Tài chính, cũng dự.",
              {"Bộ Y tế": "Bộ Y tế", "Bộ Tài chính": "Bộ Tài chính"})
    assert officials(doc) == [("Ngô Văn Tuấn", "Cục trưởng", "Bộ Y tế"),
                              ("Hồ Văn Nam", "Cục trưởng", "Bộ Tài chính")]


def test_deputy_minister_without_ministry_takes_the_ministry_of_the_story(tagger):
    doc = run(tagger, "Bộ Công Thương lập hội đồng kỷ luật do Thứ trưởng Cao Văn Minh làm Chủ tịch.",
              {"Bộ Công Thương": "Bộ Công Thương"})
    assert officials(doc) == [("Cao Văn Minh", "Thứ trưởng", "Bộ Công Thương")]


def test_org_is_null_for_party_assembly_and_provincial_offices(tagger):
    doc = run(tagger, "Bộ Nội vụ dự hội nghị với Trưởng ban Tổ chức Trung ương Đoàn Văn Tú, "
                      "đại biểu Quốc hội Kiều Thị Yến và Phó Chủ tịch UBND tỉnh Trịnh Văn Lộc.",
              {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Đoàn Văn Tú", "Trưởng ban", None),
                              ("Kiều Thị Yến", "đại biểu Quốc hội", None),
                              ("Trịnh Văn Lộc", "Phó Chủ tịch", None)]


def test_civil_servant_named_after_the_word_cong_chuc(tagger):
    doc = run(tagger, "Bộ Tư pháp đã kỷ luật công chức Phan Thị Nga vì vi phạm giờ làm việc.",
              {"Bộ Tư pháp": "Bộ Tư pháp"})
    assert officials(doc) == [("Phan Thị Nga", "công chức", "Bộ Tư pháp")]


# -- foreign officials ------------------------------------------------------------------------
def test_foreign_officials_have_no_org(tagger):
    doc = run(tagger, "Thủ tướng Úc Peter Collins gặp Bộ trưởng Quốc phòng Mỹ John Miller và "
                      "Ngoại trưởng Haverford.", {"Quốc phòng": "Bộ Quốc phòng"})
    assert officials(doc) == [("Peter Collins", "Thủ tướng", None), ("John Miller", "Bộ trưởng", None),
                              ("Haverford", "Ngoại trưởng", None)]


def test_foreign_name_after_a_country_even_when_it_looks_vietnamese(tagger):
    doc = run(tagger, "Chủ tịch nước tiếp quyền Bộ trưởng Hải quân Mỹ Tâm Cao tại Hà Nội.")
    assert officials(doc) == [("Tâm Cao", "quyền Bộ trưởng", None)]


def test_well_known_office_holder_named_without_office(tagger):
    doc = run(tagger, "Các nghị sĩ bị ông Trump chỉ trích trên mạng xã hội.", published="2025-11-20")
    assert officials(doc) == [("Trump", "Tổng thống", None)]


# -- negatives ----------------------------------------------------------------------------------
def test_bylines_and_photo_credits_are_not_people(tagger):
    text = ("Hội nghị cải cách hành chính\n\nSáng nay Bộ Nội vụ tổ chức hội nghị. Ảnh: Nguyễn Văn Hùng. "
            "Quang cảnh hội nghị (Ảnh: Lê Minh Tâm) đông vui.\nTheo Đỗ Thu Trang/Báo Tin Tức\nPhạm Quốc Anh")
    doc = run(tagger, text, {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [] and persons(doc) == []


def test_experts_and_citizens_are_persons_not_officials(tagger):
    doc = run(tagger, "Theo chuyên gia kinh tế Lê Quốc Phong, thủ tục còn rườm rà. Anh Phạm Văn Tú "
                      "(45 tuổi) cho biết phải chờ lâu. TS Võ Thành Công nhận định tương tự.")
    assert officials(doc) == []
    assert persons(doc) == ["Lê Quốc Phong", "Phạm Văn Tú", "Võ Thành Công"]


def test_company_heads_are_persons(tagger):
    doc = run(tagger, "Chủ tịch HĐQT Tập đoàn Sao Mai Lê Phước Vũ và Tổng Giám đốc Công ty Bình Minh "
                      "Trương Văn Tài ký hợp đồng.")
    assert officials(doc) == []
    assert persons(doc) == ["Lê Phước Vũ", "Trương Văn Tài"]


def test_office_without_a_name_and_bo_anaphora_give_nothing(tagger):
    doc = run(tagger, "Bộ trưởng cho biết Bộ sẽ sớm trình Chính phủ. Thủ tướng yêu cầu các bộ, ngành "
                      "khẩn trương thực hiện; Chủ tịch tỉnh chịu trách nhiệm trước Chính phủ.")
    assert doc.entities == []


def test_place_after_office_is_not_a_name(tagger):
    doc = run(tagger, "Phó bí thư Tỉnh ủy Lào Cai, Chủ tịch UBND TP Hồ Chí Minh và Quốc vương Brunei dự.")
    assert officials(doc) == []


# -- helpers, offsets, speed --------------------------------------------------------------------
def test_vietnamese_syllable_shape():
    assert all(looks_vietnamese(w) for w in ["Nguyễn", "Thị", "Khánh", "Hường", "Quý", "Giàng", "A"])
    assert not any(looks_vietnamese(w) for w in ["Trump", "Donald", "Rubio", "Albanese", "Wong"])


def test_offsets_match_text_and_layer_is_declared(tagger):
    text = "Phó Vụ trưởng  Vụ Tổ chức cán bộ Hoàng Văn Tư\tnói: “Tinh gọn bộ máy”, ông Tư cho biết."
    doc = run(tagger, text)
    for e in doc.entities:
        assert text[e.start:e.end] == e.text
    (row,) = doc.layers["officials"]
    assert row["name"] == "Hoàng Văn Tư" and row["label"] == "OFFICIAL" and row["title"] == "Phó Vụ trưởng"
    assert [text[s:e] for s, e in row["mentions"]] == ["Hoàng Văn Tư", "Tư"]
    assert [e.text for e in doc.entities if e.label == "OFFICIAL"] == ["Hoàng Văn Tư", "Tư"]


def test_dev_gold_officials(shared, tagger, tmp_path):
    from pipeline.ministries import MinistryTagger
    ministries = MinistryTagger()
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for line in (shared / "gold" / "dev.input.jsonl").open(encoding="utf-8"):
            doc = Document.from_dict(json.loads(line))
            tagger(ministries(doc))
            out.write(json.dumps({"id": doc.id, "text": doc.text,
                                  "entities": [e.to_json() for e in doc.sorted_entities()]},
                                 ensure_ascii=False) + "\n")
    result = subprocess.run([sys.executable, str(shared / ROOT_SCORE), str(shared / "gold" / "dev.jsonl"),
                             str(pred), "--labels", "OFFICIAL", "--json"], capture_output=True, text=True,
                            check=True)
    scores = json.loads(result.stdout)
    assert scores["labels"]["OFFICIAL"]["f1"] >= 0.9
    assert scores["attributes"]["OFFICIAL.title"]["acc"] >= 0.9
    assert scores["attributes"]["OFFICIAL.org"]["acc"] >= 0.9
