"""Keep-alive load against one server: wrk when installed, else Python threads.

Both generators keep ``connections`` connections open for ``duration`` seconds,
each sending the next request as soon as the previous answer arrives, and report
requests per second, the 50th and 99th latency percentiles, and errors (failed
connections, reads, timeouts and answers other than 200).
"""

from __future__ import annotations

import http.client
import os
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("post.lua")
INSTALL_HINT = "apt-get install -y wrk"


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Endpoint:
    """Where the load goes: ``https://127.0.0.1:<port><path>``."""

    port: int
    path: str
    body: bytes
    body_file: Path
    context: ssl.SSLContext = field(repr=False)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{self.path}"


def wrk_path() -> str | None:
    return shutil.which("wrk")


def generator_label() -> str:
    found = wrk_path()
    if found:
        return f"load generator: wrk ({found}), 1 thread, keep-alive connections"
    return (
        "load generator: Python threads with http.client keep-alive connections "
        f"(wrk was not found; install it with `{INSTALL_HINT}`). This client is "
        "slower than wrk and competes with the servers for the CPU: absolute "
        "figures are lower, and the ratios understate the gap between the servers."
    )


def generate(target: Endpoint, *, connections: int, duration: float) -> LoadResult:
    if wrk_path():
        return _wrk(target, connections=connections, duration=duration)
    return _python(target, connections=connections, duration=duration)


def _wrk(target: Endpoint, *, connections: int, duration: float) -> LoadResult:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "--script",
        str(WRK_SCRIPT),
        target.url,
    ]
    finished = subprocess.run(
        command,
        env={**os.environ, "BENCH_BODY_FILE": str(target.body_file)},
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    return parse_wrk(finished.stdout, stderr=finished.stderr)


def parse_wrk(stdout: str, *, stderr: str = "") -> LoadResult:
    """The figures of the ``bench-result`` line that ``post.lua`` prints."""
    for line in stdout.splitlines():
        if line.startswith("bench-result "):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            figures = {key: int(value) for key, value in fields.items()}
            errors = sum(v for k, v in figures.items() if k.startswith("errors_"))
            return LoadResult(
                requests=figures["requests"],
                seconds=figures["duration_us"] / 1e6,
                p50_ms=figures["p50_us"] / 1e3,
                p99_ms=figures["p99_us"] / 1e3,
                errors=errors,
            )
    raise RuntimeError(
        f"wrk printed no result line; its output was:\n{stdout}\n{stderr}"
    )


class _Client(threading.Thread):
    """One keep-alive connection sending requests until the deadline."""

    def __init__(self, target: Endpoint, deadline: float) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.deadline = deadline
        self.latencies: list[float] = []
        self.errors = 0

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.target.port, context=self.target.context, timeout=10
        )

    def run(self) -> None:
        connection = self._connect()
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < self.deadline:
            started = time.perf_counter()
            try:
                connection.request(
                    "POST", self.target.path, body=self.target.body, headers=headers
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                connection.close()
                connection = self._connect()
                continue
            self.latencies.append(time.perf_counter() - started)
            self.errors += response.status != 200
        connection.close()


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (sorted or not)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _python(target: Endpoint, *, connections: int, duration: float) -> LoadResult:
    started = time.monotonic()
    clients = [_Client(target, started + duration) for _ in range(connections)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    latencies = [value for client in clients for value in client.latencies]
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 0.50) * 1e3,
        p99_ms=percentile(latencies, 0.99) * 1e3,
        errors=sum(client.errors for client in clients),
    )
