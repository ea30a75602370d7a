"""A real ``batchguard serve`` (gunicorn over TLS) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from webhook import certs

STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    port: int
    cert_dir: Path
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def ca_file(self) -> str:
        return str(self.cert_dir / "ca.crt")

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace")


def _wait_until_ready(
    server: LiveServer, *, client_cert: tuple[str, str] | None = None
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.logs()}")
        try:
            response = requests.get(
                f"{server.url}/readyz",
                verify=server.ca_file,
                cert=client_cert,
                timeout=2,
            )
            if response.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {STARTUP_SECONDS}s:\n{server.logs()}")


@contextmanager
def live_server(
    workdir: Path,
    *,
    policy_dirs: Sequence[Path],
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    workers: int = 2,
    client_cert: tuple[str, str] | None = None,
) -> Iterator[LiveServer]:
    """The server, ready once ``/readyz`` answers (with ``client_cert``, the
    (certificate file, key file) a server started with ``--client-ca-file``
    requires)."""
    cert_dir = workdir / "certs"
    if not (cert_dir / "tls.crt").exists():
        certs.generate(cert_dir, names=certs.dev_names())
    port = free_port()
    log_file = workdir / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        "webhook",
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--cert-file",
        str(cert_dir / "tls.crt"),
        "--key-file",
        str(cert_dir / "tls.key"),
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--metrics-dir",
        str(workdir / f"metrics-{port}"),
        "--log-format",
        "json",
        *(arg for path in policy_dirs for arg in ("--policy-dir", str(path))),
        *extra_args,
    ]
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BATCHGUARD_") and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**clean_env, **(env or {})},
            start_new_session=True,
        )
    server = LiveServer(f"https://127.0.0.1:{port}", port, cert_dir, process, log_file)
    try:
        _wait_until_ready(server, client_cert=client_cert)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
