"""Build the NER CRF of the ``ner_model`` stage into ``models/local/`` (never committed).

usage: python3 -m pipeline.train.ner [--shared DIR] [--no-phoner] [--vlsp2016-dev [all|first|second]]
                                     [--vlsp2018-dev] [--max-iterations N] [--c1 X] [--c2 Y]
                                     [--out PATH] [--eval]

The model the stage uses: ``python3 -m pipeline.train.ner --vlsp2016-dev --vlsp2018-dev``.

Training data, all from ``../shared/data`` and all research-only (so the weights are not
shipped; every user builds them locally with this command):

- VLSP 2018 NER train (``vlsp_ner/vlsp2018/vlsp2018_docs.jsonl``, split ``train``): the raw MUC
  text with inline ENAMEX tags, outermost PERSON/LOCATION/ORGANIZATION kept (MISC dropped);
- PhoNER_COVID19 train (``phoner_covid19/syllable/train_syllable.json``): NAME -> PER,
  LOCATION -> LOC, ORGANIZATION -> ORG, the other types O;
- optionally VLSP 2016 NER dev (``vlsp_ner/vlsp2016/dev.txt``, words joined by spaces), all of it
  or the first/second half of its documents (as cut by bench/ner.py): then that part is no longer
  held out;
- optionally VLSP 2018 NER dev (``--vlsp2018-dev``, read like its train split): then VLSP 2018 dev
  scores no longer measure held-out text (``--eval`` and bench/ner.py's ``vlsp2018`` set).

Each paragraph is cut into the ``syllables`` backend's units and labelled B-/I-PER|LOC|ORG or O;
the tokens stage's crf tokenizer (:meth:`NerModelTagger.tokenizer`) gives its words and POS tags,
as at tagging time; features come from :meth:`pipeline.processors.ner_model.NerModelTagger.features`.
The model depends on the segmenter: retrain it when ``models/segpos_*`` change. L-BFGS with fixed
parameters over the data in file order, so two runs give the same model. The command also writes
``models/local/MANIFEST.jsonl`` (training data, date, version, licence, sha256) and a
``.gitignore`` that keeps the folder out of git. ``--eval`` scores the model on VLSP 2018 dev
(span F1 over syllable-aligned entities, model alone).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

from pipeline.processors.ner_model import NerModelTagger
from pipeline.resources import models_dir, sha256
from pipeline.processors.tokens import Tokenizer
from pipeline.text.syllables import SYLLABLE, describe

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = ROOT.parent / "shared"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
MUC_TYPES = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
PHONER_TYPES = {"NAME": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
_TAG = re.compile(r'<ENAMEX TYPE="([A-Z]+)">|</ENAMEX>')


def parse_muc(muc: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Plain text of a MUC document and its outermost entities (label, start, end)."""
    out: list[str] = []
    pos = 0
    length = 0
    stack: list[tuple[str, int]] = []
    spans: list[tuple[str, int, int]] = []
    for m in _TAG.finditer(muc):
        chunk = muc[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(1):
            stack.append((m.group(1), length))
        elif stack:
            kind, start = stack.pop()
            if not stack and kind in MUC_TYPES:
                spans.append((MUC_TYPES[kind], start, length))
    out.append(muc[pos:])
    return "".join(out), spans


def paragraph_sequences(text: str, spans: list[tuple[str, int, int]]):
    """(line text, its entities with offsets into the line) of each non-empty line of a document."""
    pos = 0
    spans = sorted(spans, key=lambda s: s[1])
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        yield line, [(k, s - start, e - start) for k, s, e in spans if s < end and start < e]


def syllable_labels(matches: list, spans: list[tuple[str, int, int]], text: str) -> list[str]:
    """BIO label of each syllable match: inside an entity span, B- at its first syllable."""
    labels = []
    for m in matches:
        lab = "O"
        for kind, s, e in spans:
            if s <= m.start() and m.end() <= e:
                lab = ("B-" if m.start() == s or text[s:m.start()].strip() == "" else "I-") + kind
                break
        labels.append(lab)
    return labels


def vlsp2018(shared: Path, split: str):
    """VLSP 2018 NER ``split`` as (line, entities) pairs, outermost PER/LOC/ORG."""
    path = shared / "data" / "vlsp_ner" / "vlsp2018" / "vlsp2018_docs.jsonl"
    with path.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if doc["split"] != split:
                continue
            text, spans = parse_muc(unicodedata.normalize("NFC", doc["muc"]))
            yield from paragraph_sequences(text, spans)


def bio_text(words: list[str], tags: list[str],
             mapping: dict[str, str] | None = None) -> tuple[str, list[tuple[str, int, int]]]:
    """Words joined by spaces and the entities of their word-level BIO tags; ``mapping`` turns a
    tag's type into a label (default PER/LOC/ORG kept, other types dropped). The benchmark builds
    its raw-text documents with it too."""
    mapping = mapping or {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
    parts, spans, pos, cur = [], [], 0, None
    for w, t in zip(words, tags):
        kind = mapping.get(t[2:]) if t != "O" else None
        if kind and t[0] == "I" and cur and cur[0] == kind:
            cur[2] = pos + len(w)
        elif kind:
            cur = [kind, pos, pos + len(w)]
            spans.append(cur)
        else:
            cur = None
        parts.append(w)
        pos += len(w) + 1
    return " ".join(parts), [tuple(x) for x in spans]


def phoner(shared: Path, split: str):
    """PhoNER_COVID19 ``split`` (syllables) as (sentence, entities): NAME -> PER, LOCATION -> LOC,
    ORGANIZATION -> ORG."""
    path = shared / "data" / "phoner_covid19" / "syllable" / f"{split}_syllable.json"
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            words = [unicodedata.normalize("NFC", w) for w in rec["words"]]
            tags = [t if t == "O" or t[2:] not in PHONER_TYPES else f"{t[:2]}{PHONER_TYPES[t[2:]]}"
                    for t in rec["tags"]]
            yield bio_text(words, tags)


def vlsp2016_sentences(path: Path) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """A VLSP 2016 NER file (word-level CoNLL, words hold spaces) as (sentence text, entities)."""
    sents, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if words:
                sents.append(bio_text(words, tags))
            words, tags = [], []
            continue
        cols = line.split("\t")
        words.append(unicodedata.normalize("NFC", cols[0]))
        tags.append(cols[-1])
    return sents


def vlsp2016(shared: Path, split: str, part: str = "all"):
    """VLSP 2016 NER ``split`` as (sentence, entities); ``part``: "all", or "first"/"second" half of
    the sentences by documents of 20 sentences (as in bench/ner.py: the first 50 documents and the
    rest)."""
    sents = vlsp2016_sentences(shared / "data" / "vlsp_ner" / "vlsp2016" / f"{split}.txt")
    cut = 50 * 20
    yield from (sents if part == "all" else sents[:cut] if part == "first" else sents[cut:])


def sequence(text: str, spans: list[tuple[str, int, int]], resources, tokenizer):
    """(features, labels) of one training line: its syllables, words and POS tags (the stage's
    tokenizer), entity labels."""
    matches = list(SYLLABLE.finditer(text))
    if not matches:
        return None
    words = NerModelTagger.word_info([m.span() for m in matches], tokenizer.tokenize(text))
    syllables, low, shapes = describe(matches)
    feats = NerModelTagger.features(syllables, low, shapes, resources, words)
    return feats, syllable_labels(matches, spans, text)


def entity_spans(labels: list[str]) -> set[tuple[str, int, int]]:
    out, cur = set(), None
    for i, lab in enumerate(labels + ["O"]):
        if lab == "O" or lab[0] == "B" or (cur and cur[0] != lab[2:]):
            if cur:
                out.add((cur[0], cur[1], i))
            cur = [lab[2:], i] if lab != "O" else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--no-phoner", action="store_true", help="without PhoNER_COVID19 train")
    ap.add_argument("--vlsp2016-dev", nargs="?", const="all", choices=("all", "first", "second"),
                    help="also train on VLSP 2016 dev, or its first/second half (then do not report "
                         "VLSP 2016 dev scores on that part)")
    ap.add_argument("--vlsp2018-dev", action="store_true",
                    help="also train on VLSP 2018 dev (then do not report VLSP 2018 dev scores)")
    ap.add_argument("--max-iterations", type=int, default=PARAMS["max_iterations"])
    ap.add_argument("--c1", type=float, default=PARAMS["c1"], help="L1 regularization")
    ap.add_argument("--c2", type=float, default=PARAMS["c2"], help="L2 regularization")
    ap.add_argument("--out", type=Path, default=None, help="model path (default models/" + NerModelTagger.MODEL + ")")
    ap.add_argument("--eval", action="store_true", help="score on VLSP 2018 dev afterwards")
    args = ap.parse_args(argv)
    try:
        import pycrfsuite
    except ImportError:
        print("needs python-crfsuite: pip install python-crfsuite", file=sys.stderr)
        return 2
    if not (args.shared / "data" / "vlsp_ner").is_dir():
        print(f"not found: {args.shared / 'data' / 'vlsp_ner'}", file=sys.stderr)
        return 2
    out = args.out or models_dir() / NerModelTagger.MODEL
    out.parent.mkdir(parents=True, exist_ok=True)
    ignore = out.parent / ".gitignore"
    if out.parent.name == "local" and not ignore.exists():
        ignore.write_text("# models built locally from research-only data: never committed\n*\n", encoding="utf-8")
    resources = NerModelTagger.load_resources()
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    counts = {}
    sources = [("vlsp2018 train", vlsp2018(args.shared, "train"))]
    if not args.no_phoner:
        sources.append(("phoner_covid19 train", phoner(args.shared, "train")))
    if args.vlsp2018_dev:
        sources.append(("vlsp2018 dev", vlsp2018(args.shared, "dev")))
    if args.vlsp2016_dev:
        sources.append((f"vlsp2016 dev ({args.vlsp2016_dev})", vlsp2016(args.shared, "dev", args.vlsp2016_dev)))
    tokenizer = Tokenizer(backend="crf")  # the words and POS tags the stage reads from the tokens stage
    t0 = time.perf_counter()
    for name, seqs in sources:
        n = 0
        for text, spans in seqs:
            item = sequence(text, spans, resources, tokenizer)
            if item:
                trainer.append(*item)
                n += 1
        counts[name] = n
    print(f"features of {sum(counts.values())} sequences in {time.perf_counter() - t0:.0f} s", flush=True)
    params = dict(PARAMS, max_iterations=args.max_iterations, c1=args.c1, c2=args.c2)
    trainer.set_params(params)
    t0 = time.perf_counter()
    trainer.train(str(out))
    print(f"trained {out.name} on {counts} in {time.perf_counter() - t0:.0f} s")
    entry = {"file": out.name, "version": NerModelTagger.VERSION, "built": dt.date.today().isoformat(),
             "source": f"python3 -m pipeline.train.ner, python-crfsuite L-BFGS {params}; data: "
                       + ", ".join(f"{k} ({v} sequences)" for k, v in counts.items()),
             "licence": "research-only (VLSP 2018 NER: VLSP terms; PhoNER_COVID19: VinAI research/educational "
                        "use, no redistribution): do not commit or distribute",
             "description": "NER CRF (PER/LOC/ORG over syllables) of the ner_model stage", "sha256": sha256(out)}
    with (out.parent / "MANIFEST.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    if args.eval:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(out))
        tp = n_pred = n_gold = 0
        for text, spans in vlsp2018(args.shared, "dev"):
            item = sequence(text, spans, resources, tokenizer)
            if not item:
                continue
            pred = entity_spans(tagger.tag(item[0]))
            gold = entity_spans(item[1])
            tp += len(pred & gold)
            n_pred += len(pred)
            n_gold += len(gold)
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        print(f"VLSP 2018 dev (model alone, syllable spans): P {p:.4f} R {r:.4f} F1 {2 * p * r / max(p + r, 1e-9):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
