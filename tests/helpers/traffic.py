"""Steady traffic against a real server, recorded request by request."""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.admission import job, review
from helpers.tls_client import client_context, post


@dataclass(frozen=True)
class Sent:
    started: float
    seconds: float
    error: str | None
    """None for a 200 answer for the request's uid; else what went wrong."""

    @property
    def ok(self) -> bool:
        return self.error is None


class Traffic:
    """``clients`` threads, each POSTing to /mutate on a new connection each time,
    until stopped (and for ``limit`` seconds at most)."""

    def __init__(self, port: int, ca_file: str, *, clients: int, limit: float = 60):
        self.port = port
        self.context: ssl.SSLContext = client_context(ca_file)
        self.limit = limit
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(index,), daemon=True)
            for index in range(clients)
        ]

    def _once(self, uid: str) -> str | None:
        body = json.dumps(review(job(), uid=uid)).encode()
        try:
            answer = post(self.port, "/mutate", body, context=self.context, timeout=5)
        except (OSError, ValueError, http.client.HTTPException) as error:
            # A response cut off by a killed worker is a failed request, counted.
            return repr(error)
        if answer.status != 200:
            return f"HTTP {answer.status}: {answer.body[:200]!r}"
        if answer.json()["response"]["uid"] != uid:
            return f"wrong uid in {answer.body[:200]!r}"
        return None

    def _client(self, index: int) -> None:
        deadline = time.monotonic() + self.limit
        count = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            count += 1
            started = time.monotonic()
            error = self._once(f"client-{index}-request-{count}")
            with self._lock:
                self.sent.append(Sent(started, time.monotonic() - started, error))

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (gunicorn's workers, for its master)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend(
                int(child) for child in (task / "children").read_text().split()
            )
        except OSError:
            continue
    return sorted(found)
