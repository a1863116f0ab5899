"""The entity table (``vnextract export --format table``): one row per entity, Parquet and CSV, for pandas
and DuckDB."""
from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import json
import re
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline import Document
from pipeline.cli.main import main
from pipeline.formats.record import write_jsonl
from pipeline.formats.table import COLUMNS, TableError, entity_rows, export_table, write_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus_records(nlp) -> list[dict]:
    """The bundled corpus/, annotated in-process with the default pipeline."""
    from pipeline.runtime.readers import read_inputs
    recs = [nlp(item.data).to_json() for item in read_inputs([str(ROOT / "corpus")])]
    assert sum(len(r["entities"]) for r in recs) > 50
    return recs


@pytest.fixture(scope="module")
def exported(corpus_records, tmp_path_factory) -> dict[str, Path]:
    """The bundled corpus exported by the command line, as CSV and as Parquet."""
    tmp = tmp_path_factory.mktemp("table")
    src = tmp / "out.jsonl"
    write_jsonl(corpus_records, src)
    paths = {"csv": tmp / "entities.csv", "parquet": tmp / "deeper" / "entities.parquet"}
    for path in paths.values():
        assert main(["export", str(src), "--format", "table", "--out", str(path), "-q"]) == 0
    paths["jsonl"] = src
    return paths


def _read(path: Path) -> pd.DataFrame:
    """The table as a DataFrame with None for null (CSV: every column as written, a string)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]) if path.suffix == ".csv" \
        else pd.read_parquet(path)
    df = df.astype(object)
    return df.where(df.notna(), None)


def _entities(records):
    for rec in records:
        for e in rec["entities"]:
            yield rec, e


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_one_row_per_entity_with_offsets_and_sentences(corpus_records, exported, kind):
    df = _read(exported[kind])
    assert tuple(df.columns) == COLUMNS
    pairs = list(_entities(corpus_records))
    assert len(df) == len(pairs)
    by_id = {r["id"]: r for r in corpus_records}
    for row, (rec, ent) in zip(df.itertuples(index=False), pairs):
        start, end = int(row.start), int(row.end)
        assert (row.doc_id, row.label, start, end) == (rec["id"], ent["label"], ent["start"], ent["end"])
        assert row.text == by_id[row.doc_id]["text"][start:end] == ent["text"]
        assert row.sentence is not None and ent["text"] in row.sentence
        assert row.sentence in rec["text"]
        published = rec["meta"].get("published")
        assert (None if row.published is None else str(row.published)) == published


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_per_label_columns(corpus_records, exported, kind):
    df = _read(exported[kind])
    seen = collections.Counter()
    for row, (rec, ent) in zip(df.itertuples(index=False), _entities(corpus_records)):
        label = ent["label"]
        seen[label] += 1
        if label == "MINISTRY":
            assert row.canonical == ent["canonical"] and row.ministry_id == ent["id"]
        elif label == "PLACE":
            canon = ent.get("canonical")
            assert row.canonical == (canon["name"] if canon else None)
            assert row.place_code == (canon["code"] if canon else None)
        else:
            assert row.canonical is None and row.place_code is None
        if label == "OFFICIAL":
            title = ent["title"]
            assert row.title == ("; ".join(title) if isinstance(title, list) else title)
            assert row.org == ent["org"]
        if label == "DATE":
            assert row.value == ent["value"]
        if label == "REFORM_AREA":
            assert row.area == ent["area"]
        else:
            assert row.area is None
    assert {"MINISTRY", "PLACE", "OFFICIAL", "DATE", "REFORM_AREA"} <= set(seen)


def test_parquet_types_and_duckdb_counts(corpus_records, exported):
    schema = pq.read_schema(exported["parquet"])
    assert [f.name for f in schema] == list(COLUMNS)
    assert str(schema.field("start").type) == str(schema.field("end").type) == "int64"
    assert str(schema.field("published").type) == "date32[day]"
    assert all(str(schema.field(c).type) == "string" for c in COLUMNS if c not in ("published", "start", "end"))
    expected = collections.Counter(e["label"] for _, e in _entities(corpus_records))
    con = duckdb.connect()
    for path in (exported["parquet"], exported["csv"]):
        source = f"'{path}'" if path.suffix == ".parquet" else f"read_csv('{path}', all_varchar=true)"
        got = dict(con.execute(f"SELECT label, count(*) FROM {source} GROUP BY label").fetchall())
        assert got == expected, path.suffix
    # a real query: documents per ministry id, joined back to the JSON
    got = dict(con.execute(f"SELECT ministry_id, count(DISTINCT doc_id) FROM '{exported['parquet']}' "
                           f"WHERE label = 'MINISTRY' GROUP BY ALL").fetchall())
    want = collections.defaultdict(set)
    for rec, e in _entities(corpus_records):
        if e["label"] == "MINISTRY":
            want[e["id"]].add(rec["id"])
    assert got == {k: len(v) for k, v in want.items()}
    day = con.execute(f"SELECT max(published) FROM '{exported['parquet']}'").fetchone()[0]
    assert isinstance(day, dt.date)


# -- synthetic records -----------------------------------------------------------------------------

TEXT = "Bộ trưởng Bộ Tư pháp Trần An nói. Ông An ở tỉnh Nghệ An bàn về thủ tục hành chính."


def _span(needle: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(needle, i + 1)
    return i, i + len(needle)


def _ent(label: str, needle: str, nth: int = 0, **attrs) -> dict:
    s, e = _span(needle, nth)
    return {"label": label, "start": s, "end": e, "text": TEXT[s:e], **attrs}


def synthetic(published="2026-03-30", sentences=True) -> dict:
    ents = [
        _ent("MINISTRY", "Bộ Tư pháp", canonical="Bộ Tư pháp", id="btp", ministry_id="btp"),
        _ent("OFFICIAL", "Trần An", title="Bộ trưởng", org="Bộ Tư pháp", person_id="p-0123456789ab",
             ministry_id="btp"),
        _ent("OFFICIAL", "An", 1, title=["Bộ trưởng", "Ủy viên Trung ương"], org="Bộ Tư pháp",
             person_id="p-0123456789ab", ministry_id="btp", resolved="table"),
        _ent("PLACE", "tỉnh Nghệ An", canonical={"name": "Tỉnh Nghệ An", "code": "40",
                                                  "pre2025": {"name": "Tỉnh Nghệ An", "code": "40"}}),
        _ent("PLACE", "Nghệ An", canonical="Nghệ An"),
        _ent("REFORM_AREA", "thủ tục hành chính", area="procedures"),
    ]
    ents.sort(key=lambda e: (e["start"], -e["end"]))
    first = TEXT.index(".") + 1
    return {"id": "syn-1", "text": TEXT, "meta": {"published": published},
            "sentences": [{"start": first + 1, "end": len(TEXT)}, {"start": 0, "end": first}] if sentences else [],
            "tokens": [], "entities": ents}


def test_synthetic_ids_titles_and_places():
    rows = {(r["label"], r["text"]): r for r in entity_rows(synthetic())}
    assert len(rows) == 6
    full = rows["OFFICIAL", "Trần An"]
    assert full["person_id"] == "p-0123456789ab" and full["ministry_id"] == "btp" and full["title"] == "Bộ trưởng"
    assert full["canonical"] is None and full["published"] == dt.date(2026, 3, 30)
    assert full["sentence"] == "Bộ trưởng Bộ Tư pháp Trần An nói."
    short = rows["OFFICIAL", "An"]
    assert short["title"] == "Bộ trưởng; Ủy viên Trung ương" and short["org"] == "Bộ Tư pháp"
    assert short["sentence"].startswith("Ông An")
    assert rows["MINISTRY", "Bộ Tư pháp"]["ministry_id"] == "btp"
    assert rows["MINISTRY", "Bộ Tư pháp"]["person_id"] is None
    assert (rows["PLACE", "tỉnh Nghệ An"]["canonical"], rows["PLACE", "tỉnh Nghệ An"]["place_code"]) == \
        ("Tỉnh Nghệ An", "40")
    assert (rows["PLACE", "Nghệ An"]["canonical"], rows["PLACE", "Nghệ An"]["place_code"]) == ("Nghệ An", None)
    assert rows["REFORM_AREA", "thủ tục hành chính"]["area"] == "procedures"


def test_ministry_id_falls_back_on_id_and_only_for_ministries_and_officials():
    rec = synthetic()
    for e in rec["entities"]:
        e.pop("ministry_id", None)
    rec["entities"].append({**_ent("ORG", "Bộ Tư pháp"), "ministry_id": "btp"})
    rec["entities"].sort(key=lambda e: (e["start"], -e["end"], e["label"]))
    got = {(r["label"], r["text"]): r["ministry_id"] for r in entity_rows(rec)}
    assert got[("MINISTRY", "Bộ Tư pháp")] == "btp"  # its id
    assert got[("OFFICIAL", "Trần An")] is None
    assert got[("ORG", "Bộ Tư pháp")] is None


@pytest.mark.parametrize("published", ["30/03/2026", "2026-02-30", "", None, 20260330, "0001-01-01"])
def test_a_published_that_is_not_a_date_is_null(published, tmp_path):
    rec = synthetic(published)
    assert {r["published"] for r in entity_rows(rec)} == {None}
    export_table([rec], tmp_path / "t.parquet")
    assert pd.read_parquet(tmp_path / "t.parquet")["published"].isna().all()
    export_table([rec], tmp_path / "t.csv")
    assert pd.read_csv(tmp_path / "t.csv")["published"].isna().all()


def test_published_with_a_time_is_its_day():
    assert {r["published"] for r in entity_rows(synthetic("2026-03-30T08:15:00+07:00"))} == {dt.date(2026, 3, 30)}


def test_no_sentences_layer_gives_null_sentences_and_an_entity_outside_every_sentence_too():
    assert {r["sentence"] for r in entity_rows(synthetic(sentences=False))} == {None}
    rec = synthetic()
    rec["sentences"] = [{"start": 0, "end": 5}]  # "Bộ tr": no entity starts inside it
    assert {r["sentence"] for r in entity_rows(rec)} == {None}
    rec.pop("sentences")
    assert {r["sentence"] for r in entity_rows(rec)} == {None}


def test_documents_without_entities_or_with_an_error_give_no_rows(tmp_path):
    failed = {"id": "bad", "text": "x", "meta": {}, "sentences": [], "tokens": [], "entities": [],
              "error": "document 'bad': ValueError: boom"}
    failed_with_leftovers = {**synthetic(), "id": "bad2", "error": "boom"}
    records = [Document("", id="empty").to_json(), failed, synthetic(), failed_with_leftovers,
               Document("Trời đẹp.", id="plain")]  # a Document is accepted too
    for name in ("t.csv", "t.parquet"):
        assert write_table(records, tmp_path / name) == 5
        df = _read(tmp_path / name)
        assert list(df["doc_id"].unique()) == ["syn-1"] and len(df) == 6
    for name in ("none.csv", "none.parquet"):  # no entities at all: a table with the columns and no rows
        assert export_table([], tmp_path / name) == (0, 0)
        assert tuple(_read(tmp_path / name).columns) == COLUMNS and _read(tmp_path / name).empty


def test_parquet_is_written_in_row_groups(tmp_path):
    recs = [{**synthetic(), "id": f"d{i}"} for i in range(10)]
    stats = export_table(iter(recs), tmp_path / "t.parquet", row_group=7)
    assert stats == (10, 60)
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata
    assert meta.num_rows == 60 and meta.num_row_groups == 9  # 8 full groups of 7 and the last 4


def test_records_are_read_lazily(tmp_path, monkeypatch):
    """At most one row group is held in memory: each is written as soon as it is full, while the records
    are still being read."""
    pulled = 0
    writes = []

    class Spy(pq.ParquetWriter):
        def write_table(self, table, *args, **kwargs):
            writes.append((pulled, table.num_rows))
            super().write_table(table, *args, **kwargs)

    monkeypatch.setattr(pq, "ParquetWriter", Spy)

    def stream():
        nonlocal pulled
        for i in range(10):
            pulled += 1
            yield {**synthetic(), "id": f"d{i}"}  # 6 rows each

    export_table(stream(), tmp_path / "t.parquet", row_group=12)
    assert writes == [(2, 12), (4, 12), (6, 12), (8, 12), (10, 12)]
    assert pq.ParquetFile(tmp_path / "t.parquet").metadata.num_rows == 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # the temporary file was replaced


def test_a_bad_record_leaves_the_existing_table_as_it_was(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old\n", encoding="utf-8")
    bad = {**synthetic(), "id": "broken"}
    bad["entities"] = [{"label": "PLACE", "start": 3, "end": 999}]
    with pytest.raises(TableError, match="document 'broken'"):
        export_table([synthetic(), bad], out)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


# -- command line ----------------------------------------------------------------------------------

def test_cli_refuses_unknown_suffix_and_its_own_input(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl([synthetic()], src)
    assert main(["export", str(src), "--format", "table", "--out", str(tmp_path / "e.xlsx")]) == 2
    assert ".parquet or .csv" in capsys.readouterr().err
    assert main(["export", str(src), "--format", "table", "--out", str(src)]) == 2
    assert "is the input" in capsys.readouterr().err
    assert json.loads(src.read_text(encoding="utf-8"))["id"] == "syn-1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_cli_names_the_extra_when_pyarrow_is_missing(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in.jsonl"
    write_jsonl([synthetic()], src)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    assert main(["export", str(src), "--format", "table", "--out", str(tmp_path / "e.parquet")]) == 2
    assert "pip install 'vnextract[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "e.parquet").exists()
    # CSV needs no pyarrow
    assert main(["export", str(src), "--format", "table", "--out", str(tmp_path / "e.csv"), "-q"]) == 0


def test_cli_reports_bad_lines_and_writes_the_rest(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl([synthetic()], src)
    with open(src, "a", encoding="utf-8") as f:
        f.write("{broken\n")
    assert main(["export", str(src), "--format", "table", "--out", str(tmp_path / "e.csv")]) == 1
    err = capsys.readouterr().err
    assert "in.jsonl:2" in err and "1 documents exported as table" in err and "(6 entity rows)" in err
    assert len(pd.read_csv(tmp_path / "e.csv")) == 6


def test_table_is_export_only(capsys):
    with pytest.raises(SystemExit):
        main(["import", "table", "x.csv", "--out", "y.jsonl"])
    assert "invalid choice: 'table'" in capsys.readouterr().err


# -- the new fields in the JSON Schema (pipeline/data/annotation.schema.json) ----------------------

def test_current_output_and_output_with_the_new_fields_validate(corpus_records, tmp_path):
    from pipeline.schema import validate_record
    assert [p for rec in corpus_records for p in validate_record(rec)] == []
    rec = synthetic()
    for e in rec["entities"]:
        if e["label"] == "OFFICIAL":
            e["unit"] = None
    rec["entities"].append({**_ent("PERSON", "Trần An"), "person_id": "p-00000000beef"})
    rec["entities"].append({**_ent("OFFICIAL", "Trần An"), "title": "Chủ tịch", "org": None,
                            "unit": "HĐND tỉnh Nghệ An", "former": True, "resolved": "registry",
                            "person_id": "p-0123456789ac"})
    rec["entities"].sort(key=lambda e: (e["start"], -e["end"], e["label"]))
    assert validate_record(rec) == []
    path = tmp_path / "new.jsonl"
    write_jsonl(corpus_records + [rec], path)
    assert main(["validate", str(path)]) == 0


@pytest.mark.parametrize("label,attrs,where", [
    ("OFFICIAL", {"person_id": "p-XYZ"}, "person_id"),
    ("OFFICIAL", {"person_id": "p-0123456789AB"}, "person_id"),  # lower-case hex only
    ("OFFICIAL", {"ministry_id": ""}, "ministry_id"),
    ("OFFICIAL", {"resolved": "guess"}, "resolved"),
    ("OFFICIAL", {"unit": 3}, "unit"),
    ("OFFICIAL", {"former": "yes"}, "former"),
    ("MINISTRY", {"ministry_id": 7}, "ministry_id"),
    ("PLACE", {"canonical": {"name": "Tỉnh Nghệ An", "code": 40}}, "canonical/code"),
    ("PLACE", {"canonical": {"name": "Tỉnh Nghệ An", "code": "40", "pre2025": {"code": 40}}}, "pre2025/code"),
    ("PLACE", {"canonical": {"name": "Tỉnh Nghệ An", "code": "40", "pre2025": "Nghệ An"}}, "pre2025"),
])
def test_the_new_fields_are_typed(label, attrs, where):
    from pipeline.schema import validate_record
    rec = synthetic()
    ent = next(e for e in rec["entities"] if e["label"] == label)
    ent.update(attrs)
    problems = validate_record(rec)
    assert len(problems) == 1 and where in problems[0], problems


# -- notebook 02 uses the table: the office-holder timeline and officials by reform area ---------------

def _notebook_helpers():
    """``_execute`` and ``_outputs`` of tests/test_notebooks.py (loaded by path under another name)."""
    spec = importlib.util.spec_from_file_location("_notebook_helpers", ROOT / "tests" / "test_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(doc_id: str, published: str, text: str, *ents: tuple) -> dict:
    """An annotated record; each entity ``(label, surface, attrs)`` at the first place its surface occurs."""
    out = []
    for label, surface, attrs in ents:
        s = text.index(surface)
        out.append({"label": label, "start": s, "end": s + len(surface), "text": surface, **attrs})
    out.sort(key=lambda e: (e["start"], -e["end"], e["label"]))
    return {"id": doc_id, "text": text, "meta": {"published": published},
            "sentences": [{"start": 0, "end": len(text)}], "tokens": [], "entities": out}


def test_notebook_shows_the_office_holder_timeline(tmp_path, monkeypatch):
    pytest.importorskip("nbclient")  # the notebook extra, as in tests/test_notebooks.py
    helpers = _notebook_helpers()
    # invented people, real ministries
    khoa, van, tung = "p-00000000000a", "p-00000000000b", "p-00000000000c"
    btp = ("MINISTRY", "Bộ Tư pháp", {"canonical": "Bộ Tư pháp", "id": "btp", "ministry_id": "btp"})
    bnv = ("MINISTRY", "Bộ Nội vụ", {"canonical": "Bộ Nội vụ", "id": "bnv", "ministry_id": "bnv"})

    def official(name, title, org, mid, pid):
        return ("OFFICIAL", name, {"title": title, "org": org, "ministry_id": mid, "person_id": pid})

    docs = [
        _doc("a", "2026-04-10", "Bộ trưởng Bộ Tư pháp Đỗ Minh Khoa nói về thủ tục hành chính.",
             btp, official("Đỗ Minh Khoa", "Bộ trưởng", "Bộ Tư pháp", "btp", khoa),
             ("REFORM_AREA", "thủ tục hành chính", {"area": "procedures"})),
        _doc("b", "2026-06-01",
             "Thứ trưởng Bộ Nội vụ Lạc Thị Vân và Bộ trưởng Đỗ Minh Khoa bàn về tinh gọn bộ máy.",
             bnv, official("Lạc Thị Vân", "Thứ trưởng", "Bộ Nội vụ", "bnv", van),
             official("Đỗ Minh Khoa", "Bộ trưởng", "Bộ Tư pháp", "btp", khoa),
             ("REFORM_AREA", "tinh gọn bộ máy", {"area": "apparatus"})),
        _doc("c", "2025-01-15", "Bộ trưởng Bộ Tư pháp Hà Văn Tùng chủ trì hội nghị về thủ tục hành chính.",
             btp, official("Hà Văn Tùng", "Bộ trưởng", "Bộ Tư pháp", "btp", tung),
             ("REFORM_AREA", "thủ tục hành chính", {"area": "procedures"})),
    ]
    corpus = tmp_path / "annotated.jsonl"
    write_jsonl(docs, corpus)
    nb = helpers._execute("02-corpus-exploration.ipynb", tmp_path, monkeypatch,
                          f"CORPUS = {str(corpus)!r}\nSYNTHETIC_DOCS = 0\nOUTPUT_DIR = {str(tmp_path / 'out')!r}")
    out, images, html = helpers._outputs(nb)
    assert "Nothing to show" not in out
    assert f"entity table: {sum(len(d['entities']) for d in docs)} rows" in out
    assert "office-holder timeline: 3 offices in 2 ministries" in out
    assert images == 5  # the four plots and the timeline
    assert list((tmp_path / "out").glob("entities.*"))
    # the timeline table: each holder with the first and last dates of the documents naming them
    def table_after(heading: str) -> list[list[str]]:
        """The cells of the first HTML table shown after the markdown cell starting with ``heading``."""
        start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(heading))
        shown = next(o.data["text/html"] for c in nb.cells[start:] for o in c.get("outputs", [])
                     if "<table" in o.get("data", {}).get("text/html", ""))
        rows = [re.findall(r"<td>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", shown, re.S)]
        return [r for r in rows if r]

    # ministry_id, name, title, org, first, last, mentions, documents
    assert [r[:8] for r in table_after("## 9. Office holders")] == [
        ["bnv", "Lạc Thị Vân", "Thứ trưởng", "Bộ Nội vụ", "2026-06-01", "2026-06-01", "1", "1"],
        ["btp", "Hà Văn Tùng", "Bộ trưởng", "Bộ Tư pháp", "2025-01-15", "2025-01-15", "1", "1"],
        ["btp", "Đỗ Minh Khoa", "Bộ trưởng", "Bộ Tư pháp", "2026-04-10", "2026-06-01", "2", "2"]]
    # officials by reform area: area, name, title, ministry_id, documents naming both, mentions
    assert table_after("## 10. Officials by reform area") == [
        ["apparatus", "Lạc Thị Vân", "Thứ trưởng", "bnv", "1", "1"],
        ["apparatus", "Đỗ Minh Khoa", "Bộ trưởng", "btp", "1", "1"],
        ["procedures", "Hà Văn Tùng", "Bộ trưởng", "btp", "1", "1"],
        ["procedures", "Đỗ Minh Khoa", "Bộ trưởng", "btp", "1", "1"]]
