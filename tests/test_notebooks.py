"""The notebooks in notebooks/: committed without outputs, and they run top to bottom.

They are executed with nbclient (kernel python3) on copies in a temporary directory,
with the parameters cell overridden the way papermill does it (a cell inserted after
the cell tagged "parameters").
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-quickstart.ipynb", "02-corpus-exploration.ipynb"]
TIMEOUT = 600  # seconds per cell

# A stand-in entity stage, so that every table and plot has something to show whatever
# entity stages the default pipeline has. Names are invented.
FAKE_STAGE = r'''
import re
from pipeline import Processor, register

class _NotebookTestEntities(Processor):
    """Test stand-in: ministries, reform areas and officials from fixed lists."""
    name = "nbtest_entities"
    provides = frozenset({"entities"})
    MINISTRIES = {"Bộ Nội vụ": "Bộ Nội vụ", "Bộ Tư pháp": "Bộ Tư pháp", "Bộ Tài chính": "Bộ Tài chính",
                  "Bộ Thông tin và Truyền thông": "Bộ Thông tin và Truyền thông",
                  "Bộ TT&TT": "Bộ Thông tin và Truyền thông", "Bộ Công Thương": "Bộ Công Thương",
                  "Bộ Kế hoạch và Đầu tư": "Bộ Kế hoạch và Đầu tư", "Bộ KH&ĐT": "Bộ Kế hoạch và Đầu tư",
                  "Văn phòng Chính phủ": "Văn phòng Chính phủ", "VPCP": "Văn phòng Chính phủ"}
    AREAS = {"cải cách hành chính": "general", "CCHC": "general", "thủ tục hành chính": "procedures",
             "dịch vụ công trực tuyến": "procedures", "Chính phủ số": "modernization",
             "tài chính công": "public_finance", "tinh gọn bộ máy": "apparatus"}

    def __init__(self, **config):
        super().__init__(**config)
        alt = lambda d: re.compile("|".join(re.escape(k) for k in sorted(d, key=len, reverse=True)))
        self.ministry = alt(self.MINISTRIES)
        self.area = alt(self.AREAS)
        self.person = re.compile(r"(Bộ trưởng|Thứ trưởng) ((?:Nguyễn|Trần|Lê|Phạm|Hoàng|Vũ|Đặng|Bùi) \w+ \w+)")

    def __call__(self, doc):
        for m in self.ministry.finditer(doc.text):
            doc.add_entity("MINISTRY", m.start(), m.end(), canonical=self.MINISTRIES[m.group()])
        for m in self.area.finditer(doc.text):
            doc.add_entity("REFORM_AREA", m.start(), m.end(), area=self.AREAS[m.group()])
        for m in self.person.finditer(doc.text):
            doc.add_entity("OFFICIAL", m.start(2), m.end(2), title=m.group(1), org=None)
        return doc

register("nbtest_entities", _NotebookTestEntities)
STAGES = ["normalize", "sentences", "nbtest_entities"]
'''


def _load(name: str):
    import nbformat
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def test_committed_notebooks_have_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip the outputs"
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, f"{name}: one cell tagged 'parameters'"
        assert 'CORPUS = "../corpus"' in params[0].source


def _execute(name: str, tmp_path: Path, monkeypatch, inject: str):
    """Run a copy of the notebook in tmp_path with ``inject`` after the parameters cell."""
    for module in ("nbclient", "nbformat", "ipykernel", "matplotlib", "pandas"):
        pytest.importorskip(module)
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell
    nb = _load(name)
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = new_code_cell(inject)
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(i + 1, cell)
    work = tmp_path / "run"
    work.mkdir()
    shutil.copy(NOTEBOOKS / name, work / name)
    # the kernel imports the package from this checkout even when it is not installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "agg")
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    return nb


def _outputs(nb) -> tuple[str, int, str]:
    text, images, html = [], 0, []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type in ("display_data", "execute_result"):
                images += "image/png" in out.data
                html.append(out.data.get("text/html", "") + out.data.get("text/plain", ""))
    return "".join(text), images, "".join(html)


def test_quickstart_runs_on_the_bundled_corpus(tmp_path, monkeypatch):
    nb = _execute(NAMES[0], tmp_path, monkeypatch, f"CORPUS = {str(ROOT / 'corpus')!r}")
    text, _, _ = _outputs(nb)
    assert "showing 'seed-cchc-bo-tttt-2020'" in text


def test_quickstart_tables_and_displacy(tmp_path, monkeypatch):
    doc = tmp_path / "bai-viet.txt"
    doc.write_text("Bộ TT&TT họp về thủ tục hành chính\n\n"
                   "Thứ trưởng Nguyễn Văn An cho biết Bộ Thông tin và Truyền thông đẩy mạnh Chính phủ số.",
                   encoding="utf-8")
    nb = _execute(NAMES[0], tmp_path, monkeypatch, FAKE_STAGE + f"CORPUS = {str(doc)!r}")
    text, _, html = _outputs(nb)
    assert "No OFFICIAL" not in text and "No entities" not in text
    assert "Nguyễn Văn An" in html and "Thứ trưởng" in html  # the officials table
    assert "Bộ Thông tin và Truyền thông" in html and 'class="entities"' in html  # canonical names, displaCy
    assert "entities from the spaCy component, " in text


def test_exploration_runs_on_the_bundled_corpus(tmp_path, monkeypatch):
    nb = _execute(NAMES[1], tmp_path, monkeypatch,
                  f"CORPUS = {str(ROOT / 'corpus')!r}\nOUTPUT_DIR = {str(tmp_path / 'out')!r}\nSYNTHETIC_DOCS = 40")
    text, _, _ = _outputs(nb)
    assert "40 synthetic documents" in text
    assert (tmp_path / "out" / "corpus.annotated.jsonl").is_file()


def test_exploration_without_synthetic_data_or_entities(tmp_path, monkeypatch):
    """A tiny corpus with no entities: every plot says why it is empty instead of failing."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "x", "text": "Trời hôm nay đẹp.", "meta": {"published": None}}) + "\n",
                      encoding="utf-8")
    nb = _execute(NAMES[1], tmp_path, monkeypatch,
                  f"CORPUS = {str(corpus)!r}\nSYNTHETIC_DOCS = 0\nSTAGES = ['normalize', 'sentences']")
    text, images, _ = _outputs(nb)
    assert images == 0
    assert text.count("Nothing to show") >= 4


def test_exploration_plots_with_entities(tmp_path, monkeypatch):
    """An already annotated corpus plus synthetic documents: all four plots are drawn."""
    corpus = tmp_path / "annotated.jsonl"
    text = "Bộ Nội vụ: Thứ trưởng Trần Văn Bình nói về cải cách hành chính."
    ents = [{"label": "MINISTRY", "start": 0, "end": 9, "text": "Bộ Nội vụ", "canonical": "Bộ Nội vụ"},
            {"label": "OFFICIAL", "start": 22, "end": 35, "text": "Trần Văn Bình", "title": "Thứ trưởng",
             "org": "Bộ Nội vụ"},
            {"label": "REFORM_AREA", "start": 43, "end": 62, "text": "cải cách hành chính", "area": "general"}]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in ents)
    corpus.write_text(json.dumps({"id": "mine", "text": text, "meta": {"published": "2019-05-01"},
                                  "sentences": [{"start": 0, "end": len(text)}], "tokens": [],
                                  "entities": ents}, ensure_ascii=False) + "\n", encoding="utf-8")
    nb = _execute(NAMES[1], tmp_path, monkeypatch, FAKE_STAGE + f"CORPUS = {str(corpus)!r}\nSYNTHETIC_DOCS = 60")
    out, images, html = _outputs(nb)
    assert "is already annotated" in out
    assert "Nothing to show" not in out
    assert images == 4
    assert "includes synthetic documents" not in html  # titles are in the images, not in text outputs
