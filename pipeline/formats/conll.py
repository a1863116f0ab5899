"""CoNLL: token-per-line BIO tags of the outermost entities, and the import of such files.

The columns are those of CoNLL-2003: token, POS, tag; ``-DOCSTART-`` between documents, a
blank line between sentences; the spaces inside a word become ``_``. CoNLL keeps tokens,
not the text: an imported document's text is its tokens joined by spaces (one sentence per
line), so entity labels and surfaces survive, offsets do not.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.document import Document
from pipeline.formats.record import ErrorHandler, as_record, assemble_record, entity_order, token_pieces, with_required
from pipeline.spans import outermost

DOCSTART = "-DOCSTART- -X- O O"
_WS = re.compile(r"\s")


def conll_lines(item: Document | dict) -> Iterator[str]:
    """The CoNLL lines of one document (starting with the ``-DOCSTART-`` line).

    Tokens are ours, split where an entity starts or ends inside one; whitespace inside
    a token becomes ``_``. Tags are BIO over the outermost entities.
    """
    rec = as_record(item)
    text = rec["text"]
    # in the order of the format, so that of two entities over the same span the first label wins
    ents = outermost(sorted(rec.get("entities") or (), key=entity_order))
    cuts = [x for e in ents for x in (e["start"], e["end"])]
    pieces = [p for p in token_pieces(text, rec.get("tokens") or (), cuts) if not text[p[0]:p[1]].isspace()]
    sent_starts = sorted(s["start"] for s in rec.get("sentences") or ())
    ent_starts = [e["start"] for e in ents]
    yield DOCSTART
    yield ""
    prev_sent = prev_end = None
    prev_ent = None
    for s, e, pos, _ in pieces:
        j = bisect.bisect_right(ent_starts, s) - 1
        ent = ents[j] if j >= 0 and ents[j]["end"] >= e else None
        if prev_end is not None and (ent is None or ent is not prev_ent):  # never break inside an entity
            if sent_starts:
                new_sentence = bisect.bisect_right(sent_starts, s) != prev_sent
            else:
                new_sentence = "\n" in text[prev_end:s]
            if new_sentence:
                yield ""
        prev_sent = bisect.bisect_right(sent_starts, s)
        prev_end = e
        if ent is None:
            tag = "O"
        else:
            tag = ("I-" if ent is prev_ent else "B-") + ent["label"]
        prev_ent = ent
        word = _WS.sub("_", text[s:e])
        pos_col = _WS.sub("_", pos) if pos else "-"
        yield f"{word} {pos_col} {tag}"
    yield ""


def write_conll(records: Iterable[Document | dict], path: str | Path) -> int:
    """Write documents in CoNLL format; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            for line in conll_lines(rec):
                f.write(line + "\n")
            n += 1
    return n


def parse_conll(content: str, id_prefix: str = "conll") -> Iterator[dict]:
    """Records from CoNLL text (BIO, IOB1 or BILUO tags in the last column).

    The text of a document is its words joined by spaces, one sentence per line.
    """
    docs = re.split(r"^-DOCSTART-[^\n]*$", content, flags=re.M)
    n = 0
    for block in docs:
        sentences = [s for s in re.split(r"\n[ \t]*\n", block) if s.strip()]
        if not sentences and n == 0 and not block.strip():
            continue  # text before the first -DOCSTART-
        parts: list[str] = []
        tokens: list[dict] = []
        sents: list[dict] = []
        entities: list[dict] = []
        pos = 0
        open_ent: dict | None = None
        for sent in sentences:
            sent_start = pos
            for line in sent.strip().splitlines():
                cols = line.split()
                if not cols:
                    continue
                word = cols[0].replace("_", " ")
                tag = cols[-1] if len(cols) > 1 else "O"
                tok_pos = cols[1] if len(cols) > 2 and cols[1] != "-" else None
                if pos > sent_start:
                    parts.append(" ")
                    pos += 1
                start, end = pos, pos + len(word)
                parts.append(word)
                pos = end
                tokens.append({"start": start, "end": end, "pos": tok_pos})
                prefix, _, label = tag.partition("-")
                if tag == "O" or not label:
                    open_ent = None
                    continue
                continues = (prefix in ("I", "L", "E") and open_ent is not None
                             and open_ent["label"] == label)
                if continues:
                    open_ent["end"] = end
                else:
                    open_ent = {"label": label, "start": start, "end": end}
                    entities.append(open_ent)
                if prefix in ("L", "E", "U", "S"):
                    open_ent = None
            open_ent = None
            if pos > sent_start:
                sents.append({"start": sent_start, "end": pos})
                parts.append("\n")
                pos += 1
        if not tokens:
            continue
        text = "".join(parts)[:-1]
        n += 1
        ents = [with_required(e["label"], {**e, "text": text[e["start"]:e["end"]]}) for e in entities]
        yield assemble_record(f"{id_prefix}-{n}", text, {}, ents, {"sentences": sents, "tokens": tokens})


def read_conll(path: str | Path, on_error: ErrorHandler | None = None) -> Iterator[dict]:
    """Records from a CoNLL file (see ``parse_conll``)."""
    path = Path(path)
    yield from parse_conll(path.read_text(encoding="utf-8-sig"), id_prefix=path.stem)


