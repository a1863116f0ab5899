"""The registries' evidence files: every fact taken from the news cites an item that exists, with its date,
and a quote that the item really contains; every registry row dated inside the news's time span (or marked
verified) has evidence.

The sources files sit beside their tables in models/ (officials_known.sources.tsv, ministries.sources.tsv,
places_2026.sources.tsv). The check against the news itself needs ../shared and skips without it.
"""
import json

import pytest

from pipeline import resources
from pipeline.resources import read_jsonl, read_tsv

NEWS = "data/vi_news/rss_tintuchangngay_2025-08_2026-08.jsonl"
NEWS_FROM = "2025-08-01"      # the news's first month: a registry date from then on can only come from it
SOURCES = ("officials_known.sources.tsv", "ministries.sources.tsv", "places_2026.sources.tsv")
CHANGES = {"added", "valid_to", "confirmed"}


def officials_key(row):
    return (row["name"], row["title"], row["org"], row["valid_from"])


@pytest.fixture(scope="module")
def news(shared):
    path = shared / NEWS
    if not path.exists():
        pytest.skip(f"{path} is absent")
    with path.open(encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f)}


@pytest.mark.parametrize("name", SOURCES)
def test_sources_file_is_listed_and_well_formed(name):
    assert name in resources.manifest()
    rows = read_tsv(name)
    assert rows, f"{name} has no rows"
    for n, row in enumerate(rows, 2):
        where = f"{name} row {n}"
        assert row["change"] in CHANGES, f"{where}: unknown change {row['change']!r}"
        assert row["id"].startswith("rss-") and row["published"][:2] == "20", where
        assert 0 < len(row["quote"]) <= 200, f"{where}: a quote is 1 to 200 characters"


@pytest.mark.parametrize("name", SOURCES)
def test_every_cited_item_exists_with_its_date_and_quote(name, news):
    for n, row in enumerate(read_tsv(name), 2):
        where = f"{name} row {n} ({row['id']})"
        item = news.get(row["id"])
        assert item is not None, f"{where}: no such news item"
        assert item["published"] == row["published"], f"{where}: the item is dated {item['published']}"
        assert row["quote"] in item["title"] or row["quote"] in item["text"], \
            f"{where}: the quote is not in the item's title or text"


def test_every_officials_source_names_a_registry_row():
    rows = {officials_key(r): r for r in read_tsv("officials_known.tsv")}
    for n, src in enumerate(read_tsv("officials_known.sources.tsv"), 2):
        key = officials_key(src)
        assert key in rows, f"officials_known.sources.tsv row {n}: no registry row {key}"
        if src["change"] == "valid_to":
            assert rows[key]["valid_to"], f"row {n}: {key} cites an end date but has none"


def test_every_changed_or_news_dated_officials_row_has_evidence():
    cited: dict[tuple, set[str]] = {}
    for src in read_tsv("officials_known.sources.tsv"):
        cited.setdefault(officials_key(src), set()).add(src["id"])
    for row in read_tsv("officials_known.tsv"):
        key = officials_key(row)
        verified = row["verified"]
        assert verified == "unverified" or verified.startswith("rss-"), f"{key}: verified={verified!r}"
        if verified != "unverified":
            assert verified in cited.get(key, ()), f"{key}: verified by {verified}, which it does not cite"
        in_news_span = any(d >= NEWS_FROM for d in (row["valid_from"], row["valid_to"]) if d)
        if in_news_span:
            assert cited.get(key), f"{key}: a date inside the news's span without evidence"
            assert verified != "unverified", f"{key}: has evidence but is marked unverified"


def test_every_ministry_in_force_is_confirmed_for_2026():
    in_force = {r["id"] for r in read_jsonl("ministries.jsonl") if r["valid_to"] is None}
    cited = {}
    for src in read_tsv("ministries.sources.tsv"):
        cited.setdefault(src["ministry"], []).append(src)
    assert set(cited) - {"*"} <= in_force | {r["id"] for r in read_jsonl("ministries.jsonl")}
    for mid in sorted(in_force):
        rows = cited.get(mid)
        assert rows, f"ministry {mid}: no 2026 evidence"
        assert all(r["published"] >= "2026-01-01" for r in rows), f"ministry {mid}: evidence older than 2026"
    assert cited.get("*"), "the structure of the Government as a whole needs evidence"


def test_every_2026_place_row_has_evidence_and_a_known_predecessor():
    sources = {}
    for src in read_tsv("places_2026.sources.tsv"):
        sources.setdefault(src["full"], []).append(src)
    current = {(r["level"], r["code"]): r["full"] for r in read_tsv("places_admin.tsv") if r["era"] == "current"}
    for row in read_tsv("places_2026.tsv"):
        full = row["full"]
        assert sources.get(full), f"places_2026.tsv: {full} has no evidence"
        assert row["status"] in {"in_force", "council_approved"}, f"{full}: status {row['status']!r}"
        assert bool(row["valid_from"]) == (row["status"] == "in_force"), \
            f"{full}: an in-force unit has a valid_from, an approved one not yet"
        assert current.get((row["replaces_level"], row["replaces_code"])) == row["replaces"], \
            f"{full}: replaces {row['replaces']!r}, which is not {row['replaces_code']} in places_admin.tsv"
    assert set(sources) <= {r["full"] for r in read_tsv("places_2026.tsv")}
