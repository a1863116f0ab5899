"""The command line: inputs of every kind, bad documents reported, exit codes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--stages", "normalize,sentences,tokens", "--quiet"]


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_jsonl_with_bad_lines_keeps_the_good_documents(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "Bộ Nội vụ họp.", "meta": {}}, ensure_ascii=False).encode(),
        b'{"id": "broken", "text": "no closing brace"',
        json.dumps({"id": "no-text", "meta": {}}).encode(),
        b'{"id": "bad-bytes", "text": "\xff\xfe"}',
        json.dumps({"id": "empty", "text": ""}).encode(),
        b"",
        json.dumps({"id": "b", "text": "Hải Phòng"}, ensure_ascii=False).encode(),
        b'["not", "an", "object"]',
        json.dumps({"id": "num-text", "text": 5}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    status = main(["annotate", str(src), "--out", str(out), *FAST])
    assert status != 0
    docs = read_jsonl(out)
    assert [d["id"] for d in docs] == ["a", "empty", "b"]
    empty = docs[1]
    assert empty["text"] == "" and empty["sentences"] == [] and empty["tokens"] == [] and empty["entities"] == []
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["line"], e["id"]) for e in errors] == [(2, "broken"), (3, "no-text"), (4, "bad-bytes"),
                                                     (8, None), (9, "num-text")]
    reasons = " ".join(e["reason"] for e in errors)
    assert "not valid JSON" in reasons and "no text" in reasons and "undecodable" in reasons
    assert all(e["file"] == str(src) for e in errors)
    err = capsys.readouterr().err
    assert "in.jsonl:2" in err and "'no-text'" in err


def test_directory_and_txt_inputs(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "one.txt").write_text("Tiêu đề\n\nNội dung.", encoding="utf-8")
    (tmp_path / "docs" / "sub" / "two.txt").write_text("Hai.", encoding="utf-8")
    (tmp_path / "docs" / "bad.txt").write_bytes(b"caf\xe9")
    out = tmp_path / "out.jsonl"
    status = main(["annotate", str(tmp_path / "docs"), "--out", str(out), *FAST])
    assert status == 1
    assert [d["id"] for d in read_jsonl(out)] == ["one", "sub/two"]
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert errors[0]["id"] == "bad" and "undecodable" in errors[0]["reason"]


def test_clean_run_exits_zero_and_removes_stale_error_report(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Văn bản.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.errors.jsonl").write_text("old\n")
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    assert not (tmp_path / "out.errors.jsonl").exists()
    assert read_jsonl(out)[0]["id"] == "a"


def test_missing_input_is_reported(tmp_path):
    # beside inputs that exist (a missing sole input writes nothing: tests/cli/test_exit_status.py)
    (tmp_path / "a.txt").write_text("Văn bản.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(tmp_path / "nope.txt"), str(tmp_path / "a.txt"), "--out", str(out), *FAST]) == 1
    assert "no such file" in read_jsonl(tmp_path / "out.errors.jsonl")[0]["reason"]
    assert [d["id"] for d in read_jsonl(out)] == ["a"]


def test_bad_stage_list_is_a_usage_error(tmp_path, capsys):
    assert main(["annotate", "-", "--out", str(tmp_path / "o.jsonl"), "--stages", "tokens"]) == 2
    assert "requires sentences" in capsys.readouterr().err


def run_module(args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=300)


def test_stdin_text_and_jsonl_to_stdout():
    proc = run_module(["annotate", "-", "--out", "-", *FAST], "Hà Nội, ngày 30/7.".encode())
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["id"] == "stdin" and doc["text"] == "Hà Nội, ngày 30/7."
    jsonl = b'{"id": "x", "text": "M\xe1\xbb\x99t."}\n{"id": "y", "text": "Hai."}\n'
    proc = run_module(["annotate", "-", "--out", "-", *FAST], jsonl)
    assert [json.loads(l)["id"] for l in proc.stdout.splitlines()] == ["x", "y"]


def test_validate_command_finds_broken_offsets(tmp_path):
    good = {"id": "d", "text": "Hải Phòng", "meta": {}, "sentences": [{"start": 0, "end": 9}], "tokens": [],
            "entities": [{"label": "PLACE", "start": 0, "end": 9, "text": "Hải Phòng"}]}
    bad = json.loads(json.dumps(good))
    bad["id"] = "bad"
    bad["entities"][0]["end"] = 3
    missing = {"id": "m", "text": "x"}
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in (good, bad, missing)) + "\n",
                    encoding="utf-8")
    proc = run_module(["validate", str(path)])
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert any(":2:" in l and "'bad'" in l and "text[0:3]" in l for l in lines)
    assert any(":3:" in l and "sentences" in l for l in lines)
    assert not any(":1:" in l for l in lines)


def test_annotate_output_passes_validate(tmp_path):
    out = tmp_path / "corpus.jsonl"
    assert main(["annotate", str(ROOT / "corpus"), "--out", str(out), "--quiet"]) == 0
    proc = run_module(["validate", str(out)])
    assert proc.returncode == 0, proc.stdout


def test_a_bad_published_date_is_a_warning_and_the_document_is_written(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "d1", "text": "Hôm qua Bộ Nội vụ họp.", "meta": {"published": "yesterday"}})
                   + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "d1"
    err = capsys.readouterr().err
    assert "warning: document d1" in err and "yesterday" in err
