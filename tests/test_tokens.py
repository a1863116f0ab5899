import pytest

from pipeline.document import Document
from pipeline.sentences import SentenceSplitter
from pipeline.tokens import Tokenizer, align

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
