"""List, then watch, the tracked Jobs; list afresh whenever the watch expires.

The loop keeps the handler's view of the Jobs complete:

- it starts with a paged list, which replaces everything the handler knew;
- it watches from the list's resourceVersion, resuming from the last event's
  (or bookmark's) version each time the apiserver closes the watch;
- a 410 Gone (an ``ERROR`` event or the answer itself) means that version has
  left the apiserver's history: it lists again rather than miss events;
- any other failure waits a bounded, doubling delay before listing again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from urllib3.exceptions import HTTPError

from webhook.kube import ApiException, JSONObject, describe_error
from webhook.tracker.api import WatchExpired
from webhook.tracker.metrics import TrackerMetrics
from webhook.tracker.settings import TrackerSettings
from webhook.tracker.workqueue import Backoff

logger = logging.getLogger(__name__)

RETRIABLE = (ApiException, HTTPError, OSError, ValueError)
ERROR_BACKOFF_CAP = 30.0


class JobsApi(Protocol):
    def list_jobs(
        self, *, namespace: str | None, label_selector: str, limit: int
    ) -> tuple[list[JSONObject], str | None]: ...

    def watch_jobs(
        self,
        *,
        namespace: str | None,
        label_selector: str,
        resource_version: str,
        timeout_seconds: int,
        stop: threading.Event | None = None,
    ) -> Iterator[JSONObject]: ...

    def interrupt_watch(self) -> None: ...


class JobHandler(Protocol):
    def replace_all(self, jobs: list[JSONObject]) -> None:
        """The complete set of tracked Jobs, after a list."""

    def apply(self, event_type: str, job: JSONObject) -> None:
        """One ``ADDED``, ``MODIFIED`` or ``DELETED`` watch event."""


class JobFollower:
    """Feeds a :class:`JobHandler` from list and watch, until told to stop."""

    def __init__(
        self,
        *,
        api: JobsApi,
        handler: JobHandler,
        settings: TrackerSettings,
        metrics: TrackerMetrics,
    ) -> None:
        self._api = api
        self._handler = handler
        self._settings = settings
        self._metrics = metrics
        self._backoff = Backoff(initial=settings.error_backoff, cap=ERROR_BACKOFF_CAP)

    def run(self, until: threading.Event) -> None:
        reason = "start"
        while not until.is_set():
            try:
                reason = self._cycle(reason, until)
            except Exception as error:
                # NB: the loop must outlive any one bad answer, or no Job would
                # ever be released again while the process looks healthy.
                logger.exception("Following the Jobs failed unexpectedly.")
                reason = "error"
                self._failed("internal", error, until)

    def _cycle(self, reason: str, until: threading.Event) -> str:
        """List, then watch until expiry; the reason for the next list."""
        try:
            version = self._relist(reason)
        except RETRIABLE as error:
            self._failed("list", error, until)
            return "error"
        try:
            self._follow(version, until)
        except RETRIABLE as error:
            self._failed("watch", error, until)
            return "error"
        return "expired"

    def interrupt(self) -> None:
        """Unblock a waiting watch read; call after setting the ``until`` event."""
        self._api.interrupt_watch()

    def _relist(self, reason: str) -> str:
        jobs, version = self._api.list_jobs(
            namespace=self._settings.namespace,
            label_selector=self._settings.label_selector,
            limit=self._settings.page_size,
        )
        self._metrics.relists.labels(reason=reason).inc()
        logger.info("Listed %d tracked Jobs at resourceVersion %s.", len(jobs), version)
        self._handler.replace_all(jobs)
        return version or ""

    def _follow(self, version: str, until: threading.Event) -> None:
        """Watch from ``version`` until it expires or ``until`` is set."""
        while not until.is_set():
            delivered = 0
            try:
                for event in self._api.watch_jobs(
                    namespace=self._settings.namespace,
                    label_selector=self._settings.label_selector,
                    resource_version=version,
                    timeout_seconds=self._settings.watch_timeout,
                    stop=until,
                ):
                    delivered += 1
                    self._backoff.reset()
                    version = self._deliver(event) or version
            except WatchExpired as expired:
                logger.info("The watch expired (%s); listing the Jobs again.", expired)
                return
            if not delivered:
                # NB: an apiserver holds an idle watch for timeoutSeconds; one that
                # ends at once must not turn this loop into a busy one.
                until.wait(self._settings.error_backoff)

    def _deliver(self, event: Mapping[str, Any]) -> str | None:
        """Hand one event to the handler; the resourceVersion it brings."""
        event_type = event.get("type")
        job = event.get("object")
        if not isinstance(job, dict):
            return None
        if event_type in ("ADDED", "MODIFIED", "DELETED"):
            self._handler.apply(event_type, job)
        metadata = job.get("metadata")
        version = (
            metadata.get("resourceVersion") if isinstance(metadata, dict) else None
        )
        return version if isinstance(version, str) else None

    def _failed(self, stage: str, error: Exception, until: threading.Event) -> None:
        if until.is_set():
            return
        delay = self._backoff.next_delay()
        self._metrics.errors.labels(stage=stage).inc()
        logger.warning(
            "Could not %s the Jobs (%s); trying again in %.1f seconds.",
            stage,
            describe_error(error),
            delay,
        )
        until.wait(delay)
