"""A time budget per document (--doc-timeout, nlp.pipe(doc_timeout=...)): the slow document becomes an
error, every other document is written, with 1 worker, N workers and Dask, and --resume keeps it."""
import json
import os
import time
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.runtime.supervise import DocumentTimeout, WorkerFailure, run_supervised

# an entity-dense text of about 1.3 M characters: many seconds through the full pipeline
SLOW_TEXT = "Bộ Tài chính họp tại Đà Nẵng ngày 1/7/2025. " * 30_000


def corpus(path: Path) -> Path:
    recs = [{"id": "a", "text": "Bộ Nội vụ họp tại Hà Nội ngày 2/3/2024."},
            {"id": "slow", "text": SLOW_TEXT},
            {"id": "b", "text": "Thứ trưởng Bộ Tư pháp Nguyễn Văn An phát biểu."},
            {"id": "c", "text": "Cải cách hành chính (CCHC) được đẩy mạnh."}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def written_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("engine", [["--workers", "1"], ["--workers", "2"], ["--engine", "dask", "--workers", "1"]],
                         ids=["1-worker", "2-workers", "dask"])
def test_a_document_over_budget_is_reported_and_the_rest_written(tmp_path, engine, capsys):
    if "dask" in engine:
        pytest.importorskip("distributed")
    src, out = corpus(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    t0 = time.monotonic()
    status = main(["annotate", str(src), "--out", str(out), "--doc-timeout", "2", "--quiet", *engine])
    assert status == 1
    assert written_ids(out) == ["a", "b", "c"]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["reason"]) for e in errors] == [("slow", "timeout after 2 s")]
    assert "timeout after 2 s" in capsys.readouterr().err
    # the slow document did not hold the run: far less than its own full time (tens of seconds)
    assert time.monotonic() - t0 < 60

    # --resume neither retries the document nor loses it
    assert main(["annotate", str(src), "--out", str(out), "--doc-timeout", "2", "--quiet", "--resume",
                 *engine]) in (0, 1)
    assert written_ids(out) == ["a", "b", "c"]
    again = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [e["id"] for e in again] == ["slow"]


def test_without_a_budget_every_document_is_annotated(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "Bộ Nội vụ họp. " * 2000}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), "--doc-timeout", "0", "--quiet"]) == 0
    assert written_ids(out) == ["x"]


def test_pipe_with_a_budget(base_nlp):
    errors = []
    docs = list(base_nlp.pipe(["Một câu.", "x " * 400_000, "Hai câu."], doc_timeout=0.3,
                              on_error=lambda item, exc: errors.append(exc)))
    assert [d.text for d in docs] == ["Một câu.", "Hai câu."]
    assert len(errors) == 1 and isinstance(errors[0], DocumentTimeout) and "timeout after 0.3 s" in str(errors[0])
    with pytest.raises(DocumentTimeout):
        list(base_nlp.pipe(["x " * 400_000], doc_timeout=0.3))
    # the same documents as without a budget, and exceptions of the stages arrive as themselves
    assert [d.to_json() for d in base_nlp.pipe(["Một câu."], doc_timeout=5)] == [base_nlp("Một câu.").to_json()]
    with pytest.raises(Exception, match="no text"):
        list(base_nlp.pipe([{"id": "x"}], doc_timeout=5))


def _echo_or_die(item):
    if item == "die":
        os._exit(3)
    if item == "sleep":
        time.sleep(30)
    return item * 2


def test_supervisor_keeps_input_order_and_replaces_dead_or_slow_workers():
    items = ["a", "sleep", "b", "die", "c", "d"]
    got = list(run_supervised(items, _echo_or_die, workers=2, timeout=1))
    assert [item for item, _ in got] == items
    outcomes = dict(got)
    assert outcomes["a"] == "aa" and outcomes["c"] == "cc" and outcomes["d"] == "dd"
    assert outcomes["sleep"] == WorkerFailure("timeout after 1 s")
    assert isinstance(outcomes["die"], WorkerFailure) and "died" in outcomes["die"].reason
