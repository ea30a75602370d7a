"""Operating the real server: certificate rotation, policy reload, metrics, logs."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from helpers.admission import decoded_patch, job, review
from helpers.live_server import LiveServer, live_server

from webhook import certs

pytestmark = pytest.mark.server

DATA = Path(__file__).parents[1] / "data"
TTL_POLICY = DATA / "policies" / "ttl" / "cleanup.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("ops")
    policy_dir = workdir / "policies"
    policy_dir.mkdir()
    shutil.copy(TTL_POLICY, policy_dir / "cleanup.yaml")
    with live_server(workdir, policy_dirs=[policy_dir], workers=2) as running:
        yield running


def mutate(server: LiveServer, obj: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(
        f"{server.url}/mutate",
        json=review(obj or job()),
        verify=server.ca_file,
        timeout=10,
    )


def served_certificate(server: LiveServer) -> x509.Certificate:
    context = ssl.create_default_context(cafile=server.ca_file)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


class Load:
    """Keeps sending requests, each on a new connection, until stopped."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.stop = threading.Event()
        self.ok = 0
        self.failures: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + 60
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                response = mutate(self.server)
                if (
                    response.status_code == 200
                    and response.json()["response"]["allowed"]
                ):
                    self.ok += 1
                else:
                    self.failures.append(
                        f"{response.status_code} {response.text[:200]}"
                    )
            except requests.RequestException as error:
                self.failures.append(repr(error))

    def __enter__(self) -> Load:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def rotate(cert_dir: Path) -> x509.Certificate:
    """A new serving certificate from the same CA, written file by file."""
    ca_cert = x509.load_pem_x509_certificate((cert_dir / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key(
        (cert_dir / "ca.key").read_bytes(), password=None
    )
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    cert, key = certs.make_serving_certificate(
        ca_cert=ca_cert, ca_key=ca_key, names=certs.dev_names()
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    certs.write_atomically(cert_dir / "tls.key", key_pem, mode=0o600)
    time.sleep(0.2)
    certs.write_atomically(
        cert_dir / "tls.crt", cert.public_bytes(serialization.Encoding.PEM), mode=0o644
    )
    return cert


def test_certificate_rotation_under_load_fails_no_request(server: LiveServer) -> None:
    before = served_certificate(server)

    with Load(server) as load:
        time.sleep(0.5)
        new = rotate(server.cert_dir)
        time.sleep(1.0)

    after = served_certificate(server)
    assert load.failures == []
    assert load.ok > 5
    assert after.serial_number == new.serial_number != before.serial_number


def test_policy_reload_under_load_keeps_the_last_good_set(
    server: LiveServer, tmp_path: Path
) -> None:
    policy_file = Path(server.cert_dir.parent / "policies" / "cleanup.yaml")
    original = policy_file.read_text()

    with Load(server) as load:
        policy_file.write_text(original.replace("86400", "7200"))
        time.sleep(1.5)
        changed = decoded_patch(mutate(server).json())
        policy_file.write_text("spec: [this is not a policy")
        time.sleep(1.5)
        kept = decoded_patch(mutate(server).json())
        ready = requests.get(f"{server.url}/readyz", verify=server.ca_file, timeout=5)

    policy_file.write_text(original)
    assert load.failures == []
    assert changed[0]["value"] == 7200
    assert kept[0]["value"] == 7200
    assert ready.status_code == 200
    assert "not valid YAML" in ready.json()["policies"]["lastError"]


def metric_value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_across_all_workers(server: LiveServer) -> None:
    def scrape() -> str:
        response = requests.get(
            f"{server.url}/metrics", verify=server.ca_file, timeout=5
        )
        assert response.status_code == 200
        return response.text

    before = metric_value(
        scrape(), "batchguard_admission_requests_total", endpoint="mutate", kind="Job"
    )
    for _ in range(20):
        assert mutate(server).status_code == 200
    text = scrape()

    after = metric_value(
        text, "batchguard_admission_requests_total", endpoint="mutate", kind="Job"
    )
    assert after - before == 20
    assert (
        metric_value(text, "batchguard_mutations_total", rule="ttlSecondsAfterFinished")
        >= 20
    )
    assert (
        metric_value(text, "batchguard_certificate_expiry_timestamp_seconds")
        > time.time()
    )
    assert "batchguard_admission_review_duration_seconds_bucket" in text
    pids = {
        line.split('pid="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("batchguard_policy_last_load_success{")
    }
    assert len(pids) == 2


def test_each_decision_is_one_json_log_line_without_the_body(
    server: LiveServer,
) -> None:
    secret = "do-not-log-this-value"
    obj = job()
    obj["metadata"]["annotations"] = {"example.com/secret": secret}
    uid = "11111111-2222-3333-4444-555555555555"
    response = requests.post(
        f"{server.url}/validate",
        json=review(obj, uid=uid),
        verify=server.ca_file,
        timeout=10,
    )
    assert response.status_code == 200
    time.sleep(0.3)

    lines = [json.loads(line) for line in server.logs().splitlines() if uid in line]

    assert len(lines) == 1
    entry = lines[0]
    assert set(entry) >= {
        "time",
        "level",
        "logger",
        "message",
        "uid",
        "kind",
        "namespace",
        "object_name",
        "operation",
        "allowed",
        "rules",
        "duration_ms",
        "endpoint",
    }
    assert (entry["uid"], entry["kind"], entry["operation"], entry["allowed"]) == (
        uid,
        "Job",
        "CREATE",
        True,
    )
    assert secret not in server.logs()
    assert "PRIVATE KEY" not in server.logs()
