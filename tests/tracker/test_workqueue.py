"""The delaying work queue and the backoffs that feed it."""

from __future__ import annotations

import threading

import pytest

from webhook.tracker.workqueue import Backoff, RetryBackoff, WorkQueue


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_key_added_several_times_is_handed_out_once():
    queue = WorkQueue()
    for _ in range(3):
        queue.add("team-a/nightly")

    assert queue.get(timeout=0) == "team-a/nightly"
    assert queue.get(timeout=0) is None


def test_keys_come_out_in_the_order_they_fall_due():
    clock = Clock()
    queue = WorkQueue(clock=clock)
    queue.add("late", delay=5)
    queue.add("soon", delay=1)
    queue.add("now")

    clock.now = 10
    assert [queue.get(timeout=0) for _ in range(3)] == ["now", "soon", "late"]


def test_a_delayed_key_is_not_handed_out_before_it_is_due():
    clock = Clock()
    queue = WorkQueue(clock=clock)
    queue.add("team-a/nightly", delay=30)

    assert queue.get(timeout=0) is None
    clock.now = 30
    assert queue.get(timeout=0) == "team-a/nightly"


def test_adding_a_delayed_key_again_now_brings_it_forward():
    clock = Clock()
    queue = WorkQueue(clock=clock)
    queue.add("team-a/nightly", delay=30)
    queue.add("team-a/nightly")

    assert queue.get(timeout=0) == "team-a/nightly"
    clock.now = 30
    assert queue.get(timeout=0) is None
    assert len(queue) == 0


def test_a_waiting_get_wakes_up_when_a_key_is_added():
    queue = WorkQueue()
    got: list[str | None] = []
    waiter = threading.Thread(target=lambda: got.append(queue.get(timeout=5)))
    waiter.start()

    queue.add("team-a/nightly")
    waiter.join(timeout=5)

    assert got == ["team-a/nightly"]


@pytest.mark.parametrize(
    ("initial", "cap", "expected"),
    [
        pytest.param(
            0.5, 30.0, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0], id="watch"
        ),
        pytest.param(1.0, 300.0, [1, 2, 4, 8, 16, 32, 64, 128], id="per-job"),
    ],
)
def test_backoff_doubles_up_to_its_cap(initial, cap, expected):
    backoff = Backoff(initial=initial, cap=cap)

    assert [backoff.next_delay() for _ in expected] == expected


def test_backoff_starts_over_after_a_reset():
    backoff = Backoff(initial=0.5, cap=30)
    backoff.next_delay()
    backoff.next_delay()

    backoff.reset()

    assert backoff.next_delay() == 0.5


def test_each_key_backs_off_on_its_own_and_is_forgotten_after_success():
    retry = RetryBackoff(initial=1, cap=300)
    delays = [retry.next_delay("a"), retry.next_delay("a"), retry.next_delay("b")]

    retry.forget("a")

    assert delays == [1, 2, 1]
    assert retry.next_delay("a") == 1


def test_a_long_failing_key_stays_at_the_cap():
    retry = RetryBackoff(initial=1, cap=300)

    delays = [retry.next_delay("a") for _ in range(100)]

    assert delays[-1] == 300
