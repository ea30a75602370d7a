"""``/healthz`` and ``/metrics`` served on a real loopback port."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from webhook.tracker.health import Health, make_app, parse_bind, serve
from webhook.tracker.metrics import TrackerMetrics


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def health(clock) -> Health:
    return Health(stale_after=60, clock=clock)


@pytest.fixture
def base_url(health) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics = TrackerMetrics()
    metrics.releases.inc()
    server = serve(
        f"127.0.0.1:{port}", make_app(registry=metrics.registry, health=health)
    )
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_healthz_answers_ok_while_the_loops_turn(base_url, health, clock):
    clock.now = 59
    response = requests.get(f"{base_url}/healthz", timeout=5)

    assert (response.status_code, response.text) == (200, "ok\n")


def test_healthz_fails_when_no_loop_turned_for_too_long(base_url, health, clock):
    clock.now = 61
    response = requests.get(f"{base_url}/healthz", timeout=5)

    assert response.status_code == 503
    assert response.text == "No tracker loop has run for 61 seconds.\n"


def test_healthz_fails_once_shutdown_began(base_url, health):
    health.stopping()
    response = requests.get(f"{base_url}/healthz", timeout=5)

    assert (response.status_code, response.text) == (
        503,
        "The tracker is shutting down.\n",
    )


def test_metrics_are_served_in_the_prometheus_text_format(base_url):
    response = requests.get(f"{base_url}/metrics", timeout=5)

    assert response.status_code == 200
    assert "batchguard_tracker_releases_total 1.0" in response.text
    assert 'batchguard_tracker_errors_total{stage="watch"} 0.0' in response.text


def test_other_paths_are_not_found(base_url):
    response = requests.get(f"{base_url}/", timeout=5)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        pytest.param("0.0.0.0:9090", ("0.0.0.0", 9090), id="ipv4"),
        pytest.param("[::]:9090", ("::", 9090), id="ipv6"),
        pytest.param(":9090", ("0.0.0.0", 9090), id="port-only"),
    ],
)
def test_bind_addresses_are_host_and_port(bind, expected):
    assert parse_bind(bind) == expected


@pytest.mark.parametrize(
    "bind",
    [
        pytest.param("9090", id="no-colon"),
        pytest.param("localhost:http", id="named-port"),
        pytest.param("0.0.0.0:70000", id="port-too-large"),
    ],
)
def test_bad_bind_addresses_are_refused_with_an_example(bind):
    with pytest.raises(
        ValueError, match=r"is not host:port \(for example 0.0.0.0:9090\)"
    ):
        parse_bind(bind)
