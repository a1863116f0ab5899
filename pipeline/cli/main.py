"""The ``vnextract`` command (also ``python -m pipeline``).

    vnextract annotate INPUT... --out OUT.jsonl   annotate documents (txt, directory, jsonl, -)
    vnextract validate FILE.jsonl                 check a file against the schema and the offsets
    vnextract export IN.jsonl --format FMT --out PATH   conll, spacy (DocBin), labelstudio, brat
    vnextract import FORMAT SOURCE --out OUT.jsonl      labelstudio, brat, spacy, conll back to JSONL
    vnextract officials OUT.jsonl... --out T.csv  the office-holder table of annotated output
    vnextract stages                              list the available stages
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline import __version__
from pipeline.base import DEFAULT_STAGES, MODEL_STAGES, PipelineError, available_stages


def _progress(total=None, quiet=False, desc="annotating"):
    """A progress bar (documents/s, ETA when the total is known) on a terminal, nothing in logs."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="doc", desc=desc, dynamic_ncols=True, file=sys.stderr,
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


def _run_pass(results, handle) -> str | None:
    """Give each result to ``handle``; "terminated" or "interrupted" when a signal stopped the run, else None.

    ``_OutputFailed`` (the output cannot be written) goes up to the caller; the results are closed either way.
    """
    try:
        for result in results:
            handle(result)
    except _Terminated:
        return "terminated"
    except KeyboardInterrupt:
        return "interrupted"
    finally:
        results.close()  # stops a pool of workers left in the middle
    return None


def cmd_annotate(args: argparse.Namespace) -> int:
    import os
    import signal
    from pipeline.cli import officials as officials_cli
    from pipeline.runtime.engines import DaskEngine, LocalEngine
    from pipeline.runtime.readers import count_documents, describe_inputs, read_inputs
    from pipeline.runtime.sinks import SinkError, check_paths, open_sink

    stages = args.stages.split(",") if args.stages else None
    if args.ner_model:
        stages = (stages or list(DEFAULT_STAGES)) + [s for s in MODEL_STAGES if s not in (stages or [])]
    config = {}
    if args.tokenizer:
        config["tokens"] = {"backend": args.tokenizer}
    recorded_config = dict(config)  # what OUT.run.json says the output is made with
    try:
        table_rows = officials_cli.check_annotate(args, stages)
        check_paths(args.inputs, args.out, args.shard_size)
        if args.link:
            officials_cli.check_link_paths(args.inputs, args.out, args.shard_size)
            recorded_config["officials"] = {"link": True}
        elif args.officials:
            config["officials"] = officials_cli.stage_config(args.officials, table_rows, args.engine)
            recorded_config["officials"] = officials_cli.run_record(args.officials)
    except (SinkError, officials_cli.UsageError) as exc:
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
    engines = []  # every engine made, closed at the end (the last made first)

    def make_engine(config, scheduler=None):
        if args.engine == "dask":
            made = DaskEngine(stages, config, workers=args.workers or 2, scheduler=scheduler or args.scheduler,
                              partition_size=args.partition_size, validate=args.validate,
                              doc_timeout=args.doc_timeout)
        else:
            if args.scheduler:
                raise PipelineError("--scheduler needs --engine dask")
            made = LocalEngine(stages, config, workers=args.workers or 1, validate=args.validate,
                               doc_timeout=args.doc_timeout)
        engines.append(made)
        return made

    def close_engines():
        while engines:
            made = engines.pop()
            if hasattr(made, "close"):
                made.close()

    try:
        engine = make_engine(config)
        run_info = None
        if args.out != "-":
            run_info = {"vnextract": __version__, "inputs": describe_inputs(args.inputs),
                        "stages": list(stages or DEFAULT_STAGES), "config": recorded_config,
                        "validate": args.validate}
        sink = open_sink(args.out, resume=args.resume, shard_size=args.shard_size, run_info=run_info)
    except (PipelineError, SinkError, ValueError, ImportError, OSError) as exc:
        if isinstance(exc, OSError):
            exc = f"cannot write {args.out}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        print(f"vnextract: {exc}", file=sys.stderr)
        close_engines()
        return 2

    total = None if args.quiet or not sys.stderr.isatty() else count_documents(args.inputs)
    stage = ""  # which pass of --link is running, for the messages
    previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm_raise(os.getpid()))
    try:
        if args.link:
            stage = "pass 2/2 (resolve): "
            try:
                linked = _link_pass_one(args, engine, make_engine, sink, total, t0)
            except KeyboardInterrupt as exc:  # between the passes (writing the table, starting pass 2)
                sink.close()
                stopped = "terminated" if isinstance(exc, _Terminated) else "interrupted"
                print(f"vnextract: {stopped} between the passes of --link; {args.out} holds nothing from this run "
                      f"yet; rerun the same command", file=sys.stderr)
                return 143 if stopped == "terminated" else 130
            if isinstance(linked, int):
                return linked
            engine = linked
            t0 = time.perf_counter()  # pass 2's summary gives pass 2's time and speed
        return _annotate_into(args, engine, sink, total, t0, read_inputs, stage)
    finally:
        try:
            close_engines()
        finally:
            signal.signal(signal.SIGTERM, previous_sigterm)


def _link_pass_one(args, engine, make_engine, sink, total, t0):
    """Pass 1 of ``--link``: annotate the inputs, build the officials table from the results and write it
    beside the output; the engine of pass 2 (with that table), or an exit status when the run must stop.

    The results of pass 1 are not kept: each goes into the table as it arrives. Resuming a run whose table was
    written (``--resume``, the run record having matched) reuses that table.
    """
    import json
    from pipeline.cli import officials as officials_cli
    from pipeline.knowledge.officials import TableBuilder, TableError, read_table, write_table
    from pipeline.runtime.readers import read_inputs

    table_path = officials_cli.link_table_path(args.out, args.shard_size)
    rows = None
    if args.resume and table_path.is_file():
        try:
            rows = read_table(table_path)
        except TableError:
            rows = None  # made again below
        else:
            if not args.quiet:
                print(f"vnextract: pass 1/2 (collect): reusing {table_path}, written by the run being resumed",
                      file=sys.stderr)
    if rows is None:
        if table_path.exists():
            table_path.unlink()  # a table of an earlier run must not pass for this run's
        builder = TableBuilder()
        bar = _progress(total=total, quiet=args.quiet, desc="pass 1/2 collect")
        n_docs = n_errors = 0

        def collect(result):
            nonlocal n_docs, n_errors
            if result.error is None:
                n_docs += 1
                builder.add(json.loads("".join(result.line)))
            else:
                n_errors += 1  # reported once, by pass 2
            if bar is not None:
                bar.update(1)

        try:
            stopped = _run_pass(engine.run(read_inputs(args.inputs)), collect)
        finally:
            if bar is not None:
                bar.close()
        if stopped:
            sink.close()
            print(f"vnextract: {stopped} in pass 1 of --link (collecting the officials table); {args.out} holds "
                  f"nothing from this run yet; rerun the same command", file=sys.stderr)
            return 143 if stopped == "terminated" else 130
        rows = tuple(builder.rows())
        try:
            write_table(rows, table_path)
        except OSError as exc:
            sink.close()
            print(f"vnextract: cannot write {table_path}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        if not args.quiet:
            seconds = time.perf_counter() - t0
            people = len({r["person_id"] for r in rows})
            print(f"vnextract: pass 1/2 (collect): {n_docs} documents annotated"
                  + (f", {n_errors} errors (reported by pass 2)" if n_errors else "")
                  + f", {builder.undated} without a date; officials table: {len(rows)} rows, {people} people "
                  f"-> {table_path}; {seconds:.2f} s", file=sys.stderr)
    try:
        config = dict(engine.config)
        config["officials"] = officials_cli.stage_config(table_path, rows, args.engine)
        scheduler = engine.client.scheduler_info()["address"] if args.engine == "dask" else None
        return make_engine(config, scheduler=scheduler)
    except (PipelineError, ValueError, ImportError, OSError) as exc:
        sink.close()
        print(f"vnextract: {exc}", file=sys.stderr)
        return 2


def _annotate_into(args, engine, sink, total, t0, read_inputs, stage: str = "") -> int:
    """Annotate the inputs (those the output does not hold yet) with ``engine`` into ``sink``; the exit status."""
    bar = _progress(total=total, quiet=args.quiet, desc=(stage.split(" (")[0] + " annotate") if stage else
                    "annotating")
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

    def write(result):
        nonlocal n_docs, n_chars, n_syll, n_warnings
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

    stopped = failure = None
    try:
        stopped = _run_pass(engine.run(todo()), write)
    except _OutputFailed as exc:
        failure = exc.args[0]
    finally:
        if bar is not None:
            bar.close()
        try:
            sink.close()
        except OSError as exc:
            failure = failure or exc
    seconds = time.perf_counter() - t0
    n_errors = sink.errors.count
    if failure is not None:
        print(f"vnextract: cannot write {args.out}: {failure.strerror or failure}; stopped after {n_docs} "
              f"documents; the output holds complete documents only; when the problem is fixed, rerun the same "
              f"command with --resume to finish", file=sys.stderr)
        return 1
    if stopped:
        print(f"vnextract: {stage}{stopped} after {n_docs} documents; the output holds complete documents only; "
              f"rerun the same command with --resume to finish", file=sys.stderr)
        return 143 if stopped == "terminated" else 130
    if not args.quiet or n_errors:
        rate = n_syll / seconds if seconds else 0.0
        print(f"vnextract: {stage}{n_docs} documents annotated, {n_errors} errors"
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
    an.add_argument("--officials", metavar="TABLE",
                    help="an officials table (.csv or .parquet, from vnextract officials) to resolve bare mentions "
                         "of officials with, beside the built-in registry")
    an.add_argument("--link", action="store_true",
                    help="two passes: annotate, build the officials table of the inputs (written to "
                         "OUT.officials.csv), then annotate again resolving bare mentions with it")
    an.set_defaults(func=cmd_annotate)

    va = sub.add_parser("validate", help="check JSONL output against the schema and the offset invariant")
    va.add_argument("files", nargs="+")
    va.set_defaults(func=cmd_validate)

    st = sub.add_parser("stages", help="list the available stages")
    st.set_defaults(func=cmd_stages)

    from pipeline.cli.convert import add_subcommands
    add_subcommands(sub)
    from pipeline.cli.officials import add_subcommand as add_officials
    add_officials(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
