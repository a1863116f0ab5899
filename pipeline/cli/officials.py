"""``vnextract officials`` (the corpus office-holder table) and the checks behind ``annotate --officials/--link``.

    vnextract officials OUT.jsonl [more files or directories] --out officials.csv|officials.parquet

reads annotated output (JSONL files, Parquet files written by ``vnextract annotate``, directories of them, or
``-`` for JSONL on standard input) one record at a time and writes the table of
:mod:`pipeline.knowledge.officials`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Iterator

from pipeline.runtime.readers import InputError

MAX_REPORTED = 20  # bad records named on stderr; the rest are counted


class UsageError(ValueError):
    """A command line that cannot work (exit status 2)."""


# -- reading annotated output ------------------------------------------------------------------------------------
def _is_error_report(path: Path) -> bool:
    return path.name == "errors.jsonl" or path.name.endswith(".errors.jsonl")


def _read_jsonl(stream, file: str) -> Iterator[tuple[str, int, object]]:
    for n, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            yield file, n, json.loads(raw)
        except UnicodeDecodeError as exc:
            yield file, n, InputError(file, n, None, f"undecodable bytes (not UTF-8) at byte {exc.start}")
        except ValueError as exc:
            yield file, n, InputError(file, n, None, f"not valid JSON: {exc}")


def _read_parquet(path: Path) -> Iterator[tuple[str, int, object]]:
    from pipeline.extras import require
    pq = require("pyarrow.parquet", "reading annotated Parquet output")
    file = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one reported problem
        yield file, 0, InputError(file, None, None, f"cannot read Parquet file: {exc}")
        return
    if "entities" not in pf.schema_arrow.names:
        yield file, 0, InputError(file, None, None, "no entities column: not output of vnextract annotate")
        return
    n = 0
    for batch in pf.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            n += 1
            record = {"id": row.get("id"), "text": row.get("text")}
            try:
                for column in ("meta", "entities", "layers"):
                    value = row.get(column)
                    if isinstance(value, str):
                        value = json.loads(value) if value.strip() else None
                    if column == "layers":
                        for key, layer in (value or {}).items():
                            record.setdefault(key, layer)
                    else:
                        record[column] = value
            except ValueError as exc:
                yield file, n, InputError(file, n, row.get("id"), f"column {column} is not valid JSON: {exc}")
                continue
            yield file, n, record


def read_annotated(inputs: list[str]) -> Iterator[tuple[str, int, object]]:
    """``(file, line or row, record or problem)`` for every annotated record of the inputs, in order.

    A directory gives its ``.jsonl`` and ``.parquet`` files (sorted), error reports (``*.errors.jsonl``,
    ``errors.jsonl``) excepted.
    """
    from pipeline.runtime.readers import walk_directory
    for spec in inputs:
        if spec == "-":
            yield from _read_jsonl(sys.stdin.buffer, "<stdin>")
            continue
        path = Path(spec)
        if path.is_dir():
            found, problems = walk_directory(path, (".jsonl", ".parquet"))
            for p in problems:
                yield p.file, 0, p
            files = sorted([p for p in found[".jsonl"] if not _is_error_report(p)] + found[".parquet"])
        elif path.is_file():
            files = [path]
        else:
            yield spec, 0, InputError(spec, None, None, "no such file or directory")
            continue
        for p in files:
            if p.suffix == ".parquet":
                yield from _read_parquet(p)
                continue
            try:
                f = p.open("rb")
            except OSError as exc:
                yield str(p), 0, InputError(str(p), None, None, f"cannot read file: {exc.strerror or exc}")
                continue
            with f:
                yield from _read_jsonl(f, str(p))


# -- vnextract officials -------------------------------------------------------------------------------------------
def cmd_officials(args: argparse.Namespace) -> int:
    from pipeline.knowledge.officials import RecordError, TableBuilder, TableError, write_table
    from pipeline.runtime.sinks import inside, same_file
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        print(f"vnextract: --out {args.out}: the officials table is a .csv or .parquet file", file=sys.stderr)
        return 2
    for spec in args.inputs:
        if spec == "-" or not Path(spec).exists():
            continue
        if same_file(spec, out):
            print(f"vnextract: the output {args.out} is the input {spec}: writing it would destroy the input; "
                  f"choose another --out", file=sys.stderr)
            return 2
        if Path(spec).is_dir() and inside(out, spec) and out.suffix.lower() == ".parquet":
            print(f"vnextract: the output {args.out} is inside the input directory {spec}: a later run would read "
                  f"it as annotated output; choose an --out outside it", file=sys.stderr)
            return 2
    builder = TableBuilder()
    problems = 0

    def report(problem: InputError) -> None:
        nonlocal problems
        problems += 1
        if problems <= MAX_REPORTED:
            print(f"vnextract: error: {problem}", file=sys.stderr)

    for file, line, item in read_annotated(args.inputs):
        if isinstance(item, InputError):
            report(item)
            continue
        try:
            builder.add(item)
        except RecordError as exc:
            doc_id = item.get("id") if isinstance(item, dict) else None
            report(InputError(file, line or None, doc_id, str(exc)))
    if problems > MAX_REPORTED:
        print(f"vnextract: ... and {problems - MAX_REPORTED} more errors", file=sys.stderr)
    if builder.documents == 0 and problems:
        print(f"vnextract: no annotated document could be read; {args.out} was not written", file=sys.stderr)
        return 1
    rows = builder.rows()
    try:
        write_table(rows, out)
    except (TableError, ImportError) as exc:
        print(f"vnextract: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"vnextract: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet or problems:
        people = len({r["person_id"] for r in rows})
        print(f"vnextract: {builder.documents} documents read, {builder.undated} without a date (not counted), "
              f"{len(rows)} rows, {people} people -> {args.out}" + (f"; {problems} errors" if problems else ""),
              file=sys.stderr)
    return 1 if problems else 0


def add_subcommand(sub) -> None:
    of = sub.add_parser("officials", help="build the office-holder table of annotated output (CSV or Parquet)",
                        description="Build the office-holder table (who held which office when) from the explicit "
                                    "OFFICIAL mentions of annotated output.")
    of.add_argument("inputs", nargs="+", metavar="ANNOTATED",
                    help="output of vnextract annotate: .jsonl or .parquet files, directories of them, or - (JSONL)")
    of.add_argument("--out", "-o", required=True, help="the table: a .csv or .parquet file")
    of.add_argument("--quiet", "-q", action="store_true", help="no summary")
    of.set_defaults(func=cmd_officials)


# -- annotate --officials TABLE / --link ---------------------------------------------------------------------------
def link_table_path(out: str, shard_size: int | None = None) -> Path:
    """Where ``annotate --link`` writes the table it builds: ``OUT.officials.csv`` beside the output (``.jsonl``
    left out of the name, as for ``OUT.errors.jsonl``), ``DIR/officials.csv`` for a directory of shards."""
    from pipeline.runtime.sinks import output_kind
    if output_kind(out, shard_size) == "shards":
        return Path(out) / "officials.csv"
    p = Path(out)
    stem = p.name[:-len(".jsonl")] if p.name.endswith(".jsonl") else p.name
    return p.with_name(stem + ".officials.csv")


def check_annotate(args: argparse.Namespace, stages: list[str] | None) -> tuple[dict, ...] | None:
    """Check ``--officials``/``--link`` against the other options (UsageError); the rows of ``--officials``."""
    from pipeline.base import DEFAULT_STAGES
    from pipeline.knowledge.officials import TableError, read_table
    flag = "--link" if args.link else "--officials" if args.officials else None
    if flag is None:
        return None
    if "officials" not in (stages if stages is not None else DEFAULT_STAGES):
        raise UsageError(f"{flag} needs the officials stage: add officials to --stages")
    if args.link:
        if args.officials:
            raise UsageError("--link builds its own officials table from the inputs; it does not take --officials "
                             "(to use a table of other documents too, annotate them together with --link, or build "
                             "one table from all the outputs with vnextract officials)")
        if args.out == "-":
            raise UsageError("--link writes the table it builds beside --out (OUT.officials.csv): give an output "
                             "file, not standard output")
        if "-" in args.inputs:
            raise UsageError("--link reads the input twice, and standard input can be read only once: save it to "
                             "a file first")
        return None
    try:
        return read_table(args.officials)
    except TableError as exc:
        raise UsageError(f"bad --officials table: {exc}") from None
    except ImportError as exc:
        raise UsageError(str(exc)) from None


def check_link_paths(inputs: list[str], out: str, shard_size: int | None) -> None:
    """Refuse a ``--link`` whose table path is one of the inputs."""
    from pipeline.runtime.sinks import same_file
    table = link_table_path(out, shard_size)
    for spec in inputs:
        if spec != "-" and same_file(spec, table):
            raise UsageError(f"--link writes its officials table to {table}, which is the input {spec}; choose "
                             f"another --out")


def table_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stage_config(path: str | Path, rows: tuple[dict, ...], engine: str) -> dict:
    """The officials stage's configuration for a table.

    Local workers are forked from this process and read the file by its absolute path; Dask workers (maybe on
    other machines, with no shared file system) get the rows themselves, which travel with the tasks as the
    documents do.
    """
    if engine == "dask":
        return {"table": tuple(rows)}
    return {"table": str(Path(path).resolve())}


def run_record(path: str | Path) -> dict:
    """What ``OUT.run.json`` records of a table, so that ``--resume`` refuses a table that changed."""
    return {"table": str(Path(path).resolve()), "sha256": table_digest(path)}
