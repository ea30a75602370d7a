"""Timing calls precisely enough to compare sizes within one run.

Figures are CPU time of this process, not wall time, so other work on the
machine does not count against the code measured; and the calls compared are
timed in interleaved rounds, so a disturbance (a cache flush, a frequency
change) hits every size alike. The least disturbed round is kept. As in
``timeit``, the cyclic garbage collector is off while timing, so a collection
triggered by one case is not billed to another.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence

BATCH_SECONDS = 0.02
MIN_ROUNDS = 3


def _batch(function: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        function()
    return time.process_time() - started


def _calls_per_batch(function: Callable[[], object]) -> int:
    count = 1
    while True:
        elapsed = _batch(function, count)
        if elapsed >= BATCH_SECONDS / 4 or count >= 1_000_000:
            return max(1, round(count * BATCH_SECONDS / max(elapsed, 1e-9)))
        count *= 2


def cpu_seconds_per_call(
    functions: Sequence[Callable[[], object]], *, budget: float
) -> list[float]:
    """CPU seconds per call of each function, over about ``budget`` seconds."""
    gc.collect()
    gc.disable()
    try:
        counts = [_calls_per_batch(function) for function in functions]
        rounds = max(MIN_ROUNDS, round(budget / (BATCH_SECONDS * len(functions))))
        best = [float("inf")] * len(functions)
        for _ in range(rounds):
            for index, function in enumerate(functions):
                count = counts[index]
                best[index] = min(best[index], _batch(function, count) / count)
    finally:
        gc.enable()
    return best
