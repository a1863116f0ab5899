"""Golden-file test: the bundled sample article must keep producing the reviewed output.

After an intended change, regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff of ``tests/golden/`` before committing it.
"""
import json
import os
from pathlib import Path

import pytest

from pipeline.runtime.readers import dumps

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CASES = ["sample.jsonl", "hard_cases.jsonl"]


def annotate(nlp, name):
    lines = (ROOT / "corpus" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(dumps(nlp(json.loads(line)).to_json())) for line in lines if line.strip()]


@pytest.mark.parametrize("name", CASES)
def test_corpus_file_matches_golden_output(nlp, name):
    got = annotate(nlp, name)
    path = GOLDEN / name.replace(".jsonl", ".expected.jsonl")
    if os.environ.get("UPDATE_GOLDEN"):
        # regenerating is not testing: write the new file and say so, never compare it with itself
        path.write_text("".join(dumps(d) + "\n" for d in got), encoding="utf-8")
        pytest.skip(f"UPDATE_GOLDEN: rewrote {path.name}; review `git diff tests/golden/` and run again without it")
    expected = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert [d["id"] for d in got] == [d["id"] for d in expected]
    for g, e in zip(got, expected):
        assert g["text"] == e["text"]
        assert g["sentences"] == e["sentences"], g["id"]
        assert g["tokens"] == e["tokens"], g["id"]
        assert g["entities"] == e["entities"], g["id"]
        assert g == e
