"""Identifiers that hold across documents.

``person_id`` names one person across a corpus. It is derived from the person's name (NFC, case-folded,
blanks collapsed) and a *scope*: what tells this person apart from a namesake. The officials stage chooses the scope:

* ``"registry"`` for a person of ``models/officials_known.tsv`` whom the document does not describe otherwise;
* the ministry id (``models/ministries.jsonl``) of the office's ministry, which survives renames;
* the ``unit`` of an office outside the ministries (a province's council, a party committee), its places by
  their canonical names;
* ``"title:"`` and the title for an office with neither (a Deputy Prime Minister outside the registry);
* ``""`` for a name with no office at all.

A registry person's id is made from the registry's full name ("Donald Trump" also for "ông Trump").

The officials table (``vnextract officials``) keeps the ids the stage gave, so a bare mention resolved from
that table gets the same id as the explicit mentions it was resolved from.
"""
from __future__ import annotations

import hashlib
import unicodedata


def _clean(value: str) -> str:
    # case does not tell people apart ("NGUYỄN VĂN A" in a headline, "Đoàn Đại biểu" / "Đoàn đại biểu")
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def person_id(name: str, scope: str = "") -> str:
    """A stable id for the person called ``name`` within ``scope``: "p-" and 12 hex digits."""
    key = f"{_clean(name)}\x1f{_clean(scope)}"
    return "p-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
