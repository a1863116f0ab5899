"""``vnextract validate``: the schema, the offset checks of every layer, and files it cannot read."""
from __future__ import annotations

import copy
import json

import pytest

from pipeline.cli.main import main
from pipeline.schema import validate_file, validate_record

TEXT = "Bộ Nội vụ họp tại Hà Nội.\n\nBộ Nội vụ họp tại Hà Nội."


def _record() -> dict:
    """A valid annotated record with every layer the default stages write."""
    return {
        "id": "d", "text": TEXT, "meta": {"published": "2020-07-30"},
        "sentences": [{"start": 0, "end": 25}, {"start": 27, "end": 52}],
        "tokens": [{"start": 0, "end": 2, "pos": "N"}],
        "entities": [{"label": "MINISTRY", "start": 0, "end": 9, "text": "Bộ Nội vụ", "canonical": "Bộ Nội vụ"},
                     {"label": "PLACE", "start": 18, "end": 24, "text": "Hà Nội"}],
        "paragraphs": [{"start": 0, "end": 25}, {"start": 27, "end": 52, "duplicate_of": 0}],
        "places": [{"start": 18, "end": 24, "text": "Hà Nội", "level": "province"}],
        "ministries": [{"start": 0, "end": 9, "text": "Bộ Nội vụ", "canonical": "Bộ Nội vụ", "id": "moha"}],
        "dates": [], "reform_areas": [],
        "abbreviations": [{"short": "Hà Nội", "long": "Bộ Nội vụ", "start": 18, "end": 24,
                           "long_start": 0, "long_end": 9}],
        "officials": [{"name": "X", "label": "OFFICIAL", "mentions": [[18, 24]]}],
    }


def test_the_sample_record_is_valid():
    assert validate_record(_record()) == []


@pytest.mark.parametrize("where", ["entities", "sentences", "tokens", "paragraphs", "places"])
def test_float_offsets_are_a_problem_not_a_crash(where):
    rec = _record()
    rec[where][0]["start"] = 0.0
    problems = validate_record(rec)
    assert problems and all(isinstance(p, str) for p in problems)
    assert any(p.startswith(f"{where}/0") and "integer" in p for p in problems), problems


@pytest.mark.parametrize("value", [True, "0", None, [0]])
def test_other_non_integer_offsets_are_problems(value):
    rec = _record()
    rec["entities"][0]["end"] = value
    assert validate_record(rec)


@pytest.mark.parametrize("layer", ["places", "ministries"])
def test_extra_layer_spans_and_texts_are_checked(layer):
    rec = _record()
    rec[layer][0]["text"] = "Hải Phòng"
    assert any(p.startswith(f"{layer}/0") and "does not match" in p for p in validate_record(rec))
    rec = _record()
    rec[layer][0]["end"] = 999
    assert any(p.startswith(f"{layer}/0") and "outside text" in p for p in validate_record(rec))


def test_dates_reform_areas_and_unknown_layers_are_checked():
    rec = _record()
    rec["dates"] = [{"start": 0, "end": 2, "text": "xx", "value": "2020"}]
    rec["reform_areas"] = [{"start": 40, "end": 90, "text": "cải cách", "area": "general"}]
    rec["my_layer"] = [{"start": 3, "end": 1}, "not a span", {"no": "offsets"}]
    problems = validate_record(rec)
    assert any(p.startswith("dates/0") and "does not match" in p for p in problems)
    assert any(p.startswith("reform_areas/0") for p in problems)
    assert any(p.startswith("my_layer/0") for p in problems)
    assert not any(p.startswith("my_layer/1") or p.startswith("my_layer/2") for p in problems)


def test_abbreviation_forms_and_official_mentions_are_checked():
    rec = _record()
    rec["abbreviations"][0]["short"] = "HN"
    rec["abbreviations"][0]["long_end"] = 8
    rec["officials"][0]["mentions"] = [[18, 24], [30, 200]]
    problems = validate_record(rec)
    assert any(p.startswith("abbreviations/0:") and "does not match" in p for p in problems)
    assert any(p.startswith("abbreviations/0/long:") for p in problems)
    assert any(p.startswith("officials/0/mentions/1:") for p in problems)


@pytest.mark.parametrize("dup, why", [(1, "earlier"), (5, "earlier"), (-1, "earlier"), ("0", "integer")])
def test_duplicate_of_must_name_an_earlier_paragraph(dup, why):
    rec = _record()
    rec["paragraphs"][1]["duplicate_of"] = dup
    problems = validate_record(rec)
    assert problems
    assert any(p.startswith("paragraphs/1") and (why in p or "minimum" in p) for p in problems), problems


def test_duplicate_of_must_have_the_same_text():
    rec = _record()
    rec["text"] = TEXT.replace("Hà Nội.", "Huế.....", 1)
    rec["entities"] = rec["entities"][:1]
    for layer in ("places", "abbreviations", "officials"):
        rec[layer] = []
    assert any("another text" in p for p in validate_record(rec))


def test_published_must_be_a_real_date():
    rec = _record()
    rec["meta"]["published"] = "2020-13-45"
    assert any(p.startswith("meta/published") for p in validate_record(rec))
    rec["meta"]["published"] = None
    assert validate_record(rec) == []


@pytest.mark.parametrize("record", [None, 42, "text", [], {"text": 5}, {"entities": "x"}])
def test_any_json_value_gives_problems_not_a_crash(record):
    problems = validate_record(record)
    assert problems and all(isinstance(p, str) for p in problems)


def test_missing_file_and_directory_are_one_problem_each(tmp_path):
    missing = tmp_path / "nope.jsonl"
    assert [p for p in validate_file(str(missing))] == [f"{missing}: cannot read: No such file or directory"]
    (problem,) = list(validate_file(str(tmp_path)))
    assert problem.startswith(f"{tmp_path}: cannot read")


def test_validate_command_reports_unreadable_files_and_goes_on(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    floats = copy.deepcopy(_record())
    floats["entities"][0]["start"] = 0.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(floats, ensure_ascii=False) + "\n" + "[" * 100000 + "\n", encoding="utf-8")
    assert main(["validate", str(tmp_path / "nope.jsonl"), str(tmp_path), str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any("nope.jsonl: cannot read" in line for line in out)
    assert any(line.startswith(f"{bad}:1: document 'd': entities/0") for line in out)
    assert any(line.startswith(f"{bad}:2: not valid JSON") for line in out)
    assert not any(line.startswith(str(good)) for line in out)
