"""A small delaying work queue of Job keys, and per-key retry backoff.

A key added several times is handled once, at the earliest time it was asked for;
the worker always reads the newest copy of the Job from the store, so handling a
key once per burst of watch events loses nothing.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class WorkQueue:
    """Keys to handle, each due now or after a delay."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._due: dict[str, float] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()

    def add(self, key: str, *, delay: float = 0.0) -> None:
        due = self._clock() + delay
        with self._ready:
            if key in self._due and self._due[key] <= due:
                return
            self._due[key] = due
            heapq.heappush(self._heap, (due, next(self._order), key))
            self._ready.notify()

    def get(self, *, timeout: float) -> str | None:
        """The next due key, or None when none is due within ``timeout`` seconds."""
        deadline = self._clock() + timeout
        with self._ready:
            while True:
                self._drop_stale()
                now = self._clock()
                if self._heap and self._heap[0][0] <= now:
                    _, _, key = heapq.heappop(self._heap)
                    del self._due[key]
                    return key
                if now >= deadline:
                    return None
                wake = self._heap[0][0] if self._heap else deadline
                self._ready.wait(min(wake, deadline) - now)

    def __len__(self) -> int:
        with self._ready:
            return len(self._due)

    def _drop_stale(self) -> None:
        while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)


class RetryBackoff:
    """A :class:`Backoff` per key, forgotten after the key succeeds."""

    def __init__(self, *, initial: float = 1.0, cap: float = 300.0) -> None:
        self.initial = initial
        self.cap = cap
        self._per_key: dict[str, Backoff] = {}

    def next_delay(self, key: str) -> float:
        backoff = self._per_key.setdefault(
            key, Backoff(initial=self.initial, cap=self.cap)
        )
        return backoff.next_delay()

    def forget(self, key: str) -> None:
        self._per_key.pop(key, None)


class Backoff:
    """Exponential delays for one repeating failure, capped; reset on success."""

    def __init__(self, *, initial: float = 0.5, cap: float = 30.0) -> None:
        self.initial = initial
        self.cap = cap
        self._failures = 0

    def next_delay(self) -> float:
        delay = min(self.initial * 2**self._failures, self.cap)
        self._failures = min(self._failures + 1, 32)
        return float(delay)

    def reset(self) -> None:
        self._failures = 0
