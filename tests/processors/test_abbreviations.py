"""The abbreviations stage: "long form (SHORT)" definitions and the common-abbreviation table."""
from __future__ import annotations

import pytest

from pipeline import Document, Pipeline
from pipeline.lexicons.abbreviations import common_abbreviations
from pipeline.processors.abbreviations import AbbreviationFinder, doc_abbreviations


@pytest.fixture(scope="module")
def finder() -> AbbreviationFinder:
    return AbbreviationFinder()


def defs(finder, text: str) -> list[tuple[str, str]]:
    doc = finder(Document(text))
    for item in doc.layers["abbreviations"]:
        assert text[item["start"]:item["end"]] == item["short"]
        assert text[item["long_start"]:item["long_end"]] == item["long"]
    return [(item["short"], item["long"]) for item in doc.layers["abbreviations"]]


@pytest.mark.parametrize("text, expected", [
    ("Sở tổ chức hội nghị về công tác cải cách hành chính (CCHC) năm nay.",
     [("CCHC", "cải cách hành chính")]),
    ("Ủy ban nhân dân (UBND) xã nhận hồ sơ.", [("UBND", "Ủy ban nhân dân")]),
    ("Người dân làm thủ tục hành chính (TTHC) tại xã.", [("TTHC", "thủ tục hành chính")]),
    ("Đại diện Bộ Thông tin và Truyền thông (TT&TT) phát biểu.",
     [("TT&TT", "Thông tin và Truyền thông")]),
    ("Đại diện Bộ Thông tin và Truyền thông (Bộ TT&TT) phát biểu.",
     [("Bộ TT&TT", "Bộ Thông tin và Truyền thông")]),
    # "và" without a letter of its own; "Đ" initials; "." and "-" as separators
    ("Bộ Khoa học và Công nghệ (KHCN) chủ trì.", [("KHCN", "Khoa học và Công nghệ")]),
    ("Hội đồng nhân dân (HĐND) tỉnh họp.", [("HĐND", "Hội đồng nhân dân")]),
    ("Văn phòng tại Thành phố Hồ Chí Minh (TP.HCM) mở cửa.", [("TP.HCM", "Thành phố Hồ Chí Minh")]),
    ("Phát triển kinh tế - xã hội (KT-XH) bền vững.", [("KT-XH", "kinh tế - xã hội")]),
    ("Ý kiến của Trung ương (TƯ) đã rõ.", [("TƯ", "Trung ương")]),
    # the reverse form: SHORT (long form)
    ("Các ĐVSNCL (đơn vị sự nghiệp công lập) được tự chủ.", [("ĐVSNCL", "đơn vị sự nghiệp công lập")]),
])
def test_definitions(finder, text, expected):
    assert defs(finder, text) == expected


@pytest.mark.parametrize("text", [
    "Ông Nguyễn Văn Bình (Bộ Nội vụ) cho biết như vậy.",  # a ministry in brackets is no definition
    "Buổi lễ diễn ra trang trọng (ảnh: TTXVN).",
    "Hội nghị năm nay (CCHC) bàn nhiều việc.",             # the initials do not fit
    "Kết quả năm 2020 (tăng 5%) là khả quan.",
    "Việc cải cách hành chính. (CCHC) là đề mục khác.",    # a sentence boundary between them
    "Đoàn đến Geneva (WTO) để đàm phán.",
])
def test_non_definitions(finder, text):
    assert defs(finder, text) == []


def test_every_definition_is_recorded_and_the_first_one_wins(finder):
    text = ("Dịch vụ công (DVC) được mở rộng. Sau đó, dịch vụ công (DVC) lại được nhắc. "
            "Ngân hàng Nhà nước (NHNN) họp.")
    doc = finder(Document(text))
    assert [d["short"] for d in doc.layers["abbreviations"]] == ["DVC", "DVC", "NHNN"]
    assert doc_abbreviations(doc) == {"DVC": "Dịch vụ công", "NHNN": "Ngân hàng Nhà nước"}


def test_layer_is_in_the_output_and_validates(finder):
    doc = finder(Document("Cải cách hành chính (CCHC) là nhiệm vụ trọng tâm."))
    doc.validate()
    out = doc.to_json()
    assert out["abbreviations"] == [{"short": "CCHC", "long": "Cải cách hành chính", "start": 21,
                                     "end": 25, "long_start": 0, "long_end": 19}]


def test_doc_abbreviations_without_the_stage_is_empty():
    assert doc_abbreviations(Document("CCHC")) == {}


def test_common_table():
    table = common_abbreviations()
    assert table["CCHC"]["long"] == "cải cách hành chính" and table["CCHC"]["kind"] == "reform"
    assert table["UBND"]["kind"] == "org"
    # CQĐT in news is the police investigation agency, never a reform abbreviation
    assert table["CQĐT"]["kind"] != "reform"


def test_registered_stage_runs_in_a_pipeline():
    nlp = Pipeline(["abbreviations"])
    doc = nlp("Hội đồng nhân dân (HĐND) tỉnh họp.")
    assert doc_abbreviations(doc) == {"HĐND": "Hội đồng nhân dân"}
