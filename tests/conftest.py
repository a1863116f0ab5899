"""Shared fixtures. Tests that need ../shared (gold data, public data sets) skip when it is absent."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "gold").is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline, built once for the whole test session."""
    from pipeline import load
    return load()


@pytest.fixture(scope="session")
def base_nlp():
    """normalize → sentences → tokens only."""
    from pipeline import load
    return load(["normalize", "sentences", "tokens"])
