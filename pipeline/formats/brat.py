"""brat standoff: ``STEM.txt`` + ``STEM.ann`` per document and ``annotation.conf``, and their import.

Entities are ``T`` lines (split at line breaks: brat spans do not cross lines); ``area`` is a
brat attribute (``A`` line); the other attributes are a JSON object in an ``AnnotatorNotes``
line. Ids, metadata and the other layers ride along in ``vnextract-documents.jsonl``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.document import Document
from pipeline.formats.record import (LABELS, ErrorHandler, as_record, assemble_record, entity_attrs, entity_order,
                                     layer_problem, raise_error, reform_areas, with_required)
from pipeline.runtime.readers import InputError, dumps

BRAT_INDEX = "vnextract-documents.jsonl"


def _brat_stem(doc_id: Any, n: int, used: set[str]) -> str:
    stem = re.sub(r"[^\w.-]+", "_", str(doc_id)).strip("._") if doc_id is not None else ""
    stem = stem or f"doc-{n:06d}"
    base, k = stem, 2
    while stem.lower() in used:
        stem = f"{base}-{k}"
        k += 1
    used.add(stem.lower())
    return stem


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of a span between line breaks (brat spans do not cross lines)."""
    frags = []
    s = start
    for i in range(start, end):
        if text[i] == "\n":
            if i > s:
                frags.append((s, i))
            s = i + 1
    if end > s:
        frags.append((s, end))
    return frags or [(start, end)]


def brat_ann(item: Document | dict) -> str:
    """The ``.ann`` content of one document.

    ``T`` lines hold the entities; ``area`` is a brat attribute (``A`` line); the other
    attributes are a JSON object in an ``AnnotatorNotes`` line.
    """
    rec = as_record(item)
    text = rec["text"]
    lines = []
    n_attr = n_note = 0
    for i, ent in enumerate(sorted(rec.get("entities") or (), key=entity_order), 1):
        frags = _fragments(text, ent["start"], ent["end"])
        where = ";".join(f"{s} {e}" for s, e in frags)
        surface = " ".join(text[s:e] for s, e in frags).replace("\t", " ")
        lines.append(f"T{i}\t{ent['label']} {where}\t{surface}")
        attrs = entity_attrs(ent)
        area = attrs.get("area")
        if isinstance(area, str) and area in reform_areas():
            n_attr += 1
            lines.append(f"A{n_attr}\tarea T{i} {area}")
            del attrs["area"]
        if attrs:
            n_note += 1
            lines.append(f"#{n_note}\tAnnotatorNotes T{i}\t{json.dumps(attrs, ensure_ascii=False, sort_keys=True)}")
    return "".join(line + "\n" for line in lines)


def brat_conf(labels: Iterable[str] = LABELS) -> str:
    """``annotation.conf`` for our labels (any overlap allowed) and the ``area`` attribute."""
    names = list(dict.fromkeys([*LABELS, *labels]))
    return ("[entities]\n" + "".join(f"{n}\n" for n in names)
            + "\n[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
            + "\n[events]\n\n[attributes]\n"
            + f"area\tArg:REFORM_AREA, Value:{'|'.join(reform_areas())}\n")


def write_brat(records: Iterable[Document | dict], outdir: str | Path) -> int:
    """Write ``STEM.txt`` and ``STEM.ann`` per document into ``outdir``, with ``annotation.conf``.

    File stems come from the document ids (made safe for file names); the real ids,
    metadata and other layers are kept in ``vnextract-documents.jsonl`` for the import.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    labels: dict[str, None] = {}
    n = 0
    with open(outdir / BRAT_INDEX, "w", encoding="utf-8") as index:
        for rec in records:
            rec = as_record(rec)
            stem = _brat_stem(rec.get("id"), n, used)
            (outdir / f"{stem}.txt").write_text(rec["text"], encoding="utf-8", newline="")
            (outdir / f"{stem}.ann").write_text(brat_ann(rec), encoding="utf-8", newline="\n")
            labels.update(dict.fromkeys(e["label"] for e in rec.get("entities") or ()))
            keep = {k: v for k, v in rec.items() if k not in ("text", "entities")}
            index.write(dumps({"file": stem, **keep}) + "\n")
            n += 1
    (outdir / "annotation.conf").write_text(brat_conf(labels), encoding="utf-8")
    return n


def parse_brat(text: str, ann: str, on_error: ErrorHandler | None = None, file: str = "<brat>",
               doc_id: str | None = None) -> list[dict]:
    """Entity records from ``.ann`` content over ``text``."""
    on_error = on_error or raise_error
    ents: dict[str, dict] = {}
    attrs: dict[str, dict] = {}
    for n, line in enumerate(ann.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        try:
            if line.startswith("T"):
                label, _, where = cols[1].partition(" ")
                spans = [tuple(int(x) for x in frag.split()) for frag in where.split(";")]
                if not label or any(len(p) != 2 or not 0 <= p[0] <= p[1] <= len(text) for p in spans):
                    raise ValueError(f"no label or a span outside the text of length {len(text)}")
                s, e = min(p[0] for p in spans), max(p[1] for p in spans)
                if not s < e:
                    raise ValueError(f"empty span {s}:{e}")
                if len(cols) > 2:  # the surface brat wrote: the fragments joined by a space
                    expected = " ".join(text[a:b] for a, b in spans).replace("\t", " ")
                    if cols[2] != expected:
                        on_error(InputError(file, n, doc_id, f"{cols[0]} {label} {s}:{e}: the .ann text {cols[2]!r} "
                                                             f"is not the .txt text {expected!r} (left out)"))
                        continue
                ents[cols[0]] = {"label": label, "start": s, "end": e, "text": text[s:e]}
            elif line.startswith("A") or line.startswith("M"):
                parts = cols[1].split(" ")
                attrs.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) > 2 else True
            elif line.startswith("#"):
                kind, _, ref = cols[1].partition(" ")
                note = cols[2] if len(cols) > 2 else ""
                try:
                    value = json.loads(note)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    attrs.setdefault(ref, {}).update(value)
                elif note:
                    attrs.setdefault(ref, {})["note"] = note
            # relations (R), events (E), equivalences (*), normalizations (N) are not ours
        except (IndexError, ValueError) as exc:
            on_error(InputError(file, n, doc_id, f"bad brat line {line!r}: {exc}"))
    out = []
    for tid, ent in ents.items():
        extra = attrs.get(tid, {})
        out.append(with_required(ent["label"], {**ent, **extra}))
    return out


def _read_index(root: Path, on_error: ErrorHandler) -> tuple[dict[str, dict], dict[str, int]]:
    """The entries of ``vnextract-documents.jsonl`` by file stem, and the line of each, in the order
    of the file; a bad line is reported."""
    path = root / BRAT_INDEX
    index: dict[str, dict] = {}
    order: dict[str, int] = {}
    if not path.is_file():
        return index, order
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        on_error(InputError(str(path), None, None, f"cannot read the index, ids and metadata are lost: {exc}"))
        return index, order
    for n, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError) as exc:
            on_error(InputError(str(path), n, None, f"index line is not JSON: {exc}"))
            continue
        stem = entry.get("file") if isinstance(entry, dict) else None
        doc_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(stem, str) or not stem:
            on_error(InputError(str(path), n, doc_id, "index line has no \"file\" naming the document's files"))
            continue
        if stem in index:
            on_error(InputError(str(path), n, doc_id, f"index names {stem!r} twice (the first is kept)"))
            continue
        index[stem] = {k: v for k, v in entry.items() if k != "file"}
        order[stem] = n
    return index, order


def _read_text(path: Path, on_error: ErrorHandler, doc_id: Any) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    on_error(InputError(str(path), None, None if doc_id is None else str(doc_id),
                        f"cannot read {path.name}, document left out: {reason}"))
    return None


def read_brat(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a brat directory (every ``.txt`` with its ``.ann``), in the exported order.

    A file that cannot be read (not UTF-8), an ``.ann`` line that does not parse or whose text is
    not the ``.txt`` text at its offsets, a bad index line, an index entry whose ``.txt`` is
    missing: each is reported to ``on_error`` (default: raise ValueError); the rest is imported.
    """
    on_error = on_error or raise_error
    root = Path(path)
    if not root.is_dir():
        on_error(InputError(str(root), None, None, "a brat import reads a directory of .txt and .ann files"))
        return
    index, order = _read_index(root, on_error)
    stems = sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.txt"))
    present = set(stems)
    for stem, n in order.items():
        if stem not in present:
            entry = index[stem]
            on_error(InputError(str(root / BRAT_INDEX), n, None if entry.get("id") is None else str(entry["id"]),
                                f"{stem}.txt is missing: document left out"))
    stems = [s for s in order if s in present] + [s for s in stems if s not in index]
    for stem in stems:
        txt, ann = root / f"{stem}.txt", root / f"{stem}.ann"
        entry = index.get(stem, {"id": stem, "meta": {}})
        text = _read_text(txt, on_error, entry.get("id"))
        if text is None:
            continue
        ann_text = _read_text(ann, on_error, entry.get("id")) if ann.is_file() else ""
        if ann_text is None:
            continue
        ents = parse_brat(text, ann_text, on_error, str(ann), entry.get("id"))
        layers = {}
        for name, items in entry.items():
            if name in ("id", "meta"):
                continue
            problem = layer_problem(text, name, items)
            if problem:
                on_error(InputError(str(root / BRAT_INDEX), order.get(stem), entry.get("id"),
                                    f"{name} left out: {problem}"))
            else:
                layers[name] = items
        meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
        yield assemble_record(entry.get("id"), text, meta, ents, layers)
