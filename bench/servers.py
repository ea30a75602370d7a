"""Starting the two servers the webhook benchmark compares, and looking at them."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webhook import certs

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def generate(cls, directory: Path) -> Certificates:
        files = certs.generate(directory, names=certs.dev_names())
        return cls(files.ca_cert, files.cert, files.key)


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def batchguard_command(
    port: int, *, tls: Certificates, workers: int, threads: int, workdir: Path
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "webhook",
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--cert-file",
        str(tls.cert_file),
        "--key-file",
        str(tls.key_file),
        "--policy-dir",
        str(ROOT / "policies"),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--metrics-dir",
        str(workdir / "metrics"),
        "--log-format",
        "json",
    ]


def baseline_command(
    port: int, *, tls: Certificates, workers: int, threads: int
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.baseline_server",
        "--bind",
        f"127.0.0.1:{port}",
        "--cert-file",
        str(tls.cert_file),
        "--key-file",
        str(tls.key_file),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


def _environment() -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BATCHGUARD_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    clean["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    return clean


def post(
    server: Server, path: str, body: bytes, *, context: ssl.SSLContext
) -> tuple[int, Any]:
    """One POST on a new connection: the status and the decoded JSON answer."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=context, timeout=5
    )
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def client_context(tls: Certificates) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    context.check_hostname = False
    return context


def _wait_until_serving(server: Server, *, probe: bytes, tls: Certificates) -> None:
    context = client_context(tls)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The {server.name} server exited:\n{server.logs()}")
        try:
            status, _ = post(server, "/mutate", probe, context=context)
            if status == 200:
                return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"The {server.name} server did not answer within {STARTUP_SECONDS:.0f} s:\n"
        f"{server.logs()}"
    )


@contextmanager
def running(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    workdir: Path,
    probe: bytes,
    tls: Certificates,
) -> Iterator[Server]:
    """A server process started from ``command``, stopped on exit."""
    log_file = workdir / f"{name}.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_environment(),
            cwd=ROOT,
            start_new_session=True,
        )
    server = Server(name, port, process, log_file)
    try:
        _wait_until_serving(server, probe=probe, tls=tls)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def children(pid: int) -> list[int]:
    """Child process ids of ``pid``, read from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.extend(int(part) for part in (task / "children").read_text().split())
        except OSError:
            continue
    return sorted(found)


def resident_kib(pid: int) -> int | None:
    """VmRSS of ``pid`` in KiB, or None when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU seconds used so far by the processes ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # NB: the command name (field 2) may hold spaces; count from its ")".
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks
