"""Every format through the registry: round trips of real pipeline output, and the export/import commands."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.formats.conll import DOCSTART
from pipeline.formats.record import write_jsonl
from pipeline.formats.registry import FORMATS

ROOT = Path(__file__).resolve().parents[2]


def test_round_trips_on_the_bundled_corpus(tmp_path, nlp):
    from pipeline.runtime.readers import read_inputs
    recs = [nlp(item.data).to_json() for item in read_inputs([str(ROOT / "corpus")])]
    assert recs
    for fmt, out in [("spacy", "c.spacy"), ("labelstudio", "c.json"), ("brat", "brat")]:
        FORMATS[fmt].write(recs, tmp_path / out)
        assert list(FORMATS[fmt].read(tmp_path / out)) == recs, fmt
    FORMATS["conll"].write(recs, tmp_path / "c.conll")
    assert len(list(FORMATS["conll"].read(tmp_path / "c.conll"))) == sum(1 for r in recs if r["text"].strip())


def test_only_the_spacy_modules_import_spacy():
    """The command line lists every format without loading spaCy; only spacy_interop needs it."""
    code = ("import sys; import pipeline.formats.registry, pipeline.cli.convert; "
            "print('spacy' in sys.modules, 'pipeline.formats.spacy_interop' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


# -- command line --------------------------------------------------------------------------------

def _run(argv: list[str]) -> int:
    from pipeline.cli.convert import add_subcommands
    ap = argparse.ArgumentParser(prog="vnextract")
    sub = ap.add_subparsers(dest="command", required=True)
    add_subcommands(sub)
    args = ap.parse_args(argv)
    return args.func(args)


@pytest.mark.parametrize("fmt,out", [("labelstudio", "tasks.json"), ("brat", "bratdir"), ("spacy", "x.spacy")])
def test_cli_export_then_import(tmp_path, records, fmt, out, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(records, src)
    assert _run(["export", str(src), "--format", fmt, "--out", str(tmp_path / out)]) == 0
    assert _run(["import", fmt, str(tmp_path / out), "--out", str(tmp_path / "back.jsonl")]) == 0
    back = [json.loads(line) for line in (tmp_path / "back.jsonl").read_text(encoding="utf-8").splitlines()]
    assert back == records
    assert "3 documents" in capsys.readouterr().err


def test_cli_export_conll_and_errors(tmp_path, records, capsys):
    src = tmp_path / "in.jsonl"
    write_jsonl(records, src)
    with open(src, "a", encoding="utf-8") as f:
        f.write("{broken\n")
    assert _run(["export", str(src), "-f", "conll", "-o", str(tmp_path / "x.conll")]) == 1
    err = capsys.readouterr().err
    assert "in.jsonl:4" in err and "3 documents exported" in err
    assert (tmp_path / "x.conll").read_text(encoding="utf-8").count(DOCSTART) == 3
    assert _run(["import", "conll", str(tmp_path / "x.conll"), "-o", str(tmp_path / "c.jsonl"), "-q"]) == 0
    assert _run(["import", "brat", str(tmp_path / "missing"), "-o", str(tmp_path / "m.jsonl")]) == 2
    with pytest.raises(SystemExit):
        _run(["export", str(src), "-f", "xml", "-o", str(tmp_path / "x")])


def test_cli_export_labelstudio_config_path(tmp_path, records):
    src = tmp_path / "in.jsonl"
    write_jsonl(records, src)
    cfg = tmp_path / "cfg" / "ls.xml"
    cfg.parent.mkdir()
    assert _run(["export", str(src), "-f", "labelstudio", "-o", str(tmp_path / "t.json"), "--config", str(cfg),
                 "-q"]) == 0
    ET.fromstring(cfg.read_text(encoding="utf-8"))


def test_main_cli_has_the_subcommands(tmp_path, records):
    from pipeline.cli.main import build_parser
    choices = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert "export" in choices and "import" in choices
    from pipeline.cli.main import main
    src = tmp_path / "in.jsonl"
    write_jsonl(records, src)
    assert main(["export", str(src), "--format", "labelstudio", "--out", str(tmp_path / "t.json"), "-q"]) == 0
    assert main(["import", "labelstudio", str(tmp_path / "t.json"), "--out", str(tmp_path / "g.jsonl"), "-q"]) == 0
