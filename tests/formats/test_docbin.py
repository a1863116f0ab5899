"""The spaCy DocBin format: loaded by spaCy, round trips."""
from __future__ import annotations

from pipeline.formats.docbin import read_docbin, write_docbin


def test_docbin_loads_in_spacy_and_round_trips(tmp_path, records):
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab
    path = tmp_path / "out.spacy"
    assert write_docbin(records, path) == 3
    sdocs = list(DocBin().from_disk(path).get_docs(Vocab()))
    assert [d.text for d in sdocs] == [r["text"] for r in records]
    assert {(e.label_, e.text, e.kb_id_) for e in sdocs[0].ents} >= {
        ("MINISTRY", "Bộ Tư pháp", "Bộ Tư pháp"), ("DATE", "Ngày 12/3/2021", "2021-03-12")}
    assert len(sdocs[0].spans["vnextract"]) == len(records[0]["entities"])
    assert list(read_docbin(path)) == records

