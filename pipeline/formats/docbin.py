"""spaCy ``DocBin`` files: write annotated documents as spaCy Docs, read Docs back as records.

A written ``DocBin`` keeps user data, so attributes and exact offsets survive
(see ``pipeline.formats.spacy_interop``); ``DocBin().from_disk(path)`` loads it in spaCy.

spaCy is optional and slow to import, so it (with ``spacy_interop``, which needs it) is
imported when a DocBin is written or read, not when this module is: the command line
lists every format without loading spaCy.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from pipeline.document import Document
from pipeline.extras import require
from pipeline.formats.record import ErrorHandler


def write_docbin(records: Iterable[Document | dict], path: str | Path) -> int:
    """Write documents into a spaCy ``DocBin`` file (user data kept, so attributes survive)."""
    require("spacy", "the spacy export format")
    from spacy.tokens import DocBin

    from pipeline.formats.spacy_interop import to_spacy
    db = DocBin(store_user_data=True)
    n = 0
    for rec in records:
        db.add(to_spacy(rec))
        n += 1
    db.to_disk(path)
    return n


def read_docbin(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a spaCy ``DocBin`` file (ours or anyone's: ``doc.ents`` or ``spans["vnextract"]``)."""
    require("spacy", "the spacy import format")
    from spacy.tokens import DocBin

    from pipeline.formats.spacy_interop import default_vocab, record_from_spacy
    db = DocBin().from_disk(path)
    for sdoc in db.get_docs(default_vocab()):
        yield record_from_spacy(sdoc)
