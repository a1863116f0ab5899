"""The on-disk cache of compiled ``re`` programs (pipeline.text.compiled): same patterns as
``re.compile``, served without parsing from a second process, and harmless when off or damaged."""
from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.text import compiled

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = [
    (r"(?P<bo>(?<!\w)(?:(?P<cap>Bộ)|bộ))\s+(?i:tài\s+chính|nội\s+vụ|y\s+tế)(?!\w)", 0),
    (r"(?:cải cách|chuyển đổi)\s+(?:hành chính|số)", re.IGNORECASE),
    (r"[^\W\d_]+(?:\s+\d{1,2}/\d{1,2})?", re.MULTILINE),
]
TEXTS = ["Bộ Tài chính và bộ Nội vụ, BỘ Y TẾ", "Cải Cách Hành Chính, chuyển đổi SỐ", "ngày 1/7 và 30/12"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VNEXTRACT_CACHE_DIR", str(tmp_path))
    compiled.forget()
    yield tmp_path
    compiled.forget()


def same(a: re.Pattern, b: re.Pattern) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in TEXTS:
        assert [m.span() + m.groups() for m in a.finditer(text)] == [m.span() + m.groups() for m in b.finditer(text)]


def test_cold_and_warm_give_what_re_compile_gives(cache_dir, monkeypatch):
    for pattern, flags in SAMPLES:
        same(compiled.compile_pattern(pattern, flags), re.compile(pattern, flags))
    compiled.save()
    assert compiled.cache_file().is_file() and compiled.cache_file().parent == cache_dir
    compiled.forget()

    def no_parsing(*args, **kwargs):
        raise AssertionError("a cached pattern was parsed again")
    monkeypatch.setattr(compiled._parser, "parse", no_parsing)
    for pattern, flags in SAMPLES:
        same(compiled.compile_pattern(pattern, flags), re.compile(pattern, flags))


def test_a_new_process_reads_the_programs_instead_of_compiling(cache_dir):
    pattern, flags = SAMPLES[0]
    compiled.compile_pattern(pattern, flags)
    compiled.save()
    code = ("import sys; from pipeline.text import compiled as c\n"
            "c._parser.parse = None  # a parse would raise TypeError\n"
            f"p = c.compile_pattern({pattern!r}, {flags})\n"
            "print(p.match('Bộ Tài chính').group('bo'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "VNEXTRACT_CACHE_DIR": str(cache_dir)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Bộ"


def test_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("VNEXTRACT_CACHE_DIR", "off")
    compiled.forget()
    assert compiled.cache_file() is None
    same(compiled.compile_pattern(*SAMPLES[1]), re.compile(*SAMPLES[1]))
    compiled.save()
    compiled.forget()


def test_a_damaged_or_unwritable_cache_falls_back(cache_dir):
    path = compiled.cache_file()
    path.write_bytes(b"\x00 not a marshal file")
    same(compiled.compile_pattern(*SAMPLES[2]), re.compile(*SAMPLES[2]))
    compiled.save()  # replaces the damaged file
    compiled.forget()
    same(compiled.compile_pattern(*SAMPLES[2]), re.compile(*SAMPLES[2]))
    # a file where the directory should be: saving fails quietly, compiling still works
    compiled.forget()
    os.environ["VNEXTRACT_CACHE_DIR"] = str(path)  # monkeypatch restores it
    same(compiled.compile_pattern(*SAMPLES[0]), re.compile(*SAMPLES[0]))
    compiled.save()


def test_a_damaged_entry_is_compiled_again(cache_dir):
    pattern, flags = SAMPLES[0]
    compiled.compile_pattern(pattern, flags)
    compiled.save()
    compiled.forget()
    table = compiled._load()
    key = (pattern, flags)
    table[key] = (table[key][0], [9999, 1, 2], *table[key][2:])  # not a program _sre accepts
    same(compiled.compile_pattern(pattern, flags), re.compile(pattern, flags))


def test_building_a_pipeline_leaves_the_collector_as_it_was(cache_dir):
    from pipeline import load
    assert gc.isenabled()
    load(["normalize", "sentences"])
    assert gc.isenabled()
    gc.disable()
    try:
        load(["normalize"])
        assert not gc.isenabled()
    finally:
        gc.enable()
