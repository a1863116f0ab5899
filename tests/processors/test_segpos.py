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
