"""Run ``batchguard`` in-process and capture what it prints."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from webhook.cli.main import run


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def batchguard(capsys: pytest.CaptureFixture[str]):
    """Call as ``batchguard("check", path)``; returns exit code, stdout and stderr."""

    def invoke(*args: str | Path) -> Result:
        code = run([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    """Call with bytes to make them the process's standard input."""

    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    return feed
