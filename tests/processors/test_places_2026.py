"""The 2026 unit changes of models/places_2026.tsv in the places stage, applied by the document's date.

Sentences are invented. The data: Thành phố Đồng Nai replaces Tỉnh Đồng Nai (code 75) from 2026-04-30
(in_force); Phường Trần Văn Thời (for Xã Trần Văn Thời, 32095, Cà Mau) and Phường Lộc Ninh (for Xã Lộc
Ninh, 25270) are adopted by provincial councils only (council_approved).
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt

import pytest

from pipeline import load
from pipeline.document import Document
from pipeline.lexicons.places import PlaceLexicon, gazetteer
from pipeline.processors.places import PlaceTagger
from pipeline.resources import read_tsv

CITY = "Thành phố Đồng Nai"
OLD = "Tỉnh Đồng Nai"
DONG_NAI = ("Sáng nay, lãnh đạo thành phố Đồng Nai làm việc với TP Đồng Nai và TP. Đồng Nai về dự án; "
            "nhiều doanh nghiệp ở Đồng Nai và cán bộ tỉnh Đồng Nai cũ cùng dự. Biên Hòa cũng có mặt.")
WARD = "Người dân phường Trần Văn Thời và phường Lộc Ninh chờ quyết định; xã Trần Văn Thời vẫn làm việc."
OTHER = "Đoàn công tác từ Hà Nội đến tỉnh Quảng Ninh rồi về xã Tân Mỹ, tỉnh Đồng Tháp."


@pytest.fixture(scope="module")
def tagger() -> PlaceTagger:
    return PlaceTagger()


@pytest.fixture(scope="module")
def tagger_2025() -> PlaceTagger:
    """The stage without the 2026 changes: the behaviour before places_2026.tsv was read."""
    return PlaceTagger(changes_file=None)


def run(tagger: PlaceTagger, text: str, published: str | None = None) -> list[tuple]:
    doc = Document(text, id="t", meta={"published": published} if published else {})
    tagger(doc)
    doc.validate()
    for e in doc.entities:
        assert text[e.start:e.end] == e.text
    return [(e.start, e.end, e.text, e.attrs.get("canonical")) for e in doc.entities if e.label == "PLACE"]


def by_text(rows: list[tuple]) -> dict[str, dict | None]:
    return {text: canon for _, _, text, canon in rows}


# -- Thành phố Đồng Nai (in force from 2026-04-30) ------------------------------------------------
def test_dong_nai_city_from_valid_from(tagger):
    got = by_text(run(tagger, DONG_NAI, "2026-05-12"))
    for form in ("thành phố Đồng Nai", "TP Đồng Nai", "TP. Đồng Nai", "Đồng Nai", "tỉnh Đồng Nai"):
        canon = got[form]
        assert canon == {"level": "province", "unit": CITY, "name": CITY, "code": "75",
                         "pre2025": {"name": OLD, "code": "75"}}, form
    # what lies in it is in the city too; the unit itself keeps its name
    assert got["Biên Hòa"]["name"] == CITY and got["Biên Hòa"]["unit"] == "Thành phố Biên Hòa"


def test_dong_nai_on_the_day_itself(tagger):
    assert by_text(run(tagger, DONG_NAI, "2026-04-30"))["Đồng Nai"]["unit"] == CITY


@pytest.mark.parametrize("published", ["2026-04-29", "2025-09-01", None])
def test_dong_nai_before_valid_from_or_undated_is_the_2025_gazetteer(tagger, tagger_2025, published):
    got = run(tagger, DONG_NAI, published)  # the text itself has no date
    assert got == run(tagger_2025, DONG_NAI, published)
    assert by_text(got)["thành phố Đồng Nai"]["unit"] == OLD
    assert by_text(got)["TP. Đồng Nai"]["name"] == OLD


def test_undated_document_uses_a_full_date_in_its_text(tagger):
    # no meta.published: the latest full date in the text is the document's date
    after = by_text(run(tagger, "Ngày 15/6/2026, lãnh đạo thành phố Đồng Nai họp."))
    before = by_text(run(tagger, "Ngày 15/3/2026, lãnh đạo thành phố Đồng Nai họp."))
    assert after["thành phố Đồng Nai"]["unit"] == CITY
    assert before["thành phố Đồng Nai"]["unit"] == OLD


def test_a_year_alone_counts_only_when_the_whole_year_is_after():
    lex = gazetteer()
    day = dt.date(2026, 4, 30)
    assert lex.change_days == (day,)
    assert lex.epoch(None) == 0
    assert lex.epoch(dt.date(2026, 4, 29)) == 0 and lex.epoch(day) == 1
    assert lex.epoch(dt.date(2026, 7, 1), "year") == 0   # "năm 2026": before or after, unknown
    assert lex.epoch(dt.date(2027, 7, 1), "year") == 1


def test_dong_nai_in_the_whole_pipeline_offsets_intact():
    nlp = load()
    text = "Chiều 20/5, Chủ tịch UBND thành phố Đồng Nai tiếp đoàn công tác của tỉnh Cà Mau."
    doc = nlp({"id": "p1", "text": text, "meta": {"published": "2026-05-20"}})
    out = doc.to_json()
    places = [e for e in out["entities"] if e["label"] == "PLACE"]
    assert [(e["text"], e["canonical"]["name"]) for e in places] == [
        ("thành phố Đồng Nai", CITY), ("tỉnh Cà Mau", "Tỉnh Cà Mau")]
    for e in out["entities"]:
        assert out["text"][e["start"]:e["end"]] == e["text"]
    assert [p["level"] for p in doc.layers["places"]] == ["province", "province"]


# -- wards adopted by a provincial council only -------------------------------------------------
@pytest.mark.parametrize("published", ["2026-06-20", "2025-10-01", None])
def test_council_approved_ward_is_a_place_of_the_unit_it_will_replace(tagger, published):
    got = by_text(run(tagger, WARD, published))
    assert got["phường Trần Văn Thời"] == {
        "level": "commune", "unit": "Xã Trần Văn Thời", "name": "Tỉnh Cà Mau", "code": "96",
        "pre2025": {"name": "Tỉnh Cà Mau", "code": "96"},
        "status": "council_approved", "proposed": "Phường Trần Văn Thời"}
    assert got["xã Trần Văn Thời"]["unit"] == "Xã Trần Văn Thời" and "status" not in got["xã Trần Văn Thời"]
    loc_ninh = got["phường Lộc Ninh"]
    assert (loc_ninh["unit"], loc_ninh["code"], loc_ninh["status"]) == ("Xã Lộc Ninh", "75", "council_approved")
    # the province the ward lies in is the one at the document's date
    assert loc_ninh["name"] == (CITY if published == "2026-06-20" else OLD)


def test_council_approved_ward_was_not_a_place_before(tagger_2025):
    assert "phường Trần Văn Thời" not in by_text(run(tagger_2025, WARD, "2026-06-20"))


def test_ward_with_abbreviation(tagger):
    got = by_text(run(tagger, "Trụ sở P.Trần Văn Thời mới dự kiến đặt gần chợ.", "2026-06-20"))
    assert got["P.Trần Văn Thời"]["status"] == "council_approved"


# -- everything else is unchanged ----------------------------------------------------------------
@pytest.mark.parametrize("published", ["2026-06-20", "2026-01-05", None])
def test_units_not_in_places_2026_are_unchanged(tagger, tagger_2025, published):
    got = run(tagger, OTHER, published)
    assert got == run(tagger_2025, OTHER, published)
    assert {t for _, _, t, _ in got} >= {"Hà Nội", "tỉnh Quảng Ninh", "tỉnh Đồng Tháp"}


def test_dated_canonicals_are_fresh_dicts(tagger):
    first = by_text(run(tagger, DONG_NAI, "2026-05-12"))["Đồng Nai"]
    first["pre2025"]["name"] = "changed"
    first["unit"] = "changed"
    again = by_text(run(tagger, DONG_NAI, "2026-05-12"))["Đồng Nai"]
    assert again["unit"] == CITY and again["pre2025"]["name"] == OLD


def test_threads_share_the_stage(tagger):
    jobs = [(DONG_NAI, "2026-05-12"), (DONG_NAI, "2026-04-01"), (WARD, None)] * 20
    with cf.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda j: run(tagger, *j), jobs))
    assert results == [run(tagger, *j) for j in jobs]


# -- the file and its loader ----------------------------------------------------------------------
def test_every_row_is_loaded():
    lex = gazetteer()
    rows = read_tsv("places_2026.tsv")
    assert len(lex.in_force) == sum(r["status"] == "in_force" for r in rows)
    assert {(k, t) for k, t in lex.upcoming} == {("Trần Văn Thời", "phuong"), ("Lộc Ninh", "phuong")}


HEADER = ("level\ttype\tname\tfull\tprovince\tstatus\tvalid_from\treplaces_level\treplaces_code\treplaces\n")


def lexicon_with(tmp_path, *rows: str) -> PlaceLexicon:
    path = tmp_path / "changes.tsv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return PlaceLexicon.load(changes_file=str(path))


@pytest.mark.parametrize("row, message", [
    ("commune\tPhường\tTrần Văn Thời\tPhường Trần Văn Thời\tTỉnh Cà Mau\tcouncil_approved\t\tcommune\t32096\t"
     "Xã Trần Văn Thời", "not a current unit"),
    ("commune\tPhường\tTrần Văn Thời\tPhường Trần Văn Thời\tTỉnh Cà Mau\tadopted\t\tcommune\t32095\t"
     "Xã Trần Văn Thời", "status 'adopted'"),
    ("commune\tPhường\tTrần Văn Thời\tPhường Trần Văn Thời\tTỉnh Cà Mau\tin_force\t30.4.2026\tcommune\t32095\t"
     "Xã Trần Văn Thời", "needs valid_from"),
    ("commune\tKhóm\tTrần Văn Thời\tKhóm Trần Văn Thời\tTỉnh Cà Mau\tcouncil_approved\t\tcommune\t32095\t"
     "Xã Trần Văn Thời", "not an administrative word"),
], ids=["unknown-code", "unknown-status", "bad-valid-from", "not-an-admin-word"])
def test_a_wrong_row_is_a_clear_error(tmp_path, row, message):
    with pytest.raises(ValueError, match=message) as info:
        lexicon_with(tmp_path, row)
    assert "changes.tsv: row 2" in str(info.value)


def test_an_in_force_ward_becomes_the_new_unit_on_its_date(tmp_path):
    lex = lexicon_with(tmp_path, "commune\tPhường\tTrần Văn Thời\tPhường Trần Văn Thời\tTỉnh Cà Mau\t"
                                 "in_force\t2026-09-01\tcommune\t32095\tXã Trần Văn Thời")
    before = lex.canonical("Trần Văn Thời", "phuong", lex.epoch(dt.date(2026, 8, 31)))
    after = lex.canonical("Trần Văn Thời", "phuong", lex.epoch(dt.date(2026, 9, 1)))
    old_word_after = lex.canonical("Trần Văn Thời", "xa", lex.epoch(dt.date(2026, 9, 1)))
    assert (before["unit"], before["status"], before["valid_from"]) == ("Xã Trần Văn Thời", "in_force",
                                                                        "2026-09-01")
    assert after == old_word_after == {"level": "commune", "unit": "Phường Trần Văn Thời", "name": "Tỉnh Cà Mau",
                                       "code": "96", "pre2025": {"name": "Tỉnh Cà Mau", "code": "96"}}
    assert lex.canonical("Trần Văn Thời", "xa", 0)["unit"] == "Xã Trần Văn Thời"


def test_no_changes_file_means_no_dates():
    lex = PlaceLexicon.load(changes_file=None)
    assert lex.change_days == () and not lex.upcoming
    assert PlaceTagger(changes_file=None).epoch(Document("x", meta={"published": "2026-06-01"})) == 0
