"""The corpus officials table: which mentions make rows, the rows' values, their order, the file formats."""
import datetime as dt
import random

import pytest

from pipeline.ids import person_id
from pipeline.knowledge.officials import COLUMNS, TableError, build_table, read_table, write_table


def official(name, start=0, title="Thứ trưởng", org=None, **attrs):
    ent = {"label": "OFFICIAL", "start": start, "end": start + len(name), "text": name, "title": title,
           "org": org, "source": "rules"}
    ent.update(attrs)
    return ent


def doc(doc_id, published, *entities, officials=None):
    rec = {"id": doc_id, "text": "…", "meta": {"published": published} if published is not None else {},
           "sentences": [], "tokens": [], "entities": list(entities)}
    if officials is not None:
        rec["officials"] = officials
    return rec


KHAI = person_id("Hoàng Văn Khải", "btp")


def test_only_explicit_mentions_make_rows():
    rows = build_table([
        doc("a", "2026-05-01",
            official("Hoàng Văn Khải", title="Thứ trưởng", org="Bộ Tư pháp", ministry_id="btp", person_id=KHAI),
            # resolved from the registry or a table: not the document's own word
            official("Trần Thị Hoa", 40, title="Bộ trưởng", org="Bộ Y tế", ministry_id="byt", resolved="registry",
                     person_id="p-000000000001"),
            official("Lê Văn Ba", 60, title="Chủ tịch", unit="UBND tỉnh Quảng Trị", resolved="table",
                     person_id="p-000000000002"),
            # a former office
            official("Phạm Văn Tư", 80, title="Bộ trưởng", org="Bộ Công Thương", former=True,
                     person_id="p-000000000003"),
            # no office at all
            {"label": "PERSON", "start": 100, "end": 108, "text": "Ngô Năm", "person_id": "p-000000000004"},
            official("Đỗ Sáu", 120, title=None, person_id="p-000000000005"),
            {"label": "MINISTRY", "start": 140, "end": 150, "text": "Bộ Tư pháp", "canonical": "Bộ Tư pháp"}),
    ])
    assert [(r["name"], r["title"], r["org"]) for r in rows] == [("Hoàng Văn Khải", "Thứ trưởng", "Bộ Tư pháp")]
    assert rows[0] == {"person_id": KHAI, "name": "Hoàng Văn Khải", "title": "Thứ trưởng", "org": "Bộ Tư pháp",
                       "ministry_id": "btp", "unit": None, "first_seen": dt.date(2026, 5, 1),
                       "last_seen": dt.date(2026, 5, 1), "mentions": 1, "documents": 1, "evidence": "a"}
    assert list(rows[0]) == list(COLUMNS)


def test_one_row_per_office_with_its_period_mentions_documents_and_evidence():
    k = dict(title="Thứ trưởng", org="Bộ Tư pháp", ministry_id="btp", person_id=KHAI)
    minister = dict(title="Bộ trưởng", org="Bộ Tư pháp", ministry_id="btp", person_id=KHAI)
    records = [doc(f"d{i:02d}", f"2026-0{1 + i % 5}-1{i % 10}", official("Hoàng Văn Khải", **k),
                   official("Khải", 30, **k)) for i in range(8)]
    records.append(doc("m1", "2026-09-02", official("Hoàng Văn Khải", **minister)))
    records.append(doc("m2", "2026-08-30", official("Hoàng Văn Khải", **minister)))
    rows = build_table(records)
    assert [(r["title"], r["first_seen"], r["last_seen"], r["mentions"], r["documents"]) for r in rows] == [
        ("Thứ trưởng", dt.date(2026, 1, 10), dt.date(2026, 5, 14), 16, 8),
        ("Bộ trưởng", dt.date(2026, 8, 30), dt.date(2026, 9, 2), 2, 2)]
    # up to five document ids, earliest first
    assert rows[0]["evidence"] == "d00 d05 d01 d06 d02"
    assert rows[1]["evidence"] == "m2 m1"
    # a partial mention ("Khải") does not become the row's name
    assert {r["name"] for r in rows} == {"Hoàng Văn Khải"}


def test_the_table_does_not_depend_on_the_order_of_the_documents():
    records = []
    for i in range(30):
        name = ["Hoàng Văn Khải", "Lò Văn Mến", "Vi Thị Sáu"][i % 3]
        title = ["Thứ trưởng", "Chủ tịch", "Phó Chủ tịch"][i % 3]
        scope = ["btp", "UBND tỉnh Quảng Trị", ""][i % 3]
        records.append(doc(f"x{i}", f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}",
                           official(name, title=title, person_id=person_id(name, scope),
                                    unit=scope if i % 3 == 1 else None)))
    expected = build_table(records)
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert build_table(shuffled) == expected
    keys = [(r["name"], r["person_id"], r["first_seen"], r["title"], r["org"] or "", r["unit"] or "")
            for r in expected]
    assert keys == sorted(keys)


def test_a_list_of_titles_gives_one_row_per_title():
    rows = build_table([doc("a", "2026-03-30", official("Nguyễn Văn Hùng", title=["Bí thư Tỉnh ủy", "Chủ tịch HĐND"],
                                                        unit="tỉnh Tây Ninh", person_id="p-0000000000aa"))])
    assert [(r["title"], r["unit"], r["mentions"]) for r in rows] == [
        ("Bí thư Tỉnh ủy", "tỉnh Tây Ninh", 1), ("Chủ tịch HĐND", "tỉnh Tây Ninh", 1)]


def test_documents_without_a_date_are_not_counted():
    k = dict(title="Thứ trưởng", org="Bộ Tư pháp", ministry_id="btp", person_id=KHAI)
    rows = build_table([doc("a", "2026-05-01", official("Hoàng Văn Khải", **k)),
                        doc("b", None, official("Hoàng Văn Khải", **k)),
                        doc("c", "not a date", official("Hoàng Văn Khải", **k)),
                        doc("d", "2026-05-04T08:30:00+07:00", official("Hoàng Văn Khải", **k))])
    assert [(r["first_seen"], r["last_seen"], r["documents"], r["evidence"]) for r in rows] == [
        (dt.date(2026, 5, 1), dt.date(2026, 5, 4), 2, "a d")]


def test_output_of_older_versions_gets_person_ids_as_the_stage_computes_them():
    old = [doc("a", "2026-05-01", official("Hoàng Văn Khải", title="Thứ trưởng", org="Bộ Tư pháp"),
               official("Khải", 40, title="Thứ trưởng", org="Bộ Tư pháp"),
               officials=[{"name": "Hoàng Văn Khải", "label": "OFFICIAL", "mentions": [[0, 14], [40, 44]]}]),
           doc("b", "2026-05-02", official("Lò Văn Mến", title="Chủ tịch", unit="UBND tỉnh Quảng Trị")),
           doc("c", "2026-05-03", official("Vi Thị Sáu", title="Giám đốc"))]
    rows = build_table(old)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"Hoàng Văn Khải", "Lò Văn Mến", "Vi Thị Sáu"}
    # the ministry id comes from the registry when the entity has none; the full name from the officials layer
    assert by_name["Hoàng Văn Khải"]["person_id"] == person_id("Hoàng Văn Khải", "btp")
    assert by_name["Hoàng Văn Khải"]["ministry_id"] == "btp" and by_name["Hoàng Văn Khải"]["mentions"] == 2
    assert by_name["Lò Văn Mến"]["person_id"] == person_id("Lò Văn Mến", "UBND tỉnh Quảng Trị")
    assert by_name["Vi Thị Sáu"]["person_id"] == person_id("Vi Thị Sáu", "title:Giám đốc")
    # a person_id given by the stage is kept as it is
    given = build_table([doc("a", "2026-05-01", official("Vi Thị Sáu", title="Giám đốc", person_id="p-123456789abc"))])
    assert given[0]["person_id"] == "p-123456789abc"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_and_read_back(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    rows = build_table([
        doc("a, b", "2026-05-01", official("Hoàng Văn Khải", org="Bộ Tư pháp", ministry_id="btp", person_id=KHAI)),
        doc("c", "2026-05-02", official("Lò Văn Mến", title="Chủ tịch", unit='UBND tỉnh "Quảng Trị"',
                                        person_id="p-0000000000bb"))])
    path = tmp_path / "sub" / f"officials{suffix}"
    write_table(rows, path)
    back = read_table(path)
    assert isinstance(back, tuple) and list(back) == rows
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    if suffix == ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(COLUMNS)
        assert lines[1].startswith(f"{KHAI},Hoàng Văn Khải,Thứ trưởng,Bộ Tư pháp,btp,,2026-05-01,2026-05-01,1,1,")


def test_write_refuses_other_suffixes_and_leaves_no_file(tmp_path):
    with pytest.raises(TableError, match=r"\.csv or \.parquet"):
        write_table([], tmp_path / "officials.xlsx")
    assert list(tmp_path.iterdir()) == []


def _csv(tmp_path, body, header=",".join(COLUMNS)):
    path = tmp_path / "t.csv"
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


GOOD = "p-1,Hoàng Văn Khải,Thứ trưởng,Bộ Tư pháp,btp,,2026-05-01,2026-05-04,3,2,a b\n"


def test_read_table_values(tmp_path):
    (row,) = read_table(_csv(tmp_path, GOOD))
    assert row == {"person_id": "p-1", "name": "Hoàng Văn Khải", "title": "Thứ trưởng", "org": "Bộ Tư pháp",
                   "ministry_id": "btp", "unit": None, "first_seen": dt.date(2026, 5, 1),
                   "last_seen": dt.date(2026, 5, 4), "mentions": 3, "documents": 2, "evidence": "a b"}


@pytest.mark.parametrize("body, message", [
    (GOOD + "p-2,Lò Văn Mến,Chủ tịch,,,,2026-13-01,2026-05-04,1,1,c\n", r"row 2 \(line 3\), column first_seen: '2026-13-01'"),
    (GOOD + "p-2,Lò Văn Mến,Chủ tịch,,,,2026-05-04,2026-05-01,1,1,c\n", r"row 2 \(line 3\), column last_seen: .*before"),
    ("p-2,Lò Văn Mến,,,,,2026-05-04,2026-05-04,1,1,c\n", r"row 1 \(line 2\), column title: empty"),
    ("p-2,Lò Văn Mến,Chủ tịch,,,,,2026-05-04,1,1,c\n", r"row 1 \(line 2\), column first_seen: empty"),
    ("p-2,Lò Văn Mến,Chủ tịch,,,,2026-05-04,2026-05-04,many,1,c\n", r"row 1 \(line 2\), column mentions: 'many'"),
    ("p-2,Lò Văn Mến,Chủ tịch,,,,2026-05-04,2026-05-04,1,1,c,extra\n", r"row 1 \(line 2\) has more fields"),
])
def test_read_table_names_the_file_row_and_column_of_a_bad_value(tmp_path, body, message):
    with pytest.raises(TableError, match=message) as info:
        read_table(_csv(tmp_path, body))
    assert str(tmp_path / "t.csv") in str(info.value)


def test_read_table_errors_for_the_file_itself(tmp_path):
    with pytest.raises(TableError, match="missing columns first_seen, last_seen"):
        read_table(_csv(tmp_path, "", header="person_id,name,title,org,ministry_id,unit,mentions,documents,evidence"))
    with pytest.raises(TableError, match=r"nope\.csv: no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(TableError, match=r"unknown format '\.tsv'"):
        read_table(tmp_path / "t.tsv")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(TableError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "latin.csv").write_bytes((",".join(COLUMNS) + "\nBi\xea\n").encode("latin-1"))
    with pytest.raises(TableError, match="not UTF-8"):
        read_table(tmp_path / "latin.csv")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    pytest.importorskip("pyarrow")
    with pytest.raises(TableError, match=r"bad\.parquet: cannot read Parquet"):
        read_table(tmp_path / "bad.parquet")
