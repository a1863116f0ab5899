"""The 2026 cases of issue 14 on the real RSS items that show them (skipped without ../shared).

The items are read from ../shared at test time by id; nothing of their text is kept in the project.
"""
from __future__ import annotations

import json

import pytest

from pipeline import Document

NEWS = "data/vi_news/rss_tintuchangngay_2025-08_2026-08.jsonl"
ITEMS = {
    # a provincial council's chairman who shares a name with the 2025-2026 science minister
    "tay_ninh": "rss-fea6db6006e314ed86bb980744f57d66",
    # a 2026 minister named with his title only
    "minister": "rss-e6add1c4d0faa1337a7543f51d805170",
    # "thành phố Đồng Nai", a city from 30.4.2026
    "dong_nai": "rss-5e93f0616622709432b173a0d8e5a685",
    # "phường Trần Văn Thời", adopted by the provincial council, to replace a commune
    "ward": "rss-138a79568d8c14998f0d2d3a8123f405",
}


@pytest.fixture(scope="module")
def items(shared):
    wanted = set(ITEMS.values())
    found = {}
    with (shared / NEWS).open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in wanted:
                found[row["id"]] = row
    assert set(found) == wanted, f"items missing from {NEWS}: {wanted - set(found)}"
    return found


def annotate(nlp, row):
    doc = nlp(Document(text=f"{row['title']}\n\n{row['text']}", meta={"published": row["published"]},
                       id=row["id"]))
    return doc.to_json()["entities"]


def test_namesake_council_chairman_is_not_the_minister(nlp, items):
    ents = [e for e in annotate(nlp, items[ITEMS["tay_ninh"]]) if e["text"] == "Nguyễn Mạnh Hùng"]
    assert ents
    for e in ents:
        assert (e["label"], e["title"], e["org"]) == ("OFFICIAL", "Chủ tịch", None)
        assert "Hội đồng nhân dân" in e["unit"] and "resolved" not in e


def test_new_minister_named_with_title_only(nlp, items):
    ents = [e for e in annotate(nlp, items[ITEMS["minister"]]) if e["text"] == "Vũ Hải Quân"]
    assert ents
    for e in ents:
        assert (e["title"], e["org"], e["ministry_id"]) == ("Bộ trưởng", "Bộ Khoa học và Công nghệ", "bkhcn")


def test_dong_nai_city_after_30_april_2026(nlp, items):
    row = items[ITEMS["dong_nai"]]
    assert row["published"] >= "2026-04-30"
    places = [e for e in annotate(nlp, row) if e["label"] == "PLACE" and "Đồng Nai" in e["text"]]
    assert any(e["text"].lower() == "thành phố đồng nai" for e in places)
    for e in places:
        assert e["canonical"]["name"] == "Thành phố Đồng Nai"


def test_council_approved_ward_is_a_place(nlp, items):
    wards = [e for e in annotate(nlp, items[ITEMS["ward"]])
             if e["label"] == "PLACE" and e["text"].lower() == "phường trần văn thời"]
    assert wards
    for e in wards:
        assert e["canonical"]["unit"] == "Xã Trần Văn Thời" and e["canonical"]["status"] == "council_approved"
