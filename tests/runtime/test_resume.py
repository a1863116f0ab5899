"""--resume gives the bytes of an uninterrupted run, whatever the ids, or refuses with a reason."""
import json
import os
from pathlib import Path

from pipeline.cli.main import main

FAST = ["--stages", "normalize,sentences,tokens", "--tokenizer", "syllables", "--quiet"]


def jsonl(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def keep_first_lines(path: Path, n: int, torn: bytes = b"") -> None:
    """What a run killed after writing ``n`` lines leaves behind."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:n]) + torn)


def resumed_equals_clean(tmp_path: Path, inputs: list[str], cut: int, extra=()) -> None:
    clean = tmp_path / "clean.jsonl"
    out = tmp_path / "out.jsonl"
    status = main(["annotate", *inputs, "--out", str(clean), *FAST, *extra])
    assert main(["annotate", *inputs, "--out", str(out), *FAST, *extra]) == status
    keep_first_lines(out, cut, torn=b'{"id":"half')
    assert main(["annotate", *inputs, "--out", str(out), "--resume", *FAST, *extra]) == status
    assert out.read_bytes() == clean.read_bytes()


def test_resume_with_duplicate_ids(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}, {"id": "b", "text": "Hai."},
                                        {"id": "a", "text": "Ba, cùng id với một."}, {"id": "c", "text": "Bốn."}])
    resumed_equals_clean(tmp_path, [str(src)], cut=2)


def test_resume_records_without_ids_in_files_of_the_same_name(tmp_path):
    corpus = tmp_path / "corpus"
    jsonl(corpus / "2017" / "part.jsonl", [{"text": "Năm 2017, một."}, {"text": "Năm 2017, hai."}])
    jsonl(corpus / "2018" / "part.jsonl", [{"text": "Năm 2018, một."}, {"text": "Năm 2018, hai."}])
    resumed_equals_clean(tmp_path, [str(corpus)], cut=2)
    resumed_equals_clean(tmp_path, [str(corpus / "2017" / "part.jsonl"), str(corpus / "2018" / "part.jsonl")],
                         cut=1)


def test_resume_after_errors_counts_them_too(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Một."}\nnot json\n{"id": "a", "text": "Hai."}\n{"text": 5}\n'
                   '{"id": "c", "text": "Ba."}\n', encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(clean), *FAST]) == 1
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 1
    keep_first_lines(out, 1)
    keep_first_lines(tmp_path / "out.errors.jsonl", 1)  # killed just after the second item
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 1
    assert out.read_bytes() == clean.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "clean.errors.jsonl").read_bytes()


def test_resume_shards(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "same", "text": f"Văn bản {i}."} for i in range(7)])
    clean, out = tmp_path / "clean", tmp_path / "out"
    args = [str(src), *FAST, "--shard-size", "3"]
    assert main(["annotate", *args, "--out", str(clean)]) == 0
    assert main(["annotate", *args, "--out", str(out)]) == 0
    (out / "part-00002.jsonl").unlink()
    keep_first_lines(out / "part-00001.jsonl", 1, torn=b'{"id":')
    assert main(["annotate", *args, "--out", str(out), "--resume"]) == 0
    for part in sorted(clean.glob("part-*.jsonl")):
        assert (out / part.name).read_bytes() == part.read_bytes()


def test_resume_refuses_an_output_of_other_inputs(tmp_path, capsys):
    one = jsonl(tmp_path / "one.jsonl", [{"id": "a", "text": "Một."}, {"id": "b", "text": "Hai."}])
    two = jsonl(tmp_path / "two.jsonl", [{"id": "a", "text": "Khác."}, {"id": "z", "text": "Khác nữa."}])
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(one), "--out", str(out), *FAST]) == 0
    keep_first_lines(out, 1)
    before = out.read_bytes()
    assert main(["annotate", str(two), "--out", str(out), "--resume", *FAST]) == 2
    assert "other inputs" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_resume_refuses_a_changed_input_or_other_options(tmp_path, capsys):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}, {"id": "b", "text": "Hai."}])
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    keep_first_lines(out, 1)
    before = out.read_bytes()
    other = ["--stages", "normalize,sentences", "--quiet"]
    assert main(["annotate", str(src), "--out", str(out), "--resume", *other]) == 2
    assert "stages" in capsys.readouterr().err
    with src.open("a", encoding="utf-8") as f:
        f.write('{"id": "c", "text": "Ba."}\n')
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 2
    assert "changed" in capsys.readouterr().err
    assert out.read_bytes() == before
    # a fresh run is always allowed, and records the new inputs
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 0


def test_resume_refuses_an_output_that_is_not_ours(tmp_path, capsys):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}])
    out = tmp_path / "out.jsonl"
    out.write_text('{"name": "somebody else\'s data"}\n[1, 2]\n')
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--resume" in err
    assert out.read_text() == '{"name": "somebody else\'s data"}\n[1, 2]\n'
    # with a run record but lines that are not ours
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    out.write_text('{"name": "edited by hand"}\n')
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 2
    assert "line 1 is not a document" in capsys.readouterr().err


def test_resume_of_a_missing_output_is_a_fresh_run(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}])
    assert main(["annotate", str(src), "--out", str(tmp_path / "out.jsonl"), "--resume", *FAST]) == 0
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["id"] == "a"


def test_the_run_record_names_the_inputs_and_options(tmp_path):
    src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}])
    out = tmp_path / "o.jsonl"
    assert main(["annotate", os.path.relpath(src), "--out", str(out), *FAST]) == 0
    record = json.loads((tmp_path / "o.run.json").read_text(encoding="utf-8"))
    assert record["inputs"][0]["path"] == str(src.resolve())
    assert record["inputs"][0]["size"] == src.stat().st_size
    assert record["stages"] == ["normalize", "sentences", "tokens"]
    assert record["config"] == {"tokens": {"backend": "syllables"}}


def test_a_worker_that_outlives_a_killed_run_does_not_hold_its_lock(tmp_path):
    """Forked workers share the run's open files; the lock must still go when the run dies (kill -9)."""
    import subprocess
    import sys
    out = tmp_path / "out.jsonl"
    script = f"""
import os, sys, time
from pipeline.runtime.sinks import open_sink
sink = open_sink({str(out)!r}, run_info={{"inputs": []}})
child = os.fork()
if child == 0:              # a worker, busy with a long document
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
os._exit(0)                 # the run dies without closing anything
"""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, timeout=60)
    worker = int(proc.stdout)
    try:
        src = jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Một."}])
        assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    finally:
        os.kill(worker, 9)
