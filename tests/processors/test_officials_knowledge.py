"""Registry facts only where the document allows them, former offices, namesakes, person ids and the
officials table (issue 14, spec ruling "OFFICIAL, former offices").

Registry people are read from models/officials_known.tsv (their terms are asserted from the table itself, so
the tests follow the data); every other name here is invented.
"""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline import Document, load
from pipeline.ids import person_id
from pipeline.resources import read_tsv


def officials(nlp, text, published, pipeline=None):
    doc = (pipeline or nlp)(Document(text=text, meta={"published": published}))
    out = [e for e in doc.to_json()["entities"] if e["label"] in ("OFFICIAL", "PERSON")]
    for e in out:
        assert text[e["start"]:e["end"]] == e["text"]
    return out


def one(nlp, text, published, name, pipeline=None):
    found = [e for e in officials(nlp, text, published, pipeline) if e["text"] == name]
    assert found, f"{name!r} not found in {text!r}"
    return found[0]


def registry_row(name, title):
    rows = [r for r in read_tsv("officials_known.tsv") if r["name"] == name and r["title"] == title]
    assert rows, f"{name} ({title}) is no longer in officials_known.tsv: pick another registry person"
    return rows[-1]


# -- terms and verified_through ---------------------------------------------------------------------

def _day(value):
    return dt.date.fromisoformat(value)


def test_registry_office_only_inside_the_term(nlp):
    row = registry_row("Nguyễn Mạnh Hùng", "Bộ trưởng")
    assert row["valid_to"], "the test needs a closed term"
    inside = (_day(row["valid_to"]) - dt.timedelta(days=30)).isoformat()
    after = (_day(row["valid_to"]) + dt.timedelta(days=60)).isoformat()
    text = "Ông Nguyễn Mạnh Hùng phát biểu tại hội nghị."
    during = one(nlp, text, inside, "Nguyễn Mạnh Hùng")
    assert during["label"] == "OFFICIAL" and during["org"] == row["org"]
    assert during["resolved"] == "registry"
    later = one(nlp, text, after, "Nguyễn Mạnh Hùng")
    assert later["label"] == "PERSON"   # the term ended: no office from the registry


def test_open_term_holds_only_up_to_verified_through(nlp):
    from pipeline.resources import manifest
    through = _day(manifest()["officials_known.tsv"]["verified_through"])
    row = registry_row("Vũ Hải Quân", "Bộ trưởng")
    assert not row["valid_to"]
    text = "Ông Vũ Hải Quân phát biểu tại hội nghị."
    before = one(nlp, text, (through - dt.timedelta(days=10)).isoformat(), "Vũ Hải Quân")
    assert before["label"] == "OFFICIAL" and before["org"] == row["org"]
    beyond = one(nlp, text, (through + dt.timedelta(days=200)).isoformat(), "Vũ Hải Quân")
    assert beyond["label"] == "PERSON"


# -- namesakes ---------------------------------------------------------------------------------------

def test_namesake_with_another_office_respectively(nlp):
    # two names and two offices after "được bầu giữ chức": each gets its own, the registry minister none
    text = ("HĐND tỉnh Tây Ninh khóa XI, ông Nguyễn Mạnh Hùng và ông Đặng Văn Khoa tiếp tục được bầu "
            "giữ chức Chủ tịch HĐND tỉnh và Chủ tịch UBND tỉnh.")
    ents = {e["text"]: e for e in officials(nlp, text, "2026-03-30")}
    hung, khoa = ents["Nguyễn Mạnh Hùng"], ents["Đặng Văn Khoa"]
    assert (hung["title"], hung["org"], hung.get("unit")) == ("Chủ tịch", None, "Hội đồng nhân dân tỉnh")
    assert (khoa["title"], khoa["org"], khoa.get("unit")) == ("Chủ tịch", None, "Ủy ban nhân dân tỉnh")
    assert "resolved" not in hung
    minister = one(nlp, "Bộ trưởng Nguyễn Mạnh Hùng phát biểu.", "2025-06-01", "Nguyễn Mạnh Hùng")
    assert minister["person_id"] != hung["person_id"]


@pytest.mark.parametrize("description", ["một nông dân ở xã Hải Lăng", "45 tuổi, trú tại xã Hải Lăng"])
def test_private_citizen_is_not_the_registry_person(nlp, description):
    text = f"Ông Nguyễn Mạnh Hùng, {description}, cho biết vụ lúa năm nay được mùa."
    ent = one(nlp, text, "2025-06-01", "Nguyễn Mạnh Hùng")
    assert ent["label"] == "PERSON"


def test_informal_address_is_a_namesake(nlp):
    ent = one(nlp, "Anh Nguyễn Mạnh Hùng bán rau ở chợ Bến Thành.", "2025-06-01", "Nguyễn Mạnh Hùng")
    assert ent["label"] == "PERSON"


def test_name_never_cut_to_a_registry_name(nlp):
    # a longer name that starts with a registry name is that longer name, without the registry's office
    text = "Ông Nguyễn Mạnh Hùng Cường phát biểu. Sau đó, Nguyễn Mạnh Hùng Cường rời hội trường."
    ents = officials(nlp, text, "2025-06-01")
    assert ents and all(e["text"] == "Nguyễn Mạnh Hùng Cường" for e in ents)
    assert all(e["label"] == "PERSON" for e in ents)


# -- former offices ----------------------------------------------------------------------------------

def test_current_office_wins_over_former(nlp):
    text = "Ông Trần Văn Bình, nguyên Bộ trưởng Bộ Tư pháp, giữ chức Bí thư Tỉnh ủy Nghệ An, phát biểu."
    ent = one(nlp, text, "2024-05-01", "Trần Văn Bình")
    assert (ent["title"], ent["org"]) == ("Bí thư", None)
    assert "former" not in ent and "Bộ trưởng" in ent["titles"]


def test_only_former_office(nlp):
    ent = one(nlp, "Ông Trần Văn Bình, nguyên Bộ trưởng Bộ Tư pháp, phát biểu tại hội nghị.", "2024-05-01",
              "Trần Văn Bình")
    assert (ent["title"], ent["org"], ent["former"]) == ("Bộ trưởng", "Bộ Tư pháp", True)
    assert ent["ministry_id"] == "btp"


# -- ids ---------------------------------------------------------------------------------------------

def test_person_id_same_across_documents_and_offices(nlp):
    a = one(nlp, "Thứ trưởng Bộ Tư pháp Hoàng Văn Khải phát biểu.", "2026-05-01", "Hoàng Văn Khải")
    b = one(nlp, "Hội nghị do ông Hoàng Văn Khải, Thứ trưởng Bộ Tư pháp, chủ trì.", "2026-06-01",
            "Hoàng Văn Khải")
    other = one(nlp, "Chủ tịch UBND tỉnh Quảng Trị Hoàng Văn Khải cho biết.", "2026-06-01", "Hoàng Văn Khải")
    assert a["person_id"] == b["person_id"] == person_id("Hoàng Văn Khải", "btp")
    assert other["person_id"] != a["person_id"]
    # a registry person keeps one id across ministries and years
    row_old = registry_row("Nguyễn Mạnh Hùng", "Bộ trưởng")
    old = one(nlp, "Bộ trưởng Bộ Thông tin và Truyền thông Nguyễn Mạnh Hùng phát biểu.", "2020-05-01",
              "Nguyễn Mạnh Hùng")
    new = one(nlp, "Bộ trưởng Nguyễn Mạnh Hùng phát biểu.", row_old["valid_from"], "Nguyễn Mạnh Hùng")
    assert old["person_id"] == new["person_id"] == person_id("Nguyễn Mạnh Hùng", "registry")


def test_ministry_id_on_ministries_and_officials(nlp):
    doc = nlp(Document(text="Bộ TT&TT và Thứ trưởng Bộ Nội vụ Lò Văn Mến họp.", meta={"published": "2020-01-02"}))
    ents = doc.to_json()["entities"]
    ids = {e["text"]: e.get("ministry_id") for e in ents}
    assert ids["Bộ TT&TT"] == "btttt" and ids["Bộ Nội vụ"] == "bnv" and ids["Lò Văn Mến"] == "bnv"


# -- the officials table -----------------------------------------------------------------------------

def _row(name, title, org, unit, first, last, scope, mentions=3):
    return {"person_id": person_id(name, scope), "name": name, "title": title, "org": org,
            "ministry_id": scope if org else None, "unit": unit, "first_seen": _day(first),
            "last_seen": _day(last), "mentions": mentions, "documents": mentions, "evidence": "d1"}


TABLE = (
    _row("Hoàng Văn Khải", "Thứ trưởng", "Bộ Tư pháp", None, "2026-05-01", "2026-05-01", "btp"),
    _row("Hoàng Văn Khải", "Thứ trưởng", None, None, "2026-05-04", "2026-05-04", ""),
    _row("Lò Văn Mến", "Chủ tịch", None, "UBND tỉnh Quảng Trị", "2026-05-01", "2026-05-01",
         "UBND tỉnh Quảng Trị"),
)


@pytest.fixture(scope="module")
def linked():
    return load(officials={"table": TABLE})


def test_table_gives_a_bare_title_its_ministry(nlp, linked):
    text = "Thứ trưởng Hoàng Văn Khải cho biết dự thảo sẽ sớm hoàn thành."
    plain = one(nlp, text, "2026-05-04", "Hoàng Văn Khải")
    assert plain["org"] is None and "resolved" not in plain
    ent = one(nlp, text, "2026-05-04", "Hoàng Văn Khải", linked)
    assert (ent["title"], ent["org"], ent["ministry_id"], ent["resolved"]) == \
        ("Thứ trưởng", "Bộ Tư pháp", "btp", "table")
    assert ent["person_id"] == TABLE[0]["person_id"]


def test_table_gives_a_bare_name_its_office(nlp, linked):
    text = "Ông Lò Văn Mến cho biết tỉnh sẽ hoàn thành việc sắp xếp bộ máy."
    assert one(nlp, text, "2026-05-10", "Lò Văn Mến")["label"] == "PERSON"
    ent = one(nlp, text, "2026-05-10", "Lò Văn Mến", linked)
    assert (ent["label"], ent["title"], ent["org"], ent["unit"], ent["resolved"]) == \
        ("OFFICIAL", "Chủ tịch", None, "UBND tỉnh Quảng Trị", "table")


def test_table_not_used_far_from_the_period_or_without_a_date(linked, nlp):
    text = "Ông Lò Văn Mến cho biết tỉnh sẽ hoàn thành việc sắp xếp bộ máy."
    assert one(nlp, text, "2029-01-01", "Lò Văn Mến", linked)["label"] == "PERSON"
    doc = linked(Document(text=text))
    assert [e["label"] for e in doc.to_json()["entities"] if e["text"] == "Lò Văn Mến"] == ["PERSON"]


def test_table_namesakes_at_once_are_ambiguous(nlp):
    rows = TABLE + (_row("Lò Văn Mến", "Giám đốc", None, "Sở Y tế tỉnh Sơn La", "2026-04-01", "2026-06-01",
                         "Sở Y tế tỉnh Sơn La"),)
    both = load(officials={"table": rows})
    ent = one(nlp, "Ông Lò Văn Mến cho biết.", "2026-05-10", "Lò Văn Mến", both)
    assert ent["label"] == "PERSON"


def test_table_does_not_override_the_document(linked, nlp):
    # the document gives another ministry: the table is not used
    ent = one(nlp, "Thứ trưởng Bộ Y tế Hoàng Văn Khải cho biết.", "2026-05-04", "Hoàng Văn Khải", linked)
    assert (ent["org"], ent.get("resolved")) == ("Bộ Y tế", None)


def test_unknown_officials_option_is_refused():
    with pytest.raises(ValueError, match="unknown option"):
        load(officials={"tabel": TABLE})


def test_office_held_together_with_a_former_one_is_former(nlp):
    text = ("Ông thăm trung tướng Đặng Văn Khoa, nguyên Ủy viên Trung ương Đảng, nguyên Phó Chủ tịch Quốc hội "
            "kiêm Chủ nhiệm Ủy ban Quốc phòng và An ninh.")
    ent = one(nlp, text, "2026-01-01", "Đặng Văn Khoa")
    assert ent["former"] is True and "Chủ nhiệm" in ent["titles"]
    now = one(nlp, "Ông Đặng Văn Khoa, Phó Chủ tịch Quốc hội kiêm Chủ nhiệm Ủy ban Quốc phòng và An ninh, "
                   "phát biểu.", "2026-01-01", "Đặng Văn Khoa")
    assert now["title"] == "Phó Chủ tịch Quốc hội" and "former" not in now


# -- what the audit of the RSS 2026 items found (issue 14) ---------------------------------------------

def test_table_never_overrides_the_documents_own_description(nlp, linked):
    role = one(nlp, "Ông Lò Văn Mến, Chủ tịch HĐQT Công ty cổ phần Sông Đà, cho biết.", "2026-05-10",
               "Lò Văn Mến", linked)
    assert role["label"] == "PERSON" and "resolved" not in role
    former = one(nlp, "Cựu Chủ tịch HĐQT Công ty Sông Đà Lò Văn Mến bị khởi tố.", "2026-05-10", "Lò Văn Mến",
                 linked)
    assert "resolved" not in former


def test_table_still_used_beside_a_role_outside_the_state(nlp, linked):
    # an official who also chairs an association keeps the office the table knows
    text = "Thứ trưởng Hoàng Văn Khải được bầu làm Chủ tịch Hội Luật gia khóa mới."
    ent = one(nlp, text, "2026-05-04", "Hoàng Văn Khải", linked)
    assert (ent["title"], ent["org"], ent.get("resolved")) == ("Thứ trưởng", "Bộ Tư pháp", "table")


def test_table_row_resting_on_the_document_itself_is_not_used(nlp):
    row = dict(_row("Lò Văn Mến", "Chủ tịch", None, "UBND tỉnh Quảng Trị", "2026-05-01", "2026-05-01",
                    "UBND tỉnh Quảng Trị", mentions=1), evidence="doc-a", documents=1)
    own = load(officials={"table": (row,)})
    text = "Ông Lò Văn Mến cho biết tỉnh sẽ hoàn thành việc sắp xếp bộ máy."
    same = own(Document(text=text, id="doc-a", meta={"published": "2026-05-01"}))
    other = own(Document(text=text, id="doc-b", meta={"published": "2026-05-01"}))
    assert [e.label for e in same.entities if e.text == "Lò Văn Mến"] == ["PERSON"]
    assert [e.attrs.get("resolved") for e in other.entities if e.text == "Lò Văn Mến"] == ["table"]


def test_a_later_holder_ends_a_single_holder_office(nlp):
    rows = (_row("Ngô Văn Tám", "Chủ tịch", None, "UBND Quảng Trị", "2026-01-05", "2026-03-01", "UBND Quảng Trị"),
            _row("Đinh Thị Lụa", "Chủ tịch", None, "UBND Quảng Trị", "2026-04-01", "2026-06-01", "UBND Quảng Trị"))
    table = load(officials={"table": rows})
    text = "Ông Ngô Văn Tám cho biết tỉnh sẽ hoàn thành việc sắp xếp bộ máy."
    assert one(nlp, text, "2026-03-20", "Ngô Văn Tám", table)["resolved"] == "table"
    assert one(nlp, text, "2026-06-20", "Ngô Văn Tám", table)["label"] == "PERSON"
    # an office of several holders (a deputy minister) is not ended by another holder
    deputies = (_row("Ngô Văn Tám", "Thứ trưởng", "Bộ Tư pháp", None, "2026-01-05", "2026-03-01", "btp"),
                _row("Đinh Thị Lụa", "Thứ trưởng", "Bộ Tư pháp", None, "2026-04-01", "2026-06-01", "btp"))
    table = load(officials={"table": deputies})
    assert one(nlp, "Thứ trưởng Ngô Văn Tám cho biết.", "2026-06-20", "Ngô Văn Tám", table)["org"] == "Bộ Tư pháp"


def test_registry_row_of_another_ministry_is_not_that_person(nlp):
    row = registry_row("Nguyễn Mạnh Hùng", "Bộ trưởng")   # the science minister's term
    inside = (_day(row["valid_to"]) - dt.timedelta(days=30)).isoformat()
    ent = one(nlp, "Bộ trưởng Bộ Công Thương Nguyễn Mạnh Hùng phát biểu.", inside, "Nguyễn Mạnh Hùng")
    assert ent["org"] == "Bộ Công Thương" and "resolved" not in ent
    assert ent["person_id"] != person_id("Nguyễn Mạnh Hùng", "registry")


def test_registry_alias_has_the_full_names_id(nlp):
    full = one(nlp, "Tổng thống Mỹ Donald Trump phát biểu.", "2025-06-01", "Donald Trump")
    short = one(nlp, "Ông Trump phát biểu tại Nhà Trắng.", "2025-06-01", "Trump")
    assert full["person_id"] == short["person_id"] == person_id("Donald Trump", "registry")


def test_unit_written_one_way(nlp):
    a = one(nlp, "Chủ tịch UBND TP.HCM Lò Văn Mến cho biết.", "2026-05-01", "Lò Văn Mến")
    b = one(nlp, "Chủ tịch UBND thành phố Hồ Chí Minh Lò Văn Mến cho biết.", "2026-06-01", "Lò Văn Mến")
    assert a["unit"] == b["unit"] == "Ủy ban nhân dân Hồ Chí Minh" and a["person_id"] == b["person_id"]
    # abbreviations written out, case ignored in the id
    d = one(nlp, "Chủ tịch Ủy ban Nhân dân TP Hồ Chí Minh Lò Văn Mến cho biết.", "2026-06-01", "Lò Văn Mến")
    assert d["person_id"] == a["person_id"]
    c = one(nlp, "Ông Lò Văn Mến, Phó trưởng Đoàn đại biểu Quốc hội TP.HCM khóa XV, phát biểu.", "2026-06-01",
            "Lò Văn Mến")
    assert c["unit"] == "đại biểu Quốc hội Hồ Chí Minh"


def test_offices_without_a_body_keep_namesakes_apart(nlp):
    a = one(nlp, "Phó Thủ tướng Nguyễn Văn Mến phát biểu.", "2026-06-01", "Nguyễn Văn Mến")
    b = one(nlp, "Bí thư thứ nhất Trung ương Đoàn Nguyễn Văn Mến phát biểu.", "2026-06-01", "Nguyễn Văn Mến")
    assert a["person_id"] != b["person_id"]
