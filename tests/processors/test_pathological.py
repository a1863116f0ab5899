"""Inputs that once made a stage's cost grow with the square of their length.

Each test builds its input at two sizes and checks what the stage gives for it. The tests do not
time anything (speed is measured by ``bench/scaling.py``); before the fixes these inputs took from
seconds to minutes at the larger size, so a slow stage shows up as a slow test.
"""
from __future__ import annotations

import pytest

from pipeline import load
from pipeline.document import Document
from pipeline.processors.ner_model import NerModelTagger
from pipeline.processors.normalize import Normalizer
from pipeline.processors.officials import OfficialTagger
from pipeline.processors.officials import linking
from pipeline.processors.sentences import SentenceSplitter

SIZES = (20_000, 40_000)


@pytest.fixture(scope="module")
def split():
    s = SentenceSplitter(max_chars=10**7)   # no forced cut: the boundaries alone are checked
    return lambda text: [text[a:b] for a, b in s.split(text)]


@pytest.mark.parametrize("n", SIZES)
def test_a_long_run_of_dots_ends_a_sentence_only_before_a_capital(split, n):
    dots = "." * n
    assert split(f"Câu một{dots} Câu hai.") == [f"Câu một{dots}", "Câu hai."]
    assert split(f"Câu một{dots} câu hai.") == [f"Câu một{dots} câu hai."]
    assert split(dots) == [dots]


@pytest.mark.parametrize("n", SIZES)
def test_long_blanks_after_a_period(split, n):
    blanks = " " * n
    assert split(f"Một.{blanks}Hai.") == ["Một.", "Hai."]
    assert split(f"Một.{blanks}hai.") == [f"Một.{blanks}hai."]


@pytest.fixture(scope="module")
def normalizer():
    return Normalizer()


def _normalized(normalizer, text: str) -> Document:
    return normalizer(Document(text, id="t"))


@pytest.mark.parametrize("n", (25_000, 50_000))
def test_unclosed_comments_stay_text_and_a_closed_one_is_removed(normalizer, n):
    doc = _normalized(normalizer, "<p>a</p><!--" * n)
    assert doc.text == "a\n<!--\n" * (n - 1) + "a\n<!--"
    # the first "<!--" runs to the only "-->": everything between goes
    doc = _normalized(normalizer, "<p>a</p>" + "<!--<p>b</p>" * n + "--><p>c</p>")
    assert doc.text == "a\n\nc\n"
    start = doc.text.index("c")
    assert doc.original[slice(*doc.to_original(start, start + 1))] == "c"


@pytest.mark.parametrize("n", (30_000, 60_000))
def test_a_long_run_of_blank_lines_separates_two_paragraphs(normalizer, n):
    text = "Đầu bài." + "\n \n" * n + "Cuối bài."
    doc = _normalized(normalizer, text)
    assert [doc.text[p["start"]:p["end"]] for p in doc.layers["paragraphs"]] == ["Đầu bài.", "Cuối bài."]


@pytest.fixture(scope="module")
def base():
    return load(["normalize", "sentences", "tokens"])


@pytest.mark.parametrize("n", (50_000, 100_000))
def test_a_long_run_of_digits_is_no_document_number(base, n):
    text = "1" * n + " theo Quyết định 12/QĐ-TTg."
    doc = base({"id": "t", "text": text})
    words = [text[t.start:t.end] for t in doc.tokens]
    assert "".join(words[:-4]) == "1" * n           # the run, in pieces, nothing lost or glued
    assert words[-4:] == ["theo", "Quyết định", "12/QĐ-TTg", "."]
    assert [t.pos for t in doc.tokens if text[t.start:t.end] == "12/QĐ-TTg"] == ["Ny"]   # document_number


@pytest.fixture(scope="module")
def officials():
    return OfficialTagger()


_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng")
_MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Thanh")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hùng", "Khánh", "Long", "Nam")


def _people(k: int) -> list[str]:
    return [f"{s} {m} {g}" for s in _SURNAMES for m in _MIDDLE for g in _GIVEN][:k]


@pytest.mark.parametrize("k", (120, 240))
def test_every_later_mention_of_many_names_is_found(officials, monkeypatch, k):
    names = _people(k)
    intro = "".join(f"Thứ trưởng {name} phát biểu.\n" for name in names)
    later = "".join(f"Sau đó {name} nói thêm.\n" for name in names) * 4
    text = intro + later
    assert len(text) * k > linking._ONE_PASS_ABOVE   # the one-pass search is the one used

    def persons(doc: Document) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in doc.entities:
            if e.label in ("OFFICIAL", "PERSON"):
                out[e.text] = out.get(e.text, 0) + 1
        return out

    one_pass = persons(officials(Document(text, id="t", meta={"published": "2025-07-02"})))
    assert one_pass == {name: 5 for name in names}
    # the same as searching the text for each name in turn
    monkeypatch.setattr(linking, "_ONE_PASS_ABOVE", float("inf"))
    assert persons(officials(Document(text, id="t", meta={"published": "2025-07-02"}))) == one_pass


def test_names_whose_occurrences_may_overlap_are_left_to_the_search_per_name():
    text = "Lê Văn Lê Văn Lê đến. Ông Lê Văn Lê nói."
    starts = linking._name_starts(text, ["Lê Văn Lê", "Văn Lê"])
    assert "Lê Văn Lê" not in starts
    assert starts["Văn Lê"] == [3, 10, 29]


@pytest.mark.parametrize("n", (1_000, 2_000))
def test_a_run_of_office_words_names_nobody(officials, n):
    doc = officials(Document("Bộ trưởng " * n, id="t", meta={"published": "2025-07-02"}))
    assert [e for e in doc.entities if e.label in ("OFFICIAL", "PERSON")] == []


@pytest.mark.parametrize("n", (4_000, 8_000))
def test_a_repeated_city_is_a_place_each_time(n):
    nlp = load(["normalize", "ministries", "places"])
    doc = nlp({"id": "t", "text": "Hà Nội " * n + "là thủ đô."})
    places = [e for e in doc.entities if e.label == "PLACE"]
    assert len(places) == n
    assert all(e.text == "Hà Nội" for e in places)


@pytest.mark.parametrize("n", (20_000, 40_000))
def test_the_byline_is_found_after_many_sentences_and_long_blanks(n):
    text = "Nội dung bài viết. " * n + "Hải Đăng - Thu Hà"
    assert NerModelTagger._byline_start(text) == text.index(" Hải Đăng")   # the tail after the last period
    assert NerModelTagger._byline_start("Câu một." + " " * n + "viết thường") is None
    text = "Câu một." + " " * n + "Câu hai. Hải Đăng\n\n"
    assert NerModelTagger._byline_start(text) == text.index(" Hải Đăng")


@pytest.mark.parametrize("n", (10_000, 20_000))
def test_many_lines_with_a_period_word_each_give_one_date_each(n):
    # "thượng tuần" may open a month, a year or a century: the century's "thế kỷ" is looked for on its line only
    nlp = load(["normalize", "dates"])
    doc = nlp({"id": "t", "text": "Họp vào thượng tuần tháng 5.\n" * n, "meta": {"published": "2025-07-02"}})
    dates = [e for e in doc.entities if e.label == "DATE"]
    assert len(dates) == n
    assert {e.text for e in dates} == {"thượng tuần tháng 5"}


def _required_literal(pattern: str, flags: int):
    """The literal the regex module looks for in the rest of the string before trying a position
    (its "required string"), read from its own parser; None when it requires none."""
    core = pytest.importorskip("regex._regex_core")
    source = core.Source(pattern)
    info = core.Info(flags, source.char_type, {})
    parsed = core._parse_pattern(source, info).optimise(info, False).pack_characters(info)
    return core._get_required_string(parsed, info.flags)[1] or None


def test_date_patterns_matched_at_a_position_never_search_the_rest_of_the_line():
    # "Họp vào thượng tuần. " x 20,000 on one line: every "thượng" may open a month ("tháng") or a
    # century ("thế kỷ"), and the regex module looked for that word in the whole rest of the line
    # before each attempt (quadratic, 20 s). Patterns matched at a position require no literal now.
    from pipeline.processors.dates.grammar import _grammar
    g = _grammar()
    month = g.month_re.pattern
    assert month.endswith("|(?!)")
    assert _required_literal(month[3:-len(")|(?!)")], g.month_re.flags) is not None  # what it was
    matched = dict(g.patterns, suffix=g.suffix_re, ago=g.ago_re, after_prep=g.after_prep_re, block=g.block_re,
                   age_after=g.age_after_re, clock_after=g.clock_after_re, number_after=g.number_after_re,
                   year_after=g.year_after_re, paren_close=g.paren_close_re, recurring_after=g.recurring_after_re)
    for name, p in matched.items():
        assert _required_literal(p.pattern, p.flags) is None, name


@pytest.mark.parametrize("n", (10_000, 20_000))
def test_a_period_word_repeated_on_one_line_is_no_date(n):
    nlp = load(["normalize", "dates"])
    doc = nlp({"id": "t", "text": "Họp vào thượng tuần. " * n + "Họp vào thượng tuần tháng 5.",
               "meta": {"published": "2025-07-02"}})
    assert [e.text for e in doc.entities if e.label == "DATE"] == ["thượng tuần tháng 5"]
