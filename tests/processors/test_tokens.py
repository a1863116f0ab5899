import pytest

from pipeline.document import Document
from pipeline.processors.sentences import SentenceSplitter
from pipeline.processors.tokens.crf import CrfBackend
from pipeline.processors.tokens.tokenizer import Tokenizer, align
from pipeline.text.syllables import syllable_info

BACKENDS = ["crf", "pyvi", "underthesea", "syllables"]
TEXT = ("Thứ trưởng Bộ TT&TT Phạm Anh Tuấn nói Nghị định số 30/2018/NĐ-CP ngày 30/7/2020 chi 1.234,5 tỷ đồng "
        "cho Bộ GD&ĐT và Bộ LĐ-TB&XH tại TP.HCM, xem https://example.vn/a-b.")


@pytest.fixture(scope="module", params=BACKENDS)
def tokenizer(request):
    return Tokenizer(backend=request.param)


def tokens_of(tok, text):
    doc = Document(text)
    SentenceSplitter()(doc)
    tok(doc)
    return doc, [text[t.start:t.end] for t in doc.tokens]


@pytest.mark.parametrize("unit", ["TT&TT", "30/2018/NĐ-CP", "30/7/2020", "1.234,5", "GD&ĐT", "LĐ-TB&XH",
                                  "TP.HCM", "https://example.vn/a-b"])
def test_protected_units_are_single_tokens(tokenizer, unit):
    _, words = tokens_of(tokenizer, TEXT)
    assert unit in words


def test_tokens_are_in_order_inside_the_text_and_never_whitespace(tokenizer):
    doc, words = tokens_of(tokenizer, TEXT)
    assert all(w.strip() == w and w for w in words)
    starts = [t.start for t in doc.tokens]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(doc.tokens, doc.tokens[1:]))
    # every non-space character is covered by a token
    covered = set()
    for t in doc.tokens:
        covered.update(range(t.start, t.end))
    assert all(i in covered for i, c in enumerate(TEXT) if not c.isspace())


def test_personal_names_are_whole(tokenizer):
    doc, words = tokens_of(tokenizer, "Hôm qua ông Nguyễn Văn Bình và bà Trần Thị Mai đã đến.")
    assert "Nguyễn Văn Bình" in words and "Trần Thị Mai" in words
    name = next(t for t in doc.tokens if doc.text[t.start:t.end] == "Nguyễn Văn Bình")
    assert name.pos == "Np"


def test_pos_tags_from_model_backends():
    for backend in ("crf", "pyvi", "underthesea"):
        doc, words = tokens_of(Tokenizer(backend=backend), "Bộ trưởng phát biểu tại hội nghị.")
        assert all(t.pos for t in doc.tokens)
        assert "phát biểu" in words


def test_align_skips_words_a_backend_rewrote():
    toks = align("a b c", [("a", "X"), ("zzz", "Y"), ("c", "Z")])
    assert [(t.start, t.end, t.pos) for t in toks] == [(0, 1, "X"), (4, 5, "Z")]


def test_spelling_variants_of_the_word_lists():
    from pipeline.train.segpos import with_tone_variants
    got = with_tone_variants({"khoẻ mạnh", "kỹ thuật", "hoàng hôn"})
    assert {"khỏe mạnh", "khoẻ mạnh", "kĩ thuật", "kỹ thuật", "hoàng hôn"} <= got
    assert "hòang hôn" not in got  # tone placement is changed at the end of a syllable only
    assert "vi phạm" not in with_tone_variants({"tuyệt vời"})


def test_crf_dictionary_features_match_either_spelling():
    words = CrfBackend.load_dictionary()[0]
    assert {"hòa bình", "hoà bình", "khỏe mạnh", "khoẻ mạnh"} <= words
    old = "Bà con khoẻ mạnh, hoà thuận."
    new = "Bà con khỏe mạnh, hòa thuận."
    info = [syllable_info(s) for s in old.split()]
    assert info[2] == ("khoẻ", "l") and syllable_info("Hà") == ("hà", "C")
    spans_old = [(s, e) for s, e, _ in CrfBackend().spans(old)]
    spans_new = [(s, e) for s, e, _ in CrfBackend().spans(new)]
    assert spans_old == spans_new
    assert (len("Bà con "), len("Bà con khỏe mạnh")) in spans_new


def test_crf_capitalised_run_features():
    sylls = ["Ông", "Lê", "Văn", "Tám", "nói", "ở", "Hà", "Nội"]
    info = [syllable_info(s) for s in sylls]
    feats = CrfBackend.features(sylls, [i[0] for i in info], [i[1] for i in info],
                                 CrfBackend.load_dictionaries())
    assert "cr:401" in feats[0] and "cr:000" in feats[4] and len({len(f) for f in feats}) == 1
    assert "cr:430" in feats[3]
    assert feats[4][-1].startswith("d:")
    assert "cr:210" in feats[7]
    assert any(f.startswith("e:") for f in feats[6])  # the pyvi-only dictionary feature is always there
