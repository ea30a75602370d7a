"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
ROOT = TESTS.parent


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No BATCHGUARD_* or multi-process metrics setting leaks into a test."""
    for name in list(os.environ):
        if name.startswith("BATCHGUARD_") or name == "PROMETHEUS_MULTIPROC_DIR":
            monkeypatch.delenv(name)
    yield


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture
def data_dir() -> Path:
    return DATA
