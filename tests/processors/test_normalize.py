import unicodedata

import pytest

from pipeline.document import Document
from pipeline.processors.normalize import Normalizer


@pytest.fixture(scope="module")
def norm():
    return Normalizer()


def run(norm, text, **kw):
    doc = Document(text)
    (Normalizer(**kw) if kw else norm)(doc)
    return doc


def back(doc, start, end):
    s, e = doc.to_original(start, end)
    return doc.original[s:e]


def test_nfd_becomes_nfc_and_maps_back(norm):
    raw = unicodedata.normalize("NFD", "Phạm Anh Tuấn ở Hải Phòng")
    doc = run(norm, raw)
    assert doc.text == "Phạm Anh Tuấn ở Hải Phòng"
    i = doc.text.index("Hải Phòng")
    assert unicodedata.normalize("NFC", back(doc, i, i + 9)) == "Hải Phòng"
    assert back(doc, 0, len(doc.text)) == raw


def test_old_tone_marks_become_new_only_at_syllable_end(norm):
    doc = run(norm, "Hoà bình, thuỷ lợi, khoẻ mạnh, hoàng hôn, quý, Thuý, HOÀ")
    assert doc.text == "Hòa bình, thủy lợi, khỏe mạnh, hoàng hôn, quý, Thúy, HÒA"
    assert doc.offset_map is None  # a same-length rewrite needs no map


def test_tone_marks_can_be_kept():
    doc = run(None, "hoà", tone_marks="keep")
    assert doc.text == "hoà"


@pytest.mark.parametrize("raw,expected", [
    ("a\r\nb", "a\nb"),
    ("a\rb", "a\nb"),
    ("a\tb", "a b"),
    ("a  \t b", "a    b"),
    ("a\u00a0b", "a b"),
    ("a\u200bb\ufeff", "a b "),
    ("a\x00b\x07", "a b "),
    ("a\u00adb", "a b"),
    ("😀 Hà Nội 👍", "😀 Hà Nội 👍"),
])
def test_whitespace_and_control_characters_keep_the_length(norm, raw, expected):
    doc = run(norm, raw)
    assert doc.text == expected
    if "\r" not in raw:
        # one character for one: offsets into the output are offsets into the input
        assert len(doc.text) == len(raw)
        assert back(doc, 2, 3) == raw[2:3]


@pytest.mark.parametrize("raw,expected", [
    ("a  \t b", "a b"),
    ("a\u200bb\ufeff", "ab"),
    ("a\x00b\x07", "ab"),
])
def test_compact_mode_collapses_and_drops(raw, expected):
    assert run(None, raw, compact=True).text == expected


def test_double_spaces_are_kept_so_offsets_match_the_input(norm):
    raw = "Ông Nguyễn Văn An,  Cục trưởng Cục Thuế"
    doc = run(norm, raw)
    assert doc.text == raw and doc.offset_map is None


def test_every_word_maps_back_to_the_same_word(norm):
    raw = "Bộ\u200b TT&TT\r\n\tPhạm\u00a0Anh Tuấn 👍 " + unicodedata.normalize("NFD", "Thừa Thiên Huế")
    doc = run(norm, raw)
    for word in doc.text.split():
        i = doc.text.index(word)
        orig = back(doc, i, i + len(word))
        cleaned = unicodedata.normalize("NFC", orig)
        assert cleaned == word


def test_html_is_stripped_with_offsets_kept(norm):
    raw = "<p>Bộ TT&amp;TT họp</p><script>var x = '<b>';</script><p>tại <b>Hải Phòng</b></p>"
    doc = run(norm, raw)
    assert "<" not in doc.text and "var x" not in doc.text
    assert "Bộ TT&TT họp" in doc.text
    i = doc.text.index("TT&TT")
    assert back(doc, i, i + 5) == "TT&amp;TT"
    j = doc.text.index("Hải Phòng")
    assert back(doc, j, j + 9) == "Hải Phòng"


def test_text_with_angle_brackets_but_no_html_is_left_alone(norm):
    doc = run(norm, "Tăng trưởng <5% và TT&TT")
    assert doc.text == "Tăng trưởng <5% và TT&TT"


PARA = "Đoạn văn này được trang web lặp lại hai lần khi cào dữ liệu."


def test_duplicate_paragraphs_are_marked(norm):
    doc = run(norm, f"Tiêu đề\n\n{PARA}\n\n{PARA}\n\nKết.")
    paras = doc.layers["paragraphs"]
    assert [p.get("duplicate_of") for p in paras] == [None, None, 1, None]
    assert doc.text.count(PARA) == 2


def test_duplicate_paragraphs_can_be_dropped():
    raw = f"Tiêu đề\n\n{PARA}\n\n{PARA}\n\nKết thúc bài."
    doc = run(None, raw, drop_duplicates=True)
    assert doc.text.count(PARA) == 1
    i = doc.text.index("Kết thúc bài.")
    s, e = doc.to_original(i, i + 13)
    assert raw[s:e] == "Kết thúc bài."


@pytest.mark.parametrize("text", ["\U0002F800 Hà Nội", "x\u212b y", "\u1100\u1161 và Bộ Nội vụ", "Ω\u2126 thuỷ"])
def test_characters_nfc_changes_without_a_combining_mark_are_composed_too(text):
    """NFC also maps some characters on their own (a CJK compatibility ideograph, the Angstrom and Ohm
    signs) and composes Hangul jamo: the normalized text is NFC and spans map back to the input."""
    from pipeline.processors.normalize import Normalizer
    doc = Normalizer()(Document(text))
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.to_original(0, len(doc.text)) == (0, len(text))
    hanoi = doc.text.find("và")
    if hanoi >= 0:
        s, e = doc.to_original(hanoi, hanoi + 2)
        assert text[s:e] == "và"
