"""The reform_areas stage: REFORM_AREA mentions, their spans and areas, and what they are not."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import Document, Pipeline, PipelineError
from pipeline.processors.abbreviations import AbbreviationFinder
from pipeline.processors.reform_areas import AREAS, ReformAreaTagger, expand


@pytest.fixture(scope="module")
def stages():
    return AbbreviationFinder(), ReformAreaTagger()


def tag(stages, text: str) -> list[tuple[str, str]]:
    finder, tagger = stages
    doc = tagger(finder(Document(text)))
    doc.validate()
    return [(e.text, e.attrs["area"]) for e in doc.sorted_entities() if e.label == "REFORM_AREA"]


CASES = [
    # the six areas as the master programmes name them; "cải cách" stays when it is part of the name
    ("Cải cách thể chế là khâu đột phá.", [("Cải cách thể chế", "institutions")]),
    ("Bộ đẩy mạnh cải cách thủ tục hành chính.", [("cải cách thủ tục hành chính", "procedures")]),
    ("Tỉnh tiếp tục cải cách tổ chức bộ máy hành chính nhà nước.",
     [("cải cách tổ chức bộ máy hành chính nhà nước", "apparatus")]),
    ("Nhiệm vụ năm nay là cải cách chế độ công vụ.", [("cải cách chế độ công vụ", "civil_service")]),
    ("Sở chú trọng cải cách tài chính công.", [("cải cách tài chính công", "public_finance")]),
    ("Địa phương đi đầu về hiện đại hóa hành chính.", [("hiện đại hóa hành chính", "modernization")]),
    ("Mục tiêu là xây dựng và phát triển Chính phủ điện tử, Chính phủ số.",
     [("xây dựng và phát triển Chính phủ điện tử, Chính phủ số", "modernization")]),
    ("Bộ chú trọng xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức.",
     [("xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức", "civil_service")]),
    ("Hội nghị bàn về cải cách hành chính nhà nước.", [("cải cách hành chính nhà nước", "general")]),
    # other verbs are not part of the mention
    ("Tỉnh đã cắt giảm thủ tục hành chính.", [("thủ tục hành chính", "procedures")]),
    ("Cần đơn giản hóa thủ tục hành chính hơn nữa.", [("thủ tục hành chính", "procedures")]),
    # current terms
    ("Người dân nộp hồ sơ qua dịch vụ công trực tuyến mức độ 4.",
     [("dịch vụ công trực tuyến", "procedures")]),
    ("Huyện vận hành cơ chế một cửa liên thông.", [("một cửa liên thông", "procedures")]),
    ("Hồ sơ nộp tại bộ phận “một cửa” của xã.", [("một cửa", "procedures")]),
    ("Trung ương yêu cầu tinh gọn bộ máy, tinh giản biên chế.",
     [("tinh gọn bộ máy", "apparatus"), ("tinh giản biên chế", "apparatus")]),
    ("Tỉnh hoàn thành sắp xếp tổ chức bộ máy trong quý.", [("sắp xếp tổ chức bộ máy", "apparatus")]),
    ("Xã vận hành chính quyền địa phương hai cấp từ tháng 7.",
     [("chính quyền địa phương hai cấp", "apparatus")]),
    ("Mô hình chính quyền 2 cấp đã ổn định.", [("chính quyền 2 cấp", "apparatus")]),
    ("Thành phố xây dựng chính quyền điện tử.", [("chính quyền điện tử", "modernization")]),
    ("Ngành đẩy mạnh chuyển đổi số trong các cơ quan nhà nước.", [("chuyển đổi số", "modernization")]),
    ("Tỉnh đẩy mạnh cải cách hành chính và chuyển đổi số.",
     [("cải cách hành chính", "general"), ("chuyển đổi số", "modernization")]),
    ("Chính phủ đề nghị tăng cường kỷ cương hành chính.", [("kỷ cương hành chính", "civil_service")]),
    ("Cần thực hiện cải cách tiền lương đúng lộ trình.", [("cải cách tiền lương", "civil_service")]),
    ("Trường được giao cơ chế tự chủ tài chính.", [("cơ chế tự chủ tài chính", "public_finance")]),
    ("Lớp đào tạo, bồi dưỡng cán bộ, công chức khai giảng.",
     [("cán bộ, công chức", "civil_service")]),
    ("Chất lượng đội ngũ cán bộ công chức được nâng lên.",
     [("đội ngũ cán bộ công chức", "civil_service")]),
    # abbreviations: common ones, case-sensitive
    ("Công tác CCHC của Sở có tiến bộ; TTHC được công khai.",
     [("CCHC", "general"), ("TTHC", "procedures")]),
    ("Từ cchc viết thường không phải là viết tắt.", []),
    ("Sở đẩy mạnh cải cách TTHC.", [("cải cách TTHC", "procedures")]),
    # an abbreviation the document defines: the definition and every other use
    ("Tỉnh mở rộng dịch vụ hành chính công (DVHCC). Nhiều DVHCC được cung cấp.",
     [("dịch vụ hành chính công", "procedures"), ("DVHCC", "procedures"), ("DVHCC", "procedures")]),
    # a document that defines a common abbreviation otherwise
    ("Phí dịch vụ cảng (DVC) tăng; giá DVC sẽ điều chỉnh.", []),
    # staff cuts other than the exact "tinh giản biên chế"; an amount is part of the mention
    ("Huyện phải cắt giảm biên chế và giảm 15% biên chế trong hai năm.",
     [("cắt giảm biên chế", "apparatus"), ("giảm 15% biên chế", "apparatus")]),
    ("Tỉnh sẽ sắp xếp khoảng 2.500 biên chế dôi dư sau hợp nhất.",
     [("sắp xếp khoảng 2.500 biên chế dôi dư", "apparatus")]),
    ("Sở hoàn thành giải quyết biên chế dôi dư trong quý.", [("giải quyết biên chế dôi dư", "apparatus")]),
    # "tinh giản" alone only when nothing follows as its object
    ("Xã tiếp tục thực hiện tinh giản theo lộ trình.", [("tinh giản", "apparatus")]),
    ("Ngành sẽ triển khai tinh giản.", [("tinh giản", "apparatus")]),
    ("Tỉnh thực hiện tinh giản biên chế.", [("tinh giản biên chế", "apparatus")]),
    ("Cần thực hiện tinh giản quy trình nội bộ.", []),
    ("Bài viết được tinh giản từ bản gốc.", []),
    # case-insensitive at the start of a sentence or in a title
    ("Cải Cách Hành Chính Phải Thực Chất", [("Cải Cách Hành Chính", "general")]),
]

NEGATIVES = [
    # people, laws and departments named with the same words
    "Hội nghị có 200 cán bộ, công chức tham dự.",
    "Việc này vi phạm Luật Cán bộ, công chức năm 2008.",
    "Ông là Phó Vụ trưởng Vụ Cải cách hành chính, Bộ Nội vụ.",
    "Cục Kiểm soát thủ tục hành chính thuộc Văn phòng Chính phủ.",
    "Ban Chỉ đạo cải cách hành chính của Chính phủ họp phiên thứ nhất.",
    "Quốc hội thông qua Luật Tổ chức chính quyền địa phương.",
    "Ủy ban Quốc gia về Chính phủ điện tử họp phiên đầu tiên.",
    "Ủy ban Chỉ đạo quốc gia về Cơ chế một cửa quốc gia đã họp.",
    "Hội đồng Tư vấn cải cách thủ tục hành chính góp ý dự thảo.",
    # the words running on into other words
    "Bộ Tài chính công bố số liệu thu ngân sách.",
    "Công ty cung cấp dịch vụ công nghệ thông tin.",
    "Doanh nghiệp làm dịch vụ công ích đô thị.",
    "Theo Nghị quyết của Chính phủ số 76/NQ-CP năm 2021.",
    "Chị mở một cửa hàng nhỏ ở đầu ngõ.",
    # bare words that are not an area
    "Anh ấy bị kỷ luật hành chính vì vi phạm.",
    "Cán bộ làm thủ tục cho người dân.",
    "Doanh nghiệp đẩy mạnh chuyển đổi số trong bán lẻ.",
    "Đây là bộ máy an ninh của nước ngoài.",
    "Cơ quan điều tra (CQĐT) đã khởi tố vụ án; CQĐT đang xác minh.",
]


@pytest.mark.parametrize("text, expected", CASES)
def test_mentions(stages, text, expected):
    assert tag(stages, text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_mentions(stages, text):
    assert tag(stages, text) == []


def test_definition_after_a_vetoed_name_is_not_a_mention(stages):
    text = "Ban Chỉ đạo cải cách hành chính (CCHC) họp. Sau đó công tác CCHC được đánh giá."
    assert tag(stages, text) == [("CCHC", "general")]
    start = text.index("CCHC", text.index("công tác"))
    finder, tagger = stages
    doc = tagger(finder(Document(text)))
    assert [(e.start, e.end) for e in doc.entities] == [(start, start + 4)]


def test_layer_and_entity_attributes(stages):
    finder, tagger = stages
    doc = tagger(finder(Document("Cải cách hành chính (CCHC) là nhiệm vụ trọng tâm.")))
    ents = doc.sorted_entities()
    assert [(e.start, e.end, e.attrs, e.source) for e in ents] == [
        (0, 19, {"area": "general"}, "rules"), (21, 25, {"area": "general"}, "rules")]
    assert doc.layers["reform_areas"][0] == {"start": 0, "end": 19, "text": "Cải cách hành chính",
                                             "area": "general"}


def test_expand_syntax():
    assert expand("[cải cách] thủ tục hành chính") == ["cải cách thủ tục hành chính", "thủ tục hành chính"]
    assert expand("{giảm|tinh giản} biên chế [a|b]") == [
        "giảm biên chế", "giảm biên chế a", "giảm biên chế b",
        "tinh giản biên chế", "tinh giản biên chế a", "tinh giản biên chế b"]


def test_lexicon_areas_are_valid(stages):
    _, tagger = stages
    assert {v.area for v in tagger._variants.values()} <= AREAS
    assert {v.area for v in tagger._variants.values()} == AREAS  # every area has phrases
    assert tagger.area_of("cải cách hành chính") == "general"
    assert tagger.area_of("Thủ tục hành chính") == "procedures"
    assert tagger.area_of("cán bộ, công chức") is None  # only with context


def test_pipeline_requires_abbreviations():
    with pytest.raises(PipelineError, match="abbreviations"):
        Pipeline(["reform_areas"])
    doc = Pipeline(["abbreviations", "reform_areas"])("Đẩy mạnh cải cách hành chính.")
    assert [e.text for e in doc.entities] == ["cải cách hành chính"]


_FRAGMENTS = ["cải cách hành chính", "CCHC", "Vụ ", "Luật ", "(", ")", ", ", " ", "dịch vụ công",
              "công ích", "thủ tục", "hành chính", "đào tạo, bồi dưỡng", "cán bộ, công chức", "“", "”",
              "một cửa", "hàng", "chuyển đổi số", "trong", "cơ quan nhà nước", "\n", "Bộ ", "tài chính công"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_offsets_are_exact_and_mentions_do_not_overlap(parts):
    finder, tagger = AbbreviationFinder(), ReformAreaTagger()
    text = "".join(parts)
    doc = tagger(finder(Document(text)))
    doc.validate()
    spans = sorted((e.start, e.end) for e in doc.entities)
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        assert e1 <= s2
    for e in doc.entities:
        assert e.text == text[e.start:e.end] and e.text.strip() == e.text


@pytest.mark.shared
def test_dev_and_seed_scores(shared):
    finder, tagger = AbbreviationFinder(), ReformAreaTagger()
    for name, min_f1 in (("dev.jsonl", 0.93), ("seed.jsonl", 0.93)):
        tp = fp = fn = right = 0
        with open(shared / "gold" / name, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                gold = {(e["start"], e["end"]): e["area"] for e in rec["entities"]
                        if e["label"] == "REFORM_AREA"}
                doc = tagger(finder(Document.from_dict(rec)))
                pred = {(e.start, e.end): e.attrs["area"] for e in doc.entities}
                tp += len(gold.keys() & pred.keys())
                fp += len(pred.keys() - gold.keys())
                fn += len(gold.keys() - pred.keys())
                for key in gold.keys() & pred.keys():
                    options = gold[key] if isinstance(gold[key], list) else [gold[key]]
                    right += pred[key] in options
        f1 = 2 * tp / (2 * tp + fp + fn)
        assert f1 >= min_f1, f"{name}: F1 {f1:.3f}"
        assert right / tp >= 0.97, f"{name}: area accuracy {right / tp:.3f}"
