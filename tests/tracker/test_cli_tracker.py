"""``batchguard tracker`` in-process: its flags, and a graceful stop on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tracker.replay_apiserver import IDLE_WATCH, ReplayApiserver, Reply

from webhook.cli.main import run

JOBS = "/apis/batch/v1/jobs"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/batchguard-system/leases"
LEASE = f"{LEASES}/batchguard-tracker"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The command configures the ``webhook`` logger; later tests need it back."""
    logger = logging.getLogger("webhook")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    yield
    logger.handlers[:] = saved[0]
    logger.propagate, logger.level = saved[1], saved[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_job_controllers_own_finalizer_is_refused(capsys):
    code = run(["tracker", "--finalizer", "batch.kubernetes.io/job-tracking"])

    assert code == 2
    assert "--finalizer 'batch.kubernetes.io/job-tracking' belongs to the job " in (
        capsys.readouterr().err
    )


def test_leader_election_outside_a_pod_needs_a_lease_namespace(monkeypatch, capsys):
    monkeypatch.delenv("POD_NAMESPACE", raising=False)

    code = run(["tracker", "--metrics-bind", ""])

    assert code == 2
    assert "--lease-namespace is needed outside a pod" in capsys.readouterr().err


def test_a_bad_metrics_bind_is_a_usage_error(capsys):
    code = run(["tracker", "--no-leader-elect", "--metrics-bind", "9090"])

    assert code == 2
    assert "--metrics-bind: '9090' is not host:port" in capsys.readouterr().err


def test_a_missing_kubeconfig_is_reported_with_its_name(tmp_path, capsys):
    missing = tmp_path / "nowhere"

    code = run(["tracker", "--no-leader-elect", "--kubeconfig", str(missing)])

    assert code == 2
    assert f"Cannot load {str(missing)!r}" in capsys.readouterr().err


def test_sigterm_stops_the_tracker_and_gives_the_lease_back(
    apiserver: ReplayApiserver, kubeconfig: Path
):
    apiserver.expect("GET", LEASE, Reply.of("status-404-lease.json", 404))
    apiserver.expect("GET", LEASE, then=Reply.of("lease-created.json"))
    apiserver.expect("POST", LEASES, Reply.of("lease-created.json", 201))
    apiserver.expect("PUT", LEASE, then=Reply.of("lease-renewed.json"))
    apiserver.expect("GET", JOBS, then=Reply.of("jobs-list-empty.json"))
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)

    def terminate_once_watching() -> None:
        try:
            apiserver.wait_for(1, "GET", JOBS, watch=True, timeout=30)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_watching, daemon=True)
    killer.start()
    code = run(
        [
            "tracker",
            "--kubeconfig",
            str(kubeconfig),
            "--identity",
            "tracker-test",
            "--lease-namespace",
            "batchguard-system",
            "--metrics-bind",
            f"127.0.0.1:{free_port()}",
            "--log-format",
            "text",
        ]
    )
    killer.join(timeout=5)

    assert code == 0
    release = apiserver.sent("PUT", LEASE)[-1]
    assert release.body["spec"]["holderIdentity"] == ""
    assert release.headers["authorization"] == "Bearer test-token"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
