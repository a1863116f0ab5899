"""The ``ner_model`` stage: NER CRF proposals behind the rules (model built locally, never committed)."""
from __future__ import annotations

import pytest

from pipeline.document import Document
from pipeline.ner_model import NerModelTagger
from pipeline.resources import models_dir
from pipeline.tokens import _SYLLABLE, _CrfBackend

pycrfsuite = pytest.importorskip("pycrfsuite")

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
    ms = list(_SYLLABLE.finditer(text))
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
    info = [_CrfBackend.syllable_info(x) for x in syl]
    feats = NerModelTagger.features(syl, [i[0] for i in info], [i[1] for i in info],
                                    NerModelTagger.load_resources())
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
    doc = Document("Ông Trịnh Quang Vĩnh đến thăm Làng Nủ.")
    stage(doc)
    assert doc.entities == []


def test_proposes_names_with_exact_offsets(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage.available
    doc = Document("Hôm qua, ông Hà Quang Lợi đến Làng Nủ.")
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
    doc = Document(text)
    start = text.index("Lò Thị Hoa")
    doc.add_entity("OFFICIAL", start, start + len("Lò Thị Hoa"), source="rules", title="Giám đốc")
    stage(doc)
    assert [e.label for e in doc.entities if e.start < start + 10 and start < e.end] == ["OFFICIAL"]
    assert ("ORG", "Công ty Sao Mai") in {(e.label, e.text) for e in doc.entities}


def test_labels_option_and_lowercase_proposals_dropped(toy_model):
    stage = NerModelTagger(model=toy_model, labels=["PLACE"])
    doc = Document("Bà Lò Thị Hoa sống ở Làng Nủ.")
    stage(doc)
    assert {e.label for e in doc.entities} == {"PLACE"}
    assert NerModelTagger._plausible("người dân ở đây", "PERSON", 0, 9) is False
    assert NerModelTagger._plausible("Làng Nủ,", "PLACE", 0, 8) is False


def test_model_loaded_once_per_process(toy_model):
    a, b = NerModelTagger(model=toy_model), NerModelTagger(model=toy_model)
    assert a.tagger is b.tagger and a.resources is b.resources


def test_uses_sentences_when_present(toy_model):
    from pipeline.sentences import SentenceSplitter
    stage = NerModelTagger(model=toy_model)
    doc = SentenceSplitter()(Document("Trời mưa.\nÔng Trịnh Quang Vĩnh đến Làng Nủ."))
    stage(doc)
    assert ("PERSON", "Trịnh Quang Vĩnh") in {(e.label, e.text) for e in doc.entities}


def test_the_locally_built_model_loads_if_present():
    path = models_dir() / NerModelTagger.MODEL
    if not path.is_file():
        pytest.skip("the NER model is not built here (python3 -m pipeline.train.ner)")
    stage = NerModelTagger()
    assert stage.available
    doc = Document("Chiều qua, ông Nguyễn Văn Thắng đã đến thăm xã Tân Hòa và làm việc với Công ty Hòa Phát.")
    stage(doc)
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)
    assert {e.label for e in doc.entities} <= {"PERSON", "PLACE", "ORG"}
    assert any(e.label == "PERSON" and "Nguyễn Văn Thắng" in e.text for e in doc.entities)


def test_other_mentions_and_given_names_are_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang Vĩnh đến thăm Làng Nủ hôm qua.\nVĩnh kể lại chuyện cũ.\nLàng Nủ nay đã khác."
    doc = stage(Document(text))
    got = [(e.label, e.text, e.start) for e in doc.entities]
    assert ("PERSON", "Vĩnh", text.index("Vĩnh kể")) in got
    assert ("PLACE", "Làng Nủ", text.rindex("Làng Nủ")) in got
    assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)
    off = NerModelTagger(model=toy_model, propagate=False)(Document(text))
    assert not any(e.text == "Vĩnh" for e in off.entities)


def test_a_mention_inside_a_longer_capitalised_name_is_not_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang Vĩnh đến thăm Làng Nủ hôm qua.\nTrường Vĩnh Phúc mở cửa."
    doc = stage(Document(text))
    assert not any(e.text == "Vĩnh" for e in doc.entities)


def test_filters_drop_institution_words_and_org_heads(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage._filtered("Trung ương", "PLACE", 0, 10)
    assert stage._filtered("Cục Xúc", "PERSON", 0, 7)
    assert not stage._filtered("Cục Xúc", "ORG", 0, 7)
    assert not stage._filtered("Bộc Bố", "PLACE", 0, 6)


def test_an_org_may_contain_a_rule_place_but_not_cross_it(toy_model):
    stage = NerModelTagger(model=toy_model)
    assert stage._free([(10, 20, "PLACE")], [], "ORG", 0, 20)
    assert not stage._free([(10, 20, "PLACE")], [], "ORG", 15, 25)
    assert not stage._free([(10, 20, "PLACE")], [], "PERSON", 0, 20)
    assert not stage._free([(10, 20, "OFFICIAL")], [], "ORG", 0, 20)
    assert not NerModelTagger(model=toy_model, nest_org=False)._free([(10, 20, "PLACE")], [], "ORG", 0, 20)


def test_a_given_name_that_starts_a_common_word_is_not_propagated(toy_model):
    stage = NerModelTagger(model=toy_model)
    text = "Ông Trịnh Quang An đến thăm Làng Nủ hôm qua.\nAn toàn là trên hết."
    doc = stage(Document(text))
    assert not any(e.text == "An" for e in doc.entities)
