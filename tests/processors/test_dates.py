"""Tests of the DATE tagger (pipeline/processors/dates/).

The table tests/data/dates_table.tsv holds date expressions written for these tests,
each with its publication date and expected TIMEX3-style value, and negatives
(document numbers, scores, money, percentages, phone numbers, versions).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.processors.dates import DateTagger, find_dates

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "tests" / "data" / "dates_table.tsv"
SHARED = ROOT.parent / "shared"


def _rows():
    rows = []
    with TABLE.open(encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    for n, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        row = dict(zip(header, cells))
        row["published"] = None if row["published"] == "-" else row["published"]
        row["value"] = None if row["value"] == "None" else row["value"]
        row["line"] = n
        rows.append(row)
    return rows


ROWS = _rows()
POSITIVE = [r for r in ROWS if r["kind"] == "pos"]
NEGATIVE = [r for r in ROWS if r["kind"] == "neg"]


def _found(text, published):
    return [(text[s:e], v) for s, e, v in find_dates(text, published)]


def test_table_is_large_enough():
    assert len(POSITIVE) >= 150
    assert len(NEGATIVE) >= 25
    assert any(r["published"] is None for r in POSITIVE)


@pytest.mark.parametrize("row", POSITIVE, ids=lambda r: f"{r['line']}:{r['span']}")
def test_date_expression(row):
    found = _found(row["text"], row["published"])
    assert (row["span"], row["value"]) in found, f"found {found}"


@pytest.mark.parametrize("row", NEGATIVE, ids=lambda r: f"{r['line']}:{r['span']}")
def test_not_a_date(row):
    text = row["text"]
    start = text.index(row["span"])
    end = start + len(row["span"])
    hits = [(text[s:e], v) for s, e, v in find_dates(text, row["published"]) if s < end and e > start]
    assert hits == []


def test_offsets_and_order():
    text = "Sáng 30/7, hội nghị tổng kết giai đoạn 2011-2020. Thời gian tới, Bộ sẽ làm tốt hơn."
    found = find_dates(text, "2020-07-30")
    assert [text[s:e] for s, e, _ in found] == ["Sáng 30/7", "giai đoạn 2011-2020", "Thời gian tới"]
    assert all(0 <= s < e <= len(text) for s, e, _ in found)
    assert [s for s, _, _ in found] == sorted(s for s, _, _ in found)


def test_unknown_publication_date_never_guesses_a_year():
    text = "Công điện ngày 2/2/2017 được ban hành. Ngày 8/2, Bộ trưởng họp. Hôm nay, đoàn đến."
    found = dict(_found(text, None))
    assert found["ngày 2/2/2017"] == "2017-02-02"
    assert found["Ngày 8/2"] == "XXXX-02-08"
    assert found["Hôm nay"] is None


def test_bad_publication_date_is_treated_as_unknown():
    assert _found("Ngày 8/2, Bộ trưởng họp.", "not a date") == [("Ngày 8/2", "XXXX-02-08")]


def test_invalid_calendar_dates_are_rejected():
    assert _found("Hạn chót là ngày 31/2.", "2020-01-10") == []
    assert _found("Hạn chót là ngày 32/1.", "2020-01-10") == []


def test_tagger_adds_entities_and_layer():
    doc = Document("Sáng nay (30/7), hội nghị diễn ra tại Hải Phòng.", id="t1",
                   meta={"published": "2020-07-30"})
    tagger = DateTagger()
    assert tagger.name == "dates" and tagger.requires == frozenset() and "dates" in tagger.provides
    tagger(doc)
    ents = doc.entities_of("DATE")
    assert [(e.text, e.attrs["value"]) for e in ents] == [("Sáng nay", "2020-07-30TMO"),
                                                           ("30/7", "2020-07-30")]
    assert all(doc.text[e.start:e.end] == e.text for e in ents)
    assert [d["text"] for d in doc.layers["dates"]] == ["Sáng nay", "30/7"]
    doc.validate()


def test_empty_and_dateless_texts():
    assert find_dates("", None) == []
    assert find_dates("Bộ Nội vụ công bố chỉ số cải cách hành chính.", "2020-07-30") == []


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "gold" / "dev.jsonl").is_file(), reason="../shared not present")
def test_dev_gold_dates(tmp_path):
    gold = SHARED / "gold" / "dev.jsonl"
    scorer = SHARED / "tools" / "score.py"
    pred = tmp_path / "pred.jsonl"
    tagger = DateTagger()
    with gold.open(encoding="utf-8") as f, pred.open("w", encoding="utf-8") as out:
        for line in f:
            rec = json.loads(line)
            doc = tagger(Document.from_dict(rec))
            out.write(json.dumps({"id": doc.id, "text": doc.text,
                                  "entities": [e.to_json() for e in doc.sorted_entities()]},
                                 ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--labels", "DATE", "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(res.stdout)
    assert result["labels"]["DATE"]["f1"] >= 0.95
    assert result["attributes"]["DATE.value"]["acc"] >= 0.95
