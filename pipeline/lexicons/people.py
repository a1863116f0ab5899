"""Tables about people, read once per process and shared by every stage that needs them.

- ``surnames()``: Vietnamese family names (``models/surnames.tsv``) with their tier
  (``ambiguous`` for those that are often a common word or a place's first word: Hà, Từ, Lâm).
- ``honorifics()``: words before a name that are not part of it (``models/honorifics.tsv``), with
  their kind (``courtesy``, ``academic``, ``rank``, ``religious``, ...).
- ``offices()``: the offices that make a named person an OFFICIAL (``models/offices.tsv``), keyed by
  their case-folded surface form.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from pipeline.resources import read_tsv, shared


@dataclass(frozen=True, slots=True)
class Office:
    """One row of models/offices.tsv: a surface form of an office and what it means."""

    surface: str             # as written in the table ("Bộ trưởng", "Chủ tịch UBND tỉnh")
    title: str               # the office's title in the output
    level: str               # ministry, central, provincial, party, ...
    policy: str              # how the office's ministry is found (the table's ``ministry`` column)
    implied_org: str | None  # the ministry the office always belongs to, if any


@shared
def surnames() -> Mapping[str, str]:
    """Family name -> tier, in the table's order."""
    return MappingProxyType({r["surname"].strip(): r["tier"].strip() for r in read_tsv("surnames.tsv")})


@shared
def honorifics() -> Mapping[str, str]:
    """Honorific -> kind, in the table's order."""
    return MappingProxyType({r["honorific"].strip(): r["kind"].strip() for r in read_tsv("honorifics.tsv")})


@shared
def offices() -> tuple[Office, ...]:
    """Every row of the offices table, in its order."""
    return tuple(Office(r["surface"].strip(), r["title"].strip(), r["level"].strip(), r["ministry"].strip(),
                        r["implied_org"].strip() or None) for r in read_tsv("offices.tsv"))
