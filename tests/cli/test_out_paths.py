"""Outputs that would destroy or re-read their own input, and runs that would share an output, are refused."""
import json
import os
from pathlib import Path

import pytest

from pipeline.cli.main import main

FAST = ["--stages", "normalize,sentences,tokens", "--tokenizer", "syllables", "--quiet"]


def write_docs(path: Path, n: int = 3) -> Path:
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Văn bản số {i}."}, ensure_ascii=False) + "\n"
                            for i in range(n)), encoding="utf-8")
    return path


def annotated(tmp_path: Path) -> Path:
    src = write_docs(tmp_path / "src.jsonl")
    out = tmp_path / "annotated.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    return out


# -- 1. the output is the input -------------------------------------------------------
def test_annotate_refuses_its_input_as_output(tmp_path, capsys):
    src = write_docs(tmp_path / "x.jsonl")
    before = src.read_bytes()
    assert main(["annotate", str(src), "--out", str(src), *FAST]) == 2
    assert src.read_bytes() == before
    assert "is the input" in capsys.readouterr().err
    # the same file by another spelling, and by a hard link
    assert main(["annotate", str(src), "--out", str(tmp_path / "." / "x.jsonl"), *FAST]) == 2
    os.link(src, tmp_path / "hard.jsonl")
    assert main(["annotate", str(src), "--out", str(tmp_path / "hard.jsonl"), *FAST]) == 2
    assert src.read_bytes() == before
    assert not (tmp_path / "x.run.json").exists() and not (tmp_path / "hard.run.json").exists()


def test_annotate_refuses_an_input_that_is_its_error_report(tmp_path):
    src = write_docs(tmp_path / "out.errors.jsonl")
    before = src.read_bytes()
    assert main(["annotate", str(src), "--out", str(tmp_path / "out.jsonl"), *FAST]) == 2
    assert src.read_bytes() == before


def test_export_refuses_its_input_as_output(tmp_path, capsys):
    out = annotated(tmp_path)
    before = out.read_bytes()
    for fmt in ("conll", "labelstudio", "spacy"):
        if fmt == "spacy":
            pytest.importorskip("spacy")
        assert main(["export", str(out), "--format", fmt, "--out", str(out), "--quiet"]) == 2
        assert out.read_bytes() == before
    assert "is the input" in capsys.readouterr().err
    # nor the labeling config over an input
    assert main(["export", str(out), "--format", "labelstudio", "--out", str(tmp_path / "ls.json"),
                 "--config", str(out), "--quiet"]) == 2
    assert out.read_bytes() == before


def test_import_refuses_its_source_as_output(tmp_path):
    conll = tmp_path / "x.conll"
    assert main(["export", str(annotated(tmp_path)), "--format", "conll", "--out", str(conll), "--quiet"]) == 0
    before = conll.read_bytes()
    assert main(["import", "conll", str(conll), "--out", str(conll), "--quiet"]) == 2
    assert conll.read_bytes() == before


def test_failed_import_leaves_an_existing_output_alone(tmp_path):
    bad = tmp_path / "tasks.json"
    bad.write_text("{ this is not JSON", encoding="utf-8")
    out = tmp_path / "kept.jsonl"
    out.write_text('{"id": "precious"}\n', encoding="utf-8")
    assert main(["import", "labelstudio", str(bad), "--out", str(out), "--quiet"]) == 1
    assert out.read_text(encoding="utf-8") == '{"id": "precious"}\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_import_still_writes_its_output(tmp_path):
    conll = tmp_path / "x.conll"
    assert main(["export", str(annotated(tmp_path)), "--format", "conll", "--out", str(conll), "--quiet"]) == 0
    out = tmp_path / "back.jsonl"
    out.write_text("old\n")
    assert main(["import", "conll", str(conll), "--out", str(out), "--quiet"]) == 0
    assert [json.loads(l)["id"] for l in out.read_text(encoding="utf-8").splitlines()] == ["x-1", "x-2", "x-3"]


# -- 2. the output inside an input directory, an input inside the output directory -----
def test_annotate_refuses_an_output_inside_its_input_directory(tmp_path, capsys):
    indir = tmp_path / "in"
    indir.mkdir()
    write_docs(indir / "a.jsonl")
    (indir / "b.txt").write_text("Hà Nội.", encoding="utf-8")
    before = sorted(p.name for p in indir.iterdir())
    assert main(["annotate", str(indir), "--out", str(indir / "out.jsonl"), *FAST]) == 2
    assert "inside the input directory" in capsys.readouterr().err
    assert main(["annotate", str(indir), "--out", str(indir / "sub" / "out.jsonl"), *FAST]) == 2
    assert main(["annotate", str(indir), "--out", str(indir) + "/", *FAST]) == 2
    assert main(["annotate", str(indir), "--out", str(indir / "shards") + "/", *FAST]) == 2
    assert sorted(p.name for p in indir.iterdir()) == before


def test_annotate_refuses_an_input_inside_the_output_shard_directory(tmp_path, capsys):
    shards = tmp_path / "shards"
    shards.mkdir()
    part = write_docs(shards / "part-00000.jsonl")
    before = part.read_bytes()
    assert main(["annotate", str(part), "--out", str(shards) + "/", *FAST]) == 2
    assert part.read_bytes() == before
    assert "inside the output directory" in capsys.readouterr().err


def test_an_output_beside_the_input_directory_is_fine(tmp_path):
    indir = tmp_path / "in"
    indir.mkdir()
    write_docs(indir / "a.jsonl")
    assert main(["annotate", str(indir), "--out", str(tmp_path / "in-out.jsonl"), *FAST]) == 0


# -- 3. two runs on one output ----------------------------------------------------------
def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys):
    from pipeline.runtime.sinks import open_sink
    src = write_docs(tmp_path / "src.jsonl")
    out = tmp_path / "out.jsonl"
    first = open_sink(str(out), run_info={"inputs": []})  # a run that is writing out.jsonl
    try:
        out.write_text('{"id":"from-the-first-run","text":""}\n')
        assert main(["annotate", str(src), "--out", str(out), *FAST]) == 2
        assert "another vnextract run is writing" in capsys.readouterr().err
        assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 2
        assert out.read_text() == '{"id":"from-the-first-run","text":""}\n'
    finally:
        first.close()
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0  # the lock goes with the run


def test_a_second_run_on_the_same_shards_or_parquet_is_refused(tmp_path):
    from pipeline.runtime.sinks import open_sink
    src = write_docs(tmp_path / "src.jsonl")
    shards = str(tmp_path / "shards") + "/"
    first = open_sink(shards, shard_size=2, run_info={"inputs": []})
    try:
        assert main(["annotate", str(src), "--out", shards, "--shard-size", "2", *FAST]) == 2
    finally:
        first.close()
    pytest.importorskip("pyarrow")
    pq = str(tmp_path / "o.parquet")
    first = open_sink(pq, run_info={"inputs": []})
    try:
        assert main(["annotate", str(src), "--out", pq, *FAST]) == 2
    finally:
        first.close()
