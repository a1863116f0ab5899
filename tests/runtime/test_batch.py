"""Batch processing: workers, Dask, Parquet, datasets, resume after kill -9, Ctrl-C, determinism."""
import os
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--stages", "normalize,sentences,tokens", "--tokenizer", "syllables", "--quiet"]
TEMPLATES = [
    "Ngày {d}/{m}, Bộ Nội vụ tổ chức hội nghị về cải cách hành chính tại tỉnh Quảng Ninh lần thứ {i}.",
    "Thứ trưởng Nguyễn Văn {name} cho biết năm {y} sẽ đẩy mạnh dịch vụ công trực tuyến.",
    "UBND TP.HCM đã cắt giảm {i} thủ tục hành chính, tiết kiệm 1.234,5 tỷ đồng.",
]
NAMES = ["An", "Bình", "Cường", "Dũng", "Hải", "Khánh", "Long", "Minh"]


def make_corpus(path: Path, n: int, bad_every: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                f.write('{"id": "bad-%d", "text": \n' % i)
                continue
            text = "\n\n".join(t.format(d=1 + i % 28, m=1 + i % 12, i=i, y=2000 + i % 25, name=NAMES[i % 8])
                               for t in TEMPLATES[: 1 + i % 3])
            f.write(json.dumps({"id": f"doc-{i:05d}", "text": text * (1 + i % 4),
                                "meta": {"published": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}"}},
                               ensure_ascii=False) + "\n")
    return path


def lines(path):
    return Path(path).read_bytes().splitlines()


def test_workers_give_the_same_bytes_as_one_process(tmp_path):
    src = make_corpus(tmp_path / "in.jsonl", 60, bad_every=17)
    assert main(["annotate", str(src), "--out", str(tmp_path / "one.jsonl"), *FAST]) == 1
    assert main(["annotate", str(src), "--out", str(tmp_path / "two.jsonl"), "--workers", "2", *FAST]) == 1
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert (tmp_path / "one.errors.jsonl").read_bytes() == (tmp_path / "two.errors.jsonl").read_bytes()
    assert len(lines(tmp_path / "one.jsonl")) == 57
    assert len(lines(tmp_path / "one.errors.jsonl")) == 3


def test_same_input_same_bytes_with_the_full_pipeline(tmp_path):
    src = make_corpus(tmp_path / "in.jsonl", 6)
    for name in ("a", "b"):
        assert main(["annotate", str(src), "--out", str(tmp_path / f"{name}.jsonl"), "--quiet"]) == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_dask_local_cluster_matches_local_engine_and_survives_a_dying_worker(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    src = make_corpus(tmp_path / "in.jsonl", 40, bad_every=13)
    main(["annotate", str(src), "--out", str(tmp_path / "local.jsonl"), *FAST])
    marker = tmp_path / "died-once"
    monkeypatch.setenv("VNEXTRACT_TEST_DIE_ONCE", str(marker))
    status = main(["annotate", str(src), "--out", str(tmp_path / "dask.jsonl"), "--engine", "dask",
                   "--workers", "2", "--partition-size", "5", *FAST])
    assert status == 1  # the bad lines
    assert marker.exists(), "no worker was killed: the fault was not exercised"
    local, dask = lines(tmp_path / "local.jsonl"), lines(tmp_path / "dask.jsonl")
    key = lambda l: json.loads(l)["id"]  # noqa: E731
    assert sorted(dask, key=key) == sorted(local, key=key)
    assert dask == local  # and even in the same order
    assert lines(tmp_path / "dask.errors.jsonl") == lines(tmp_path / "local.errors.jsonl")


def test_scheduler_without_dask_engine_is_a_usage_error(tmp_path):
    assert main(["annotate", "-", "--out", str(tmp_path / "o.jsonl"), "--scheduler", "tcp://x:1"]) == 2


def test_parquet_in_and_out(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    src = make_corpus(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.parquet"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 12
    assert set(table.column_names) >= {"id", "text", "entities", "tokens", "sentences", "meta"}
    # the Parquet output reads back as input, meta included
    again = tmp_path / "again.jsonl"
    assert main(["annotate", str(out), "--out", str(again), *FAST]) == 0
    direct = tmp_path / "direct.jsonl"
    main(["annotate", str(src), "--out", str(direct), *FAST])
    assert again.read_bytes() == direct.read_bytes()


def test_shards_directory(tmp_path):
    src = make_corpus(tmp_path / "in.jsonl", 25)
    out = tmp_path / "shards"
    assert main(["annotate", str(src), "--out", str(out) + "/", "--shard-size", "10", *FAST]) == 0
    parts = sorted(out.glob("part-*.jsonl"))
    assert [len(lines(p)) for p in parts] == [10, 10, 5]


def _run_cli(args):
    return subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_lines(path: Path, n: int, proc, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        if proc.poll() is not None:
            pytest.fail(f"finished before it could be interrupted: {proc.stderr.read().decode()[-500:]}")
        time.sleep(0.05)
    pytest.fail("no progress")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_resume_after_kill_9_gives_the_uninterrupted_result(tmp_path, workers):
    src = make_corpus(tmp_path / "in.jsonl", 1500, bad_every=101)
    args = [str(src), "--stages", "normalize,sentences,tokens", "--tokenizer", "pyvi", "--quiet",
            "--workers", workers]
    full = tmp_path / "full.jsonl"
    assert subprocess.run([sys.executable, "-m", "pipeline", "annotate", *args, "--out", str(full)],
                          cwd=ROOT, capture_output=True).returncode == 1
    out = tmp_path / "out.jsonl"
    proc = _run_cli([*args, "--out", str(out)])
    _wait_for_lines(out, 200, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # what a kill in the middle of a write leaves behind
    with out.open("ab") as f:
        f.write(b'{"id":"doc-torn","text":"half a li')
    done_before = len(lines(out)) - 1
    assert 200 <= done_before < 1485
    again = _run_cli([*args, "--out", str(out), "--resume"])
    again.wait(timeout=600)
    assert again.returncode == 1  # the bad lines are still reported
    assert out.read_bytes() == full.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "full.errors.jsonl").read_bytes()


def test_ctrl_c_stops_cleanly_with_valid_output(tmp_path):
    src = make_corpus(tmp_path / "in.jsonl", 1500)
    out = tmp_path / "out.jsonl"
    proc = _run_cli([str(src), "--out", str(out), "--stages", "normalize,sentences,tokens", "--quiet",
                     "--workers", "2"])
    _wait_for_lines(out, 100, proc)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode == 130
    assert "--resume" in proc.stderr.read().decode()
    data = out.read_bytes()
    assert data.endswith(b"\n")
    assert all(json.loads(l)["id"].startswith("doc-") for l in data.splitlines())


def test_sigterm_stops_like_ctrl_c_and_resume_finishes(tmp_path):
    src = make_corpus(tmp_path / "in.jsonl", 1500)
    args = [str(src), "--stages", "normalize,sentences,tokens", "--quiet", "--workers", "2"]
    full = tmp_path / "full.jsonl"
    assert main(["annotate", *args[:-2], "--out", str(full)]) == 0
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", *args, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for_lines(out, 100, proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    err = proc.stderr.read().decode()  # the workers' stderr too: read until they have all gone
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert "terminated" in err and "--resume" in err
    assert out.read_bytes().endswith(b"\n")
    assert main(["annotate", *args, "--out", str(out), "--resume"]) == 0
    assert out.read_bytes() == full.read_bytes()


def test_annotate_dataset_offline(monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    from pipeline.runtime.hf import annotate_dataset
    ds = datasets.Dataset.from_list([
        {"id": "a", "text": "Bộ TT&TT họp tại Hải Phòng ngày 30/7.", "published": "2020-07-30"},
        {"id": "b", "text": ""},
        {"id": "c", "text": "Thứ trưởng Phạm Anh Tuấn phát biểu."},
    ])
    out = annotate_dataset(ds, num_proc=2, batch_size=1, stages=["normalize", "sentences", "tokens"])
    assert out.num_rows == 3 and out["error"] == [None, None, None]
    row = out[0]
    words = [row["normalized_text"][t["start"]:t["end"]] for t in row["tokens"]]
    assert "TT&TT" in words and "30/7" in words
    assert out[1]["tokens"] == []
    with pytest.raises(ValueError, match="no column 'body'"):
        annotate_dataset(ds, text_column="body")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_to_the_whole_process_group_stops_cleanly_and_resume_finishes(tmp_path, workers):
    # what a service manager or `timeout` does: every process of the group gets the signal at once,
    # the forked workers as well as the main process
    src = make_corpus(tmp_path / "in.jsonl", 1500)
    args = [str(src), "--stages", "normalize,sentences,tokens", "--quiet", "--workers", workers]
    full = tmp_path / "full.jsonl"
    assert main(["annotate", *args, "--out", str(full)]) == 0
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "annotate", *args, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    _wait_for_lines(out, 100, proc)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "Error" not in err, err
    assert "terminated" in err and "--resume" in err
    assert out.read_bytes().endswith(b"\n")
    assert not (tmp_path / "out.errors.jsonl").exists() or not (tmp_path / "out.errors.jsonl").read_bytes(), \
        "a document was reported lost because its worker got the signal"
    assert main(["annotate", *args, "--out", str(out), "--resume"]) == 0
    assert out.read_bytes() == full.read_bytes()
