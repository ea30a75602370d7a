"""Leader election with a ``coordination.k8s.io/v1`` Lease.

``kubernetes.leaderelection`` (client 37) blocks forever while acquiring, has no
stop signal, never gives the lease back on shutdown, exits the process on a bad
setting and uses the global client configuration; this loop does the same job
with a stop event and an explicit client, following client-go's rules:

- a lease is taken when it is absent, released (no holder), already ours, or
  unchanged for longer than its duration as timed by this replica's own clock
  (so clock skew between nodes does not matter);
- every write is a replace at the read resourceVersion, so two candidates never
  both win;
- the leader renews every ``retry_period`` and stops leading when it could not
  renew for ``renew_deadline``;
- on shutdown the leader empties ``holderIdentity`` so the next one takes over at
  once instead of after a lease duration.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from urllib3.exceptions import HTTPError

from webhook.kube import ApiException, JSONObject
from webhook.tracker.health import Health
from webhook.tracker.metrics import TrackerMetrics
from webhook.tracker.settings import LeaseSettings

logger = logging.getLogger(__name__)

LEASE_API_VERSION = "coordination.k8s.io/v1"
RETRIABLE = (ApiException, HTTPError, OSError, ValueError)


class LeaseApi(Protocol):
    def read_lease(self, namespace: str, name: str) -> JSONObject | None: ...

    def create_lease(self, namespace: str, body: JSONObject) -> JSONObject | None: ...

    def replace_lease(
        self, namespace: str, name: str, body: JSONObject
    ) -> JSONObject | None: ...


def micro_time(moment: datetime) -> str:
    """A Kubernetes ``MicroTime``: RFC 3339 in UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """Acquires, renews and releases one Lease on behalf of ``identity``."""

    def __init__(
        self,
        *,
        api: LeaseApi,
        settings: LeaseSettings,
        identity: str,
        metrics: TrackerMetrics,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._api = api
        self._settings = settings
        self._identity = identity
        self._metrics = metrics
        self._health = health
        self._clock = clock
        self._now = now
        self._observed: tuple[Any, ...] | None = None
        self._observed_at = 0.0

    def lead(
        self, *, stop: threading.Event, work: Callable[[threading.Event], None]
    ) -> None:
        """Run ``work`` whenever this replica holds the lease, until ``stop``.

        ``work`` gets an event that is set when it must stop: on shutdown, or when
        the lease could not be renewed in time.
        """
        while self._acquire(stop):
            leading = threading.Event()
            renewer = threading.Thread(
                target=self._keep_renewing,
                args=(stop, leading),
                name="tracker-lease",
                daemon=True,
            )
            logger.info("%s holds the lease and starts tracking Jobs.", self._identity)
            self._metrics.leader.set(1)
            renewer.start()
            try:
                work(leading)
            finally:
                leading.set()
                renewer.join()
                self._metrics.leader.set(0)
                if stop.is_set():
                    self._release_quietly()

    def try_acquire_or_renew(self) -> bool:
        """One attempt: True when this replica holds the lease afterwards."""
        lease = self._api.read_lease(self._settings.namespace, self._settings.name)
        if lease is None:
            return self._create()

        spec = _mapping(lease.get("spec"))
        self._observe(spec)
        holder = spec.get("holderIdentity") or ""
        if holder not in ("", self._identity) and not self._expired(spec):
            logger.debug("The lease is held by %s.", holder)
            return False
        return self._write(lease, self._taken_spec(spec, holder=holder))

    def release(self) -> None:
        """Give the lease up, if this replica holds it."""
        lease = self._api.read_lease(self._settings.namespace, self._settings.name)
        if lease is None:
            return
        spec = _mapping(lease.get("spec"))
        if spec.get("holderIdentity") != self._identity:
            return
        now = micro_time(self._now())
        released = {
            **spec,
            "holderIdentity": "",
            "leaseDurationSeconds": 1,
            "acquireTime": now,
            "renewTime": now,
        }
        if self._write(lease, released):
            logger.info("%s released the lease.", self._identity)

    def _acquire(self, stop: threading.Event) -> bool:
        while not stop.is_set():
            if self._attempt():
                return True
            stop.wait(self._settings.retry_period)
        return False

    def _keep_renewing(self, stop: threading.Event, leading: threading.Event) -> None:
        renewed_at = self._clock()
        while not stop.wait(self._settings.retry_period) and not leading.is_set():
            if self._attempt():
                renewed_at = self._clock()
            elif self._clock() - renewed_at >= self._settings.renew_deadline:
                logger.error(
                    "%s could not renew the lease for %.0f seconds and stops leading.",
                    self._identity,
                    self._settings.renew_deadline,
                )
                break
        leading.set()

    def _attempt(self) -> bool:
        if self._health is not None:
            self._health.beat()
        try:
            return self.try_acquire_or_renew()
        except RETRIABLE as error:
            self._metrics.errors.labels(stage="lease").inc()
            logger.warning("Reading or writing the lease failed: %s", error)
            return False

    def _release_quietly(self) -> None:
        try:
            self.release()
        except RETRIABLE as error:
            logger.warning("Releasing the lease failed: %s", error)

    def _create(self) -> bool:
        now = micro_time(self._now())
        body: JSONObject = {
            "apiVersion": LEASE_API_VERSION,
            "kind": "Lease",
            "metadata": {
                "name": self._settings.name,
                "namespace": self._settings.namespace,
            },
            "spec": {
                "holderIdentity": self._identity,
                "leaseDurationSeconds": int(self._settings.duration),
                "acquireTime": now,
                "renewTime": now,
                "leaseTransitions": 0,
            },
        }
        return self._api.create_lease(self._settings.namespace, body) is not None

    def _taken_spec(self, spec: Mapping[str, Any], *, holder: str) -> JSONObject:
        now = micro_time(self._now())
        ours = holder == self._identity
        transitions = spec.get("leaseTransitions")
        transitions = transitions if isinstance(transitions, int) else 0
        return {
            **spec,
            "holderIdentity": self._identity,
            "leaseDurationSeconds": int(self._settings.duration),
            "acquireTime": spec.get("acquireTime") if ours else now,
            "renewTime": now,
            "leaseTransitions": transitions if ours else transitions + 1,
        }

    def _write(self, lease: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
        body = {**lease, "spec": dict(spec)}
        written = self._api.replace_lease(
            self._settings.namespace, self._settings.name, body
        )
        return written is not None

    def _observe(self, spec: Mapping[str, Any]) -> None:
        record = (
            spec.get("holderIdentity"),
            spec.get("renewTime"),
            spec.get("leaseTransitions"),
        )
        if record != self._observed:
            self._observed = record
            self._observed_at = self._clock()

    def _expired(self, spec: Mapping[str, Any]) -> bool:
        duration = spec.get("leaseDurationSeconds")
        if not isinstance(duration, int) or duration <= 0:
            duration = int(self._settings.duration)
        return self._clock() >= self._observed_at + duration


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
