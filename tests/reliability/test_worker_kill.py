"""A gunicorn worker killed under load: the other answers, the master replaces it."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.live_server import LiveServer, live_server
from helpers.traffic import Traffic, children

pytestmark = [pytest.mark.server, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
CLIENTS = 4
SETTLED = 2.0


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("kill")
    with live_server(workdir, policy_dirs=[ROOT / "policies"], workers=2) as running:
        yield running


def wait_for_workers(master: int, *, count: int, within: float = 20.0) -> list[int]:
    deadline = time.monotonic() + within
    while len(workers := children(master)) != count:
        assert time.monotonic() < deadline, f"workers of {master}: {workers}"
        time.sleep(0.1)
    return workers


def test_killing_a_worker_fails_at_most_the_requests_in_flight_on_it(
    two_workers: LiveServer,
) -> None:
    master = two_workers.process.pid
    before = wait_for_workers(master, count=2)

    with Traffic(two_workers.port, two_workers.ca_file, clients=CLIENTS) as traffic:
        time.sleep(1.0)
        killed_at = time.monotonic()
        os.kill(before[0], signal.SIGKILL)
        time.sleep(SETTLED + 2.0)

    failed = [
        (round(sent.started - killed_at, 3), sent.error)
        for sent in traffic.sent
        if not sent.ok
    ]
    later = [sent for sent in traffic.sent if sent.started >= killed_at + SETTLED]
    # NB: each client has one request in flight at a time, so at most CLIENTS
    # requests can have been on the killed worker.
    assert len(failed) <= CLIENTS, failed
    assert all(started < SETTLED for started, _ in failed), failed
    assert len(later) >= CLIENTS, (len(traffic.sent), failed)
    assert all(sent.ok for sent in later), failed
    replaced = wait_for_workers(master, count=2)
    assert before[0] not in replaced, two_workers.logs()[-3000:]
    assert before[1] in replaced, two_workers.logs()[-3000:]
