"""Recording a Job's outcome exactly once: outcome URL, Event, metrics.

The Event, named after the Job's uid, is the commit point. Recording first looks
for it: when it exists, an earlier attempt (this process before a restart, or
another replica) got that far and nothing is recorded again. Otherwise the JSON
line is posted to the outcome URL, then the Event is created; only the caller whose
create answers 201 counts the outcome in the metrics. A crash between the post and
the create repeats the post, so the receiver sees each outcome at least once and
deduplicates by ``uid``.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from webhook.tracker import records
from webhook.tracker.decisions import Outcome
from webhook.tracker.metrics import TrackerMetrics

logger = logging.getLogger(__name__)


class RecordingFailed(Exception):
    """The outcome could not be recorded yet; the release must wait."""


class EventApi(Protocol):
    def read_event(self, namespace: str, name: str) -> dict[str, Any] | None: ...

    def create_event(self, namespace: str, body: dict[str, Any]) -> bool: ...


class OutcomePoster:
    """POSTs one JSON line per outcome, with a bounded timeout and retries."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        delay: float = 0.5,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.attempts = attempts
        self.delay = delay
        self._sleep = sleep

    def post(self, document: Mapping[str, Any]) -> None:
        """Deliver ``document``; raise :class:`RecordingFailed` after every attempt."""
        body = (json.dumps(document, sort_keys=True) + "\n").encode()
        for attempt in range(1, self.attempts + 1):
            error = self._try(body)
            if error is None:
                return
            logger.warning(
                "Posting the outcome to %s failed (attempt %d of %d): %s",
                self.url,
                attempt,
                self.attempts,
                error,
            )
            if attempt < self.attempts:
                self._sleep(self.delay * 2 ** (attempt - 1))
        raise RecordingFailed(
            f"The outcome URL {self.url!r} did not accept the outcome after "
            f"{self.attempts} attempts; the finalizer stays until it does."
        )

    def _try(self, body: bytes) -> str | None:
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"
        except (OSError, ValueError) as error:
            return str(error)
        return None if 200 <= status < 300 else f"HTTP {status}"


class Recorder:
    """Records outcomes through the Event API, the outcome URL and the metrics."""

    def __init__(
        self,
        *,
        events: EventApi,
        metrics: TrackerMetrics,
        instance: str,
        poster: OutcomePoster | None = None,
        now: Callable[[], datetime],
    ) -> None:
        self._events = events
        self._metrics = metrics
        self._instance = instance
        self._poster = poster
        self._now = now

    def record(self, job: Mapping[str, Any], outcome: Outcome) -> bool:
        """Record ``outcome``; False when an earlier attempt already had."""
        namespace, name = records.job_ref(job)
        event_name = records.event_name(job)
        if self._events.read_event(namespace, event_name) is not None:
            logger.info(
                "The outcome of Job %s/%s was already recorded.", namespace, name
            )
            return False

        self._post(job, outcome)
        body = records.event_body(
            job, outcome, instance=self._instance, now=self._now()
        )
        if not self._events.create_event(namespace, body):
            logger.info("Another attempt recorded Job %s/%s first.", namespace, name)
            return False

        self._count(namespace, outcome)
        logger.info(
            "Recorded Job %s/%s: %s",
            namespace,
            name,
            body["message"],
            extra={"namespace": namespace, "job": name, "result": str(outcome.result)},
        )
        return True

    def _post(self, job: Mapping[str, Any], outcome: Outcome) -> None:
        if self._poster is not None:
            self._poster.post(records.outcome_document(job, outcome))

    def _count(self, namespace: str, outcome: Outcome) -> None:
        result = str(outcome.result)
        self._metrics.outcomes.labels(namespace=namespace, result=result).inc()
        if outcome.duration is not None:
            self._metrics.duration.labels(result=result).observe(outcome.duration)
