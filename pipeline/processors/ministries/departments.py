"""ORG entities for the departments written right before their ministry ("Vụ Pháp chế, Bộ Xây dựng",
"Cục X (Bộ Y)", "Cục X thuộc Bộ Y"), with the ministry as attribute."""
from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.processors.ministries.patterns import _Patterns
from pipeline.spans import SpanIndex


def _tag_departments(doc: Document, ministries: list[dict], patterns: _Patterns) -> None:
    """ORG for a department written right before its ministry: "Vụ X, Bộ Y", "Cục X (Bộ Y)", "Cục X thuộc Bộ Y".

    After a bare comma only the units every ministry has (Vụ, Cục, Tổng cục, ...: cue
    ``department_head_comma``) are taken, since "A, Bộ Y" is also a plain list.
    """
    text = doc.text
    taken = {(m["start"], m["end"]) for m in ministries}
    index = SpanIndex(ministries)
    for mi in ministries:
        s = mi["start"]
        window_start = max(0, s - 120)
        window = text[window_start:s]
        link = patterns.dept_link.search(window)
        if not link:
            continue
        before = window[:link.start()]
        heads = list(patterns.dept_head.finditer(before))
        if not heads:
            continue
        h = heads[-1]
        name = before[h.end():]
        # the department's own name: capitalised, short, without punctuation or verbs inside
        if (re.search(r"[,;:.()\"“”!?\n\d]", name) or not patterns.starts_upper.match(name)
                or len(name.split()) > 12 or patterns.dept_stop.search(name)):
            continue
        if link.group(0).strip() == "," and not patterns.dept_head_comma.fullmatch(h.group(0)):
            continue
        ds, de = window_start + h.start(), window_start + len(before.rstrip())
        if (ds, de) in taken or index.starts_within(ds, de):  # no ministry starts inside
            continue
        doc.add_entity("ORG", ds, de, source="rules", ministry=mi["canonical"], ministry_id=mi["id"])
