"""CLI benchmark: ``batchguard check`` over a generated tree, against parsing alone.

Each run is a child process, timed from start to exit, that reports its own peak
resident memory through ``bench.peak``. The baseline (``bench.parse_only``) walks
the same tree and only parses it with PyYAML's C loader. Targets: ``check`` runs
at least 0.5 of the baseline's speed on the largest tree, and its peak memory
stays flat (at most 1.2 times) from the smaller tree to the larger.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.results import Target, heading, say
from bench.tree import write_tree

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 10_000)
QUICK_SIZES = (50, 500)
SPEED_BOUND = 0.5
MEMORY_BOUND = 1.2
# 0 clean, 1 a denial found: both are a finished check; 2 is unreadable input.
CHECK_EXIT_CODES = (0, 1)


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_kib: int
    exit_code: int


@dataclass(frozen=True)
class SizeRun:
    files: int
    documents: int
    check: ProcessRun
    parse: ProcessRun

    @property
    def speed_ratio(self) -> float:
        return self.parse.seconds / self.check.seconds


def measured(
    module: str,
    args: Sequence[str],
    *,
    workdir: Path,
    name: str,
    exit_codes: Sequence[int] = (0,),
) -> ProcessRun:
    """Run ``python -m module args`` to its end: wall time, peak RSS, exit code.

    Its output goes to ``workdir/<name>.log``, quoted if it exits otherwise than
    with one of ``exit_codes``.
    """
    log, peak = workdir / f"{name}.log", workdir / f"{name}.peak"
    command = [sys.executable, "-m", "bench.peak", str(peak), "-m", module, *args]
    with log.open("wb") as output:
        started = time.perf_counter()
        finished = subprocess.run(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
        elapsed = time.perf_counter() - started
    if finished.returncode not in exit_codes or not peak.is_file():
        raise RuntimeError(
            f"python -m {module} exited {finished.returncode} ({name}); "
            f"its output ends:\n{log.read_text(errors='replace')[-2000:]}"
        )
    return ProcessRun(elapsed, int(peak.read_text()), finished.returncode)


def _check_args(tree: Path, report: Path) -> list[str]:
    return [
        "check",
        str(tree),
        "--policies",
        str(ROOT / "policies"),
        "--format",
        "json",
        "--output",
        str(report),
    ]


def _run_size(workdir: Path, files: int) -> SizeRun:
    tree = workdir / f"tree-{files}"
    documents = write_tree(tree, files=files)
    check = measured(
        "webhook",
        _check_args(tree, workdir / f"report-{files}.json"),
        workdir=workdir,
        name=f"check-{files}",
        exit_codes=CHECK_EXIT_CODES,
    )
    parse = measured(
        "bench.parse_only", [str(tree)], workdir=workdir, name=f"parse-{files}"
    )
    return SizeRun(files, documents, check, parse)


def _lines(run: SizeRun) -> list[str]:
    lines = []
    for name, process in (("check", run.check), ("parse only", run.parse)):
        lines.append(
            f"{run.files:>6} files {run.documents:>6} docs  {name:<10} "
            f"{process.seconds:7.2f} s  {run.files / process.seconds:8,.0f} files/s  "
            f"peak RSS {process.peak_kib / 1024:6.1f} MiB"
        )
    lines.append(f"{'':>26}check runs at {run.speed_ratio:.2f} of parse-only speed")
    return lines


def targets(runs: list[SizeRun]) -> list[Target]:
    small, large = runs[0], runs[-1]
    return [
        Target(
            f"cli: check speed vs parse only, {large.files} files",
            large.speed_ratio,
            "at least",
            SPEED_BOUND,
        ),
        Target(
            f"cli: check peak RSS, {large.files} vs {small.files} files",
            large.check.peak_kib / small.check.peak_kib,
            "at most",
            MEMORY_BOUND,
        ),
    ]


def run(*, quick: bool) -> list[Target]:
    """Measure and print the CLI figures; return the targets they judge."""
    heading("CLI: batchguard check vs parsing the same files with yaml.CSafeLoader")
    say("each run is a child process: wall time, and peak RSS (its own VmHWM)")
    runs = []
    with tempfile.TemporaryDirectory(prefix="batchguard-bench-") as scratch:
        for files in QUICK_SIZES if quick else SIZES:
            runs.append(_run_size(Path(scratch), files))
            for line in _lines(runs[-1]):
                say(line)
    return targets(runs)
