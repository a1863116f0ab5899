"""brat standoff: files, round trips, read by bioc, hand-made directories."""
from __future__ import annotations

import pytest
from sample_docs import TEXT_A, TEXT_B, at

from pipeline.formats.brat import parse_brat, read_brat, write_brat
from pipeline.schema import validate_record


def test_brat_files_and_round_trip(tmp_path, records):
    out = tmp_path / "brat"
    assert write_brat(records, out) == 3
    assert (out / "a_1.txt").read_text(encoding="utf-8") == TEXT_A
    ann_b = (out / "b.ann").read_text(encoding="utf-8").splitlines()
    s, e = at(TEXT_B, "cải cách\nhành chính")
    assert f"T2\tREFORM_AREA {s} {s + 8};{s + 9} {e}\tcải cách hành chính" in ann_b
    ann_a = (out / "a_1.ann").read_text(encoding="utf-8")
    assert "\tarea T" in ann_a and "AnnotatorNotes" in ann_a
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]" in conf and "\nREFORM_AREA\n" in conf and "Value:general|" in conf
    back = list(read_brat(out))
    assert back == records
    assert validate_record(back[0]) == []


def test_brat_is_read_by_bioc(tmp_path, records):
    brat = pytest.importorskip("bioc.brat")
    write_brat(records, tmp_path)
    with open(tmp_path / "a_1.txt", encoding="utf-8", newline="") as t, \
            open(tmp_path / "a_1.ann", encoding="utf-8") as a:
        bdoc = brat.load(t, a)
    ents = sorted((x.type, *x.total_span) for x in bdoc.entities)
    assert ents == sorted((x["label"], x["start"], x["end"]) for x in records[0]["entities"])
    assert all(bdoc.text[x.total_span[0]:x.total_span[1]] == x.text for x in bdoc.entities)
    assert len(bdoc.notes) >= 5 and {a.type for a in bdoc.attributes} == {"area"}


def test_brat_import_of_a_hand_made_directory(tmp_path):
    (tmp_path / "x.txt").write_text("Bộ Nội vụ và Bộ Y tế", encoding="utf-8")
    (tmp_path / "x.ann").write_text(
        "T1\tMINISTRY 0 9\tBộ Nội vụ\nT2\tMINISTRY 13 20\tBộ Y tế\n#1\tAnnotatorNotes T2\tkiểm tra lại\n"
        "R1\tRel Arg1:T1 Arg2:T2\nT3\tBROKEN x y\tz\n", encoding="utf-8")
    errors = []
    (rec,) = read_brat(tmp_path, on_error=errors.append)
    assert rec["id"] == "x"
    assert [(e["text"], e["canonical"], e.get("note")) for e in rec["entities"]] == [
        ("Bộ Nội vụ", None, None), ("Bộ Y tế", None, "kiểm tra lại")]
    assert len(errors) == 1 and "T3" in errors[0].reason
    assert parse_brat("abc", "") == []

