"""``python -m bench --quick --only engine`` runs and prints what it promises.

No figure is judged here: timings belong to the benchmark run, not to the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def output() -> list[str]:
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "engine"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.splitlines()


def starting(lines: list[str], prefix: str) -> list[str]:
    return [line for line in lines if line.startswith(prefix)]


def test_the_run_names_the_machine_then_the_engine_section(output: list[str]) -> None:
    assert output[0].startswith("machine: ")
    assert output[1:3] == [
        "",
        "== Engine: webhook.policy.engine.review with the default policies ==",
    ]
    assert [line.split()[:2] for line in output[3:5]] == [
        ["typical", "Job"],
        ["typical", "CronJob"],
    ]
    assert all(line.endswith("reviews/s (CPU time)") for line in output[3:5])


@pytest.mark.parametrize(
    ("dimension", "unit", "sizes"),
    [
        ("containers", "container", ["1", "2", "4", "8", "16"]),
        ("policies", "policy", ["1", "2", "4", "8", "16", "32", "64"]),
        ("rules", "rule", ["1", "2", "4", "8"]),
    ],
    ids=["containers", "policies", "rules"],
)
def test_each_growth_table_lists_its_sizes_and_a_linearity_line(
    output: list[str], dimension: str, unit: str, sizes: list[str]
) -> None:
    header = next(i for i, line in enumerate(output) if line.split()[:1] == [dimension])
    rows = output[header + 1 : header + 1 + len(sizes)]

    assert output[header].split() == [
        dimension,
        "us/review",
        "us",
        "per",
        unit,
        "marginal",
        "us",
    ]
    assert [row.split()[0] for row in rows] == sizes
    assert output[header + 1 + len(sizes)].startswith("linearity: cost per ")


def test_the_results_table_judges_every_engine_target(output: list[str]) -> None:
    results = output.index(
        next(line for line in output if line.startswith("== Results"))
    )
    names = [line[:58].rstrip() for line in output[results + 2 : -1]]

    assert output[results + 1].split() == ["target", "measured", "bound", "verdict"]
    assert names == [
        "engine: typical Job review (ms)",
        "engine: typical CronJob review (ms)",
        "engine: cost per container, 16 vs 1",
        "engine: marginal cost per container, upper vs lower half",
        "engine: cost per policy, 64 vs 1",
        "engine: marginal cost per policy, upper vs lower half",
        "engine: cost per rule, 8 vs 1",
    ]
    assert all(
        line.split()[-1] in ("PASS", "MISS") for line in output[results + 2 : -1]
    )
    assert output[-1].endswith(" of 7 targets met.")
