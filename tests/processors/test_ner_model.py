"""The ``ner_model`` stage: NER CRF proposals behind the rules (model built locally, never committed)."""
from __future__ import annotations

import pytest

from pipeline.document import Document, Token
from pipeline.processors.sentences import SentenceSplitter
from pipeline.processors.ner_model import NerModelTagger
from pipeline.processors.tokens import Tokenizer
from pipeline.resources import models_dir
from pipeline.spans import Occupancy, SpanIndex
from pipeline.text.syllables import SYLLABLE, syllable_info

pycrfsuite = pytest.importorskip("pycrfsuite")


def tokenized(text: str) -> Document:
    """A document with the sentences and tokens layers the stage reads."""
    return Tokenizer()(SentenceSplitter()(Document(text)))

# hand-written training sentences: (text, [(label, surface)])
TOY = [
    ("Ông Trịnh Quang Vĩnh đến thăm Làng Nủ hôm qua.", [("PER", "Trịnh Quang Vĩnh"), ("LOC", "Làng Nủ")]),
    ("Bà Lò Thị Hoa làm việc tại Công ty Sao Mai.", [("PER", "Lò Thị Hoa"), ("ORG", "Công ty Sao Mai")]),
    ("Anh Hà Văn Tú sống ở Làng Mèo Vạc.", [("PER", "Hà Văn Tú"), ("LOC", "Làng Mèo Vạc")]),
    ("Chị Đinh Thị Na gặp ông Vi Văn Lợi ở Công ty Hồng Hà.",
     [("PER", "Đinh Thị Na"), ("PER", "Vi Văn Lợi"), ("ORG", "Công ty Hồng Hà")]),
    ("Hôm nay trời mưa to và gió lớn.", []),
    ("Người dân ở đây rất hiền.", []),
] * 3


def _sequence(text, ents):
    ms = list(SYLLABLE.finditer(text))
    spans = []
    for lab, surface in ents:
        s = text.index(surface)
        spans.append((lab, s, s + len(surface)))
    labels = []
    for m in ms:
        lab = "O"
        for kind, s, e in spans:
            if s <= m.start() and m.end() <= e:
                lab = ("B-" if m.start() == s else "I-") + kind
        labels.append(lab)
    syl = [m.group() for m in ms]
    info = [syllable_info(x) for x in syl]
    words = NerModelTagger.word_info([m.span() for m in ms], Tokenizer(backend="crf").tokenize(text))
    feats = NerModelTagger.features(syl, [i[0] for i in info], [i[1] for i in info],
                                    NerModelTagger.load_resources(), words)
    return feats, labels


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("ner") / "toy.crfsuite"
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, ents in TOY:
        trainer.append(*_sequence(text, ents))
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 100})
    trainer.train(str(path))
    return str(path)


def test_without_a_model_the_stage_adds_nothing():
    stage = NerModelTagger(model="local/no_such_model.crfsuite")
    assert not stage.available
    doc = tokenized("Ông Trịnh Quang Vĩnh đến thăm Làng Nủ.")
    stage(doc)
    assert doc.entities == []


def test_proposes_names_with_exact_offsets(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage.available
    doc = tokenized("Hôm qua, ông Hà Quang Lợi đến thăm Làng Nủ.")
    stage(doc)
    got = {(e.label, e.text) for e in doc.entities}
    assert ("PERSON", "Hà Quang Lợi") in got
    assert ("PLACE", "Làng Nủ") in got
    for e in doc.entities:
        assert doc.text[e.start:e.end] == e.text and e.source == "model"
    assert not any(e.text in ("Hôm qua", "ông") for e in doc.entities)


def test_rules_win_where_they_fire(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Bà Lò Thị Hoa làm việc tại Công ty Sao Mai."
    doc = tokenized(text)
    start = text.index("Lò Thị Hoa")
    doc.add_entity("OFFICIAL", start, start + len("Lò Thị Hoa"), source="rules", title="Giám đốc")
    stage(doc)
    assert [e.label for e in doc.entities if e.start < start + 10 and start < e.end] == ["OFFICIAL"]
    assert ("ORG", "Công ty Sao Mai") in {(e.label, e.text) for e in doc.entities}


def test_labels_option_and_lowercase_proposals_dropped(toy_model):
    stage = NerModelTagger(model=toy_model, labels=["PLACE"])
    doc = tokenized("Bà Lò Thị Hoa sống ở Làng Nủ.")
    stage(doc)
    assert {e.label for e in doc.entities} == {"PLACE"}
    assert NerModelTagger._plausible("người dân ở đây", "PERSON", 0, 9) is False
    assert NerModelTagger._plausible("Làng Nủ,", "PLACE", 0, 8) is False


def test_model_loaded_once_per_process(toy_model):
    a, b = NerModelTagger(model=toy_model), NerModelTagger(model=toy_model)
    assert a.taggers is b.taggers and a.resources is b.resources


def test_uses_sentences_when_present(toy_model):
    stage = NerModelTagger(model=toy_model)
    doc = tokenized("Trời mưa.\nÔng Trịnh Quang Vĩnh đến Làng Nủ.")
    stage(doc)
    assert ("PERSON", "Trịnh Quang Vĩnh") in {(e.label, e.text) for e in doc.entities}


def test_the_locally_built_model_loads_if_present():
    path = models_dir() / NerModelTagger.MODEL
    if not path.is_file():
        pytest.skip("the NER model is not built here (python3 -m pipeline.train.ner)")
    stage = NerModelTagger()
    assert stage.available
    doc = tokenized("Chiều qua, ông Nguyễn Văn Thắng đã đến thăm xã Tân Hòa và làm việc với Công ty Hòa Phát.")
    stage(doc)
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)
    assert {e.label for e in doc.entities} <= {"PERSON", "PLACE", "ORG", "LOCATION"}
    assert not any(e.label == "LOCATION" and e.text.startswith("xã") for e in doc.entities)
    assert any(e.label == "PERSON" and "Nguyễn Văn Thắng" in e.text for e in doc.entities)


def test_other_mentions_and_given_names_are_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang Vĩnh đến thăm Làng Nủ hôm qua.\nVĩnh kể lại chuyện cũ.\nLàng Nủ nay đã khác."
    doc = stage(tokenized(text))
    got = [(e.label, e.text, e.start) for e in doc.entities]
    assert ("PERSON", "Vĩnh", text.index("Vĩnh kể")) in got
    assert ("PLACE", "Làng Nủ", text.rindex("Làng Nủ")) in got
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)
    off = NerModelTagger(model=toy_model, propagate=False)(tokenized(text))
    assert not any(e.text == "Vĩnh" for e in off.entities)


def test_a_mention_inside_a_longer_capitalised_name_is_not_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang Vĩnh đến thăm Làng Nủ hôm qua.\nTrường Vĩnh Phúc mở cửa."
    doc = stage(tokenized(text))
    assert not any(e.text == "Vĩnh" for e in doc.entities)


def test_filters_drop_institution_words_and_org_heads(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage._filtered("Trung ương", "PLACE", 0, 10)
    assert stage._filtered("Cục Xúc", "PERSON", 0, 7)
    assert not stage._filtered("Cục Xúc", "ORG", 0, 7)
    assert not stage._filtered("Bộc Bố", "PLACE", 0, 6)


def test_an_axis_and_an_administrative_word_alone_are_not_places(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Dự án đường trục Bắc - Nam qua TP, rồi ra Bắc."
    bac = text.index("Bắc")
    assert stage._filtered(text, "PLACE", bac, bac + 3)
    nam = text.index("Nam")
    assert stage._filtered(text, "PLACE", nam, nam + 3)
    tp = text.index("TP")
    assert stage._filtered(text, "PLACE", tp, tp + 2)
    last = text.rindex("Bắc")
    assert not stage._filtered(text, "PLACE", last, last + 3)  # "ra Bắc": the North
    assert not stage._filtered("TP Hà Nội", "PLACE", 0, 9)


@pytest.mark.parametrize("text,span,name", [
    ("Bác Năm ở ấp 6", "Bác Năm", "Năm"),                  # a courtesy form of models/honorifics.tsv
    ("Đồng chí Vận hi sinh", "Đồng chí Vận", "Vận"),        # several words
    ("Mẹ Hiền nói", "Mẹ Hiền", "Hiền"),                     # a kinship word of the filters file
    ("PGS. Trần Văn Sơn nói", "PGS. Trần Văn Sơn", "Trần Văn Sơn"),  # an abbreviated title with its dot
    ("Thuỳ Trâm đúng là", "Thuỳ Trâm", "Thuỳ Trâm"),        # a name: nothing to cut
    ("Tiến Đạt ghi bàn", "Tiến Đạt", "Tiến Đạt"),           # a verb may well be a given name: kept
    ("Mẹ ơi", "Mẹ ơi", None),                               # nothing of a name left
])
def test_a_person_span_starts_after_a_form_of_address(toy_model, text, span, name):
    stage = NerModelTagger(model=toy_model)
    start = stage._person_start(text, 0, len(span))
    assert (text[start:len(span)] if start is not None else None) == name


def test_an_org_may_contain_a_rule_place_but_not_cross_it(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "ORG", 0, 20)
    assert not stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "ORG", 15, 25)
    assert not stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "PERSON", 0, 20)
    assert not stage._free(SpanIndex([(10, 20, "OFFICIAL")]), Occupancy(0, 40), "ORG", 0, 20)
    assert not NerModelTagger(model=toy_model, nest_org=False)._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "ORG", 0, 20)


def test_a_lowercase_headed_location_is_a_location_that_may_contain_a_rule_place(toy_model, monkeypatch):
    stage = NerModelTagger(model=toy_model)
    text = "Xe qua cầu Bạch Đằng rồi đến Làng Nủ."
    proposals = [("LOC", text.index("cầu"), text.index(" rồi")), ("LOC", text.index("Làng"), text.index("."))]
    monkeypatch.setattr(stage, "tag", lambda t, tokens, s=0, e=None: [p for p in proposals if s <= p[1] < (e or len(t))])
    doc = tokenized(text)
    place = doc.add_entity("PLACE", text.index("Bạch"), text.index(" rồi"), source="rules")
    stage(doc)
    got = {(e.label, e.text, e.source) for e in doc.entities}
    assert got == {("PLACE", "Bạch Đằng", "rules"), ("LOCATION", "cầu Bạch Đằng", "model"),
                   ("PLACE", "Làng Nủ", "model")}
    assert place in doc.entities
    # a LOCATION may hold a rule PLACE, never cross it or hold another label
    assert stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "LOCATION", 0, 20)
    assert not stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "LOCATION", 15, 25)
    assert not stage._free(SpanIndex([(10, 20, "OFFICIAL")]), Occupancy(0, 40), "LOCATION", 0, 20)
    assert not stage._free(SpanIndex([(10, 20, "PLACE")]), Occupancy(0, 40), "PLACE", 0, 20)
    # the namesake PERSON of a school or street, after its head words, not at its start
    assert stage._free(SpanIndex([(10, 20, "PERSON")]), Occupancy(0, 40), "ORG", 0, 20)
    assert stage._free(SpanIndex([(10, 20, "PERSON")]), Occupancy(0, 40), "LOCATION", 0, 20)
    assert not stage._free(SpanIndex([(0, 10, "PERSON")]), Occupancy(0, 40), "ORG", 0, 20)
    assert not stage._free(SpanIndex([(10, 20, "PERSON")]), Occupancy(0, 40), "PLACE", 0, 20)


@pytest.mark.parametrize("text,landmark", [
    ("cầu Bạch Đằng", True), ("sân bay Long Thành", True), ("Bệnh viện Chợ Rẫy", True),
    ("xã Tân Hòa", False), ("ấp Long Châu 1", False), ("vùng Bảy Núi", False), ("Làng Nủ", False),
    ("Hà Nội", False), ("xãx Tân", True),
    ("núi Ba Tơ", False), ("sông Kiến Giang", False),   # natural features: PLACEs, as in the places stage
])
def test_which_loc_proposals_are_landmarks(toy_model, text, landmark):
    assert NerModelTagger(model=toy_model)._landmark(text, 0, len(text)) is landmark


def test_a_given_name_that_starts_a_common_word_is_not_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang An đến thăm Làng Nủ hôm qua.\nAn toàn là trên hết."
    doc = stage(tokenized(text))
    assert not any(e.text == "An" for e in doc.entities)


def test_word_info_lines_up_with_syllables():
    text = "Ông Lò Văn Tú đến xã Tân Hòa, 12/3."
    ms = list(SYLLABLE.finditer(text))
    tokens = [Token(*t) for t in [(0, 3, "Nc"), (4, 13, "Np"), (14, 17, "V"), (18, 20, "N"), (21, 28, "Np"),
                                  (28, 29, "F")]]
    info = NerModelTagger.word_info([m.span() for m in ms], tokens)
    assert len(info) == len(ms)
    got = {m.group(): x for m, x in zip(ms, info)}
    assert got["Lò"] == (1, 0, 3, "Np") and got["Văn"] == (1, 1, 3, "Np") and got["Tú"] == (1, 2, 3, "Np")
    assert got["Hòa"] == (4, 1, 2, "Np") and got[","] == (5, 0, 1, "F")
    # syllables outside every token ("12/3" here) are words of their own tagged X, numbered on
    assert [x for m, x in zip(ms, info) if m.start() >= 30] == [(6, 0, 1, "X"), (7, 0, 1, "X"), (8, 0, 1, "X"),
                                                                (9, 0, 1, "X")]


def test_word_features_name_the_word_and_its_neighbours():
    syl = ["Ông", "Lò", "Văn", "Tú", "đến"]
    info = [syllable_info(x) for x in syl]
    words = [(0, 0, 1, "Nc"), (1, 0, 3, "Np"), (1, 1, 3, "Np"), (1, 2, 3, "Np"), (2, 0, 1, "V")]
    feats = NerModelTagger.features(syl, [i[0] for i in info], [i[1] for i in info],
                                    NerModelTagger.load_resources(), words)
    assert len(feats) == len(syl)
    assert {"t:BNp", "tl:B3Np", "tp:Nc Np", "tn:Np V"} <= set(feats[1])
    assert {"t:INp", "tp:Nc Np"} <= set(feats[2])
    assert {"tp:<s> Nc", "tn:Nc Np"} <= set(feats[0]) and "tn:V </s>" in feats[4]
    plain = NerModelTagger.features(syl, [i[0] for i in info], [i[1] for i in info],
                                    NerModelTagger.load_resources())
    assert "t:BX" in plain[1] and plain[1][:11] == feats[1][:11]


def test_reads_the_tokens_layer_and_never_makes_its_own(toy_model):
    """The stage declares the layers it reads: the pipeline refuses it without tokens, and a
    document whose tokens were made by the tokens stage gets the proposals."""
    from pipeline.base import Pipeline, PipelineError
    assert NerModelTagger.requires == {"sentences", "tokens"}
    with pytest.raises(PipelineError, match="tokens"):
        Pipeline(["normalize", "sentences", "ner_model"], config={"ner_model": {"model": toy_model}})
    nlp = Pipeline(["normalize", "sentences", "tokens", "ner_model"], config={"ner_model": {"model": toy_model}})
    doc = nlp("Trời mưa.\nÔng Trịnh Quang Vĩnh đến Làng Nủ.")
    assert ("PERSON", "Trịnh Quang Vĩnh") in {(e.label, e.text) for e in doc.entities}
    assert doc.tokens and doc.tokens == tokenized(doc.text).tokens


def test_an_initial_keeps_its_dot():
    text = "Chị Th. kể, anh Nguyễn Văn Ph. nghe. Ông Thành. Sau đó"
    s = text.index("Th.")
    assert text[s:NerModelTagger._abbreviation_end(text, s, s + 2)] == "Th."
    s = text.index("Nguyễn")
    assert text[s:NerModelTagger._abbreviation_end(text, s, text.index("Ph.") + 2)] == "Nguyễn Văn Ph."
    s = text.index("Thành")
    assert NerModelTagger._abbreviation_end(text, s, s + 5) == s + 5  # a full syllable: the dot ends the sentence


def test_a_name_gets_its_majority_label_in_the_document():
    text = "Thơm A. Thơm B. Thơm C. Lan D. Lan E."
    t = text.index
    props = [("PERSON", t("Thơm A") , t("Thơm A") + 4), ("PERSON", t("Thơm B"), t("Thơm B") + 4),
             ("PLACE", t("Thơm C"), t("Thơm C") + 4), ("PERSON", t("Lan D"), t("Lan D") + 3),
             ("ORG", t("Lan E"), t("Lan E") + 3)]
    got = NerModelTagger._consistent(text, props)
    assert [lab for lab, _, _ in got[:3]] == ["PERSON"] * 3
    assert [lab for lab, _, _ in got[3:]] == ["PERSON", "ORG"]  # a tie: left as the model said
    assert [(s, e) for _, s, e in got] == [(s, e) for _, s, e in props]


def test_a_place_capitalised_only_by_an_institution_word_is_dropped(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "ở thành phố trực thuộc Trung ương và Làng Nủ"
    assert stage._filtered(text, "PLACE", 3, text.index(" và"))
    assert not stage._filtered(text, "PLACE", text.index("Làng"), len(text))
    assert not stage._filtered(text, "ORG", 3, text.index(" và"))  # ORG names may hold such words
    assert not stage._filtered("Quốc hội", "ORG", 0, 8) and stage._filtered("Quốc hội", "PLACE", 0, 8)


def test_the_trailing_byline_is_found_and_gets_no_place():
    text = "Ông Lò Văn Tú đã đến thăm Làng Nủ hôm qua. Thu Hà - Minh Anh"
    assert NerModelTagger._byline_start(text) == text.index(" Thu Hà")
    assert NerModelTagger._byline_start("Ông Tú đến Làng Nủ. Trời mưa to") is None
    assert NerModelTagger._byline_start("Ông Tú nói: Thu Hà") is None
    assert NerModelTagger._byline_start("Không có dấu câu nào") is None
