"""Label Studio: task shape, labeling config, round trips, imports of what Label Studio exports."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from sample_docs import TEXT_A, at

from pipeline.formats.labelstudio import (from_labelstudio, labelstudio_config, labelstudio_task, read_labelstudio,
                                          write_labelstudio)
from pipeline.formats.record import reform_areas
from pipeline.schema import validate_record


def test_labelstudio_task_shape(records):
    task = labelstudio_task(records[0])
    assert task["data"]["text"] == TEXT_A and task["data"]["doc_id"] == "a/1"
    (ann,) = task["annotations"]
    regions = [r for r in ann["result"] if r["type"] == "labels"]
    assert len(regions) == len(records[0]["entities"])
    for r in regions:
        v = r["value"]
        assert TEXT_A[v["start"]:v["end"]] == v["text"] and len(v["labels"]) == 1
    by_name = {}
    for r in ann["result"]:
        by_name.setdefault((r["id"], r["from_name"]), r)
    official = next(r for r in regions if r["value"]["labels"] == ["OFFICIAL"])
    assert by_name[(official["id"], "title")]["value"]["text"] == ["Bộ trưởng"]
    assert by_name[(official["id"], "org")]["value"]["text"] == ["Bộ Tư pháp"]
    place = next(r for r in regions if r["value"]["labels"] == ["PLACE"])
    assert json.loads(by_name[(place["id"], "attrs")]["value"]["text"][0]) == {
        "canonical": {"name": "Tỉnh Nghệ An", "code": "40"}}


def test_labelstudio_config_matches_the_tasks(tmp_path, records):
    path = tmp_path / "tasks.json"
    n, config_path = write_labelstudio(records, path)
    assert n == 3 and config_path == tmp_path / "labelstudio_config.xml"
    root = ET.fromstring(config_path.read_text(encoding="utf-8"))
    tags = {el.get("name"): el for el in root.iter() if el.get("name")}
    labels = {el.get("value") for el in tags["label"].iter("Label")}
    assert {"MINISTRY", "OFFICIAL", "DATE", "PLACE", "REFORM_AREA", "ORG"} <= labels
    assert {el.get("value") for el in tags["area"].iter("Choice")} == set(reform_areas())
    assert tags["text"].tag == "Text" and tags["text"].get("value") == "$text"
    assert 'value="LAW"' in labelstudio_config(["LAW"]) and 'value="LAW"' not in labelstudio_config()
    tasks = json.loads(path.read_text(encoding="utf-8"))
    for task in tasks:
        for r in task["annotations"][0]["result"]:
            assert r["from_name"] in tags and r["to_name"] == "text"
            assert tags[r["from_name"]].get("toName") == "text"
            if r["type"] == "labels":
                assert set(r["value"]["labels"]) <= labels
            else:
                assert tags[r["from_name"]].get("perRegion") == "true"


def test_labelstudio_round_trip(tmp_path, records):
    path = tmp_path / "tasks.json"
    write_labelstudio(records, path)
    back = list(read_labelstudio(path))
    assert back == records
    assert validate_record(back[0]) == []


def _as_exported_by_labelstudio(task: dict, n: int) -> dict:
    """What Label Studio's JSON export adds around a task it imported with annotations."""
    ann = task["annotations"][0]
    return {"id": 100 + n, "data": task["data"], "predictions": [],
            "annotations": [{"id": 7, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                             "created_at": "2024-05-01T10:00:00.000000Z",
                             "updated_at": "2024-05-02T10:00:00.000000Z", "lead_time": 12.5,
                             "result": [dict(r, origin="manual") for r in ann["result"]]}],
            "meta": {}, "created_at": "2024-05-01T09:00:00.000000Z", "project": 3}


def test_labelstudio_import_of_corrected_annotations(records):
    task = _as_exported_by_labelstudio(labelstudio_task(records[0]), 0)
    result = task["annotations"][0]["result"]
    ministry_id = next(r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["MINISTRY"])
    # the annotator deletes the MINISTRY region (all its results go), fixes a title, adds a PLACE
    result[:] = [r for r in result if r["id"] != ministry_id]
    official_id = next(r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["OFFICIAL"])
    for r in result:
        if r["id"] == official_id and r["from_name"] == "title":
            r["value"]["text"] = ["Bộ trưởng", "Ủy viên Trung ương Đảng"]
    s, e = at(TEXT_A, "Nghệ An")
    result.append({"id": "Xy12AbC", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s, "end": e, "text": "Nghệ An", "labels": ["PLACE"]}})
    # an older, cancelled annotation must not be used
    task["annotations"].insert(0, {"id": 6, "was_cancelled": True, "result": [],
                                   "updated_at": "2024-06-01T00:00:00Z"})
    (rec,) = from_labelstudio([task])
    labels = [(e["label"], e["text"]) for e in rec["entities"]]
    assert ("MINISTRY", "Bộ Tư pháp") not in labels and ("PLACE", "Nghệ An") in labels
    official = next(e for e in rec["entities"] if e["label"] == "OFFICIAL" and e["text"] == "Lê Thành Long")
    assert official["title"] == ["Bộ trưởng", "Ủy viên Trung ương Đảng"] and official["org"] == "Bộ Tư pháp"
    assert rec["id"] == "a/1" and rec["tokens"] == records[0]["tokens"]
    assert validate_record(rec) == []


def test_labelstudio_utf16_offsets_min_format_and_problems():
    text = "🙂🙂 Bộ Nội vụ họp."
    s, e = at(text, "Bộ Nội vụ")
    # offsets counted in UTF-16 code units, as JavaScript counts them
    task = {"data": {"text": text}, "annotations": [{"result": [
        {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": s + 2, "end": e + 2, "text": "Bộ Nội vụ", "labels": ["MINISTRY"]}},
        {"id": "r1", "from_name": "canonical", "to_name": "text", "type": "textarea",
         "value": {"start": s + 2, "end": e + 2, "text": ["Bộ Nội vụ"]}}]}]}
    (rec,) = from_labelstudio([task])
    assert rec["entities"] == [{"label": "MINISTRY", "start": s, "end": e, "text": "Bộ Nội vụ",
                                "canonical": "Bộ Nội vụ"}]
    minimal = {"id": 5, "text": text, "label": [{"start": s, "end": e, "text": "Bộ Nội vụ", "labels": ["ORG"]}]}
    (rec,) = from_labelstudio([minimal])
    assert rec["id"] == "5" and [x["label"] for x in rec["entities"]] == ["ORG"]
    errors = []
    broken = {"data": {"text": text}, "annotations": [{"result": [
        {"id": "r1", "from_name": "label", "type": "labels",
         "value": {"start": 0, "end": 3, "text": "không có", "labels": ["DATE"]}},
        {"id": "r2", "from_name": "label", "type": "labels",
         "value": {"start": s, "end": e, "text": "Bộ Nội vụ", "labels": ["MINISTRY"]}},
        {"id": "r2", "from_name": "attrs", "type": "textarea", "value": {"start": s, "end": e, "text": ["{oops"]}}]}]}
    unlabelled = {"data": {"text": "x"}, "annotations": []}
    got = list(from_labelstudio([broken, unlabelled, {"data": {}}], on_error=errors.append))
    assert len(got) == 1 and [x["label"] for x in got[0]["entities"]] == ["MINISTRY"]
    assert len(errors) == 4
    assert any("not found" in e.reason for e in errors) and any("no annotation" in e.reason for e in errors)



# -- hostile exports: every bad item is reported, every good document imported ---------------------
_TEXT = "Bộ Nội vụ họp tại Hà Nội."


def _region(rid, labels, start=0, end=9, text="Bộ Nội vụ"):
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": labels}}


def _task(result, doc_id="t"):
    return {"data": {"text": _TEXT, "doc_id": doc_id}, "annotations": [{"result": result}]}


def test_labelstudio_a_single_string_is_one_label_and_one_entry():
    result = [_region("r1", "MINISTRY"),
              {"id": "r1", "from_name": "canonical", "to_name": "text", "type": "textarea",
               "value": {"start": 0, "end": 9, "text": "Bộ Nội vụ"}},
              {"id": "r2", "from_name": "label", "type": "labels",
               "value": {"start": 18, "end": 24, "text": "Hà Nội", "labels": ["PLACE"]}},
              {"id": "r2", "from_name": "area", "type": "choices",
               "value": {"start": 18, "end": 24, "choices": "general"}}]
    errors = []
    (rec,) = from_labelstudio([_task(result)], on_error=errors.append)
    assert errors == []
    assert [(e["label"], e["text"], e.get("canonical"), e.get("area")) for e in rec["entities"]] == [
        ("MINISTRY", "Bộ Nội vụ", "Bộ Nội vụ", None), ("PLACE", "Hà Nội", None, "general")]


def test_labelstudio_bad_regions_and_tasks_are_errors_and_the_rest_is_imported():
    good = _region("ok", ["PLACE"], 18, 24, "Hà Nội")
    tasks = [
        _task([_region("r1", [1, None]), good], "labels-not-names"),
        _task([_region("r1", {"MINISTRY": 1}), good], "labels-an-object"),
        _task([5, {"id": "r1", "type": "labels", "value": "MINISTRY"}, good], "results-not-objects"),
        _task([{"id": "ok", "from_name": "canonical", "type": "textarea", "value": {"start": 18, "end": 24,
                                                                                    "text": 7}}, good], "textarea"),
        _task([_region("r1", ["MINISTRY"]),
               {"id": "r1", "from_name": "attrs", "type": "textarea",
                "value": {"start": 0, "end": 9, "text": ['{"start": 99, "end": 100, "canonical": "X"}']}}],
              "attrs-move-the-span"),
        {"data": {"text": _TEXT, "doc_id": "result-5"}, "annotations": [{"result": 5}]},
        {"data": {"text": _TEXT, "doc_id": "annotations-5"}, "annotations": 5},
        _task([good], "fine"),
    ]
    errors = []
    got = {r["id"]: r for r in from_labelstudio(tasks, on_error=errors.append)}
    assert set(got) == {"labels-not-names", "labels-an-object", "results-not-objects", "textarea",
                        "attrs-move-the-span", "fine"}
    for doc_id in ("labels-not-names", "labels-an-object", "results-not-objects", "textarea", "fine"):
        assert [(e["label"], e["text"]) for e in got[doc_id]["entities"]] == [("PLACE", "Hà Nội")], doc_id
    (moved,) = got["attrs-move-the-span"]["entities"]
    assert (moved["start"], moved["end"], moved["canonical"]) == (0, 9, "X")
    assert sorted({e.id for e in errors}) == sorted(set(got) - {"fine"} | {"result-5", "annotations-5"})
    assert all(validate_record(r) == [] for r in got.values())


@pytest.mark.parametrize("content", ["null", "42", '"tasks"', "[" * 100000 + "]" * 100000,
                                     '[{"data": {"text": "x"}, "annotations": [', b"\xff\xfe[]"],
                         ids=["null", "number", "string", "deep", "broken-list", "not-utf8"])
def test_read_labelstudio_unreadable_files_are_one_error(tmp_path, content):
    path = tmp_path / "export.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    errors = []
    assert list(read_labelstudio(path, on_error=errors.append)) == []
    assert len(errors) == 1 and errors[0].file == str(path)
    with pytest.raises(ValueError):
        list(read_labelstudio(path))


def test_read_labelstudio_jsonl_a_bad_line_does_not_stop_the_import(tmp_path):
    good = _task([_region("r1", ["MINISTRY"])])
    lines = [json.dumps(dict(good, data={**good["data"], "doc_id": "a"}), ensure_ascii=False), "{not json",
             "[" * 100000, "null",
             json.dumps(dict(good, data={**good["data"], "doc_id": "b"}), ensure_ascii=False)]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = []
    assert [r["id"] for r in read_labelstudio(path, on_error=errors.append)] == ["a", "b"]
    assert [e.line for e in errors] == [2, 3, 4]


def test_import_command_counts_bad_tasks_and_writes_the_good_ones(tmp_path, capsys):
    from pipeline.cli.main import main
    path = tmp_path / "export.json"
    path.write_text(json.dumps([_task([_region("r1", "MINISTRY")], "a"), 42,
                                _task([_region("r1", [None])], "b")], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    assert main(["import", "labelstudio", str(path), "--out", str(out)]) == 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], [e["label"] for e in r["entities"]]) for r in recs] == [("a", ["MINISTRY"]), ("b", [])]
    assert "2 errors" in capsys.readouterr().err


def test_labelstudio_layers_that_break_offsets_are_left_out_with_an_error():
    task = _task([_region("r1", ["MINISTRY"]), _region("r2", ["PLACE"], 18, 24, "Hà Nội")])
    task["annotations"][0]["result"].append({"id": "r3", "from_name": ["label"], "type": "labels",
                                             "value": {"start": 0, "end": 2, "labels": ["X"]}})
    task["data"]["vnextract"] = {"sentences": [{"start": True, "end": 25}], "tokens": [{"start": 0, "end": 2}],
                                 "paragraphs": "x", "places": [{"start": 18, "end": 24, "text": "Huế"}]}
    errors = []
    (rec,) = from_labelstudio([task], on_error=errors.append)
    assert rec["sentences"] == [] and rec["tokens"] == [{"start": 0, "end": 2}]
    assert "paragraphs" not in rec and "places" not in rec
    assert [e["label"] for e in rec["entities"]] == ["MINISTRY", "PLACE"]
    assert len(errors) == 4 and validate_record(rec) == []
