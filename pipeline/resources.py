"""Locating and reading the versioned data files in ``models/``.

Every file in ``models/`` is listed in ``models/MANIFEST.jsonl`` with its
version, source, licence and sha256. Stages read them through the functions
here, once, in their constructors. ``python -m pipeline.resources --update``
recomputes the checksums after a data file was edited.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from functools import lru_cache, wraps
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

MANIFEST = "MANIFEST.jsonl"


class ResourceError(RuntimeError):
    """A data file is missing or malformed."""


def models_dir() -> Path:
    """The models directory: ``$VNEXTRACT_MODELS``, else the installed copy (``pipeline/models``), else
    ``models/`` beside the package in a source checkout or editable install."""
    env = os.environ.get("VNEXTRACT_MODELS")
    if env:
        path = Path(env)
    else:
        here = Path(__file__).resolve().parent
        installed = here / "models"  # a wheel or `pip install .` (package pipeline.models)
        path = installed if installed.is_dir() else here.parent / "models"  # a source checkout
    if not path.is_dir():
        raise ResourceError(f"models directory not found: {path} (set VNEXTRACT_MODELS)")
    return path


def resource_path(name: str) -> Path:
    path = models_dir() / name
    if not path.is_file():
        raise ResourceError(f"data file missing: {path}")
    return path


def read_jsonl(name: str) -> list[dict]:
    """Rows of a JSONL file in models/ (blank lines and lines starting with # are skipped)."""
    rows = []
    path = resource_path(name)
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ResourceError(f"{path}:{n}: not valid JSON: {exc}") from None
    return rows


def read_tsv(name: str) -> list[dict]:
    """Rows of a tab-separated file with a header line (lines starting with # are comments)."""
    # Fields are split on tabs with no quoting (what csv's QUOTE_NONE does), by hand: the word
    # lists have tens of thousands of rows and csv.DictReader was a tenth of the start-up time.
    path = resource_path(name)
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line.rstrip("\r\n") for line in f if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    header = lines[0].split("\t")
    width = len(header)
    rows = []
    for n, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        if len(fields) != width:
            raise ResourceError(f"{path}: row {n} has {len(fields)} fields, the header {width}: {line!r}")
        rows.append(dict(zip(header, fields)))
    return rows


def shared(load: Callable[[], T]) -> Callable[[], T]:
    """Decorate a loader of a read-only table: it runs once per process, on first use, under a lock,
    and every later call (from any thread or stage) returns the same object. This is the one way the
    package keeps loaded data; ``loader.cache_clear()`` forgets it (for tests that edit data)."""
    lock = threading.Lock()
    box: list = []

    @wraps(load)
    def get() -> T:
        if not box:
            with lock:
                if not box:
                    box.append(load())
        return box[0]

    get.cache_clear = box.clear  # type: ignore[attr-defined]
    return get


class ThreadTaggers:
    """The python-crfsuite taggers of one model file, one per thread: a tagger keeps the sequence it
    is tagging inside it, so threads must not share one (each opens the file once, which costs little)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()

    def get(self):
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            import pycrfsuite  # a core dependency; imported where a CRF model is first used
            tagger = self._local.tagger = pycrfsuite.Tagger()
            tagger.open(self.path)
        return tagger


@lru_cache(maxsize=None)
def thread_taggers(path: str) -> ThreadTaggers:
    """The per-thread taggers of a model file that does not change while the process runs (the shipped
    models), one set per file."""
    return ThreadTaggers(path)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@shared
def manifest() -> dict[str, dict]:
    """``file name -> manifest entry`` from models/MANIFEST.jsonl."""
    return {row["file"]: row for row in read_jsonl(MANIFEST)}


def update_manifest() -> list[str]:
    """Recompute the sha256 of every listed file; return the names whose checksum changed."""
    path = resource_path(MANIFEST)
    rows = read_jsonl(MANIFEST)
    changed = []
    for row in rows:
        target = models_dir() / row["file"]
        if target.is_file():
            digest = sha256(target)
            if row.get("sha256") != digest:
                row["sha256"] = digest
                changed.append(row["file"])
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    manifest.cache_clear()
    return changed


if __name__ == "__main__":  # pragma: no cover
    import sys
    if "--update" in sys.argv:
        print("updated:", ", ".join(update_manifest()) or "nothing")
    else:
        for name, row in manifest().items():
            print(f"{name}\t{row.get('version')}\t{row.get('licence')}")
