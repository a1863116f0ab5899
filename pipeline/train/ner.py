"""Build the NER CRF of the ``ner_model`` stage into ``models/local/`` (never committed).

usage: python3 -m pipeline.train.ner [--shared DIR] [--no-phoner] [--vlsp2016-dev] [--max-iterations N]
                                     [--out PATH] [--eval]

Training data, all from ``../shared/data`` and all research-only (so the weights are not
shipped; every user builds them locally with this command):

- VLSP 2018 NER train (``vlsp_ner/vlsp2018/vlsp2018_docs.jsonl``, split ``train``): the raw MUC
  text with inline ENAMEX tags, outermost PERSON/LOCATION/ORGANIZATION kept (MISC dropped);
- PhoNER_COVID19 train (``phoner_covid19/syllable/train_syllable.json``): NAME -> PER,
  LOCATION -> LOC, ORGANIZATION -> ORG, the other types O.

Each paragraph is cut into the ``syllables`` backend's units and labelled B-/I-PER|LOC|ORG or O;
features come from :meth:`pipeline.ner_model.NerModelTagger.features`. L-BFGS with fixed
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

from ..ner_model import NerModelTagger
from ..resources import models_dir, sha256
from ..tokens import _SYLLABLE, _CrfBackend

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
    """(syllables, labels) of each non-empty line of a document."""
    pos = 0
    spans = sorted(spans, key=lambda s: s[1])
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        ms = list(_SYLLABLE.finditer(text, start, end))
        if not ms:
            continue
        here = [sp for sp in spans if sp[1] < end and start < sp[2]]
        labels = []
        for m in ms:
            lab = "O"
            for kind, s, e in here:
                if s <= m.start() and m.end() <= e:
                    lab = ("B-" if m.start() == s or text[s:m.start()].strip() == "" else "I-") + kind
                    break
            labels.append(lab)
        yield [m.group() for m in ms], labels


def vlsp2018(shared: Path, split: str):
    path = shared / "data" / "vlsp_ner" / "vlsp2018" / "vlsp2018_docs.jsonl"
    with path.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if doc["split"] != split:
                continue
            text, spans = parse_muc(unicodedata.normalize("NFC", doc["muc"]))
            yield from paragraph_sequences(text, spans)


def phoner(shared: Path, split: str):
    path = shared / "data" / "phoner_covid19" / "syllable" / f"{split}_syllable.json"
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            words = [unicodedata.normalize("NFC", w) for w in rec["words"]]
            labels = []
            for tag in rec["tags"]:
                kind = PHONER_TYPES.get(tag[2:]) if tag != "O" else None
                labels.append(f"{tag[0]}-{kind}" if kind else "O")
            # the syllables backend's units may split a PhoNER token ("COVID-19" is one already split)
            syl, lab = [], []
            for w, t in zip(words, labels):
                parts = [m.group() for m in _SYLLABLE.finditer(w)] or [w]
                syl.extend(parts)
                lab.extend([t] + [("I" + t[1:]) if t != "O" else "O"] * (len(parts) - 1))
            yield syl, lab


def vlsp2016(shared: Path, split: str):
    """VLSP 2016 NER (word-level CoNLL, words hold spaces) as syllable sequences."""
    path = shared / "data" / "vlsp_ner" / "vlsp2016" / f"{split}.txt"
    syl, lab = [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if syl:
                yield syl, lab
            syl, lab = [], []
            continue
        cols = line.split("\t")
        word, tag = unicodedata.normalize("NFC", cols[0]), cols[-1]
        kind = tag[2:] if tag[2:] in ("PER", "LOC", "ORG") else None
        parts = [m.group() for m in _SYLLABLE.finditer(word)] or [word]
        syl.extend(parts)
        if kind:
            lab.extend([f"{tag[0]}-{kind}"] + [f"I-{kind}"] * (len(parts) - 1))
        else:
            lab.extend(["O"] * len(parts))


def item_features(syllables: list[str], resources) -> list[list[str]]:
    info = [_CrfBackend.syllable_info(s) for s in syllables]
    return NerModelTagger.features(syllables, [i[0] for i in info], [i[1] for i in info], resources)


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
    ap.add_argument("--vlsp2016-dev", action="store_true",
                    help="also train on VLSP 2016 dev (then do not report VLSP 2016 dev scores)")
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
    if args.vlsp2016_dev:
        sources.append(("vlsp2016 dev", vlsp2016(args.shared, "dev")))
    for name, seqs in sources:
        n = 0
        for syllables, labels in seqs:
            trainer.append(item_features(syllables, resources), labels)
            n += 1
        counts[name] = n
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
        for syllables, labels in vlsp2018(args.shared, "dev"):
            pred = entity_spans(tagger.tag(item_features(syllables, resources)))
            gold = entity_spans(labels)
            tp += len(pred & gold)
            n_pred += len(pred)
            n_gold += len(gold)
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        print(f"VLSP 2018 dev (model alone, syllable spans): P {p:.4f} R {r:.4f} F1 {2 * p * r / max(p + r, 1e-9):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
