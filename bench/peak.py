"""``python -m bench.peak REPORT -m MODULE ARGS...``: run a module, then record
its peak resident memory (VmHWM, KiB) in REPORT.

A parent cannot learn this from ``wait4``: Linux folds the memory of the process
that spawned the child into the child's ``ru_maxrss``, so every child of a large
benchmark process would look as large as the benchmark. VmHWM, read by the
process itself as it exits, counts only what it used after ``exec``.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise LookupError("/proc/self/status has no VmHWM line; Linux is required.")


def main() -> None:
    report, flag, module, *args = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: python -m bench.peak REPORT -m MODULE [ARGS...]")
    atexit.register(lambda: Path(report).write_text(f"{peak_kib()}\n"))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
