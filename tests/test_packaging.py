"""A built wheel carries the data files of models/ (so `pip install .` works without the source tree),
and never the locally built research-only models of models/local/."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline import resources

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (whl,) = out.glob("vnextract-*.whl")
    return zipfile.ZipFile(whl).namelist()


def test_wheel_has_every_listed_data_file(wheel_names):
    shipped = {n.removeprefix("pipeline/models/") for n in wheel_names if n.startswith("pipeline/models/")}
    assert set(resources.manifest()) <= shipped
    assert "MANIFEST.jsonl" in shipped
    assert "pipeline/data/annotation.schema.json" in wheel_names


def test_wheel_has_no_local_models(wheel_names):
    assert not [n for n in wheel_names if "/local/" in n or n.endswith(".crfsuite") and "ner_crf" in n]
