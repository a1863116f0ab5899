"""The ``crf`` tokens backend: joint word segmentation + POS (models/segpos_crf_vtb_*.crfsuite)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline import resources
from pipeline.document import Document
from pipeline.processors.sentences import SentenceSplitter
from pipeline.processors.tokens.crf import CrfBackend
from pipeline.processors.tokens.tokenizer import BACKENDS, Tokenizer
from pipeline.text.syllables import syllable_info

pytest.importorskip("pycrfsuite")


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(backend="crf")


def words_of(tok, text):
    doc = Document(text)
    SentenceSplitter()(doc)
    tok(doc)
    return doc, [(text[t.start:t.end], t.pos) for t in doc.tokens]


def test_model_files_exist_versioned_and_listed_in_the_manifest():
    listed = resources.manifest()
    for name in (CrfBackend.MODEL, CrfBackend.NAME_LIST, *CrfBackend.WORD_LISTS):
        assert CrfBackend.VERSION in name
        assert resources.resource_path(name).is_file()
        assert name in listed, f"{name} is not in models/MANIFEST.jsonl"
    assert "CC BY-SA 4.0" in listed[CrfBackend.MODEL]["licence"]


def test_registered_and_loaded_once_per_process():
    assert BACKENDS["crf"] is CrfBackend
    a, b = CrfBackend(), CrfBackend()
    assert a._taggers is b._taggers and a._dicts is b._dicts
    assert a._taggers.get() is b._taggers.get()  # one tagger per thread, not per instance
    labels = a._taggers.get().labels()
    assert {"B-N", "I-N", "B-V", "B-Np", "B-F"} <= set(labels)


def test_segments_and_tags_common_words(tok):
    _, words = words_of(tok, "Bộ trưởng phát biểu tại hội nghị về cải cách hành chính.")
    got = dict(words)
    for w in ("Bộ trưởng", "phát biểu", "hội nghị", "cải cách", "hành chính"):
        assert w in got, (w, words)
    assert got["phát biểu"] == "V"
    assert got["hội nghị"] == "N"
    assert got["."] == "F"
    assert all(pos for _, pos in words)


def test_does_not_glue_unrelated_words_or_punctuation(tok):
    _, words = words_of(tok, "Hôm nay, trời mưa to và gió lớn.")
    forms = [w for w, _ in words]
    assert "," in forms and "." in forms
    assert not any(("," in w or "." in w) and len(w) > 1 for w in forms)
    assert "mưa to và" not in forms and "và gió" not in forms


def test_never_split_rules_and_names_still_apply(tok):
    text = ("Ông Nguyễn Văn Bình, Phó Chủ tịch UBND TP.HCM, ký Quyết định 1234/QĐ-UBND ngày 15/3/2024 "
            "về khoản chi 1.250,5 tỷ đồng cho Bộ GD&ĐT.")
    doc, words = words_of(tok, text)
    forms = [w for w, _ in words]
    for unit in ("Nguyễn Văn Bình", "TP.HCM", "1234/QĐ-UBND", "15/3/2024", "1.250,5", "GD&ĐT"):
        assert unit in forms, (unit, forms)
    assert dict(words)["Nguyễn Văn Bình"] == "Np"
    # offsets are exact and tokens never overlap
    assert all(doc.text[t.start:t.end].strip() == doc.text[t.start:t.end] for t in doc.tokens)
    assert all(a.end <= b.start for a, b in zip(doc.tokens, doc.tokens[1:]))


def test_place_names_from_the_gazetteer_are_one_word(tok):
    _, words = words_of(tok, "Đoàn công tác đã đến Quảng Ninh và Bắc Giang hôm qua.")
    forms = [w for w, _ in words]
    assert "Quảng Ninh" in forms and "Bắc Giang" in forms


def test_curly_quotes_dashes_and_empty_input(tok):
    assert tok.backend("") == []
    assert tok.backend("   ") == []
    out = tok.backend("“Chúng tôi” – ông nói…")
    assert "".join(w for w, _ in out).replace(" ", "") == "“Chúngtôi”–ôngnói…"
    assert ("“", "F") in out


def test_features_are_deterministic_and_fixed_width():
    b = CrfBackend()
    syl = ["Thủ", "tướng", "đến", "Hà", "Nội", "."]
    info = [syllable_info(s) for s in syl]
    f1 = b.features(syl, [i[0] for i in info], [i[1] for i in info], b._dicts)
    f2 = b.features(syl, [i[0] for i in info], [i[1] for i in info], b._dicts)
    assert f1 == f2
    assert len({len(f) for f in f1}) == 1
    assert f1[0][0] == "w:thủ" and f1[3][-1].startswith("d:")
    assert syllable_info("HĐND") == ("hđnd", "U") and syllable_info("123") == ("123", "D")


def _vtb(shared: Path) -> Path:
    path = shared / "data" / "ud_vi_vtb"
    if not (path / "vi_vtb-ud-test.conllu").is_file():
        pytest.skip("UD_Vietnamese-VTB not in ../shared")
    return path


def test_vtb_test_f1_end_to_end(shared, tok):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.tokenizers import evaluate, read_conllu
    sents = read_conllu(_vtb(shared) / "vi_vtb-ud-test.conllu")[:300]
    p, r, f = evaluate(lambda text: [(t.start, t.end) for t in tok.tokenize(text)], sents)
    assert f >= 0.975, (p, r, f)


def test_training_is_deterministic(shared, tmp_path):
    from pipeline.train import segpos
    src = _vtb(shared)
    vtb = tmp_path / "vtb"
    vtb.mkdir()
    for split in ("train", "dev"):  # a small slice so that the test is quick
        blocks = (src / f"vi_vtb-ud-{split}.conllu").read_text(encoding="utf-8").split("\n\n")[:40]
        (vtb / f"vi_vtb-ud-{split}.conllu").write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert segpos.main(["--vtb", str(vtb), "--out-dir", str(out), "--max-iterations", "10"]) == 0
        digests.append(hashlib.sha256((out / CrfBackend.MODEL).read_bytes()).hexdigest())
        assert (out / CrfBackend.WORD_LISTS[0]).stat().st_size > 0
    assert digests[0] == digests[1]


# --- the tagger's fast features (ModelFeatures) against the reference definition (CrfBackend.features)

TRICKY = [
    "Ông Nguyễn Văn Bình nói ở Hà Nội, TP.HCM và Thừa Thiên Huế hôm 30/7/2020.",
    "“Chúng tôi” – ông nói… BỘ NỘI VỤ, UBND tỉnh Quảng Ninh chi 1.234,5 tỷ đồng!",
    "A", "Hà Nội", "ĐẠI HỘI ĐẢNG TOÀN QUỐC LẦN THỨ XIII", "x _y_ 12a3 3,5 %",
    "Bà con khoẻ mạnh, hoà thuận; kỹ thuật và kĩ thuật.",
]


def _sentences(texts):
    """The sentences of ``texts`` as the tokens stage sees them."""
    from pipeline import load
    nlp = load(["normalize", "sentences"])
    out = []
    for text in texts:
        doc = nlp(text)
        out += [doc.text[s.start:s.end] for s in doc.sentences]
    return out


def _corpus_texts():
    import json
    root = Path(__file__).resolve().parents[2] / "corpus"
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "txt").glob("*.txt"))]
    for name in ("sample.jsonl", "hard_cases.jsonl"):
        with (root / name).open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


def _assert_fast_features_are_the_reference(sentences):
    from pipeline.text.syllables import SYLLABLE, describe
    b = CrfBackend()
    tagger = b._taggers.get()
    known = {a for a, _ in tagger.info().state_features}  # the model's attributes, as CRFsuite lists them
    checked = 0
    for sentence in sentences:
        matches = list(SYLLABLE.finditer(sentence))
        if not matches:
            continue
        syllables, low, shapes = describe(matches)
        reference = CrfBackend.features(syllables, low, shapes, b._dicts)
        fast = b._model.items(syllables, low, shapes)
        assert fast == [tuple(f.encode() for f in item if f in known) for item in reference], sentence
        assert tagger.tag(fast) == tagger.tag(reference), sentence
        checked += len(low)
    return checked


def test_fast_features_are_the_reference_features_on_the_bundled_corpus():
    """The tagger is fed, for each syllable, exactly the reference feature strings the model knows
    (CRFsuite ignores the others), in the same order, so its labels cannot change."""
    assert _assert_fast_features_are_the_reference(_sentences(TRICKY + _corpus_texts())) > 1000


def test_fast_features_are_the_reference_features_on_the_dev_gold_and_news(shared):
    import json
    texts = []
    with (shared / "gold" / "dev.input.jsonl").open(encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f if line.strip()]
    news = shared / "data" / "vi_news" / "baomoi_2017_magizbox.jsonl"
    if news.is_file():
        with news.open(encoding="utf-8") as f:
            for _, line in zip(range(60), f):
                texts.append(json.loads(line)["text"])
    assert _assert_fast_features_are_the_reference(_sentences(texts)) > 20000


def test_model_attributes_are_read_from_the_model_file(tmp_path):
    from pipeline.processors.tokens.crf import model_attributes
    from pipeline.resources import ResourceError
    path = resources.resource_path(CrfBackend.MODEL)
    tagger = CrfBackend()._taggers.get()
    got = model_attributes(str(path))
    assert len(got) == len(set(got))
    assert {a.decode() for a in got} == {a for a, _ in tagger.info().state_features}
    bad = tmp_path / "bad.crfsuite"
    bad.write_bytes(b"lCRF" + path.read_bytes()[4:200])
    with pytest.raises(ResourceError, match="bad.crfsuite"):
        model_attributes(str(bad))
