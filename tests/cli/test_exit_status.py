"""Wrong values and unwritable outputs: a clear message and the right exit status, never a traceback."""
import errno
import json
import os
from pathlib import Path

import pytest

from pipeline.cli.main import main

FAST = ["--stages", "normalize,sentences,tokens", "--tokenizer", "syllables", "--quiet"]


def write_docs(path: Path, n: int = 5) -> Path:
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Văn bản số {i}."}, ensure_ascii=False) + "\n"
                            for i in range(n)), encoding="utf-8")
    return path


@pytest.mark.parametrize("option,value", [("--partition-size", "0"), ("--partition-size", "-1"),
                                          ("--shard-size", "0"), ("--shard-size", "-1"),
                                          ("--shard-size", "ten")])
def test_sizes_must_be_positive(tmp_path, capsys, option, value):
    src = write_docs(tmp_path / "in.jsonl")
    with pytest.raises(SystemExit) as exit_:
        main(["annotate", str(src), "--out", str(tmp_path / "o.jsonl"), option, value, *FAST])
    assert exit_.value.code == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_parquet_into_a_missing_directory(tmp_path):
    pytest.importorskip("pyarrow")
    src = write_docs(tmp_path / "in.jsonl")
    out = tmp_path / "new" / "deeper" / "out.parquet"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 0
    import pyarrow.parquet as pq
    assert pq.read_table(out).num_rows == 5


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet", "shards/"])
def test_an_output_that_cannot_be_created_is_a_message(tmp_path, capsys, name):
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    src = write_docs(tmp_path / "in.jsonl")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert main(["annotate", str(src), "--out", str(blocker / name), *FAST]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_directory_is_a_message(tmp_path, capsys):
    src = write_docs(tmp_path / "in.jsonl")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["annotate", str(src), "--out", str(ro / "out.jsonl"), *FAST]) == 2
        assert "Permission denied" in capsys.readouterr().err
    finally:
        ro.chmod(0o755)


class _FullDisk:
    """A file that takes ``room`` bytes and then fails as a full disk does: part of a line, then ENOSPC."""

    def __init__(self, f, room: int) -> None:
        self._f, self.room = f, room

    def write(self, s: str) -> int:
        data = s.encode("utf-8")
        if len(data) > self.room:
            self._f.buffer.write(data[:self.room])
            self._f.buffer.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self._f.write(s)

    def flush(self) -> None:
        self._f.flush()
        if self.room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self) -> None:
        try:
            self.flush()  # a full disk fails the last flush too, in the middle of cleaning up
        finally:
            self._f.close()


def test_a_full_disk_stops_with_a_message_and_resume_finishes(tmp_path, capsys, monkeypatch):
    from pipeline.runtime import sinks
    src = write_docs(tmp_path / "in.jsonl", 12)
    clean = tmp_path / "clean.jsonl"
    assert main(["annotate", str(src), "--out", str(clean), *FAST]) == 0
    room = len(b"".join(clean.read_bytes().splitlines(keepends=True)[:4])) + 10
    real_init = sinks.JsonlSink.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._f = _FullDisk(self._f, room)

    monkeypatch.setattr(sinks.JsonlSink, "__init__", init)
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(src), "--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "--resume" in err and "Traceback" not in err
    assert len(out.read_bytes().splitlines()) == 5  # four lines and a torn one
    monkeypatch.setattr(sinks.JsonlSink, "__init__", real_init)  # space was freed
    assert main(["annotate", str(src), "--out", str(out), "--resume", *FAST]) == 0
    assert out.read_bytes() == clean.read_bytes()


def test_a_missing_sole_input_leaves_the_output_alone(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["annotate", str(tmp_path / "nope.jsonl"), "--out", str(out), *FAST]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    out.write_text("an earlier run's output\n")
    assert main(["annotate", str(tmp_path / "nope.txt"), str(tmp_path / "nope2"), "--out", str(out), *FAST]) == 1
    assert out.read_text() == "an earlier run's output\n"
    assert "no such file or directory" in capsys.readouterr().err


def test_errors_with_out_dash_go_to_stderr_only(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Một."}\nnot json\n', encoding="utf-8")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["annotate", str(src), "--out", "-", *FAST]) == 1
    captured = capsys.readouterr()
    assert [json.loads(l)["id"] for l in captured.out.splitlines()] == ["a"]
    assert "in.jsonl:2" in captured.err and "not valid JSON" in captured.err
    assert list(work.iterdir()) == []
