"""A real ``batchguard serve`` that requires client certificates (mTLS).

``live_server`` probes readiness without a client certificate, which such a
server refuses; this starts the same server and probes with one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

from helpers.live_server import STARTUP_SECONDS, LiveServer, free_port
from webhook import certs


def _command(
    port: int, *, cert_dir: Path, client_ca_file: Path, policy_dirs: Sequence[Path]
) -> list[str]:
    return [
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
        "--client-ca-file",
        str(client_ca_file),
        "--workers",
        "1",
        "--threads",
        "4",
        "--metrics-dir",
        str(cert_dir.parent / f"metrics-{port}"),
        *(arg for path in policy_dirs for arg in ("--policy-dir", str(path))),
    ]


def _wait_until_ready(server: LiveServer, *, client_cert: tuple[str, str]) -> None:
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
def mtls_live_server(
    workdir: Path,
    *,
    policy_dirs: Sequence[Path],
    client_ca_file: Path,
    client_cert: tuple[str, str],
) -> Iterator[LiveServer]:
    """The server, ready once ``client_cert`` (cert file, key file) gets answers."""
    cert_dir = workdir / "certs"
    certs.generate(cert_dir, names=certs.dev_names())
    port = free_port()
    log_file = workdir / f"server-{port}.log"
    command = _command(
        port, cert_dir=cert_dir, client_ca_file=client_ca_file, policy_dirs=policy_dirs
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("BATCHGUARD_")
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    server = LiveServer(f"https://127.0.0.1:{port}", port, cert_dir, process, log_file)
    try:
        _wait_until_ready(server, client_cert=client_cert)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
