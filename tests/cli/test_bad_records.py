"""One bad record is reported and the run goes on: lone surrogates, CR-only line endings, unreadable folders."""
import json
import os
from pathlib import Path

import pytest

from pipeline.cli.main import main

FAST = ["--stages", "normalize,sentences,tokens", "--tokenizer", "syllables", "--quiet"]


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


# a lone surrogate as JSON writes it: valid JSON, not valid Unicode text
SURROGATE_LINES = [
    '{"id": "ok-1", "text": "Bộ Nội vụ họp."}',
    '{"id": "in-text", "text": "Hà Nội \\ud83d ngày 30/7."}',
    '{"id": "in-meta", "text": "Hải Phòng.", "meta": {"title": "x\\ud83d"}}',
    '{"id": "bad-\\udc00-id", "text": "Đà Nẵng."}',
    '{"id": "in-meta-key", "text": "Huế.", "meta": {"k\\udfff": 1}}',
    '{"id": "in-flat-title", "text": "Cần Thơ.", "title": "\\ud800"}',
    '{"id": "ok-2", "text": "Emoji đúng \\ud83d\\ude00 vẫn được."}',
]


@pytest.mark.parametrize("stages", [FAST, ["--quiet"]], ids=["reduced-stages", "default-stages"])
def test_lone_surrogates_are_reported_and_the_rest_written(tmp_path, capsys, stages):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(SURROGATE_LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *stages]) == 1
    docs = read_jsonl(out)
    assert [d["id"] for d in docs] == ["ok-1", "ok-2"]
    assert docs[1]["text"] == "Emoji đúng 😀 vẫn được."
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 6]
    assert errors[2]["id"] == "bad-\\udc00-id"  # written escaped, so the report itself can be written
    assert all("lone surrogate" in e["reason"] for e in errors)
    assert "text holds a lone surrogate U+D83D at character 7" in errors[0]["reason"]
    assert "meta.title" in errors[1]["reason"]
    err = capsys.readouterr().err
    assert "SystemError" not in err and "Traceback" not in err
    # and --resume does not stumble on them again
    again = tmp_path / "again.jsonl"
    assert main(["annotate", str(src), "--out", str(again), *stages]) == 1
    again.write_bytes(again.read_bytes().splitlines(keepends=True)[0])  # killed after the first document
    (tmp_path / "again.errors.jsonl").unlink()
    assert main(["annotate", str(src), "--out", str(again), "--resume", *stages]) == 1
    assert again.read_bytes() == out.read_bytes()
    assert (tmp_path / "again.errors.jsonl").read_bytes() == (tmp_path / "out.errors.jsonl").read_bytes()


def test_lone_surrogate_in_a_parquet_meta(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["Một.", "Hai."], "meta": ['{"t": "\\ud83d"}', "{}"]}), src)
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 1
    assert [d["id"] for d in read_jsonl(out)] == ["b"]


def test_a_file_name_that_is_not_utf8_is_reported(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Tốt.", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "w", encoding="utf-8") as f:
        f.write("Tên tệp không phải UTF-8.")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(folder), "--out", str(out), *FAST]) == 1
    assert [d["id"] for d in read_jsonl(out)] == ["good"]
    assert "file name is not valid UTF-8" in read_jsonl(tmp_path / "out.errors.jsonl")[0]["reason"]


def test_cr_only_line_endings(tmp_path):
    records = [json.dumps({"id": f"r{i}", "text": f"Dòng {i}."}, ensure_ascii=False) for i in range(4)]
    src = tmp_path / "mac.jsonl"
    src.write_bytes(("\r".join(records[:3]) + "\r" + "not json\r" + records[3] + "\r").encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 1
    assert [d["id"] for d in read_jsonl(out)] == ["r0", "r1", "r2", "r3"]
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    assert [(e["line"], e["reason"][:14]) for e in errors] == [(4, "not valid JSON")]


def test_crlf_and_a_lone_cr_as_white_space_inside_a_record(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(b'{"id": "a", "text": "Mot."}\r\n{"id": "b",\r"text": "Hai."}\r\n{"id": "c", "text": "Ba."}\n')
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    assert [d["id"] for d in read_jsonl(out)] == ["a", "b", "c"]


def test_an_unreadable_subdirectory_is_reported(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text("Không đọc được.", encoding="utf-8")
    (folder / "a.txt").write_text("Đọc được.", encoding="utf-8")
    locked = str(folder / "locked")
    real_scandir = os.scandir

    def scandir(path="."):  # what a folder without read permission does (the tests may run as root)
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(folder), "--out", str(out), *FAST]) == 1
    assert [d["id"] for d in read_jsonl(out)] == ["a"]
    [error] = read_jsonl(tmp_path / "out.errors.jsonl")
    assert error["file"] == locked and "cannot read directory: Permission denied" in error["reason"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_subdirectory_is_reported_for_real(tmp_path):
    folder = tmp_path / "docs"
    (folder / "locked").mkdir(parents=True)
    (folder / "a.txt").write_text("Đọc được.", encoding="utf-8")
    (folder / "locked").chmod(0)
    try:
        assert main(["annotate", str(folder), "--out", str(tmp_path / "out.jsonl"), *FAST]) == 1
        assert "cannot read directory" in read_jsonl(tmp_path / "out.errors.jsonl")[0]["reason"]
    finally:
        (folder / "locked").chmod(0o755)


def test_directory_listing_is_the_same_as_before(tmp_path):
    """The walker finds what ``sorted(rglob)`` found: hidden files, links to files, not links to folders."""
    from pipeline.runtime.readers import walk_directory
    root = tmp_path / "d"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "dir.txt").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.txt").write_text("x")
    for name in ["a.txt", ".hidden.txt", "sub/b.txt", "sub/deeper/c.txt", "sub-c.txt", "B.TXT", "e.jsonl",
                 "sub/f.jsonl"]:
        (root / name).write_text("x")
    (root / "link.txt").symlink_to(tmp_path / "elsewhere" / "x.txt")
    (root / "linkdir").symlink_to(tmp_path / "elsewhere")
    found, problems = walk_directory(root)
    assert problems == []
    for suffix in (".txt", ".jsonl"):
        assert found[suffix] == sorted(p for p in root.rglob("*" + suffix) if p.is_file())
