"""Fixtures for the tracker: a replaying apiserver and a client pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from tracker.harness import NOW
from tracker.replay_apiserver import ReplayApiserver

from webhook.tracker.api import ClusterApi
from webhook.tracker.controller import Tracker
from webhook.tracker.health import Health
from webhook.tracker.metrics import TrackerMetrics
from webhook.tracker.runner import build_tracker
from webhook.tracker.settings import TrackerSettings


@pytest.fixture
def apiserver() -> Iterator[ReplayApiserver]:
    server = ReplayApiserver().start()
    yield server
    server.stop()


@pytest.fixture
def api_client(apiserver: ReplayApiserver) -> Iterator[client.ApiClient]:
    api_client = client.ApiClient(client.Configuration(host=apiserver.url))
    yield api_client
    api_client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def cluster_api(api_client: client.ApiClient) -> ClusterApi:
    return ClusterApi(api_client)


@pytest.fixture
def settings() -> TrackerSettings:
    return TrackerSettings(
        identity="tracker-test",
        error_backoff=0.01,
        retry_backoff=0.01,
        watch_timeout=5,
    )


@pytest.fixture
def metrics() -> TrackerMetrics:
    return TrackerMetrics()


@pytest.fixture
def make_tracker(
    cluster_api: ClusterApi, settings: TrackerSettings
) -> Callable[..., Tracker]:
    """A tracker on the replaying apiserver; keyword arguments change settings."""

    def make(*, metrics: TrackerMetrics, stop: Any, **changes: Any) -> Tracker:
        return build_tracker(
            api=cluster_api,
            settings=TrackerSettings(**{**settings.__dict__, **changes}),
            metrics=metrics,
            health=Health(),
            stop=stop,
            now=lambda: NOW,
            poll=0.02,
        )

    return make


@pytest.fixture
def kubeconfig(tmp_path: Path, apiserver: ReplayApiserver) -> Path:
    """A kubeconfig whose current context points at the replaying apiserver."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        f"""\
apiVersion: v1
kind: Config
clusters:
  - name: replay
    cluster:
      server: {apiserver.url}
contexts:
  - name: replay
    context:
      cluster: replay
      user: tracker
  - name: team-a
    context:
      cluster: replay
      user: tracker
      namespace: team-a
current-context: replay
users:
  - name: tracker
    user:
      token: test-token
"""
    )
    return path
