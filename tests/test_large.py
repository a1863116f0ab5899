"""A 5 MB document goes through in bounded time and memory, sentence by sentence."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, resource, sys, time
from pipeline import load
from pipeline.runtime.readers import dumps

from pipeline.processors.tokens.crf import CrfBackend

nlp = load()
tok = next(p for p in nlp.processors if p.name == "tokens")
assert isinstance(tok.backend, CrfBackend), tok.backend  # the default path, not a stand-in
# watch how long a piece the crf model is given, through the very method the stage calls
longest = [0]
crf_spans = CrfBackend.spans
def spy(self, sentence, *rest):
    longest[0] = max(longest[0], len(sentence))
    return crf_spans(self, sentence, *rest)
CrfBackend.spans = spy

para = ("Thứ trưởng Bộ TT&TT Phạm Anh Tuấn cho biết, ngày 30/7/2020, Bộ đã tổng kết công tác cải cách "
        "hành chính (CCHC) giai đoạn 2011-2020 tại Hải Phòng với kinh phí 1.234,5 tỷ đồng. ")
lines = []
size = 0
i = 0
while size < 5_000_000:
    # a mix of normal paragraphs and one giant line with no sentence punctuation at all
    piece = para * 8 + "\n\n" if i % 50 else ("từ ngữ " * 3000) + "\n\n"
    lines.append(piece)
    size += len(piece)
    i += 1
text = "".join(lines)
t0 = time.perf_counter()
doc = nlp({"id": "big", "text": text, "meta": {"published": "2020-07-30"}})
doc.validate()
n = len(dumps(doc.to_json()))
print(json.dumps({"chars": len(text), "seconds": time.perf_counter() - t0, "longest_call": longest[0],
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tokens": len(doc.tokens), "entities": len(doc.entities), "json_chars": n}))
"""


@pytest.mark.slow
def test_five_megabyte_document():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(result)
    assert result["chars"] >= 5_000_000
    # never one giant model call: the tokenizer sees sentence-sized pieces
    assert result["longest_call"] <= 2000
    assert result["tokens"] > 500_000
    # memory stays bounded: well under what holding several copies per token would cost
    assert result["max_rss_mb"] < 2500
