"""Every data file in models/ is listed in the manifest, loads, and matches its checksum."""
import json

import pytest

from pipeline import resources

MODELS = resources.models_dir()
UNLISTED_DIRS = {"local", "__pycache__"}  # models built locally from research-only data are never committed


def test_every_data_file_is_in_the_manifest():
    listed = set(resources.manifest())
    present = {p.relative_to(MODELS).as_posix() for p in MODELS.rglob("*")
               if p.is_file() and p.name != resources.MANIFEST
               and not UNLISTED_DIRS & set(p.relative_to(MODELS).parts)}
    assert present - listed == set(), "data files missing from models/MANIFEST.jsonl"
    assert listed - present == set(), "manifest lists files that do not exist"


@pytest.mark.parametrize("name", sorted(resources.manifest()))
def test_manifest_entry_is_complete_and_checksum_matches(name):
    row = resources.manifest()[name]
    for key in ("version", "source", "licence", "description", "sha256"):
        assert row.get(key), f"{name}: manifest field {key} is empty"
    assert resources.sha256(MODELS / name) == row["sha256"], (
        f"{name} changed since its checksum was recorded: run python -m pipeline.resources --update")


@pytest.mark.parametrize("name", sorted(n for n in resources.manifest() if n.endswith((".tsv", ".jsonl"))))
def test_data_file_loads(name):
    rows = resources.read_tsv(name) if name.endswith(".tsv") else resources.read_jsonl(name)
    assert rows, f"{name} is empty"
    json.dumps(rows, ensure_ascii=False)


def test_missing_file_is_a_clear_error():
    with pytest.raises(resources.ResourceError, match="data file missing"):
        resources.read_tsv("no_such_table.tsv")


def test_tsv_rows_comments_and_field_count(tmp_path, monkeypatch):
    (tmp_path / "t.tsv").write_text("# a comment\nword\tkind\r\nBộ Y tế\tministry\n\n# another\nhai  từ\t\n",
                                    encoding="utf-8")
    (tmp_path / "bad.tsv").write_text("word\tkind\nmột\thai\tba\n", encoding="utf-8")
    monkeypatch.setenv("VNEXTRACT_MODELS", str(tmp_path))
    assert resources.read_tsv("t.tsv") == [{"word": "Bộ Y tế", "kind": "ministry"}, {"word": "hai  từ", "kind": ""}]
    with pytest.raises(resources.ResourceError, match=r"bad\.tsv: row 2 has 3 fields, the header 2"):
        resources.read_tsv("bad.tsv")
