"""The formats by name: their writer and reader, as the ``export`` and ``import`` commands use them.

A writer takes ``(records, path)`` and returns how many documents it wrote (the Label Studio
writer returns ``(count, config path)``); a reader takes ``(path, on_error=None)`` and yields
records. ``table`` (one row per entity, Parquet or CSV) is export only: its reader is None.
Importing this module does not import spaCy or pyarrow.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, NamedTuple

from pipeline.formats.brat import read_brat, write_brat
from pipeline.formats.conll import read_conll, write_conll
from pipeline.formats.docbin import read_docbin, write_docbin
from pipeline.formats.labelstudio import read_labelstudio, write_labelstudio
from pipeline.formats.table import write_table


class Format(NamedTuple):
    write: Callable[..., Any]
    read: Callable[..., Iterator[dict]] | None = None


FORMATS: dict[str, Format] = {
    "conll": Format(write_conll, read_conll),
    "spacy": Format(write_docbin, read_docbin),
    "labelstudio": Format(write_labelstudio, read_labelstudio),
    "brat": Format(write_brat, read_brat),
    "table": Format(write_table),
}


def importable() -> list[str]:
    """The names of the formats that can be imported (that have a reader), sorted."""
    return sorted(name for name, fmt in FORMATS.items() if fmt.read is not None)
