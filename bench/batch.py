"""Batch throughput, scaling, memory and startup of `vnextract annotate`, beside the anchors.

usage: python3 bench/batch.py [--docs 600] [--rounds 3] [--long 3000] [--memory] [--sample-ner 60]

All systems read the same JSONL of real articles (``../shared/data/vi_news``,
full-text baomoi articles; the file is built in a temporary directory, never
in the repository) and write JSONL, each as a whole process:

- vnextract, full default pipeline, 1 worker and 2 workers;
- pyvi ViTokenizer + ViPosTagger (the throughput target);
- underthesea ``ner`` on a sample (it is much slower; its rate is per document).

The machine is shared and noisy, so pyvi, 1 worker and 2 workers run interleaved for
``--rounds`` rounds and medians are reported with every round. Scaling is also measured on
``--long`` documents (the articles repeated with new ids), where the start-up weighs less.
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
from statistics import median
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
    ap.add_argument("--rounds", type=int, default=3,
                    help="interleaved rounds of every timed command (the machine is noisy): medians are reported")
    ap.add_argument("--long", type=int, default=3000,
                    help="documents of the longer scaling run (the articles repeated with new ids; 0: skip)")
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
        print(f"{n} articles, {chars:,} characters ({NEWS.name}); {args.rounds} interleaved rounds\n")

        def vnextract(path: Path, workers: int, out: str) -> list[str]:
            return [py, "-m", "pipeline", "annotate", str(path), "--out", str(tmp / out), "-q",
                    "--workers", str(workers)]

        commands = [
            ("pyvi ViTokenizer + ViPosTagger (anchor)", [py, "-c", PYVI_SCRIPT, str(corpus), str(tmp / "pyvi.jsonl")]),
            ("vnextract, full pipeline, 1 worker", vnextract(corpus, 1, "v1.jsonl")),
            ("vnextract, full pipeline, 2 workers", vnextract(corpus, 2, "v2.jsonl")),
        ]
        times: dict[str, list[float]] = {name: [] for name, _ in commands}
        for _ in range(args.rounds):
            for name, cmd in commands:
                times[name].append(run(cmd))
        tn = run([py, "-c", UNDERTHESEA_NER_SCRIPT, str(sample), str(tmp / "uts.jsonl")])
        print("| system (whole process, JSONL in and out) | documents | seconds, each round | median s "
              "| documents/s (median) |")
        print("|---|---|---|---|---|")
        for name, _ in commands:
            ts = times[name]
            print(f"| {name} | {n} | {' / '.join(f'{t:.1f}' for t in ts)} | {median(ts):.1f} "
                  f"| {n / median(ts):.1f} |")
        print(f"| underthesea ner (anchor, first {args.sample_ner} articles) | {args.sample_ner} | {tn:.1f} "
              f"| {tn:.1f} | {args.sample_ner / tn:.2f} |")
        t_pyvi, t1, t2 = (times[name] for name, _ in commands)
        print(f"\npyvi / 1 worker, each round: {', '.join(f'{a / b:.2f}' for a, b in zip(t_pyvi, t1))}; "
              f"of the medians {median(t_pyvi) / median(t1):.2f}x")
        print(f"1 worker / 2 workers, each round: {', '.join(f'{a / b:.2f}' for a, b in zip(t1, t2))}; "
              f"of the medians {median(t1) / median(t2):.2f}x")
        same = (tmp / "v1.jsonl").read_bytes() == (tmp / "v2.jsonl").read_bytes()
        print(f"1 and 2 workers wrote identical bytes: {same}")

        if args.long:
            big = tmp / "long.jsonl"
            build_corpus(big, args.docs, repeat_to=args.long)
            l1, l2 = [], []
            for _ in range(args.rounds):
                l1.append(run(vnextract(big, 1, "l1.jsonl")))
                l2.append(run(vnextract(big, 2, "l2.jsonl")))
            print(f"\n{args.long} documents (start-up amortized): 1 worker {' / '.join(f'{t:.1f}' for t in l1)} s, "
                  f"2 workers {' / '.join(f'{t:.1f}' for t in l2)} s; 1 worker / 2 workers, each round: "
                  f"{', '.join(f'{a / b:.2f}' for a, b in zip(l1, l2))}; of the medians "
                  f"{median(l1) / median(l2):.2f}x")

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
