"""Helpers for the tracker's tests: run a loop in a thread, read a metric."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from webhook.tracker.metrics import TrackerMetrics

NOW = datetime(2025, 6, 2, 2, 3, 42, tzinfo=UTC)
"""The tracker's clock in tests: one second after the recorded Job completed."""


@contextmanager
def running(target: Callable[[threading.Event], None]) -> Iterator[threading.Event]:
    """Run ``target(stop)`` in a thread; stop it and wait for it on exit."""
    stop = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        try:
            target(stop)
        except BaseException as error:  # re-raised in the test's thread below
            failure.append(error)

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive(), "the loop did not stop within 5 seconds"
    if failure:
        raise failure[0]


def sample(metrics: TrackerMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value
