"""brat standoff: files, round trips, read by bioc, hand-made directories."""
from __future__ import annotations

import pytest
from sample_docs import TEXT_A, TEXT_B, at

from pipeline.formats.brat import BRAT_INDEX, parse_brat, read_brat, write_brat
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



def _hand_made(root, docs: dict) -> None:
    for stem, (text, ann) in docs.items():
        (root / f"{stem}.txt").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        if ann is not None:
            (root / f"{stem}.ann").write_bytes(ann if isinstance(ann, bytes) else ann.encode("utf-8"))


def test_brat_ann_text_that_is_not_the_txt_text_is_an_error(tmp_path):
    _hand_made(tmp_path, {"x": ("Bộ Nội vụ và Bộ Y tế", "T1\tMINISTRY 0 9\tBộ Nội vụ\nT2\tMINISTRY 13 20\tBộ Tài chính\n"
                                                        "T3\tMINISTRY 0 2;3 6\tBộ Nội\n")})
    errors = []
    (rec,) = read_brat(tmp_path, on_error=errors.append)
    assert [(e["text"], e["start"]) for e in rec["entities"]] == [("Bộ Nội vụ", 0), ("Bộ Nội", 0)]
    assert len(errors) == 1 and "T2" in errors[0].reason and "Bộ Tài chính" in errors[0].reason
    assert errors[0].id == "x" and errors[0].line == 2


def test_brat_unreadable_files_and_bad_index_lines_leave_the_rest(tmp_path):
    _hand_made(tmp_path, {"a": ("Bộ Y tế", "T1\tMINISTRY 0 7\tBộ Y tế\n"),
                          "b": (b"B\xff\xfe", "T1\tMINISTRY 0 1\tB\n"),
                          "c": ("Bộ Y tế", b"T1\tMINISTRY 0 7\t\xff\n"),
                          "d": ("Hà Nội", None)})
    (tmp_path / BRAT_INDEX).write_text(
        '{"file": "a", "id": "doc-a", "meta": {}}\n{"id": "no-file"}\nnot json\n'
        '{"file": "gone", "id": "doc-gone", "meta": {}}\n'
        '{"file": "d", "id": "doc-d", "meta": 5, "sentences": [{"start": 0, "end": 99}]}\n', encoding="utf-8")
    errors = []
    got = {r["id"]: r for r in read_brat(tmp_path, on_error=errors.append)}
    assert set(got) == {"doc-a", "doc-d"}
    assert [e["text"] for e in got["doc-a"]["entities"]] == ["Bộ Y tế"]
    assert got["doc-d"]["meta"] == {} and got["doc-d"]["sentences"] == []
    reasons = " | ".join(str(e) for e in errors)
    assert len(errors) == 6, reasons
    for needle in ("b.txt", "c.ann", "no \"file\"", "not JSON", "gone.txt is missing", "sentences left out"):
        assert needle in reasons
    assert all(validate_record(r) == [] for r in got.values())


def test_brat_import_of_a_file_is_an_error(tmp_path):
    path = tmp_path / "x.ann"
    path.write_text("", encoding="utf-8")
    errors = []
    assert list(read_brat(path, on_error=errors.append)) == [] and len(errors) == 1
