"""The ``vnextract`` command (also ``python -m pipeline``).

    vnextract annotate INPUT... --out OUT.jsonl   annotate documents (txt, directory, jsonl, -)
    vnextract validate FILE.jsonl                 check a file against the schema and the offsets
    vnextract stages                              list the available stages
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__
from .base import DEFAULT_STAGES, PipelineError, available_stages


def _progress(total=None, quiet=False):
    """A progress bar on a terminal, nothing in logs."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="doc", desc="annotating", dynamic_ncols=True, file=sys.stderr)


def cmd_annotate(args: argparse.Namespace) -> int:
    from .base import Pipeline
    from .document import Document
    from .io import InputError, dumps, errors_path, read_inputs

    stages = args.stages.split(",") if args.stages else None
    config = {}
    if args.tokenizer:
        config["tokens"] = {"backend": args.tokenizer}
    try:
        nlp = Pipeline(stages, config=config)
    except (PipelineError, ValueError) as exc:
        print(f"vnextract: {exc}", file=sys.stderr)
        return 2

    out_stream = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    err_file = errors_path(args.out if args.out != "-" else "stdout.jsonl")
    err_stream = None
    n_docs = n_errors = n_chars = 0
    bar = _progress(quiet=args.quiet)
    t0 = time.perf_counter()

    def report(err: InputError) -> None:
        nonlocal err_stream, n_errors
        n_errors += 1
        print(f"vnextract: error: {err}", file=sys.stderr)
        if err_stream is None:
            err_stream = open(err_file, "w", encoding="utf-8")
        err_stream.write(dumps(err.to_json()) + "\n")
        err_stream.flush()

    try:
        for item in read_inputs(args.inputs):
            if isinstance(item, InputError):
                report(item)
                continue
            try:
                doc = nlp(Document.from_dict(item.data))
                if args.validate:
                    doc.validate()
                line = dumps(doc.to_json())
            except Exception as exc:  # noqa: BLE001 - one document never stops the run
                report(InputError(item.file, item.line, item.id, f"{type(exc).__name__}: {exc}"))
                continue
            out_stream.write(line + "\n")
            n_docs += 1
            n_chars += len(item.data["text"])
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        print("vnextract: interrupted; the output holds every document written so far", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
        if out_stream is not sys.stdout:
            out_stream.close()
        if err_stream is not None:
            err_stream.close()
        elif err_file.exists() and args.out != "-":
            err_file.unlink()  # a stale report from an earlier run would mislead
    seconds = time.perf_counter() - t0
    if not args.quiet or n_errors:
        rate = n_docs / seconds if seconds else 0.0
        print(f"vnextract: {n_docs} documents annotated, {n_errors} errors, {seconds:.2f} s "
              f"({rate:.1f} docs/s, {n_chars / seconds if seconds else 0:.0f} chars/s)"
              + (f"; errors in {err_file}" if n_errors else ""), file=sys.stderr)
    return 1 if n_errors else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .schema import validate_file
    problems = 0
    for path in args.files:
        for problem in validate_file(path):
            problems += 1
            print(problem)
    print(f"{problems} problem(s) found", file=sys.stderr)
    return 1 if problems else 0


def cmd_stages(args: argparse.Namespace) -> int:
    from .base import stage_class
    for name in available_stages():
        try:
            cls = stage_class(name)
        except ImportError as exc:
            print(f"{name:14} (unavailable: {exc})")
            continue
        default = "default" if name in DEFAULT_STAGES else ""
        print(f"{name:14} requires {sorted(cls.requires) or '-'} provides {sorted(cls.provides)} {default}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vnextract", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"vnextract {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    an = sub.add_parser("annotate", help="annotate documents and write JSONL")
    an.add_argument("inputs", nargs="+", metavar="INPUT",
                    help=".txt file, directory of .txt/.jsonl files, .jsonl file, or - for stdin")
    an.add_argument("--out", "-o", required=True, help="output JSONL file (- for stdout)")
    an.add_argument("--stages", help=f"comma-separated stages (default: {','.join(DEFAULT_STAGES)})")
    an.add_argument("--tokenizer", choices=["pyvi", "underthesea", "syllables"],
                    help="word segmentation backend of the tokens stage")
    an.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    an.add_argument("--no-validate", dest="validate", action="store_false",
                    help="skip the offset check of each document before writing it")
    an.set_defaults(func=cmd_annotate)

    va = sub.add_parser("validate", help="check JSONL output against the schema and the offset invariant")
    va.add_argument("files", nargs="+")
    va.set_defaults(func=cmd_validate)

    st = sub.add_parser("stages", help="list the available stages")
    st.set_defaults(func=cmd_stages)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
