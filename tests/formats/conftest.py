"""Fixtures of the format tests (the fixtures of ``tests/conftest.py`` apply here too)."""
from __future__ import annotations

import pytest
from sample_docs import sample_records


@pytest.fixture
def records() -> list[dict]:
    return sample_records()
