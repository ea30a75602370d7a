"""The tracker: keep the tracked Jobs, decide on each, release the finished ones.

A watch thread (:class:`~webhook.tracker.follow.JobFollower`) keeps a store of the
newest copy of every tracked Job and queues its key on each change; this loop takes
keys off the queue, decides, and for a :class:`Release` records the outcome and
then removes the finalizer. A failed step puts the key back after a growing delay,
so a Job is never released before its outcome is recorded, and never forgotten.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from urllib3.exceptions import HTTPError

from webhook.kube import ApiException, JSONObject, describe_error, status_code
from webhook.tracker.decisions import (
    Decision,
    Outcome,
    Release,
    decide,
    has_finalizer,
)
from webhook.tracker.follow import JobFollower, JobsApi
from webhook.tracker.health import Health
from webhook.tracker.metrics import TrackerMetrics
from webhook.tracker.patches import release_patch
from webhook.tracker.recording import Recorder, RecordingFailed
from webhook.tracker.records import job_ref
from webhook.tracker.settings import TrackerSettings
from webhook.tracker.workqueue import RetryBackoff, WorkQueue

logger = logging.getLogger(__name__)

CONFLICT_STATUSES = (409, 422)
"""409: the Job changed while the apiserver applied the patch; 422: a ``test``
operation failed because the Job changed before."""
RETRY_BACKOFF_CAP = 300.0
POLL_SECONDS = 0.25
RETRIABLE = (ApiException, HTTPError, OSError, ValueError)


class ReleaseConflict(Exception):
    """The Job kept changing under every attempt to remove the finalizer."""


class TrackerApi(JobsApi, Protocol):
    def read_job(self, namespace: str, name: str) -> JSONObject | None: ...

    def patch_job(
        self, namespace: str, name: str, patch: list[JSONObject]
    ) -> JSONObject: ...


def job_key(job: Mapping[str, Any]) -> str:
    namespace, name = job_ref(job)
    return f"{namespace}/{name}"


class Tracker:
    """Releases batchguard's finalizer from each tracked Job once it is recorded."""

    def __init__(
        self,
        *,
        api: TrackerApi,
        recorder: Recorder,
        settings: TrackerSettings,
        metrics: TrackerMetrics,
        health: Health | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll: float = POLL_SECONDS,
    ) -> None:
        self._api = api
        self._poll = poll
        self._recorder = recorder
        self._settings = settings
        self._metrics = metrics
        self._health = health
        self._jobs: dict[str, JSONObject] = {}
        self._lock = threading.Lock()
        self._queue = WorkQueue(clock=clock)
        self._retry = RetryBackoff(
            initial=settings.retry_backoff, cap=RETRY_BACKOFF_CAP
        )
        self._follower = JobFollower(
            api=api, handler=self, settings=settings, metrics=metrics
        )

    def run(self, until: threading.Event) -> None:
        """Watch and release until ``until`` is set."""
        watcher = threading.Thread(
            target=self._follower.run, args=(until,), name="tracker-watch", daemon=True
        )
        watcher.start()
        try:
            while not until.is_set():
                self.work_once(timeout=self._poll)
        finally:
            until.set()
            self._follower.interrupt()
            watcher.join()

    # The store, fed by the follower.

    def replace_all(self, jobs: list[JSONObject]) -> None:
        with self._lock:
            self._jobs = {job_key(job): job for job in jobs}
            keys = list(self._jobs)
        for key in keys:
            self._queue.add(key)

    def apply(self, event_type: str, job: JSONObject) -> None:
        key = job_key(job)
        with self._lock:
            if event_type == "DELETED":
                self._jobs.pop(key, None)
                return
            self._jobs[key] = job
        self._queue.add(key)

    def _current(self, key: str) -> JSONObject | None:
        with self._lock:
            return self._jobs.get(key)

    # The work.

    def work_once(self, *, timeout: float) -> None:
        """Handle the next due Job, if one comes due within ``timeout`` seconds."""
        key = self._queue.get(timeout=timeout)
        if self._health is not None:
            self._health.beat()
        if key is None:
            return
        job = self._current(key)
        if job is None:
            self._retry.forget(key)
            return
        try:
            self.handle(job)
        except RecordingFailed as error:
            self._retry_later(key, stage="record", error=error)
        except (ReleaseConflict, *RETRIABLE) as error:
            self._retry_later(key, stage="release", error=error)
        except Exception as error:
            # NB: one bad Job must not stop the tracking of every other one.
            logger.exception("Handling Job %s failed unexpectedly.", key)
            self._retry_later(key, stage="internal", error=error)
        else:
            self._retry.forget(key)

    def handle(self, job: Mapping[str, Any]) -> Decision:
        """Decide on one Job and, for a release, record it and remove the finalizer."""
        decision = decide(job, finalizer=self._settings.finalizer)
        if not isinstance(decision, Release):
            logger.debug("Job %s: %s.", job_key(job), decision.why)
            return decision
        self._record(job, decision.outcome)
        self._release(job)
        return decision

    def _record(self, job: Mapping[str, Any], outcome: Outcome) -> None:
        try:
            self._recorder.record(job, outcome)
        except RETRIABLE as error:
            raise RecordingFailed(
                f"Recording the outcome of Job {job_key(job)} failed: "
                f"{describe_error(error)}."
            ) from error

    def _release(self, job: Mapping[str, Any]) -> None:
        namespace, name = job_ref(job)
        uid = _uid(job)
        for _ in range(self._settings.conflict_attempts):
            if self._patched(job):
                return
            fresh = self._api.read_job(namespace, name)
            if fresh is None or _uid(fresh) != uid:
                logger.info("Job %s/%s is gone; nothing to release.", namespace, name)
                return
            if not has_finalizer(fresh, self._settings.finalizer):
                logger.info("Job %s/%s was released meanwhile.", namespace, name)
                return
            job = fresh
        raise ReleaseConflict(
            f"Job {namespace}/{name} changed during each of "
            f"{self._settings.conflict_attempts} attempts to remove the finalizer "
            f"{self._settings.finalizer!r}; trying again later."
        )

    def _patched(self, job: Mapping[str, Any]) -> bool:
        """One guarded patch: True when released (or gone), False on a conflict."""
        namespace, name = job_ref(job)
        patch = release_patch(job, finalizer=self._settings.finalizer)
        try:
            self._api.patch_job(namespace, name, patch)
        except ApiException as error:
            if status_code(error) == 404:
                return True
            if status_code(error) not in CONFLICT_STATUSES:
                raise
            logger.info(
                "Job %s/%s changed before the finalizer was removed (HTTP %s); "
                "reading it again.",
                namespace,
                name,
                error.status,
            )
            return False
        self._metrics.releases.inc()
        logger.info("Removed the finalizer from Job %s/%s.", namespace, name)
        return True

    def _retry_later(self, key: str, *, stage: str, error: Exception) -> None:
        delay = self._retry.next_delay(key)
        self._metrics.errors.labels(stage=stage).inc()
        logger.warning(
            "Job %s is not released yet (%s); trying again in %.0f seconds.",
            key,
            describe_error(error),
            delay,
        )
        self._queue.add(key, delay=delay)


def _uid(job: Mapping[str, Any]) -> Any:
    metadata = job.get("metadata")
    return metadata.get("uid") if isinstance(metadata, Mapping) else None
