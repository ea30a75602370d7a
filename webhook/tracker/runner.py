"""Assemble the tracker from its settings and run it until the stop event is set."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from kubernetes import client

from webhook.tracker import health as health_endpoint
from webhook.tracker.api import ClusterApi
from webhook.tracker.controller import POLL_SECONDS, Tracker
from webhook.tracker.health import Health
from webhook.tracker.leader import LeaderElector
from webhook.tracker.metrics import TrackerMetrics
from webhook.tracker.recording import OutcomePoster, Recorder
from webhook.tracker.settings import LeaseSettings, TrackerSettings

logger = logging.getLogger(__name__)


def build_tracker(
    *,
    api: ClusterApi,
    settings: TrackerSettings,
    metrics: TrackerMetrics,
    health: Health,
    stop: threading.Event,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    poll: float = POLL_SECONDS,
) -> Tracker:
    poster = None
    if settings.outcome_url:
        poster = OutcomePoster(
            settings.outcome_url,
            timeout=settings.outcome_timeout,
            attempts=settings.outcome_attempts,
            delay=settings.outcome_retry_delay,
            sleep=stop.wait,
        )
    recorder = Recorder(
        events=api, metrics=metrics, instance=settings.identity, poster=poster, now=now
    )
    return Tracker(
        api=api,
        recorder=recorder,
        settings=settings,
        metrics=metrics,
        health=health,
        poll=poll,
    )


def run(
    *,
    api_client: client.ApiClient,
    settings: TrackerSettings,
    lease: LeaseSettings | None,
    stop: threading.Event,
    metrics_bind: str | None = None,
    metrics: TrackerMetrics | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Track Jobs until ``stop`` is set; with ``lease``, only while leading."""
    api = ClusterApi(api_client)
    metrics = metrics or TrackerMetrics()
    health = Health()
    tracker = build_tracker(
        api=api, settings=settings, metrics=metrics, health=health, stop=stop, now=now
    )
    server = None
    if metrics_bind:
        app = health_endpoint.make_app(registry=metrics.registry, health=health)
        server = health_endpoint.serve(metrics_bind, app)
        logger.info("Serving /metrics and /healthz on %s.", metrics_bind)
    try:
        _track(
            api=api,
            tracker=tracker,
            settings=settings,
            lease=lease,
            stop=stop,
            metrics=metrics,
            health=health,
        )
    finally:
        health.stopping()
        if server is not None:
            server.shutdown()
            server.server_close()
    logger.info("The tracker stopped.")


def _track(
    *,
    api: ClusterApi,
    tracker: Tracker,
    settings: TrackerSettings,
    lease: LeaseSettings | None,
    stop: threading.Event,
    metrics: TrackerMetrics,
    health: Health,
) -> None:
    if lease is None:
        tracker.run(stop)
        return
    elector = LeaderElector(
        api=api,
        settings=lease,
        identity=settings.identity,
        metrics=metrics,
        health=health,
    )
    elector.lead(stop=stop, work=tracker.run)
