"""Batch throughput, scaling, memory and startup of `vnextract annotate`, beside the anchors.

usage: python3 bench/batch.py [--docs 600] [--memory] [--sample-ner 60]

All systems read the same JSONL of real articles (``../shared/data/vi_news``,
full-text baomoi articles; the file is built in a temporary directory, never
in the repository) and write JSONL, each as a whole process:

- vnextract, full default pipeline, 1 worker and 2 workers;
- pyvi ViTokenizer + ViPosTagger (the throughput target);
- underthesea ``ner`` on a sample (it is much slower; its rate is per document).

``--memory`` also measures peak RSS of one worker on 1,000 and 10,000
documents (the corpus repeated with new ids). Startup is the time to import
the package and build the pipeline, in a fresh process, best of three.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "vi_news" / "baomoi_2017_magizbox.jsonl"

PYVI_SCRIPT = r"""
import json, sys
from pyvi import ViTokenizer, ViPosTagger
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        rec = json.loads(line)
        words, tags = [], []
        for para in rec["text"].split("\n"):
            if para.strip():
                w, t = ViPosTagger.postagging(ViTokenizer.tokenize(para))
                words += w
                tags += list(t)
        out.write(json.dumps({"id": rec["id"], "words": words, "tags": tags}, ensure_ascii=False) + "\n")
"""

UNDERTHESEA_NER_SCRIPT = r"""
import json, sys
from underthesea import ner
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        rec = json.loads(line)
        result = [ner(s) for s in rec["text"].split("\n") if s.strip()]
        out.write(json.dumps({"id": rec["id"], "ner": result}, ensure_ascii=False) + "\n")
"""

STARTUP_SCRIPT = "import time; t=time.perf_counter(); from pipeline import load; load(); print(time.perf_counter()-t)"


def build_corpus(path: Path, n: int, repeat_to: int | None = None) -> tuple[int, int]:
    """Write n articles (or repeat them to ``repeat_to`` documents); return (documents, characters)."""
    if not NEWS.is_file():
        sys.exit(f"not found: {NEWS} (needs ../shared/data/vi_news)")
    docs = []
    with NEWS.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if len(rec.get("text") or "") > 500:
                docs.append({"id": rec["id"], "text": (rec.get("title") or "") + "\n\n" + rec["text"],
                             "meta": {"published": rec.get("published"), "title": rec.get("title")}})
            if len(docs) >= n:
                break
    total = repeat_to or len(docs)
    chars = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(total):
            rec = dict(docs[i % len(docs)])
            rec["id"] = f"{rec['id']}-{i}"
            chars += len(rec["text"])
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return total, chars


def run(cmd: list[str]) -> float:
    """Wall seconds of one command, as a whole process."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return seconds


def peak_rss_of(cmd: list[str]) -> float:
    """Peak RSS in MB of one command, measured in its own fresh child (GNU time is not assumed)."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--sample-ner", type=int, default=60, help="documents given to underthesea ner")
    ap.add_argument("--memory", action="store_true", help="also measure memory at 1,000 and 10,000 documents")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus.jsonl"
        n, chars = build_corpus(corpus, args.docs)
        sample = tmp / "sample.jsonl"
        with corpus.open(encoding="utf-8") as f, sample.open("w", encoding="utf-8") as out:
            for i, line in enumerate(f):
                if i >= args.sample_ner:
                    break
                out.write(line)
        print(f"{n} articles, {chars:,} characters ({NEWS.name})\n")
        rows = []
        t = run([py, "-c", PYVI_SCRIPT, str(corpus), str(tmp / "pyvi.jsonl")])
        rows.append(("pyvi ViTokenizer + ViPosTagger (anchor)", n, t))
        t1 = run([py, "-m", "pipeline", "annotate", str(corpus), "--out", str(tmp / "v1.jsonl"), "-q"])
        rows.append(("vnextract, full pipeline, 1 worker", n, t1))
        t2 = run([py, "-m", "pipeline", "annotate", str(corpus), "--out", str(tmp / "v2.jsonl"), "-q",
                     "--workers", "2"])
        rows.append(("vnextract, full pipeline, 2 workers", n, t2))
        tn = run([py, "-c", UNDERTHESEA_NER_SCRIPT, str(sample), str(tmp / "uts.jsonl")])
        rows.append((f"underthesea ner (anchor, first {args.sample_ner} articles)", args.sample_ner, tn))
        print("| system (whole process, JSONL in and out) | documents | seconds | documents/s |")
        print("|---|---|---|---|")
        for name, docs, secs in rows:
            print(f"| {name} | {docs} | {secs:.1f} | {docs / secs:.1f} |")
        print(f"\n2 workers / 1 worker: {t1 / t2:.2f}x")
        same = (tmp / "v1.jsonl").read_bytes() == (tmp / "v2.jsonl").read_bytes()
        print(f"1 and 2 workers wrote identical bytes: {same}")

        startups = []
        for _ in range(3):
            out = subprocess.run([py, "-c", STARTUP_SCRIPT], cwd=ROOT, capture_output=True, text=True)
            startups.append(float(out.stdout.strip().splitlines()[-1]))
        print(f"startup (import + build the default pipeline): best {min(startups):.2f} s "
              f"of {', '.join(f'{s:.2f}' for s in startups)}")

        if args.memory:
            print("\n| documents | peak RSS of one worker, MB | seconds |")
            print("|---|---|---|")
            for count in (1000, 10000):
                big = tmp / f"c{count}.jsonl"
                build_corpus(big, args.docs, repeat_to=count)
                t0 = time.perf_counter()
                rss = peak_rss_of([py, "-m", "pipeline", "annotate", str(big), "--out", str(tmp / "m.jsonl"),
                                   "-q"])
                print(f"| {count} | {rss:.0f} | {time.perf_counter() - t0:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
