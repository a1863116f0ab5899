"""The ``export`` and ``import`` subcommands of ``vnextract``.

    vnextract export IN.jsonl... --format conll|spacy|labelstudio|brat|table --out PATH
    vnextract import labelstudio|brat|spacy|conll SOURCE --out OUT.jsonl

``cli.build_parser`` adds them with ``add_subcommands(sub)``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

_FORMATS_HELP = {
    "conll": "token-per-line BIO of the outermost entities (OUT is a file)",
    "spacy": "spaCy DocBin (OUT is a .spacy file)",
    "labelstudio": "Label Studio tasks JSON (OUT) + labeling config (labelstudio_config.xml beside it)",
    "brat": "brat standoff .txt/.ann files (OUT is a directory)",
    "table": "one row per entity for pandas and DuckDB (OUT is a .parquet or .csv file)",
}


class _Errors:
    """Reports bad input on stderr and counts it; one bad document never stops a run."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, err) -> None:
        self.count += 1
        print(f"vnextract: error: {err}", file=sys.stderr)


def _summary(args: argparse.Namespace, errors: "_Errors", done: str) -> int:
    """Say what was done (always when something went wrong) and give the exit status."""
    if not args.quiet or errors.count:
        print(f"vnextract: {done}, {errors.count} errors", file=sys.stderr)
    return 1 if errors.count else 0


def _export_clash(args: argparse.Namespace) -> str | None:
    """Why ``--out`` (or the labeling config) would overwrite an input of ``export``, or None."""
    from pipeline.runtime.sinks import inside, same_file
    outs = [args.out]
    if args.format == "labelstudio":
        outs.append(args.config or Path(args.out).with_name("labelstudio_config.xml"))
    for spec in args.inputs:
        for out in outs:
            if same_file(spec, out):
                return f"the output {out} is the input {spec}: writing it would destroy the input"
        if args.format == "brat" and (same_file(spec, args.out) or inside(spec, args.out)):
            return f"the input {spec} is inside the output directory {args.out}: the export could overwrite it"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.formats.labelstudio import write_labelstudio
    from pipeline.formats.record import read_annotated
    from pipeline.formats.registry import FORMATS
    clash = _export_clash(args)
    if clash:
        print(f"vnextract: {clash}; choose another --out", file=sys.stderr)
        return 2
    errors = _Errors()
    records = read_annotated(args.inputs, on_error=errors)
    if args.format == "table":
        return _export_table(args, records, errors)
    try:
        if args.format == "labelstudio":
            n, config = write_labelstudio(records, args.out, config_path=args.config)
            where = f"{args.out} (labeling config: {config})"
        else:
            n = FORMATS[args.format].write(records, args.out)
            where = args.out
    except OSError as exc:
        print(f"vnextract: cannot write {args.out}: {exc}", file=sys.stderr)
        return 2
    return _summary(args, errors, f"{n} documents exported as {args.format} to {where}")


def _export_table(args: argparse.Namespace, records, errors: "_Errors") -> int:
    """``export --format table``: an unknown suffix or a missing pyarrow is refused before anything is read."""
    from pipeline.extras import MissingDependency
    from pipeline.formats.table import TableError, export_table
    try:
        stats = export_table(records, args.out)
    except (TableError, MissingDependency) as exc:
        print(f"vnextract: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"vnextract: cannot write {args.out}: {exc}", file=sys.stderr)
        return 2
    return _summary(args, errors, f"{stats.documents} documents exported as table to {args.out} "
                                  f"({stats.rows} entity rows)")


def _write_replacing(records, out: str, keep=lambda n: True) -> int:
    """Write JSONL to a temporary file beside ``out`` and put it in place only when all went well and
    ``keep(number written)`` says so, so a failed import leaves an existing ``out`` as it was. A
    special file (``/dev/stdout``, a pipe) is written directly."""
    import os
    from pipeline.formats.record import write_jsonl
    path = Path(out)
    if path.is_symlink():
        path = path.resolve()  # write through the link, as before
    if path.exists() and not path.is_file():
        return write_jsonl(records, path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        n = write_jsonl(records, tmp)
        if keep(n):
            os.replace(tmp, path)
        else:
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def cmd_import(args: argparse.Namespace) -> int:
    from pipeline.formats.record import check_record
    from pipeline.formats.registry import FORMATS
    from pipeline.runtime.sinks import same_file
    if not Path(args.source).exists():
        print(f"vnextract: no such file or directory: {args.source}", file=sys.stderr)
        return 2
    if same_file(args.source, args.out):
        print(f"vnextract: the output {args.out} is the source {args.source}: writing it would destroy the "
              f"source; choose another --out", file=sys.stderr)
        return 2
    errors = _Errors()

    def checked(records):
        for rec in records:
            problem = check_record(rec)
            if problem:
                errors(f"{args.source}: document {rec.get('id')!r}: {problem}")
                continue
            yield rec

    try:
        # nothing imported and something wrong: the import failed, and an existing output stays as it was
        n = _write_replacing(checked(FORMATS[args.format].read(args.source, on_error=errors)), args.out,
                             keep=lambda n: n > 0 or not errors.count)
    except (OSError, ValueError) as exc:
        print(f"vnextract: cannot import {args.source}: {exc}", file=sys.stderr)
        return 1
    return _summary(args, errors, f"{n} documents imported from {args.format} into {args.out}")


def add_subcommands(subparsers) -> None:
    """Add ``export`` and ``import`` to the ``vnextract`` subparsers."""
    from pipeline.formats.registry import FORMATS, importable
    ex = subparsers.add_parser(
        "export", help="convert annotated JSONL to conll, spacy, labelstudio, brat or an entity table",
        description="; ".join(f"{k}: {v}" for k, v in _FORMATS_HELP.items()))
    ex.add_argument("inputs", nargs="+", metavar="IN.jsonl", help="annotated JSONL (output of annotate)")
    ex.add_argument("--format", "-f", required=True, choices=sorted(FORMATS))
    ex.add_argument("--out", "-o", required=True, help="output file (directory for brat; .parquet or .csv for table)")
    ex.add_argument("--config", help="labelstudio: where to write the labeling config "
                                     "(default: labelstudio_config.xml beside OUT)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    ex.set_defaults(func=cmd_export)

    im = subparsers.add_parser(
        "import", help="read annotations from labelstudio, brat, spacy or conll back into JSONL")
    im.add_argument("format", choices=importable())
    im.add_argument("source", help="Label Studio JSON export, brat directory, .spacy DocBin or CoNLL file")
    im.add_argument("--out", "-o", required=True, help="output JSONL")
    im.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    im.set_defaults(func=cmd_import)
