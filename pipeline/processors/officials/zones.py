"""Bylines and photo credits: the zones where no name is an official or a person of the story."""
from __future__ import annotations

import re

import regex

from pipeline.processors.officials.lexicon import Lexicon

_CREDIT_LIMIT = re.compile(r"\.\s|\.$|[\n;)]")
_CREDIT_TOKEN = regex.compile(r"[ \t]*(\S+)")
# a token that ends in an outlet's capitals after a dash or slash ("Sáng-TTXVN", "Hải/VGP"), or is one ("TTXVN")
_OUTLET_END = regex.compile(r"(?:[-–/]|^)\p{Lu}{2,}[\p{Lu}\d&.]*$")


def byline_zones(lex: Lexicon, text: str) -> list[tuple[int, int]]:
    """Spans of photo credits and bylines, where no name is an official or a person of the story."""
    zones = [credit_zone(text, m) for m in lex.credit_re.finditer(text)]
    at = text.find("/")
    while at >= 0:
        if at + 1 < len(text) and (text[at + 1].isupper() or text[at + 1:at + 3].lstrip()[:1].isupper()):
            m = lex.before_slash.search(text, max(0, at - 60), at)
            if m:
                zones.append((m.start(), at))
        at = text.find("/", at + 1)
    line_start = text.find("\n")
    while line_start >= 0:
        line_end = text.find("\n", line_start + 1)
        if line_end < 0:
            line_end = len(text)
        lo = max(line_start + 1, line_end - 100)
        m = lex.trailing_re.search(text, lo, line_end)
        if m and m.group("seg").strip() and (m.start("seg") > lo or lo == line_start + 1):
            zones.append((m.start("seg"), m.end("seg")))
        line_start = text.find("\n", line_end) if line_end < len(text) else -1
    return sorted(zones)


def credit_zone(text: str, m) -> tuple[int, int]:
    """The span of one credit: its label and the few capitalized words after it, up to the outlet.

    "Ảnh: Nhan Sáng-TTXVN Phát biểu tại ..." stops after "TTXVN": a caption without a full stop must not
    swallow the next sentence.
    """
    start = m.start()
    pos = end = m.end()
    stop = _CREDIT_LIMIT.search(text, pos)
    limit = stop.start() if stop else len(text)
    count = 0
    for tm in _CREDIT_TOKEN.finditer(text, pos, limit):
        tok = tm.group(1)
        core = tok.rstrip(".,;:")
        if not core or not (core[0].isupper() or core[0].isdigit() or core in ("-", "–", "/", "&", "và")):
            break
        end = tm.end(1)
        count += 1
        if _OUTLET_END.search(core) or count >= 6 or core != tok:
            break
    return start, end
