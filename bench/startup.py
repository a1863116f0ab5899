"""Start-up of a whole process: `python3 -m pipeline annotate` on a one-document input, and
`import pipeline; pipeline.load()` plus the first document.

usage: python3 bench/startup.py [--runs 7] [--cold] [--stages] [--against OTHER_CHECKOUT]

Each run is a fresh interpreter. Wall seconds and CPU seconds (user + system of the child, which
other processes sharing the cores do not inflate) are printed per run, then their medians.
``--cold`` empties the compiled-regex cache (``pipeline.text.compiled``) before every run, i.e. the
first run on a new machine; by default the cache is warmed by one untimed run first.
``--stages`` also prints, from one extra run, the seconds of importing and building each stage.
``--against DIR`` runs the same commands from another checkout too (e.g. ``git archive BASE | tar -x -C DIR``),
interleaved with this one, so both medians come from the same minutes of a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_DOC = {"id": "startup-1", "meta": {"published": "2024-05-04"},
           "text": "Ngày 3/5/2024, Bộ trưởng Bộ Tài chính Nguyễn Văn Thắng họp tại Đà Nẵng về cải cách "
                   "hành chính và chuyển đổi số. Thứ trưởng Bộ TT&TT Phạm Anh Tuấn dự họp."}
LOAD_AND_ONE = ("import pipeline; nlp = pipeline.load(); "
                f"nlp({json.dumps(ONE_DOC, ensure_ascii=False)})")
PER_STAGE = r"""
import time
t0 = time.perf_counter()
import pipeline
from pipeline.base import DEFAULT_STAGES, stage_class
print(f"import pipeline {time.perf_counter() - t0:.3f}")
for name in DEFAULT_STAGES:
    a = time.perf_counter(); cls = stage_class(name); b = time.perf_counter(); cls(); c = time.perf_counter()
    print(f"{name:14s} import {b - a:.3f} build {c - b:.3f}")
"""


def run(cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="empty the compiled-regex cache before each run")
    ap.add_argument("--stages", action="store_true", help="also print import and build time per stage")
    ap.add_argument("--against", type=Path, help="another checkout to measure, interleaved")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="vnx-startup-"))
    src = tmp / "one.jsonl"
    src.write_text(json.dumps(ONE_DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    env = dict(os.environ)
    cache = tmp / "cache"
    env["VNEXTRACT_CACHE_DIR"] = str(cache)
    commands = {
        "annotate, 1 document": [sys.executable, "-m", "pipeline", "annotate", str(src),
                                 "--out", str(tmp / "out.jsonl"), "--quiet"],
        "load() + 1 document": [sys.executable, "-c", LOAD_AND_ONE],
    }
    roots = {"": ROOT}
    if args.against:
        roots = {"this ": ROOT, f"{args.against} ": args.against.resolve()}
    if not args.cold:
        for root in roots.values():
            run(commands["load() + 1 document"], env, root)
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        for label, root in roots.items():
            for name, cmd in commands.items():  # interleaved
                if args.cold:
                    for f in cache.glob("*"):
                        f.unlink()
                (tmp / "out.jsonl").unlink(missing_ok=True)
                results.setdefault(label + name, []).append(run(cmd, env, root))
    print(f"start-up, {args.runs} runs, {'cold' if args.cold else 'warm'} regex cache "
          f"(PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')})")
    for name, rs in results.items():
        walls, cpus = [w for w, _ in rs], [c for _, c in rs]
        print(f"  {name:40s} wall median {statistics.median(walls):.2f} s (min {min(walls):.2f})   "
              f"CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f})")
    if args.stages:
        print(subprocess.run([sys.executable, "-c", PER_STAGE], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
