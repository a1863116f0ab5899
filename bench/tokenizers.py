"""Word segmentation benchmark: F1 on UD_Vietnamese-VTB and throughput, same input, same run.

usage: python3 bench/tokenizers.py [--conllu PATH] [--limit N] [--markdown]

Each system gets the raw sentence text (the ``# text`` line) and must return
words; a word is right when its character span equals a gold word's span.
Systems: the vnextract ``tokens`` stage with each backend (which adds its
never-split rules for abbreviations, dates, numbers and names), the ``crf``
backend's model alone (no never-split rules), and the two anchors called
directly: pyvi ``ViTokenizer.tokenize`` and underthesea ``word_tokenize``.
Throughput is characters per second of segmentation (+POS where the system
tags) over the whole file, after a warm-up. POS is the share of rightly
segmented words whose tag equals the gold XPOS mapped to the pyvi tag set
(``models/segpos_vtb_tags_<VERSION>.tsv``), for the systems that tag.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the reader and scorer of the segmenter's trainer, so the benchmark and the trainer count alike
from pipeline.train.segpos import gold_spans, read_vtb, score, tag_map  # noqa: E402  (after the path is set)

DEFAULT = ROOT.parent / "shared" / "data" / "ud_vi_vtb" / "vi_vtb-ud-test.conllu"


def read_conllu(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Sentences as (text, gold words as (start, end, XPOS mapped to the pyvi tag set))."""
    return gold_spans(read_vtb(path, tag_map()))


def systems():
    from pipeline.processors.tokens.tokenizer import Tokenizer, align

    def stage(backend):
        tok = Tokenizer(backend=backend)
        return lambda text: [(t.start, t.end, t.pos) for t in tok.tokenize(text)]

    def raw_pyvi():
        from pyvi import ViTokenizer
        return lambda text: [(t.start, t.end) for t in align(text, [(w, None) for w in
                                                                      ViTokenizer.tokenize(text).split()])]

    def raw_pyvi_pos():
        from pyvi import ViPosTagger, ViTokenizer
        def run(text):
            words, tags = ViPosTagger.postagging(ViTokenizer.tokenize(text))
            return [(t.start, t.end, t.pos) for t in align(text, list(zip(words, tags)))]
        return run

    def raw_crf():
        from pipeline.processors.tokens.tokenizer import BACKENDS
        backend = BACKENDS["crf"]()
        return lambda text: [(t.start, t.end, t.pos) for t in align(text, backend(text))]

    def raw_underthesea():
        from underthesea import word_tokenize
        return lambda text: [(t.start, t.end) for t in align(text, [(w, None) for w in word_tokenize(text)])]

    return {
        "vnextract tokens (crf backend, +POS)": lambda: stage("crf"),
        "vnextract tokens (pyvi backend, +POS)": lambda: stage("pyvi"),
        "vnextract tokens (underthesea backend, +POS)": lambda: stage("underthesea"),
        "vnextract tokens (syllables backend, no POS)": lambda: stage("syllables"),
        "crf model alone (no never-split rules, +POS)": raw_crf,
        "pyvi ViTokenizer (anchor)": raw_pyvi,
        "pyvi ViTokenizer + ViPosTagger (anchor)": raw_pyvi_pos,
        "underthesea word_tokenize (anchor)": raw_underthesea,
    }


def evaluate(run, sents):
    """(P, R, F1) of word spans; ``run`` returns (start, end) or (start, end, tag) tuples."""
    return score(run, sents)[:3]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conllu", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    ap.add_argument("--only", help="substring of the system names to run")
    args = ap.parse_args()
    if not args.conllu.is_file():
        print(f"not found: {args.conllu} (needs ../shared/data/ud_vi_vtb)", file=sys.stderr)
        return 2
    sents = read_conllu(args.conllu)
    if args.limit:
        sents = sents[:args.limit]
    chars = sum(len(t) for t, _ in sents)
    print(f"{args.conllu.name}: {len(sents)} sentences, {chars} characters\n")
    print("| system | P | R | F1 | POS | load s | chars/s |")
    print("|---|---|---|---|---|---|---|")
    for name, make in systems().items():
        if args.only and args.only not in name:
            continue
        t0 = time.perf_counter()
        run = make()
        run(sents[0][0])  # warm-up: lazy model loading is counted as load time
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for text, _ in sents:
            run(text)
        speed = chars / (time.perf_counter() - t0)
        p, r, f, acc = score(run, sents)
        pos = "-" if acc is None else f"{acc:.4f}"
        print(f"| {name} | {p:.4f} | {r:.4f} | {f:.4f} | {pos} | {load:.2f} | {speed:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
