"""Fixtures for the reliability tests: the shipped policies, in-process and live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from helpers.live_server import LiveServer, live_server

from webhook.policy.loader import load_policies
from webhook.policy.model import PolicySet
from webhook.server.app import create_app
from webhook.settings import PolicySettings, ServeSettings, Settings

ROOT = Path(__file__).parents[2]
POLICIES = ROOT / "policies"
# 2 workers of 16 threads: the slow-client test holds up to 12 threads, which
# leaves free threads on a worker even if every slow client lands on it.
SERVER_THREADS = 16


@pytest.fixture(scope="session")
def default_policies() -> PolicySet:
    return load_policies([POLICIES])


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    """A test client of the app with the shipped policies (module-wide, for
    hypothesis, which reuses it across examples)."""
    settings = Settings(
        policies=PolicySettings(policy_dir=(POLICIES,)),
        serve=ServeSettings(insecure_http=True),
    )
    return create_app(settings).test_client()


@pytest.fixture(scope="session")
def server_threads() -> int:
    """Threads per worker of the shared ``server``."""
    return SERVER_THREADS


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``batchguard serve`` with the shipped policies, shared by the live tests."""
    workdir = tmp_path_factory.mktemp("reliability")
    with live_server(
        workdir,
        policy_dirs=[POLICIES],
        extra_args=["--threads", str(SERVER_THREADS)],
    ) as running:
        yield running
