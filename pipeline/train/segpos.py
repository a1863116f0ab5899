"""Train the ``crf`` tokens backend: joint word segmentation + POS over syllables.

usage: python3 -m pipeline.train.segpos [--vtb DIR] [--out-dir models] [--eval] [--max-iterations N]

Reads UD_Vietnamese-VTB train+dev (CC BY-SA 4.0; default ``../shared/data/ud_vi_vtb``), maps its XPOS
tags with ``models/segpos_vtb_tags_<VERSION>.tsv``, and writes, with the version the backend expects:

- ``segpos_words_vtb_<VERSION>.tsv``: the multi-syllable words of VTB train+dev (CC BY-SA 4.0);
- ``segpos_words_pyvi_<VERSION>.tsv``: the multi-syllable words of pyvi's bundled ``models/words.txt``
  (pyvi is MIT-licensed), taken from the installed pyvi package;
- ``segpos_names_<VERSION>.tsv``: multi-syllable place names from ``models/places_admin.tsv`` (MIT,
  vietnamadminunits) and ``models/places_world.tsv`` (written for vnextract), case kept;
- ``segpos_crf_vtb_<VERSION>.crfsuite``: the python-crfsuite model (L-BFGS, fixed parameters, the
  sentences in file order, so two runs give the same file).

Each syllable (the ``syllables`` backend's units) is labelled ``B-<tag>`` where a gold word starts and
``I-<tag>`` inside it. ``--eval`` scores the new model on VTB test afterwards (segmentation F1 from the
raw sentence text, no never-split rules; ``bench/tokenizers.py`` measures the whole stage).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..resources import models_dir, read_tsv
from ..tokens import _SYLLABLE, _CrfBackend

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VTB = ROOT.parent / "shared" / "data" / "ud_vi_vtb"
TAGS = f"segpos_vtb_tags_{_CrfBackend.VERSION}.tsv"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}


def read_vtb(path: Path, tagmap: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sentences of a CoNLL-U file as (text, [(word form, mapped tag), ...])."""
    sents: list[tuple[str, list[tuple[str, str]]]] = []
    text, words = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text"):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if text is not None and words:
                sents.append((text, words))
            text, words = None, []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            words.append((cols[1], tagmap.get(cols[4], "F")))
    if text is not None and words:
        sents.append((text, words))
    return sents


def syllables_and_labels(text: str, words: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The syllables of ``text`` and their joint labels from the gold words."""
    spans, pos = [], 0
    for form, tag in words:
        start = text.find(form, pos)
        if start < 0:
            raise ValueError(f"cannot align {form!r} in {text!r}")
        spans.append((start, start + len(form), tag))
        pos = start + len(form)
    syllables, labels = [], []
    wi = 0
    for m in _SYLLABLE.finditer(text):
        while wi < len(spans) - 1 and spans[wi][1] <= m.start():
            wi += 1
        ws, _, tag = spans[wi]
        syllables.append(m.group())
        labels.append(("B-" if m.start() <= ws else "I-") + tag)
    return syllables, labels


def item_features(syllables: list[str], dicts) -> list[list[str]]:
    info = [_CrfBackend.syllable_info(s) for s in syllables]
    return _CrfBackend.features(syllables, [i[0] for i in info], [i[1] for i in info], dicts)


def write_word_list(path: Path, words: set[str], header: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        f.write("word\n")
        for w in sorted(words):
            f.write(w + "\n")


def place_names() -> set[str]:
    """Multi-syllable names of the places gazetteers (case kept)."""
    names = {r["name"] for r in read_tsv("places_admin.tsv")} | {r["name"] for r in read_tsv("places_world.tsv")}
    return {n for n in names if " " in n and n.count(" ") < _CrfBackend.MAX_WORD}


def pyvi_words() -> set[str]:
    import pyvi
    path = Path(pyvi.__file__).resolve().parent / "models" / "words.txt"
    return {w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines()
            if " " in w.strip() and "\t" not in w}


def evaluate(model: Path, sents, dicts) -> tuple[float, float, float, float]:
    """(P, R, F1, POS accuracy on rightly segmented words) on gold sentences."""
    import pycrfsuite
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    tp = n_pred = n_gold = tag_ok = 0
    for text, gold_words in sents:
        gold, pos = {}, 0
        for form, tag in gold_words:
            s = text.find(form, pos)
            gold[(s, s + len(form))] = tag
            pos = s + len(form)
        ms = list(_SYLLABLE.finditer(text))
        labels = tagger.tag(item_features([m.group() for m in ms], dicts))
        pred: dict[tuple[int, int], str] = {}
        cur = None
        for m, lab in zip(ms, labels):
            if lab[0] == "B" or cur is None:
                if cur:
                    pred[(cur[0], cur[1])] = cur[2]
                cur = [m.start(), m.end(), lab[2:]]
            else:
                cur[1] = m.end()
        if cur:
            pred[(cur[0], cur[1])] = cur[2]
        common = pred.keys() & gold.keys()
        tp += len(common)
        tag_ok += sum(pred[k] == gold[k] for k in common)
        n_pred += len(pred)
        n_gold += len(gold)
    p, r = tp / n_pred, tp / n_gold
    return p, r, 2 * p * r / (p + r), tag_ok / tp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vtb", type=Path, default=DEFAULT_VTB, help="folder with vi_vtb-ud-*.conllu")
    ap.add_argument("--out-dir", type=Path, default=None, help="where to write (default: models/)")
    ap.add_argument("--eval", action="store_true", help="score on VTB test afterwards")
    ap.add_argument("--max-iterations", type=int, default=PARAMS["max_iterations"],
                    help="L-BFGS iterations (fewer only for quick checks)")
    args = ap.parse_args(argv)
    try:
        import pycrfsuite
    except ImportError:
        print("needs python-crfsuite: pip install python-crfsuite", file=sys.stderr)
        return 2
    train_files = [args.vtb / "vi_vtb-ud-train.conllu", args.vtb / "vi_vtb-ud-dev.conllu"]
    if not all(p.is_file() for p in train_files):
        print(f"not found: {train_files[0]} / {train_files[1]}", file=sys.stderr)
        return 2
    out = args.out_dir or models_dir()
    out.mkdir(parents=True, exist_ok=True)
    tagmap = {r["xpos"]: r["tag"] for r in read_tsv(TAGS)}
    train = [s for p in train_files for s in read_vtb(p, tagmap)]

    version = _CrfBackend.VERSION
    vtb_list, pyvi_list = _CrfBackend.WORD_LISTS
    vtb_words = {form.lower() for _, ws in train for form, _ in ws if " " in form}
    write_word_list(out / vtb_list, vtb_words,
                    "# Multi-syllable words of UD_Vietnamese-VTB train+dev (lowercased), CC BY-SA 4.0:\n"
                    "# Nguyễn Thị Lương, Hà Mỹ Linh, Lê Hồng Phương, Nguyễn Thị Minh Huyền; Nguyen et al. 2009.\n"
                    "# Built by pipeline/train/segpos.py; a feature of the crf tokens backend.\n")
    write_word_list(out / pyvi_list, pyvi_words(),
                    "# Multi-syllable words of pyvi's bundled models/words.txt (pyvi 0.1.1, MIT licence,\n"
                    "# (c) 2016 Viet-Trung Tran), lowercased. Built by pipeline/train/segpos.py.\n")
    write_word_list(out / _CrfBackend.NAME_LIST, place_names(),
                    "# Multi-syllable place names (case kept) from models/places_admin.tsv (MIT, vietnamadminunits\n"
                    "# 1.0.4, (c) 2025 Tran Ngoc Minh Hieu) and models/places_world.tsv (vnextract, Apache-2.0).\n"
                    "# Built by pipeline/train/segpos.py; a feature of the crf tokens backend.\n")
    dicts = _load_from(out)

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for text, ws in train:
        syllables, labels = syllables_and_labels(text, ws)
        trainer.append(item_features(syllables, dicts), labels)
    params = dict(PARAMS, max_iterations=args.max_iterations)
    trainer.set_params(params)
    model = out / _CrfBackend.MODEL
    t0 = time.perf_counter()
    trainer.train(str(model))
    print(f"trained {model.name} on {len(train)} sentences in {time.perf_counter() - t0:.0f} s "
          f"(version {version}, params {params})")
    if args.eval:
        test = read_vtb(args.vtb / "vi_vtb-ud-test.conllu", tagmap)
        p, r, f, acc = evaluate(model, test, dicts)
        print(f"VTB test: P {p:.4f} R {r:.4f} F1 {f:.4f}; POS accuracy on right words {acc:.4f}")
    return 0


def _load_from(folder: Path):
    """The backend's dictionaries (words, prefixes, names, name prefixes) from the lists in ``folder``."""
    import os
    old = os.environ.get("VNEXTRACT_MODELS")
    os.environ["VNEXTRACT_MODELS"] = str(folder)
    try:
        words = _CrfBackend.load_dictionary(_CrfBackend.WORD_LISTS)
        names = _CrfBackend.load_dictionary((_CrfBackend.NAME_LIST,), lower=False)
        return (*words, *names)
    finally:
        if old is None:
            del os.environ["VNEXTRACT_MODELS"]
        else:
            os.environ["VNEXTRACT_MODELS"] = old


if __name__ == "__main__":
    sys.exit(main())
