"""Train the ``crf`` tokens backend: joint word segmentation + POS over syllables.

usage: python3 -m pipeline.train.segpos [--vtb DIR] [--out-dir models] [--eval] [--max-iterations N]
       python3 -m pipeline.train.segpos --select [--vtb DIR]

Reads UD_Vietnamese-VTB train+dev (CC BY-SA 4.0; default ``../shared/data/ud_vi_vtb``), maps its XPOS
tags with ``models/segpos_vtb_tags_<VERSION>.tsv``, and writes, with the version the backend expects:

- ``segpos_words_vtb_<VERSION>.tsv``: the multi-syllable words of VTB train+dev (CC BY-SA 4.0);
- ``segpos_words_pyvi_<VERSION>.tsv``: the multi-syllable words of pyvi's bundled ``models/words.txt``
  (pyvi is MIT-licensed), taken from the installed pyvi package;
  (both word lists also hold each word in its other tone-mark placement, hoà/hòa, and i/y spelling,
  kỹ/kĩ, so the dictionary features do not depend on the writer's spelling);
- ``segpos_names_<VERSION>.tsv``: multi-syllable place names from ``models/places_admin.tsv`` (MIT,
  vietnamadminunits) and ``models/places_world.tsv`` (written for vnextract), case kept;
- ``segpos_crf_vtb_<VERSION>.crfsuite``: the python-crfsuite model (L-BFGS, fixed parameters, the
  sentences in file order, so two runs give the same file).

Each syllable (the ``syllables`` backend's units) is labelled ``B-<tag>`` where a gold word starts and
``I-<tag>`` inside it. ``--eval`` scores the new model on VTB test afterwards (segmentation F1 from the
raw sentence text, no never-split rules; ``bench/tokenizers.py`` measures the whole stage); use it
once, for the final model, never to choose between candidates.

``--select`` is for choosing features and parameters without ever looking at VTB test: it trains on
VTB train only (the VTB word list too), in a temporary folder (``models/`` is not touched), and scores
VTB dev twice: the model alone and the whole ``tokens`` stage (with its never-split rules). Compare
candidates with it; retrain the shipped model (train+dev) only for the chosen configuration.

VTB dev writes round brackets as the words ``LBKT``/``RBKT``; they are read as ``(``/``)`` (train and
test use the brackets themselves).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from pipeline.resources import models_dir, read_tsv
from pipeline.processors.tokens.crf import CrfBackend
from pipeline.text.syllables import SYLLABLE, syllable_info

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VTB = ROOT.parent / "shared" / "data" / "ud_vi_vtb"
TAGS = f"segpos_vtb_tags_{CrfBackend.VERSION}.tsv"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}


_BRACKET_WORDS = {"LBKT": "(", "RBKT": ")"}
_BRACKET_RE = re.compile(r"\b(?:LBKT|RBKT)\b")


def read_vtb(path: Path, tagmap: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sentences of a CoNLL-U file as (text, [(word form, mapped tag), ...]); the bracket words
    ``LBKT``/``RBKT`` of VTB dev become ``(``/``)``."""
    sents: list[tuple[str, list[tuple[str, str]]]] = []
    text, words = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text"):
            text = _BRACKET_RE.sub(lambda m: _BRACKET_WORDS[m.group()], line.split("=", 1)[1].strip())
        elif not line.strip():
            if text is not None and words:
                sents.append((text, words))
            text, words = None, []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            words.append((_BRACKET_WORDS.get(cols[1], cols[1]), tagmap.get(cols[4], "F")))
    if text is not None and words:
        sents.append((text, words))
    return sents


def word_spans(text: str, words: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """The gold ``words`` (form, tag) of ``text`` as (start, end, tag), found in order in the text."""
    spans, pos = [], 0
    for form, tag in words:
        start = text.find(form, pos)
        if start < 0:
            raise ValueError(f"cannot align {form!r} in {text!r}")
        spans.append((start, start + len(form), tag))
        pos = start + len(form)
    return spans


def gold_spans(sents: list[tuple[str, list[tuple[str, str]]]]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """:func:`read_vtb` sentences as (text, gold words as (start, end, tag)): what :func:`score` takes."""
    return [(text, word_spans(text, words)) for text, words in sents]


def tag_map() -> dict[str, str]:
    """VTB XPOS -> the backend's (pyvi's) tag set, ``models/segpos_vtb_tags_<VERSION>.tsv``."""
    return {r["xpos"]: r["tag"] for r in read_tsv(TAGS)}


def syllables_and_labels(text: str, words: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The syllables of ``text`` and their joint labels from the gold words."""
    spans = word_spans(text, words)
    syllables, labels = [], []
    wi = 0
    for m in SYLLABLE.finditer(text):
        while wi < len(spans) - 1 and spans[wi][1] <= m.start():
            wi += 1
        ws, _, tag = spans[wi]
        syllables.append(m.group())
        labels.append(("B-" if m.start() <= ws else "I-") + tag)
    return syllables, labels


def item_features(syllables: list[str], dicts) -> list[list[str]]:
    info = [syllable_info(s) for s in syllables]
    return CrfBackend.features(syllables, [i[0] for i in info], [i[1] for i in info], dicts)


def write_word_list(path: Path, words: set[str], header: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        f.write("word\n")
        for w in sorted(words):
            f.write(w + "\n")


def place_names() -> set[str]:
    """Multi-syllable names of the places gazetteers (case kept)."""
    names = {r["name"] for r in read_tsv("places_admin.tsv")} | {r["name"] for r in read_tsv("places_world.tsv")}
    return {n for n in names if " " in n and n.count(" ") < CrfBackend.MAX_WORD}


def with_tone_variants(words: set[str]) -> set[str]:
    """``words`` plus each word spelt with the other tone-mark placement (hoà/hòa, thuỷ/thủy, khoẻ/khỏe,
    ``models/tone_marks.tsv``, syllable-final only) and with i/y swapped in a syllable of a consonant and
    that vowel (lý/lí, kỹ/kĩ), so a dictionary lookup matches either spelling."""
    pairs = [(r["old"], r["new"]) for r in read_tsv("tone_marks.tsv")]
    to_new = {o: n for o, n in pairs}
    to_old = {n: o for o, n in pairs}
    ending = re.compile("(" + "|".join(sorted(map(re.escape, to_new.keys() | to_old.keys()), key=len,
                                              reverse=True)) + r")\b")
    out = set(words)
    for w in words:
        out.add(ending.sub(lambda m: to_new.get(m.group(), m.group()), w))
        out.add(ending.sub(lambda m: to_old.get(m.group(), m.group()), w))
    for w in list(out):
        out.add(_I_Y.sub(lambda m: m.group(1) + _SWAP_I_Y[m.group(2)], w))
    return out


# a syllable of one consonant (cluster) and the vowel i or y, which both spellings use (lý/lí, quý/quí, kỹ/kĩ)
_SWAP_I_Y = dict(zip("yýỳỷỹỵiíìỉĩị", "iíìỉĩịyýỳỷỹỵ"))
_I_Y = re.compile(r"\b(ch|kh|ng|nh|ph|qu|th|tr|[bcdđghklmnrstvx])([yýỳỷỹỵiíìỉĩị])\b")


def pyvi_words() -> set[str]:
    import pyvi
    path = Path(pyvi.__file__).resolve().parent / "models" / "words.txt"
    return {w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines()
            if " " in w.strip() and "\t" not in w}


def score(run, sents) -> tuple[float, float, float, float | None]:
    """(P, R, F1, POS accuracy on rightly segmented words, or None when the system does not tag) of
    ``run(text)`` -> [(start, end) or (start, end, tag)] on :func:`gold_spans` sentences."""
    tp = n_pred = n_gold = tag_ok = tagged = 0
    for text, gold in sents:
        pred = {w[:2]: (w[2] if len(w) > 2 else None) for w in run(text)}
        gold = {(s, e): tag for s, e, tag in gold}
        common = pred.keys() & gold.keys()
        tp += len(common)
        for k in common:
            if pred[k] is not None:
                tagged += 1
                tag_ok += pred[k] == gold[k]
        n_pred += len(pred)
        n_gold += len(gold)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    # a backend without tags still gets a few from the never-split rules (Np for names): not a tagger
    acc = tag_ok / tagged if tagged > tp / 2 else None
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), acc


def evaluate(model: Path, sents, dicts) -> tuple[float, float, float, float]:
    """(P, R, F1, POS accuracy on rightly segmented words) of the model alone (no never-split rules)."""
    return score(CrfBackend(model, dicts).spans, sents)


def evaluate_stage(model: Path, sents, dicts) -> tuple[float, float, float, float]:
    """The same for the whole ``tokens`` stage (never-split rules and names) with this model."""
    from pipeline.processors.tokens.tokenizer import Tokenizer
    tok = Tokenizer(backend="syllables")
    tok.backend = CrfBackend(model, dicts)
    return score(lambda text: [(t.start, t.end, t.pos) for t in tok.tokenize(text)], sents)


def train_model(train, out: Path, vtb_words: set[str], max_iterations: int) -> tuple[Path, tuple, float]:
    """Write the word lists and the model into ``out``; (model path, dictionaries, seconds)."""
    import pycrfsuite
    vtb_list, pyvi_list = CrfBackend.WORD_LISTS
    write_word_list(out / vtb_list, with_tone_variants(vtb_words),
                    "# Multi-syllable words of UD_Vietnamese-VTB train+dev (lowercased), CC BY-SA 4.0:\n"
                    "# Nguyễn Thị Lương, Hà Mỹ Linh, Lê Hồng Phương, Nguyễn Thị Minh Huyền; Nguyen et al. 2009.\n"
                    "# Built by pipeline/train/segpos.py; a feature of the crf tokens backend.\n")
    write_word_list(out / pyvi_list, with_tone_variants(pyvi_words()),
                    "# Multi-syllable words of pyvi's bundled models/words.txt (pyvi 0.1.1, MIT licence,\n"
                    "# (c) 2016 Viet-Trung Tran), lowercased. Built by pipeline/train/segpos.py.\n")
    write_word_list(out / CrfBackend.NAME_LIST, place_names(),
                    "# Multi-syllable place names (case kept) from models/places_admin.tsv (MIT, vietnamadminunits\n"
                    "# 1.0.4, (c) 2025 Tran Ngoc Minh Hieu) and models/places_world.tsv (vnextract, Apache-2.0).\n"
                    "# Built by pipeline/train/segpos.py; a feature of the crf tokens backend.\n")
    dicts = _load_from(out)
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for text, ws in train:
        syllables, labels = syllables_and_labels(text, ws)
        trainer.append(item_features(syllables, dicts), labels)
    trainer.set_params(dict(PARAMS, max_iterations=max_iterations))
    model = out / CrfBackend.MODEL
    t0 = time.perf_counter()
    trainer.train(str(model))
    return model, dicts, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vtb", type=Path, default=DEFAULT_VTB, help="folder with vi_vtb-ud-*.conllu")
    ap.add_argument("--out-dir", type=Path, default=None, help="where to write (default: models/)")
    ap.add_argument("--eval", action="store_true", help="score on VTB test afterwards")
    ap.add_argument("--select", action="store_true",
                    help="train on VTB train only (in a temporary folder) and score VTB dev; never reads test")
    ap.add_argument("--max-iterations", type=int, default=PARAMS["max_iterations"],
                    help="L-BFGS iterations (fewer only for quick checks)")
    args = ap.parse_args(argv)
    try:
        import pycrfsuite  # noqa: F401
    except ImportError:
        print("needs python-crfsuite: pip install python-crfsuite", file=sys.stderr)
        return 2
    train_file, dev_file = args.vtb / "vi_vtb-ud-train.conllu", args.vtb / "vi_vtb-ud-dev.conllu"
    if not (train_file.is_file() and dev_file.is_file()):
        print(f"not found: {train_file} / {dev_file}", file=sys.stderr)
        return 2
    tagmap = tag_map()
    train, dev = read_vtb(train_file, tagmap), read_vtb(dev_file, tagmap)
    params = dict(PARAMS, max_iterations=args.max_iterations)

    if args.select:
        with tempfile.TemporaryDirectory(prefix="segpos-select-") as tmp:
            words = {form.lower() for _, ws in train for form, _ in ws if " " in form}
            model, dicts, seconds = train_model(train, Path(tmp), words, args.max_iterations)
            print(f"trained on VTB train ({len(train)} sentences) in {seconds:.0f} s "
                  f"(version {CrfBackend.VERSION}, params {params})")
            for what, fn in (("model alone", evaluate), ("tokens stage", evaluate_stage)):
                p, r, f, acc = fn(model, gold_spans(dev), dicts)
                print(f"VTB dev, {what}: P {p:.4f} R {r:.4f} F1 {f:.4f}; POS accuracy on right words {acc:.4f}")
        return 0

    out = args.out_dir or models_dir()
    out.mkdir(parents=True, exist_ok=True)
    train = train + dev
    words = {form.lower() for _, ws in train for form, _ in ws if " " in form}
    model, dicts, seconds = train_model(train, out, words, args.max_iterations)
    print(f"trained {model.name} on {len(train)} sentences in {seconds:.0f} s "
          f"(version {CrfBackend.VERSION}, params {params})")
    if args.eval:
        test = gold_spans(read_vtb(args.vtb / "vi_vtb-ud-test.conllu", tagmap))
        p, r, f, acc = evaluate(model, test, dicts)
        print(f"VTB test: P {p:.4f} R {r:.4f} F1 {f:.4f}; POS accuracy on right words {acc:.4f}")
    return 0


def _load_from(folder: Path):
    """The backend's dictionaries (:meth:`CrfBackend.load_dictionaries`) from the lists in ``folder``."""
    import os
    old = os.environ.get("VNEXTRACT_MODELS")
    os.environ["VNEXTRACT_MODELS"] = str(folder)
    try:
        return CrfBackend.load_dictionaries()
    finally:
        if old is None:
            del os.environ["VNEXTRACT_MODELS"]
        else:
            os.environ["VNEXTRACT_MODELS"] = old


if __name__ == "__main__":
    sys.exit(main())
