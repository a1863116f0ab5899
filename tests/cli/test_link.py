"""``vnextract officials``, ``annotate --officials TABLE`` and ``annotate --link`` on a corpus with invented names."""
import json
from pathlib import Path

import pytest

import pipeline.base
from pipeline.cli.main import main
from pipeline.knowledge.officials import COLUMNS, read_table
from pipeline.processors.officials import OfficialTagger

# Invented people: a vice-minister named with his ministry, then without it three days later; a provincial
# chairman named with his office, then as "Ông" alone.
DOCS = [
    {"id": "A", "text": "Thứ trưởng Bộ Tư pháp Hoàng Văn Khải phát biểu tại hội nghị triển khai cải cách thủ tục "
                        "hành chính. Ông Khải đề nghị các địa phương đẩy nhanh tiến độ.",
     "meta": {"published": "2026-05-01"}},
    {"id": "C", "text": "Chủ tịch UBND tỉnh Quảng Trị Lò Văn Mến chủ trì cuộc họp về chuyển đổi số.",
     "meta": {"published": "2026-05-02"}},
    {"id": "B", "text": "Thứ trưởng Hoàng Văn Khải cho biết năm nay sẽ cắt giảm thêm nhiều thủ tục.",
     "meta": {"published": "2026-05-04"}},
    {"id": "D", "text": "Ông Lò Văn Mến cho biết tỉnh sẽ tiếp tục cải cách hành chính.",
     "meta": {"published": "2026-05-05"}},
    {"id": "E", "text": "Một văn bản không có ngày đăng.", "meta": {}},
]


def write_corpus(path: Path, docs=DOCS) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def records(path: Path) -> dict:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def mentions(record: dict, name: str) -> list[dict]:
    return [e for e in record["entities"] if e["label"] in ("OFFICIAL", "PERSON") and e["text"] == name]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    """The corpus annotated once (no table), for the ``officials`` command."""
    tmp = tmp_path_factory.mktemp("annotated")
    src = write_corpus(tmp / "corpus.jsonl")
    out = tmp / "out" / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--quiet"]) == 0
    return out


# -- vnextract officials -------------------------------------------------------------------------------------------
def test_officials_builds_the_table_of_explicit_mentions(annotated, tmp_path, capsys):
    out = tmp_path / "officials.csv"
    assert main(["officials", str(annotated), "--out", str(out)]) == 0
    rows = read_table(out)
    explicit = {(r["name"], r["title"], r["org"]) for r in rows}
    assert ("Hoàng Văn Khải", "Thứ trưởng", "Bộ Tư pháp") in explicit
    assert ("Lò Văn Mến", "Chủ tịch", None) in explicit
    khai = next(r for r in rows if r["org"] == "Bộ Tư pháp")
    assert (khai["first_seen"].isoformat(), khai["evidence"], khai["mentions"]) == ("2026-05-01", "A", 2)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    err = capsys.readouterr().err
    people = len({r["person_id"] for r in rows})
    assert f"5 documents read, 1 without a date (not counted), {len(rows)} rows, {people} people" in err


def test_officials_reads_directories_and_parquet_output(annotated, tmp_path):
    pytest.importorskip("pyarrow")
    # annotated Parquet output, and a directory holding JSONL output and its (skipped) error report
    parquet = tmp_path / "out.parquet"
    assert main(["annotate", str(annotated.parent.parent / "corpus.jsonl"), "--out", str(parquet), "--quiet"]) == 0
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "part.jsonl").write_bytes(annotated.read_bytes())
    (folder / "part.errors.jsonl").write_text('{"file": "x", "line": 1, "id": "z", "reason": "bad"}\n')
    tables = []
    for source in (annotated, parquet, folder):
        table = tmp_path / f"{source.name}.parquet"
        assert main(["officials", str(source), "--out", str(table), "--quiet"]) == 0
        tables.append(read_table(table))
    assert tables[0] == tables[1] == tables[2] and tables[0]


def test_officials_reports_bad_records_and_still_writes_the_table(annotated, tmp_path, capsys):
    src = tmp_path / "mixed.jsonl"
    lines = annotated.read_text(encoding="utf-8").splitlines()
    src.write_text("\n".join([lines[0], '{"id": "x", "text": "raw, not annotated"}', "{broken", lines[1]]) + "\n",
                   encoding="utf-8")
    out = tmp_path / "t.csv"
    assert main(["officials", str(src), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{src}:2: document 'x': the record has no entities: not output of vnextract annotate" in err
    assert f"{src}:3: not valid JSON" in err
    assert "2 documents read" in err and "2 errors" in err
    assert read_table(out)


def test_officials_writes_nothing_when_nothing_could_be_read(tmp_path, capsys):
    raw = write_corpus(tmp_path / "raw.jsonl")
    out = tmp_path / "t.csv"
    assert main(["officials", str(raw), str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'missing.jsonl'}: no such file or directory" in err
    assert "not output of vnextract annotate" in err and "was not written" in err
    assert not out.exists()


def test_officials_refuses_a_bad_out(annotated, tmp_path, capsys):
    assert main(["officials", str(annotated), "--out", str(tmp_path / "t.xlsx")]) == 2
    assert ".csv or .parquet" in capsys.readouterr().err
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "out.parquet"
    assert main(["annotate", str(annotated.parent.parent / "corpus.jsonl"), "--out", str(parquet), "--quiet"]) == 0
    before = parquet.read_bytes()
    assert main(["officials", str(parquet), "--out", str(parquet)]) == 2
    assert "is the input" in capsys.readouterr().err
    assert parquet.read_bytes() == before


# -- annotate --officials TABLE ------------------------------------------------------------------------------------
def test_a_bad_officials_table_is_refused_before_anything_is_written(tmp_path, capsys):
    src = write_corpus(tmp_path / "corpus.jsonl")
    table = tmp_path / "t.csv"
    table.write_text(",".join(COLUMNS) + "\np-1,Hoàng Văn Khải,Thứ trưởng,,,,2026-05-01,someday,1,1,A\n",
                     encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--officials", str(table), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"bad --officials table: officials table {table}: row 1 (line 2), column last_seen: 'someday'" in err
    assert not out.exists()
    assert main(["annotate", str(src), "--out", str(out), "--officials", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err
    assert main(["annotate", str(src), "--out", str(out), "--officials", str(table),
                 "--stages", "normalize,sentences"]) == 2
    assert "--officials needs the officials stage" in capsys.readouterr().err
    assert not out.exists()


class TableSpy(OfficialTagger):
    """The officials stage, telling in each document which table rows its configuration gave it."""

    def __call__(self, doc):
        super().__call__(doc)
        table = self.config.get("table")
        rows = read_table(table) if isinstance(table, str) else table
        doc.layers["table_spy"] = None if rows is None else [r["person_id"] for r in rows]
        return doc


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_table_reaches_the_officials_stage_of_every_worker(tmp_path, monkeypatch, workers):
    monkeypatch.setitem(pipeline.base._REGISTRY, "officials", TableSpy)  # forked workers inherit it
    src = write_corpus(tmp_path / "corpus.jsonl")
    table = tmp_path / "t.csv"
    table.write_text(",".join(COLUMNS) + "\np-1,Hoàng Văn Khải,Thứ trưởng,Bộ Tư pháp,btp,,2026-05-01,2026-05-01,"
                     "1,1,A\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--officials", str(table), "--workers", workers,
                 "--quiet"]) == 0
    assert {r["table_spy"] == ["p-1"] for r in records(out).values()} == {True}
    run = json.loads((tmp_path / "out.run.json").read_text())
    assert run["config"]["officials"]["table"] == str(table.resolve()) and len(run["config"]["officials"]["sha256"]) == 64
    # --resume refuses a table that changed since
    table.write_text(table.read_text(encoding="utf-8").replace(",1,1,A", ",2,1,A"), encoding="utf-8")
    assert main(["annotate", str(src), "--out", str(out), "--officials", str(table), "--resume", "--quiet"]) == 2


# -- annotate --link -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, message", [
    (["--officials", "t.csv"], "--link builds its own officials table"),
    (["--stages", "normalize,sentences,tokens"], "--link needs the officials stage"),
])
def test_link_refuses_options_that_do_not_go_with_it(tmp_path, capsys, extra, message):
    src = write_corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--link", *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_link_refuses_standard_input_and_output(tmp_path, capsys):
    src = write_corpus(tmp_path / "corpus.jsonl")
    assert main(["annotate", str(src), "--out", "-", "--link"]) == 2
    assert "not standard output" in capsys.readouterr().err
    assert main(["annotate", "-", "--out", str(tmp_path / "o.jsonl"), "--link"]) == 2
    assert "standard input can be read only once" in capsys.readouterr().err
    # the table's path must not be an input either
    table_named = write_corpus(tmp_path / "x.officials.csv")
    assert main(["annotate", str(table_named), "--out", str(tmp_path / "x.jsonl"), "--link"]) == 2
    assert "which is the input" in capsys.readouterr().err


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """The corpus annotated with --link by one worker."""
    tmp = tmp_path_factory.mktemp("linked")
    src = write_corpus(tmp / "corpus.jsonl")
    out = tmp / "one" / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--link", "--workers", "1", "--quiet"]) == 0
    return src, out


def test_link_writes_the_table_beside_the_output_and_leaves_nothing_else(linked, capsys):
    src, out = linked
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.jsonl", "out.officials.csv", "out.run.json"]
    rows = read_table(out.parent / "out.officials.csv")
    assert ("Hoàng Văn Khải", "Thứ trưởng", "Bộ Tư pháp") in {(r["name"], r["title"], r["org"]) for r in rows}
    # the table is the one vnextract officials builds from the first pass's output
    plain = out.parent.parent / "plain.jsonl"
    assert main(["annotate", str(src), "--out", str(plain), "--quiet"]) == 0
    assert main(["officials", str(plain), "--out", str(out.parent.parent / "plain.csv"), "--quiet"]) == 0
    assert (out.parent.parent / "plain.csv").read_bytes() == (out.parent / "out.officials.csv").read_bytes()


def test_link_says_which_pass_is_running(tmp_path, capsys):
    src = write_corpus(tmp_path / "corpus.jsonl")
    assert main(["annotate", str(src), "--out", str(tmp_path / "o.jsonl"), "--link"]) == 0
    err = capsys.readouterr().err
    assert "pass 1/2 (collect): 5 documents annotated, 1 without a date; officials table:" in err
    assert f"-> {tmp_path / 'o.officials.csv'}" in err
    assert "pass 2/2 (resolve): 5 documents annotated, 0 errors" in err


def test_link_resolves_bare_mentions_from_the_corpus(linked):
    _, out = linked
    docs = records(out)
    # "Thứ trưởng Hoàng Văn Khải" three days after "Thứ trưởng Bộ Tư pháp Hoàng Văn Khải": his ministry
    (khai,) = mentions(docs["B"], "Hoàng Văn Khải")
    assert (khai["label"], khai["title"], khai["org"], khai.get("resolved")) == \
        ("OFFICIAL", "Thứ trưởng", "Bộ Tư pháp", "table")
    (first,) = mentions(docs["A"], "Hoàng Văn Khải")
    assert khai["person_id"] == first["person_id"]
    # "Ông Lò Văn Mến" after "Chủ tịch UBND tỉnh Quảng Trị Lò Văn Mến": his office
    (men,) = mentions(docs["D"], "Lò Văn Mến")
    assert (men["label"], men["title"], men.get("resolved")) == ("OFFICIAL", "Chủ tịch", "table")
    (chair,) = mentions(docs["C"], "Lò Văn Mến")
    assert men["person_id"] == chair["person_id"]


@pytest.mark.parametrize("engine", [["--workers", "2"], ["--engine", "dask", "--workers", "2"]],
                         ids=["2-workers", "dask"])
def test_link_output_does_not_depend_on_the_workers(linked, tmp_path, engine):
    if "dask" in engine:
        pytest.importorskip("distributed")
    src, one = linked
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--link", "--quiet", "--partition-size", "2",
                 *engine]) == 0
    assert out.read_bytes() == one.read_bytes()
    assert (tmp_path / "out.officials.csv").read_bytes() == (one.parent / "out.officials.csv").read_bytes()


def test_link_resume_reuses_the_table_of_the_run_it_finishes(linked, tmp_path, capsys):
    src, one = linked
    out = tmp_path / "out.jsonl"
    table = tmp_path / "out.officials.csv"
    # a table left by another run is not taken for this run's
    table.write_text(",".join(COLUMNS) + "\np-1,Ai Đó,Bộ trưởng,Bộ Tư pháp,btp,,2026-01-01,2026-12-31,1,1,Z\n",
                     encoding="utf-8")
    assert main(["annotate", str(src), "--out", str(out), "--link", "--quiet"]) == 0
    assert table.read_bytes() == (one.parent / "out.officials.csv").read_bytes()
    # a run killed in pass 2: the output holds its first two documents
    full = out.read_bytes()
    out.write_bytes(b"".join(full.splitlines(keepends=True)[:2]))
    assert main(["annotate", str(src), "--out", str(out), "--link", "--resume"]) == 0
    err = capsys.readouterr().err
    assert f"reusing {table}" in err and "2 already done" in err
    assert out.read_bytes() == full
    # a table that went missing is built again
    out.write_bytes(b"".join(full.splitlines(keepends=True)[:3]))
    table.unlink()
    assert main(["annotate", str(src), "--out", str(out), "--link", "--resume", "--quiet"]) == 0
    assert out.read_bytes() == full and table.read_bytes() == (one.parent / "out.officials.csv").read_bytes()
    # resuming with other options than the run that made the output is refused, as for any run
    assert main(["annotate", str(src), "--out", str(out), "--resume", "--quiet"]) == 2


def test_link_stopped_in_pass_one_says_so_and_a_rerun_finishes(tmp_path, monkeypatch, capsys):
    from pipeline.knowledge.officials import TableBuilder
    src = write_corpus(tmp_path / "corpus.jsonl")
    out = tmp_path / "out.jsonl"

    def interrupted(self, record):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(TableBuilder, "add", interrupted)
        assert main(["annotate", str(src), "--out", str(out), "--link", "--quiet"]) == 130
    assert "interrupted in pass 1 of --link" in capsys.readouterr().err
    assert not (tmp_path / "out.officials.csv").exists()
    # the lock was released: the same command runs to the end
    assert main(["annotate", str(src), "--out", str(out), "--link", "--resume", "--quiet"]) == 0
    assert sorted(records(out)) == ["A", "B", "C", "D", "E"]
