"""The ``vnextract`` command (also ``python -m pipeline``).

    vnextract annotate INPUT... --out OUT.jsonl   annotate documents (txt, directory, jsonl, -)
    vnextract validate FILE.jsonl                 check a file against the schema and the offsets
    vnextract export IN.jsonl --format FMT --out PATH   conll, spacy (DocBin), labelstudio, brat
    vnextract import FORMAT SOURCE --out OUT.jsonl      labelstudio, brat, spacy, conll back to JSONL
    vnextract stages                              list the available stages
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline import __version__
from pipeline.base import DEFAULT_STAGES, MODEL_STAGES, PipelineError, available_stages


def _progress(total=None, quiet=False):
    """A progress bar (documents/s, ETA when the total is known) on a terminal, nothing in logs."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="doc", desc="annotating", dynamic_ncols=True, file=sys.stderr,
                smoothing=0.1)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: stop the workers, close the output cleanly."""


def _on_sigterm_raise(main_pid: int):
    """A SIGTERM handler for the main process: stop like Ctrl-C (``_Terminated``).

    Forked workers inherit it; there it exits quietly (SystemExit, which multiprocessing
    does not print, and which releases the pool's queue locks the worker holds), so that
    ``Pool.terminate()`` stops them without the BrokenPipeError tracebacks of workers
    that outlive a main process killed outright.
    """
    import os

    def handler(signum, frame):
        if os.getpid() != main_pid:
            raise SystemExit(128 + signum)
        raise _Terminated()
    return handler


class _OutputFailed(Exception):
    """Writing the output failed (a full disk, a lost device): stop, keep what is complete."""


def cmd_annotate(args: argparse.Namespace) -> int:
    import os
    import signal
    from pipeline.runtime.engines import DaskEngine, LocalEngine
    from pipeline.runtime.readers import count_documents, describe_inputs, read_inputs
    from pipeline.runtime.sinks import SinkError, check_paths, open_sink

    stages = args.stages.split(",") if args.stages else None
    if args.ner_model:
        stages = (stages or list(DEFAULT_STAGES)) + [s for s in MODEL_STAGES if s not in (stages or [])]
    config = {}
    if args.tokenizer:
        config["tokens"] = {"backend": args.tokenizer}
    try:
        check_paths(args.inputs, args.out, args.shard_size)
    except SinkError as exc:
        print(f"vnextract: {exc}", file=sys.stderr)
        return 2
    missing = [spec for spec in args.inputs if spec != "-" and not Path(spec).exists()]
    if len(missing) == len(args.inputs):  # nothing to read: leave the output alone
        for spec in missing:
            print(f"vnextract: error: {spec}: no such file or directory", file=sys.stderr)
        print(f"vnextract: nothing to annotate; {args.out} was not written", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    engine = None
    try:
        if args.engine == "dask":
            engine = DaskEngine(stages, config, workers=args.workers or 2, scheduler=args.scheduler,
                                partition_size=args.partition_size, validate=args.validate,
                                doc_timeout=args.doc_timeout)
        else:
            if args.scheduler:
                raise PipelineError("--scheduler needs --engine dask")
            engine = LocalEngine(stages, config, workers=args.workers or 1, validate=args.validate,
                                 doc_timeout=args.doc_timeout)
        run_info = None
        if args.out != "-":
            run_info = {"vnextract": __version__, "inputs": describe_inputs(args.inputs),
                        "stages": list(stages or DEFAULT_STAGES), "config": config, "validate": args.validate}
        sink = open_sink(args.out, resume=args.resume, shard_size=args.shard_size, run_info=run_info)
    except (PipelineError, SinkError, ValueError, ImportError, OSError) as exc:
        if isinstance(exc, OSError):
            exc = f"cannot write {args.out}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        print(f"vnextract: {exc}", file=sys.stderr)
        if hasattr(engine, "close"):
            engine.close()
        return 2

    total = None if args.quiet or not sys.stderr.isatty() else count_documents(args.inputs)
    bar = _progress(total=total, quiet=args.quiet)
    skipped = 0
    if bar is not None and sink.done_count:
        bar.update(sink.done_count)

    def todo():
        # results are written in input order: the first done_count items are those a killed run finished
        nonlocal skipped
        for item in read_inputs(args.inputs):
            if skipped < sink.done_count:
                skipped += 1
                continue
            yield item

    n_docs = n_chars = n_syll = n_warnings = 0
    stopped = failure = None
    previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm_raise(os.getpid()))
    results = engine.run(todo())
    try:
        for result in results:
            try:
                sink.write(result)
            except OSError as exc:
                raise _OutputFailed(exc) from None
            if result.error is None:
                n_docs += 1
                n_chars += result.chars
                n_syll += result.syllables
            for warning in result.warnings:  # the document was written; say what was wrong with its input
                n_warnings += 1
                print(f"vnextract: warning: document {result.key}: {warning}", file=sys.stderr)
            if bar is not None:
                bar.update(1)
    except _Terminated:
        stopped = "terminated"
    except KeyboardInterrupt:
        stopped = "interrupted"
    except _OutputFailed as exc:
        failure = exc.args[0]
    finally:
        try:
            results.close()  # stops a pool of workers left in the middle
            if bar is not None:
                bar.close()
            try:
                sink.close()
            except OSError as exc:
                failure = failure or exc
            if hasattr(engine, "close"):
                engine.close()
        finally:
            signal.signal(signal.SIGTERM, previous_sigterm)
    seconds = time.perf_counter() - t0
    n_errors = sink.errors.count
    if failure is not None:
        print(f"vnextract: cannot write {args.out}: {failure.strerror or failure}; stopped after {n_docs} "
              f"documents; the output holds complete documents only; when the problem is fixed, rerun the same "
              f"command with --resume to finish", file=sys.stderr)
        return 1
    if stopped:
        print(f"vnextract: {stopped} after {n_docs} documents; the output holds complete documents only; "
              f"rerun the same command with --resume to finish", file=sys.stderr)
        return 143 if stopped == "terminated" else 130
    if not args.quiet or n_errors:
        rate = n_syll / seconds if seconds else 0.0
        print(f"vnextract: {n_docs} documents annotated, {n_errors} errors"
              + (f", {n_warnings} warnings" if n_warnings else "")
              + (f", {skipped} already done" if skipped else "")
              + f", {seconds:.2f} s, {n_docs / seconds if seconds else 0:.1f} docs/s, {rate:,.0f} syllables/s"
              + (f"; errors in {sink.errors.path}" if n_errors and sink.errors.path else ""), file=sys.stderr)
    return 1 if n_errors else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.schema import validate_file
    problems = 0
    for path in args.files:
        for problem in validate_file(path):
            problems += 1
            print(problem)
    print(f"{problems} problem(s) found", file=sys.stderr)
    return 1 if problems else 0


def cmd_stages(args: argparse.Namespace) -> int:
    from pipeline.base import stage_class
    for name in available_stages():
        try:
            cls = stage_class(name)
        except ImportError as exc:
            print(f"{name:14} (unavailable: {exc})")
            continue
        default = "default" if name in DEFAULT_STAGES else ""
        print(f"{name:14} requires {sorted(cls.requires) or '-'} provides {sorted(cls.provides)} {default}")
    return 0


def _positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vnextract", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="version", version=f"vnextract {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    an = sub.add_parser("annotate", help="annotate documents and write JSONL")
    an.add_argument("inputs", nargs="+", metavar="INPUT",
                    help=".txt file, directory of .txt/.jsonl files, .jsonl or .parquet file, or - for stdin")
    an.add_argument("--out", "-o", required=True,
                    help="output: a .jsonl file, a .parquet file, a directory (JSONL shards), or - for stdout")
    an.add_argument("--stages", help=f"comma-separated stages (default: {','.join(DEFAULT_STAGES)})")
    an.add_argument("--tokenizer", choices=["crf", "pyvi", "underthesea", "syllables"],
                    help="word segmentation backend of the tokens stage")
    an.add_argument("--ner-model", action="store_true",
                    help="also run the statistical NER fallback (models/local/, built by "
                         "python3 -m pipeline.train.ner --vlsp2016-dev --vlsp2018-dev)")
    an.add_argument("--workers", "-j", type=int, default=0,
                    help="worker processes (default 1; with --engine dask, the local cluster's size, default 2)")
    an.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="local processes, or a Dask distributed cluster")
    an.add_argument("--scheduler", metavar="ADDRESS",
                    help="address of an existing Dask scheduler (tcp://host:8786); default: a local cluster")
    an.add_argument("--partition-size", type=_positive_int, default=200,
                    help="documents per Dask task (default 200)")
    an.add_argument("--shard-size", type=_positive_int, default=None,
                    help="write OUT as a directory of JSONL shards of this many documents")
    an.add_argument("--resume", action="store_true",
                    help="complete an interrupted run: keep what OUT holds, annotate only the rest")
    an.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    an.add_argument("--doc-timeout", type=float, default=600, metavar="SECONDS",
                    help="time budget per document (default 600; 0: none): a document over it is reported as "
                         "an error and its worker process replaced, every other document goes on")
    an.add_argument("--no-validate", dest="validate", action="store_false",
                    help="skip the offset check of each document before writing it")
    an.set_defaults(func=cmd_annotate)

    va = sub.add_parser("validate", help="check JSONL output against the schema and the offset invariant")
    va.add_argument("files", nargs="+")
    va.set_defaults(func=cmd_validate)

    st = sub.add_parser("stages", help="list the available stages")
    st.set_defaults(func=cmd_stages)

    from pipeline.cli.convert import add_subcommands
    add_subcommands(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
