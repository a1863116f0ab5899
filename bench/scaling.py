"""How each stage's cost grows with the document: time per stage as the document doubles.

usage: python3 bench/scaling.py [--sizes 50000,100000,200000,400000,800000] [--kinds news,dense_ministry,dense_official]
                                [--stages a,b,c] [--out RESULTS.md]

Kinds of document (each built in memory to the size asked, never written to the repository):
- ``news``: real articles from ../shared/data/vi_news, concatenated as paragraphs;
- ``dense_ministry``: "Bộ Tài chính họp tại Đà Nẵng ngày 1/7/2025. " repeated (a ministry, a place
  and a date every 45 characters);
- ``dense_official``: "Bộ trưởng Bộ Nội vụ Phạm Thị Thanh Trà, " repeated (an official every 40 characters);
- ``long_line``: "Họp vào thượng tuần. " repeated on one line with no line break (not in the default kinds):
  every "thượng tuần" may open a month or a century, which once made the dates stage quadratic.

For each kind and size the default pipeline runs stage by stage on one document and each stage
is timed alone (best of ``--repeat``), in CPU seconds of this process (``time.process_time``), so
that other processes sharing the machine's cores do not count. The table gives seconds per stage
and, for each doubling, the ratio to the previous size: a stage whose cost is linear shows about 2.0.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NEWS = ROOT.parent / "shared" / "data" / "vi_news" / "baomoi_2017_magizbox.jsonl"

DENSE = {
    "dense_ministry": "Bộ Tài chính họp tại Đà Nẵng ngày 1/7/2025. ",
    "dense_official": "Bộ trưởng Bộ Nội vụ Phạm Thị Thanh Trà, ",
    "long_line": "Họp vào thượng tuần. ",
}


def build(kind: str, size: int) -> str:
    if kind in DENSE:
        unit = DENSE[kind]
        return unit * (size // len(unit) + 1)
    if not NEWS.is_file():
        raise SystemExit(f"not found: {NEWS} (the news kind needs ../shared)")
    parts, total = [], 0
    with NEWS.open(encoding="utf-8") as f:
        while total < size:
            for line in f:
                text = json.loads(line)["text"]
                parts.append(text)
                total += len(text) + 2
                if total >= size:
                    break
            else:
                f.seek(0)
    return "\n\n".join(parts)


def time_stages(nlp, text: str, repeat: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(repeat):
        doc = nlp.make_doc({"id": "bench", "text": text, "meta": {"published": "2025-07-02"}})
        for proc in nlp.processors:
            t0 = time.process_time()
            proc(doc)
            dt = time.process_time() - t0
            doc.done.add(proc.name)
            best[proc.name] = min(best.get(proc.name, dt), dt)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="50000,100000,200000,400000,800000")
    ap.add_argument("--kinds", default="news,dense_ministry,dense_official")
    ap.add_argument("--stages", help="comma-separated stages (default: the default pipeline)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, help="also append the tables to this markdown file")
    args = ap.parse_args(argv)
    from pipeline import load
    nlp = load(args.stages.split(",") if args.stages else None)
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [f"`python3 bench/scaling.py {' '.join(argv if argv is not None else sys.argv[1:])}`".replace(" `", "`"), ""]
    worst = 0.0
    for kind in args.kinds.split(","):
        rows = {}
        for size in sizes:
            text = build(kind, size)
            rows[size] = time_stages(nlp, text, args.repeat)
            print(f"{kind} {len(text):>9,} chars: " + ", ".join(f"{k} {v:.2f}" for k, v in rows[size].items()),
                  file=sys.stderr, flush=True)
        lines += [f"**{kind}**: seconds per stage, and (×) the ratio to the size before", "",
                  "| stage | " + " | ".join(f"{s:,}" for s in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for stage in nlp.stage_names:
            cells = []
            for i, size in enumerate(sizes):
                t = rows[size][stage]
                cell = f"{t:.3f}"
                if i:
                    prev = rows[sizes[i - 1]][stage]
                    ratio = t / prev if prev > 0 else float("nan")
                    # below 20 ms a ratio is noise: report it, do not count it
                    if prev >= 0.02:
                        worst = max(worst, ratio * sizes[i - 1] * 2 / size)
                    cell += f" (×{ratio:.2f})"
                cells.append(cell)
            lines.append(f"| {stage} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(f"Largest ratio per doubling (stages over 20 ms): ×{worst:.2f}")
    report = "\n".join(lines)
    print(report)
    if args.out:
        with args.out.open("a", encoding="utf-8") as f:
            f.write("\n" + report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
