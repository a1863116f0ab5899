"""The officials stage: OFFICIAL (title, org) and PERSON entities. All sentences are written for these tests."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.document import Document
from pipeline.processors.officials import OfficialTagger
from pipeline.text.vietnamese import looks_vietnamese

ROOT_SCORE = "tools/score.py"


@pytest.fixture(scope="module")
def tagger() -> OfficialTagger:
    return OfficialTagger()


def run(tagger, text: str, ministries: dict[str, str] | None = None, published: str | None = None,
        places: list[str] | None = None, departments: dict[str, str] | None = None) -> Document:
    """Tag ``text``; ``ministries`` maps a surface in the text to its canonical name (added as MINISTRY),
    ``departments`` a department's name to its ministry (added as ORG, as the ministries stage does)."""
    doc = Document(text, id="t", meta={"published": published})
    for surface, canonical in (ministries or {}).items():
        start = text.find(surface)
        while start >= 0:
            doc.add_entity("MINISTRY", start, start + len(surface), canonical=canonical)
            start = text.find(surface, start + 1)
    for surface, ministry in (departments or {}).items():
        start = text.find(surface)
        while start >= 0:
            doc.add_entity("ORG", start, start + len(surface), ministry=ministry)
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


def test_shared_given_name_goes_to_the_person_named_last(tagger):
    doc = run(tagger, "Thứ trưởng Lê Văn Hùng và Cục trưởng Trần Quốc Hùng cùng dự. Ông Hùng cho biết thêm.")
    assert officials(doc) == [("Lê Văn Hùng", "Thứ trưởng", None), ("Trần Quốc Hùng", "Cục trưởng", None),
                              ("Hùng", "Cục trưởng", None)]
    doc = run(tagger, "Cục trưởng Trần Quốc Hùng phát biểu. Sau đó Thứ trưởng Lê Văn Hùng kết luận. "
                      "Ông Hùng yêu cầu làm ngay.")
    assert officials(doc)[-1] == ("Hùng", "Thứ trưởng", None)


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


# -- agencies of a ministry ----------------------------------------------------------------------
def test_head_of_an_agency_belongs_to_its_ministry(tagger):
    doc = run(tagger, "Tiêu đề\n\nGiám đốc Học viện Hành chính Quốc gia Trần Văn Minh và Tổng cục trưởng "
                      "Tổng cục Thuế Bùi Văn Nam cùng dự.", published="2017-06-30")
    assert officials(doc) == [("Trần Văn Minh", "Giám đốc", "Bộ Nội vụ"),
                              ("Bùi Văn Nam", "Tổng cục trưởng", "Bộ Tài chính")]


def test_agency_ministry_follows_the_document_date(tagger):
    text = "Tiêu đề\n\nCục trưởng Hàng không Lê Văn Hòa cho biết sân bay sẽ mở cửa."
    assert officials(run(tagger, text, published="2017-06-30")) == [
        ("Lê Văn Hòa", "Cục trưởng", "Bộ Giao thông vận tải")]
    assert officials(run(tagger, text, published="2025-06-30")) == [("Lê Văn Hòa", "Cục trưởng", "Bộ Xây dựng")]
    # a foreign agency of the same name is not the ministry's
    doc = run(tagger, "Cục Hàng không Liên bang Mỹ cảnh báo. Cục trưởng Cục Hàng không Liên bang Mỹ "
                      "John Carter nói.", published="2017-06-30")
    assert officials(doc) == [("John Carter", "Cục trưởng", None)]


def test_ministry_in_parentheses_or_after_thuoc(tagger):
    doc = run(tagger, "Ông Lê Văn Sáu, Vụ trưởng, Vụ Ngân sách (Bộ Tài chính) cho biết dự toán đã xong.",
              {"Bộ Tài chính": "Bộ Tài chính"}, departments={"Vụ Ngân sách": "Bộ Tài chính"})
    assert officials(doc) == [("Lê Văn Sáu", "Vụ trưởng", "Bộ Tài chính")]
    doc = run(tagger, "Giám đốc Trung tâm Dữ liệu trực thuộc Bộ Y tế Đào Văn Phúc trình bày.",
              {"Bộ Y tế": "Bộ Y tế"})
    assert officials(doc) == [("Đào Văn Phúc", "Giám đốc", "Bộ Y tế")]


def test_foreign_ministry_inside_the_organisation_phrase(tagger):
    doc = run(tagger, "Người phát ngôn Bộ Ngoại giao Nhật Bản Hiroshi Tanaka nói rằng Tokyo phản đối.")
    assert officials(doc) == [("Hiroshi Tanaka", "Người phát ngôn", None)]


# -- the office of a person named apart from it ------------------------------------------------------
def test_office_left_of_a_comma_before_a_name_with_its_own_office(tagger):
    doc = run(tagger, "Trước khi đọc quyết định của Thủ tướng, ông Lê Văn An, Vụ trưởng Vụ Tổ chức cán bộ, "
                      "Bộ Nội vụ cho biết.", {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Lê Văn An", "Vụ trưởng", "Bộ Nội vụ")]


def test_office_shared_by_a_list_of_names(tagger):
    doc = run(tagger, "Dự lễ có các Phó Thủ tướng Lương Văn Tám, Hà Minh Phúc và Bộ trưởng Bộ Y tế "
                      "Tạ Thu Hằng.", {"Bộ Y tế": "Bộ Y tế"})
    assert officials(doc) == [("Lương Văn Tám", "Phó Thủ tướng", None), ("Hà Minh Phúc", "Phó Thủ tướng", None),
                              ("Tạ Thu Hằng", "Bộ trưởng", "Bộ Y tế")]
    doc = run(tagger, "Tại kỳ họp Quốc hội, tổ ĐBQH gồm ông Mạc Văn Cường, bà Lã Thị Duyên đã tiếp xúc cử tri.")
    assert officials(doc) == [("Mạc Văn Cường", "đại biểu Quốc hội", None),
                              ("Lã Thị Duyên", "đại biểu Quốc hội", None)]


def test_career_list_without_names_goes_to_the_person_named_before(tagger):
    doc = run(tagger, "Đồng chí Hoàng Văn Khải sinh năm 1920. Ông đã trải qua nhiều cương vị: Bí thư Tỉnh ủy "
                      "Hà Nam; Thứ trưởng Bộ Công an; Bộ trưởng Bộ Thủy lợi... Lễ tưởng niệm đồng chí "
                      "Hoàng Văn Khải diễn ra trang trọng.", {"Bộ Công an": "Bộ Công an"})
    found = officials(doc)
    assert found == [("Hoàng Văn Khải", "Thứ trưởng", "Bộ Công an")] * 2
    attrs = next(e.attrs for e in doc.entities if e.label == "OFFICIAL")
    assert "Bí thư" in attrs["titles"]


def test_title_then_place_then_honorific_and_name(tagger):
    doc = run(tagger, "Phát biểu tại buổi tiếp, Đại sứ Pháp tại Việt Nam, bà Claire Dubois khẳng định hợp tác.")
    assert officials(doc) == [("Claire Dubois", "Đại sứ", None)]
    doc = run(tagger, "Bộ trưởng Quốc phòng Chile, tướng Mario Vargas ngày 3.4 cho biết.")
    assert officials(doc) == [("Mario Vargas", "Bộ trưởng", None)]


def test_appointment_names_the_person_before(tagger):
    doc = run(tagger, "Ông Đàm Quang Vinh được Bộ Chính trị điều động, chỉ định giữ chức Bí thư Tỉnh ủy "
                      "Cao Bằng.")
    assert officials(doc) == [("Đàm Quang Vinh", "Bí thư", None)]
    doc = run(tagger, "Thủ tướng đã ký quyết định bổ nhiệm giữ chức Thứ trưởng Bộ Y tế đối với ông Kiều Văn Lâm.",
              {"Bộ Y tế": "Bộ Y tế"})
    assert officials(doc) == [("Kiều Văn Lâm", "Thứ trưởng", "Bộ Y tế")]


def test_office_after_an_age_and_after_la(tagger):
    doc = run(tagger, "Ông Đoàn Văn Sơn, 54 tuổi, Chủ tịch UBND tỉnh xin nghỉ hưu trước tuổi. "
                      "Giấy tờ do Phó chủ tịch quận là ông Vi Văn Tường ký.")
    assert officials(doc) == [("Đoàn Văn Sơn", "Chủ tịch", None), ("Vi Văn Tường", "Phó Chủ tịch", None)]


def test_headline_office_goes_to_the_person_the_body_opens_with(tagger):
    doc = run(tagger, "Chủ tịch Đà Nẵng: Không để dân chờ\n\nÔng Lò Văn Tâm yêu cầu các sở làm ngay. "
                      "Ông Tâm nhấn mạnh.")
    assert officials(doc) == [("Lò Văn Tâm", "Chủ tịch", None), ("Tâm", "Chủ tịch", None)]
    doc = run(tagger, "Chủ tịch Quốc hội: Ông Lò Văn Tâm nghỉ là bình thường\n\nÔng Lò Văn Tâm đã có đơn.")
    assert officials(doc) == []


# -- the words of a title ------------------------------------------------------------------------------
def test_qualifiers_after_an_office_belong_to_the_title(tagger):
    doc = run(tagger, "Thủ tướng lâm thời Anita Rowe cam kết cải cách. Bí thư thứ nhất Trung ương Đoàn "
                      "Lê Minh Tuấn phát biểu. Bà Hà Thu Trang - Ủy viên Thường trực Ủy ban Pháp luật của "
                      "Quốc hội, cho biết.")
    assert officials(doc) == [("Anita Rowe", "Thủ tướng lâm thời", None),
                              ("Lê Minh Tuấn", "Bí thư thứ nhất", None),
                              ("Hà Thu Trang", "Ủy viên Thường trực", None)]


def test_deputy_delegation_head_title_is_not_taken_from_the_delegation_name(tagger):
    doc = run(tagger, "Tại kỳ họp Quốc hội, Phó Trưởng đoàn chuyên trách Đoàn ĐBQH tỉnh Bình Định "
                      "Trịnh Văn Lực cho biết.")
    assert officials(doc) == [("Trịnh Văn Lực", "Phó Trưởng đoàn chuyên trách", None)]


# -- not officials ---------------------------------------------------------------------------------------
def test_candidates_and_former_heads_speaking_as_experts(tagger):
    doc = run(tagger, "Cảnh sát bắt kẻ tấn công ứng viên tổng thống Pedro Alvarez tại thủ đô.")
    assert officials(doc) == []
    doc = run(tagger, "Bộ Công Thương họp. Tiến sỹ Lê Văn Tám, nguyên viện trưởng Viện Kinh tế, cho rằng giá "
                      "xăng cần minh bạch.", {"Bộ Công Thương": "Bộ Công Thương"})
    assert officials(doc) == [] and persons(doc) == ["Lê Văn Tám"]


def test_company_staff_and_namesakes_are_persons(tagger):
    doc = run(tagger, "Công an khởi tố các bị can của Công ty TNHH Hòa Bình gồm: Đỗ Văn Lực, Giám đốc; "
                      "Lê Thị Mơ, Phó Giám đốc.")
    assert officials(doc) == [] and persons(doc) == ["Đỗ Văn Lực", "Lê Thị Mơ"]
    doc = run(tagger, "Ông Ninh Văn Hải, chuyên viên pháp lý ngân hàng ABC, cho biết. Ông Tào Văn Bảy, "
                      "chuyên viên Vụ Pháp chế, cho biết.")
    assert officials(doc) == [("Tào Văn Bảy", "chuyên viên", None)]
    # a gazetteer name after "chị" is a namesake of the office holder
    doc = run(tagger, "Vườn vải nhà chị Nguyễn Thị Hồng (thôn Kép) được mùa.", published="2022-06-01")
    assert officials(doc) == []


def test_photo_credit_without_a_full_stop_does_not_swallow_the_next_sentence(tagger):
    doc = run(tagger, "Chủ tịch nước Tạ Quang Vinh tiếp khách. Ảnh: Minh Tâm-TTXVN Phát biểu tại buổi tiếp, "
                      "Chủ tịch nước Tạ Quang Vinh cảm ơn.")
    assert officials(doc) == [("Tạ Quang Vinh", "Chủ tịch nước", None)] * 2


def test_an_office_one_person_holds_is_not_given_to_another_name(tagger):
    doc = run(tagger, "Nhận xét phần trả lời của Phó Thủ tướng Lưu Văn Đạt, Chủ tịch Quốc hội cho rằng đã rõ. "
                      "Chủ tịch Quốc hội Triệu Thị Ngân kết luận.")
    assert officials(doc) == [("Lưu Văn Đạt", "Phó Thủ tướng", None),
                              ("Triệu Thị Ngân", "Chủ tịch Quốc hội", None)]


def test_context_ministry_does_not_override_a_central_office(tagger):
    doc = run(tagger, "Bộ Giao thông vận tải trình đề án. Ban chỉ đạo do Phó Thủ tướng Khổng Văn Minh làm "
                      "trưởng ban.", {"Bộ Giao thông vận tải": "Bộ Giao thông vận tải"})
    assert officials(doc) == [("Khổng Văn Minh", "Phó Thủ tướng", None)]


# -- helpers, offsets, speed --------------------------------------------------------------------
# -- counterparts, foreign names, councils ----------------------------------------------------------
def test_counterpart_takes_the_office_of_the_official_before(tagger):
    text = ("Tiêu đề\n\nBộ trưởng Quốc phòng Nhật Bản Kishi Nobuo hội đàm với người đồng cấp Úc Richard Marles. "
            "Ông Marles cho biết hai bên sẽ tập trận chung.")
    doc = run(tagger, text, places=["Nhật Bản", "Úc"])
    assert officials(doc) == [("Kishi Nobuo", "Bộ trưởng", None), ("Richard Marles", "Bộ trưởng", None),
                              ("Marles", "Bộ trưởng", None)]


def test_counterpart_needs_a_named_office_holder_before(tagger):
    doc = run(tagger, "Tiêu đề\n\nĐoàn công tác đã gặp người đồng cấp Úc Richard Marles tại Canberra.",
              places=["Úc"])
    assert officials(doc) == []


def test_east_asian_family_name_alone_after_an_honorific(tagger):
    text = "Tiêu đề\n\nNgoại trưởng Hàn Quốc Park Jin đến Hà Nội. Tại cuộc gặp, ông Park khẳng định lập trường."
    doc = run(tagger, text, places=["Hàn Quốc", "Hà Nội"])
    assert officials(doc) == [("Park Jin", "Ngoại trưởng", None), ("Park", "Ngoại trưởng", None)]


def test_foreign_minister_with_a_field_and_a_country(tagger):
    # the field is no MINISTRY here (a foreign ministry): it is still part of the organisation phrase
    doc = run(tagger, "Tiêu đề\n\nThứ trưởng Ngoại giao Nga Ivan Petrov tuyên bố như vậy.", places=["Nga"])
    assert officials(doc) == [("Ivan Petrov", "Thứ trưởng", None)]


def test_foreign_name_with_particles(tagger):
    doc = run(tagger, "Tiêu đề\n\nNgoại trưởng Ả Rập Xê Út Faisal bin Farhan Al Saud nói rằng.",
              places=["Ả Rập Xê Út"])
    assert officials(doc) == [("Faisal bin Farhan Al Saud", "Ngoại trưởng", None)]


def test_abbreviation_in_parentheses_inside_the_organisation(tagger):
    text = "Tiêu đề\n\nChủ tịch Ủy ban T.Ư Mặt trận Tổ quốc (MTTQ) Việt Nam Lê Văn Khải dự lễ."
    doc = run(tagger, text, places=["Việt Nam"])
    assert officials(doc) == [("Lê Văn Khải", "Chủ tịch", None)]
    doc = run(tagger, "Tiêu đề\n\nBộ trưởng Bộ Nội vụ (BNV) Trần Văn Hải phát biểu.", {"Bộ Nội vụ": "Bộ Nội vụ"})
    assert officials(doc) == [("Trần Văn Hải", "Bộ trưởng", "Bộ Nội vụ")]


def test_chairman_of_the_chinese_national_peoples_congress(tagger):
    text = "Tiêu đề\n\nÔng Triệu Minh Tế, ủy viên trưởng Nhân đại toàn quốc Trung Quốc, thăm Việt Nam."
    doc = run(tagger, text, places=["Trung Quốc", "Việt Nam"])
    assert officials(doc) == [("Triệu Minh Tế", "Ủy viên trưởng", None)]


def test_assistant_to_a_minister_is_not_the_minister(tagger):
    doc = run(tagger, "Tiêu đề\n\nTrợ lý Bộ trưởng Ngoại giao Mỹ, bà Jane Miller, cho biết.", places=["Mỹ"])
    assert officials(doc) == [("Jane Miller", "Trợ lý Bộ trưởng", None)]


def test_deputy_at_a_peoples_council_session(tagger):
    text = ("Tiêu đề\n\nKỳ họp thứ 5 HĐND tỉnh khai mạc. HĐND tỉnh nghe báo cáo. "
            "Đại biểu Lê Thị Mai đề nghị làm rõ. Đại biểu Lê Thị Mai cũng hỏi về Quốc hội.")
    doc = run(tagger, text)
    assert officials(doc) == [("Lê Thị Mai", "đại biểu HĐND", None)] * 2


def test_deputy_in_a_national_assembly_debate_on_councils(tagger):
    text = ("Tiêu đề\n\nTại kỳ họp Quốc hội, đại biểu Lê Thị Mai góp ý về HĐND cấp xã. "
            "Quốc hội sẽ biểu quyết.")
    doc = run(tagger, text)
    assert officials(doc) == [("Lê Thị Mai", "đại biểu Quốc hội", None)]


def test_office_named_earlier_with_its_ministry(tagger):
    text = ("Tiêu đề\n\nNgười phát ngôn Bộ Ngoại giao khẳng định chủ quyền. "
            "Trả lời phóng viên, Người phát ngôn Đỗ Thu Hà cho biết thêm.")
    doc = run(tagger, text, {"Bộ Ngoại giao": "Bộ Ngoại giao"})
    assert officials(doc) == [("Đỗ Thu Hà", "Người phát ngôn", "Bộ Ngoại giao")]
    # the other way round the ministry is not guessed
    text = ("Tiêu đề\n\nNgười phát ngôn Đỗ Thu Hà cho biết. Người phát ngôn Bộ Ngoại giao cũng khẳng định.")
    doc = run(tagger, text, {"Bộ Ngoại giao": "Bộ Ngoại giao"})
    assert officials(doc) == [("Đỗ Thu Hà", "Người phát ngôn", None)]


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
    from pipeline.processors.ministries.tagger import MinistryTagger
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


@pytest.mark.parametrize("text,name", [
    ("Anh Nguyễn Văn D. ( ấp 5 ) cho biết.", "Nguyễn Văn D."),   # a name written in part keeps its initial
    ("Bà Trần Thị Th. nói với chúng tôi.", "Trần Thị Th."),
    ("Ông Nguyễn Văn An. Sau đó ông đi.", "Nguyễn Văn An"),       # a full syllable before a full stop is not an initial
])
def test_a_name_that_ends_in_an_initial_keeps_it(tagger, text, name):
    assert persons(run(tagger, text))[0] == name


def test_a_foreign_name_after_an_office_does_not_take_in_the_city_before_it(tagger):
    doc = run(tagger, "Thị trưởng London Sadiq Khan cho biết.", places=["London"])
    assert officials(doc)[0][0] == "Sadiq Khan"


def test_one_tagger_shared_by_eight_threads_gives_the_sequential_output(shared, tagger):
    """The stage keeps no per-document state: 8 threads tagging the dev texts with one tagger at once
    give exactly what one thread gives."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline import DEFAULT_STAGES, load
    upstream = load(DEFAULT_STAGES[:DEFAULT_STAGES.index("officials")])
    inputs = [upstream(Document.from_dict(json.loads(line))).to_json()
              for line in (shared / "gold" / "dev.input.jsonl").open(encoding="utf-8")]

    def tag(record: dict) -> str:
        doc = tagger(Document.from_dict(record))
        return json.dumps(doc.to_json(), ensure_ascii=False, sort_keys=True)

    sequential = [tag(r) for r in inputs]
    assert any('"OFFICIAL"' in out for out in sequential)
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(tag, inputs * 8))
    assert threaded == sequential * 8
