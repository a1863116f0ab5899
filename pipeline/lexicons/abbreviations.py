"""Common abbreviations of Vietnamese official writing (``models/abbreviations_common.tsv``), read once
per process: what "CCHC", "TTHC" or "UBND" stand for when a document does not define them."""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from pipeline.resources import read_tsv, shared

COMMON_FILE = "abbreviations_common.tsv"


@shared
def common_abbreviations() -> Mapping[str, dict]:
    """``short -> {"long", "kind", "notes"}``."""
    return MappingProxyType({row["short"]: {"long": row["long"], "kind": row["kind"], "notes": row["notes"]}
                             for row in read_tsv(COMMON_FILE)})
