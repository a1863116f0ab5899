import pytest

from pipeline.processors.sentences import SentenceSplitter


@pytest.fixture(scope="module")
def split():
    s = SentenceSplitter()
    return lambda text: [text[a:b] for a, b in s.split(text)]


def test_headline_without_punctuation_is_a_sentence(split):
    assert split("Cải cách hành chính phải thực chất\n\nBộ họp sáng nay.") == [
        "Cải cách hành chính phải thực chất", "Bộ họp sáng nay."]


@pytest.mark.parametrize("text", [
    "Hội nghị diễn ra tại TP. HCM vào ngày 30.7 với sự tham dự của Bộ TT&TT.",
    "Theo PGS. TS. Nguyễn Văn An, Nghị định số 30/2018/NĐ-CP có hiệu lực.",
    "Ông Nguyễn V. An phát biểu về kết quả năm 2020.",
    "Tổng kinh phí là 1.234,5 tỷ đồng, tăng 3.5% so với cùng kỳ.",
])
def test_abbreviations_dates_and_numbers_do_not_end_a_sentence(split, text):
    assert split(text) == [text]


def test_quotes_and_question_marks(split):
    text = "“Công tác này phải thay đổi căn bản.” Thứ trưởng nhấn mạnh. Vì sao? (Ảnh: TTXVN)"
    assert split(text) == ["“Công tác này phải thay đổi căn bản.”", "Thứ trưởng nhấn mạnh.", "Vì sao?",
                           "(Ảnh: TTXVN)"]


def test_document_number_at_end_of_sentence(split):
    assert split("Căn cứ Nghị định 30/2018/NĐ-CP. Theo đó, bộ sẽ làm.") == [
        "Căn cứ Nghị định 30/2018/NĐ-CP.", "Theo đó, bộ sẽ làm."]


def test_lowercase_after_period_does_not_split(split):
    assert len(split("Ông nói... và mọi người cười.")) == 1


def test_very_long_run_is_cut_at_spaces():
    s = SentenceSplitter(max_chars=100)
    text = " ".join(["từ"] * 500)
    spans = s.split(text)
    assert all(e - b <= 100 for b, e in spans)
    assert "".join(text[b:e] for b, e in spans).replace(" ", "") == text.replace(" ", "")
