"""The README's main command: ``serve --dev-certs`` makes certificates and serves."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from helpers.live_server import free_port

pytestmark = pytest.mark.server

ROOT = Path(__file__).parents[2]


def test_serve_with_dev_certs_generates_them_and_answers_over_tls(
    tmp_path: Path,
) -> None:
    certs = tmp_path / "certs"
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "webhook",
                "serve",
                "--dev-certs",
                "--bind",
                f"127.0.0.1:{port}",
                "--cert-file",
                str(certs / "tls.crt"),
                "--key-file",
                str(certs / "tls.key"),
                "--policy-dir",
                str(ROOT / "policies"),
                "--workers",
                "1",
                "--metrics-dir",
                str(tmp_path / "metrics"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        answer = _wait_for_ready(f"https://127.0.0.1:{port}", ca=certs / "ca.crt")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)

    assert answer["status"] == "ready"
    assert sorted(p.name for p in certs.iterdir()) == [
        "ca.crt",
        "ca.key",
        "tls.crt",
        "tls.key",
    ]
    assert stat.S_IMODE((certs / "tls.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((certs / "ca.key").stat().st_mode) == 0o600


def _wait_for_ready(url: str, *, ca: Path) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ca.exists():
            try:
                response = requests.get(f"{url}/readyz", verify=str(ca), timeout=2)
                if response.status_code == 200:
                    body: dict[str, object] = response.json()
                    return body
            except requests.RequestException:
                pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready within 30 s")
