"""Named-entity benchmark: PER/LOC/ORG F1 end to end from raw text, vnextract vs underthesea ``ner``.

usage: python3 bench/ner.py [--sets vlsp2016,vlsp2016dev,vlsp2018,phoner,gold] [--limit N] [--ut-limit N]
                            [--out FILE.md]

Data (research-only, read from ``../shared``, never copied into the project):

- ``vlsp2016``: VLSP 2016 NER test. Its words (which hold spaces) are joined with spaces into
  sentences, and every 20 sentences into one document ("\\n" between sentences): the systems see
  raw text, never the gold segmentation. Held out: look at it only to report a final model.
- ``vlsp2016dev``: VLSP 2016 NER dev, built exactly like the test set: the set to select
  features and parameters on and to error-analyse (with ``vlsp2018``).
- ``vlsp2018``: VLSP 2018 NER dev, the MUC documents with their tags removed, outermost
  PERSON/LOCATION/ORGANIZATION entities (MISC dropped). The stage's model is also trained on it
  (``--vlsp2018-dev``), so for a held-out number pass ``--model`` a model built without that flag.
- ``phoner``: PhoNER_COVID19 test, syllables joined with spaces, NAME/LOCATION/ORGANIZATION
  mapped to PER/LOC/ORG (its other types are not scored). Every 20 sentences are one document.
- ``gold``: the development gold set (``gold/dev.jsonl``), per label of the annotation format.

Mappings: vnextract OFFICIAL/PERSON -> PER, PLACE/LOCATION -> LOC, MINISTRY/ORG -> ORG, and only the
outermost entity of a nest is kept (the VLSP and PhoNER gold are outermost only). underthesea
``ner`` (its CRF, not ``deep=True``) runs on each sentence of our sentence splitter; its PER/LOC/
ORG become, on the development gold set, OFFICIAL/PLACE/MINISTRY. An entity is right when its
label and character span equal a gold entity's (the rule of ``tools/score.py``).

underthesea ``ner`` is slow (about 5-10k characters/s here), so it runs on the first
``--ut-limit`` documents of each set (the vnextract rows are given on the same documents too).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.train.ner import bio_text, vlsp2016_sentences  # noqa: E402  (after the path is set)
SHARED = ROOT.parent / "shared"

TO_VLSP = {"OFFICIAL": "PER", "PERSON": "PER", "PLACE": "LOC", "LOCATION": "LOC", "MINISTRY": "ORG", "ORG": "ORG"}
UT_TO_GOLD = {"PER": "OFFICIAL", "LOC": "PLACE", "ORG": "MINISTRY"}
GOLD_LABELS = ["MINISTRY", "OFFICIAL", "PLACE", "DATE", "REFORM_AREA"]
DOC_SENTENCES = 20


# ---------------------------------------------------------------- data sets
def _chunks(sents: list[tuple[str, list[tuple[str, int, int]]]], prefix: str) -> list[dict]:
    """Join sentences (text, spans) into documents of DOC_SENTENCES sentences."""
    docs = []
    for k in range(0, len(sents), DOC_SENTENCES):
        parts, ents, pos = [], [], 0
        for text, spans in sents[k:k + DOC_SENTENCES]:
            ents += [(lab, s + pos, e + pos) for lab, s, e in spans]
            parts.append(text)
            pos += len(text) + 1
        docs.append({"id": f"{prefix}-{k // DOC_SENTENCES}", "text": "\n".join(parts), "gold": set(ents)})
    return docs


def load_vlsp2016(split: str = "test") -> list[dict]:
    """VLSP 2016 NER ``split`` (test or dev) as documents of DOC_SENTENCES raw sentences."""
    sents = vlsp2016_sentences(SHARED / "data" / "vlsp_ner" / "vlsp2016" / f"{split}.txt")
    return _chunks(sents, "vlsp2016" if split == "test" else f"vlsp2016{split}")


def load_vlsp2018() -> list[dict]:
    from pipeline.train.ner import parse_muc
    docs = []
    path = SHARED / "data" / "vlsp_ner" / "vlsp2018" / "vlsp2018_docs.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["split"] != "dev":
            continue
        text, spans = parse_muc(unicodedata.normalize("NFC", rec["muc"]))
        docs.append({"id": rec["id"], "text": text, "gold": set(spans)})
    return docs


def load_phoner() -> list[dict]:
    path = SHARED / "data" / "phoner_covid19" / "syllable" / "test_syllable.json"
    mapping = {"NAME": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
    sents = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        words = [unicodedata.normalize("NFC", w) for w in rec["words"]]
        sents.append(bio_text(words, rec["tags"], mapping))
    return _chunks(sents, "phoner")


def load_gold() -> list[dict]:
    docs = []
    for line in (SHARED / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        gold = {(e["label"], e["start"], e["end"]) for e in rec["entities"]}
        docs.append({"id": rec["id"], "text": rec["text"], "meta": rec.get("meta") or {}, "gold": gold})
    return docs


SETS = {"vlsp2016": ("VLSP 2016 NER test", load_vlsp2016),
        "vlsp2016dev": ("VLSP 2016 NER dev", lambda: load_vlsp2016("dev")),
        "vlsp2018": ("VLSP 2018 NER dev", load_vlsp2018),
        "phoner": ("PhoNER_COVID19 test (NAME/LOCATION/ORGANIZATION)", load_phoner),
        "gold": ("development gold set (gold/dev.jsonl)", load_gold)}


# ---------------------------------------------------------------- systems
def outermost(ents: list[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
    """Entities not inside another one (ties: the first listed wins)."""
    ents = sorted(set(ents), key=lambda e: (e[1], -e[2]))
    out, end = [], -1
    for e in ents:
        if e[1] >= end:
            out.append(e)
            end = e[2]
        elif e[2] > end:  # a crossing span: keep the earlier one
            continue
    return set(out)


def vnextract(stages: list[str] | None, vlsp: bool, model: str | None = None):
    from pipeline import load
    nlp = load(stages, ner_model={"model": model} if model else {})

    def run(doc: dict) -> set[tuple[str, int, int]]:
        from pipeline.document import Document
        d = nlp(Document(doc["text"], id=doc["id"], meta=doc.get("meta")))
        # spans in the input text (normalization may have changed the text)
        ents = [(e.label, *d.to_original(e.start, e.end)) for e in d.entities]
        if vlsp:
            return outermost([(TO_VLSP[lab], s, e) for lab, s, e in ents if lab in TO_VLSP])
        return set(ents)
    return run


def underthesea_ner(vlsp: bool):
    from underthesea import ner

    from pipeline.document import Document
    from pipeline.processors.sentences import SentenceSplitter
    from pipeline.processors.tokens.tokenizer import align
    splitter = SentenceSplitter()

    def run(doc: dict) -> set[tuple[str, int, int]]:
        d = splitter(Document(doc["text"]))
        out = []
        for sent in d.sentences:
            piece = doc["text"][sent.start:sent.end]
            if not piece.strip():
                continue
            rows = ner(piece)
            toks = align(piece, [(w, tag) for w, _, _, tag in rows], offset=sent.start)
            cur = None
            for t in toks:
                tag = t.pos or "O"
                kind = tag[2:] if tag != "O" else None
                if kind not in ("PER", "LOC", "ORG"):
                    cur = None
                    continue
                if tag[0] == "I" and cur and cur[0] == kind:
                    cur[2] = t.end
                else:
                    cur = [kind, t.start, t.end]
                    out.append(cur)
        ents = [tuple(c) for c in out]
        if vlsp:
            return set(ents)
        return {(UT_TO_GOLD[k], s, e) for k, s, e in ents}
    return run


# ---------------------------------------------------------------- scoring
def score(docs, preds, labels):
    rows = {}
    for lab in labels + ["micro"]:
        tp = n_pred = n_gold = 0
        for doc, pred in zip(docs, preds):
            g = {x for x in doc["gold"] if x[0] == lab or (lab == "micro" and x[0] in labels)}
            p = {x for x in pred if x[0] == lab or (lab == "micro" and x[0] in labels)}
            tp += len(g & p)
            n_pred += len(p)
            n_gold += len(g)
        pr = tp / n_pred if n_pred else 0.0
        rc = tp / n_gold if n_gold else 0.0
        rows[lab] = (pr, rc, 2 * pr * rc / (pr + rc) if pr + rc else 0.0, n_gold)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="vlsp2016,vlsp2018,phoner,gold")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents of each set (all systems)")
    ap.add_argument("--ut-limit", type=int, default=40,
                    help="documents of each set for underthesea ner (0: all); vnextract is also scored on them")
    ap.add_argument("--no-underthesea", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the tables to this markdown file")
    ap.add_argument("--model", help="NER model file (default: the ner_model stage's, under models/)")
    args = ap.parse_args()
    if not (SHARED / "data").is_dir():
        print(f"not found: {SHARED / 'data'}", file=sys.stderr)
        return 2
    from pipeline.base import DEFAULT_STAGES, MODEL_STAGES
    from pipeline.processors.ner_model import NerModelTagger
    model = NerModelTagger(model=args.model)
    full = list(DEFAULT_STAGES + MODEL_STAGES)
    rules = list(DEFAULT_STAGES)
    lines = [f"`python3 bench/ner.py {' '.join(sys.argv[1:])}`".replace(" `", "`"), ""]
    if not model.available:
        lines.append(f"(the NER model {model.model_name} is not built: the vnextract + model row equals rules only)")
    for key in args.sets.split(","):
        title, loader = SETS[key]
        docs = loader()
        if args.limit:
            docs = docs[:args.limit]
        vlsp = key != "gold"
        labels = ["PER", "LOC", "ORG"] if vlsp else GOLD_LABELS
        chars = sum(len(d["text"]) for d in docs)
        systems = [("vnextract rules + ner_model", lambda: vnextract(full, vlsp, args.model), docs),
                   ("vnextract rules only", lambda: vnextract(rules, vlsp), docs)]
        ut_docs = docs[:args.ut_limit] if args.ut_limit else docs
        if not args.no_underthesea:
            if len(ut_docs) < len(docs):
                systems.append(("vnextract rules + ner_model (underthesea's sample)",
                                lambda: vnextract(full, vlsp, args.model), ut_docs))
            systems.append(("underthesea ner", lambda: underthesea_ner(vlsp), ut_docs))
        lines += ["", f"### {title}: {len(docs)} documents, {chars:,} characters", ""]
        head = "| system | docs | " + " | ".join(f"{lab} P/R/F1 (n)" for lab in labels) + " | micro F1 | chars/s |"
        lines += [head, "|" + "---|" * (len(labels) + 4)]
        print("\n".join(lines[-4:]), flush=True)
        for name, make, subset in systems:
            run = make()
            run(subset[0])  # warm-up
            t0 = time.perf_counter()
            preds = [run(d) for d in subset]
            speed = sum(len(d["text"]) for d in subset) / (time.perf_counter() - t0)
            rows = score(subset, preds, labels)
            cells = " | ".join(f"{rows[lab][0]:.3f}/{rows[lab][1]:.3f}/{rows[lab][2]:.3f} ({rows[lab][3]})"
                               for lab in labels)
            line = f"| {name} | {len(subset)} | {cells} | {rows['micro'][2]:.4f} | {speed:,.0f} |"
            lines.append(line)
            print(line, flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
