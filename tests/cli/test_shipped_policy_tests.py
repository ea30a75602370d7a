"""The shipped policies pass their own unit tests, run as a policy repo's CI would."""

from __future__ import annotations

from pathlib import Path

import pytest

from webhook.cli.main import run

ROOT = Path(__file__).parents[2]


def test_the_shipped_policy_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["test", str(ROOT / "policies" / "tests")])

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(" PASSED") >= 11
    assert " FAILED" not in out
