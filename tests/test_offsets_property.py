"""The offset invariant over awkward and generated inputs, through the whole pipeline."""
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

AWKWARD = [
    unicodedata.normalize("NFD", "Thứ trưởng Bộ TT&TT Phạm Anh Tuấn phát biểu tại Hải Phòng ngày 30/7."),
    "Bộ Nội vụ\tđã họp\r\nHà Nội\r\n\r\nTP.HCM\u00a0và Thừa Thiên - Huế",
    "Hoà bình\u200b\u200c\u200d\ufeff thuỷ lợi 😀👍🏽 🇻🇳 cải cách hành chính (CCHC)",
    "a\u0301\u0323 e\u0302\u0300 combining ơ\u0309 \u0300 leading mark",
    "<p>Ngày 4/8,&nbsp;Bộ KH&amp;CN họp</p><br/>tại <b>Đà Nẵng</b>",
    "\x00\x01 control\x7f\x85 chars \u2028 line sep \u2029 para sep",
    "",
    "   \n\n  ",
    "Chỉ một từ",
]


def check(doc):
    doc.validate()
    out = doc.to_json()
    text = out["text"]
    assert unicodedata.normalize("NFC", text) == text
    for ent in out["entities"]:
        assert text[ent["start"]:ent["end"]] == ent["text"]
    for layer in ("sentences", "tokens"):
        for span in out[layer]:
            assert 0 <= span["start"] < span["end"] <= len(text)
            piece = text[span["start"]:span["end"]]
            assert piece.strip() == piece
    # every span maps back inside the original input
    for span in out["sentences"] + out["tokens"] + out["entities"]:
        s, e = doc.to_original(span["start"], span["end"])
        assert 0 <= s <= e <= len(doc.original)


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_inputs_keep_offsets(nlp, text):
    check(nlp({"id": "awk", "text": text, "meta": {"published": "2020-07-30"}}))


# syllables built from Vietnamese letters, tone marks (composed or not), digits and punctuation
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
_syllable = st.builds(
    lambda base, marks, nfd: unicodedata.normalize("NFD" if nfd else "NFC", base + marks),
    st.text(alphabet=_LETTERS, min_size=1, max_size=5),
    st.sampled_from(["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]),
    st.booleans())
_piece = st.one_of(
    _syllable,
    st.sampled_from(["TT&TT", "NĐ-CP", "30/7/2020", "1.234,5", "TP.", "(CCHC)", "“", "”", ".", ",", "!", "?",
                     "Bộ", "Nội vụ", "Thứ trưởng", "sáng nay", "giai đoạn 2011-2020", "Hải Phòng", "😀",
                     "\u200b", "&amp;", "<b>", "</p>"]),
    st.text(min_size=1, max_size=3),
)
_sep = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\u00a0", ""])
_doc = st.lists(st.tuples(_piece, _sep), max_size=40).map(lambda parts: "".join(p + s for p, s in parts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_doc)
def test_generated_vietnamese_like_text_keeps_offsets(nlp, text):
    check(nlp({"id": "gen", "text": text, "meta": {"published": "2021-05-01"}}))
