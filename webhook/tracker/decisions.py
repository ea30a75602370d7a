"""What the tracker does with a Job: pure functions over the Job as a dict.

A Job carrying batchguard's finalizer is released once its outcome is final:

- it finished (condition ``Complete`` or ``Failed`` with status ``True``;
  ``SuccessCriteriaMet`` and ``FailureTarget`` are interim, pods may still run), or
- it is being deleted and no pod is left to count (``status.active`` and
  ``status.terminating`` zero or absent, ``status.uncountedTerminatedPods`` empty).

Everything else waits, and a Job without the finalizer is none of our business.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FINISHED_CONDITIONS = ("Complete", "Failed")


class Result(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DELETED = "deleted"
    """Deleted before it finished; the counts say how far it got."""


@dataclass(frozen=True)
class Outcome:
    """How a Job ended, as recorded in the Event, the metrics and the outcome URL."""

    result: Result
    reason: str | None
    """The finished condition's reason (``BackoffLimitExceeded``, ...), if any."""
    duration: float | None
    """Seconds from ``status.startTime`` to the end; None when it never started."""
    succeeded: int
    failed: int
    ended_at: str | None
    """``completionTime``, the condition's ``lastTransitionTime`` or the
    ``deletionTimestamp``, as the apiserver wrote it."""


@dataclass(frozen=True)
class Release:
    """Record the outcome, then remove the finalizer."""

    outcome: Outcome


@dataclass(frozen=True)
class Wait:
    """Not final yet; a later change of the Job brings it back."""

    why: str


@dataclass(frozen=True)
class Ignore:
    """The Job does not carry the finalizer."""

    why: str


Decision = Release | Wait | Ignore


def decide(job: Mapping[str, Any], *, finalizer: str) -> Decision:
    """Release, wait for, or ignore one Job."""
    if not has_finalizer(job, finalizer):
        return Ignore(f"the Job does not carry the finalizer {finalizer!r}")

    condition = finished_condition(job)
    if condition is not None:
        return Release(finished_outcome(job, condition))

    if not is_being_deleted(job):
        return Wait("the Job is still running")
    if has_pods_left(job):
        return Wait("the Job is being deleted but some of its pods are not counted yet")
    return Release(deleted_outcome(job))


def has_finalizer(job: Mapping[str, Any], finalizer: str) -> bool:
    return finalizer in _list(_mapping(job.get("metadata")).get("finalizers"))


def finished_condition(job: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``Complete`` or ``Failed`` condition whose status is ``True``."""
    for condition in _list(_status(job).get("conditions")):
        condition = _mapping(condition)
        if condition.get("type") in FINISHED_CONDITIONS and (
            condition.get("status") == "True"
        ):
            return condition
    return None


def is_being_deleted(job: Mapping[str, Any]) -> bool:
    return bool(_mapping(job.get("metadata")).get("deletionTimestamp"))


def has_pods_left(job: Mapping[str, Any]) -> bool:
    """Pods that run, terminate, or finished without being counted yet."""
    status = _status(job)
    uncounted = _mapping(status.get("uncountedTerminatedPods"))
    return (
        _count(status.get("active")) > 0
        or _count(status.get("terminating")) > 0
        or bool(_list(uncounted.get("succeeded")))
        or bool(_list(uncounted.get("failed")))
    )


def finished_outcome(job: Mapping[str, Any], condition: Mapping[str, Any]) -> Outcome:
    status = _status(job)
    completed = condition.get("type") == "Complete"
    ended_at = (status.get("completionTime") if completed else None) or condition.get(
        "lastTransitionTime"
    )
    return _outcome(
        job,
        result=Result.SUCCEEDED if completed else Result.FAILED,
        reason=_text(condition.get("reason")),
        ended_at=_text(ended_at),
    )


def deleted_outcome(job: Mapping[str, Any]) -> Outcome:
    deleted_at = _mapping(job.get("metadata")).get("deletionTimestamp")
    return _outcome(job, result=Result.DELETED, reason=None, ended_at=_text(deleted_at))


def _outcome(
    job: Mapping[str, Any], *, result: Result, reason: str | None, ended_at: str | None
) -> Outcome:
    status = _status(job)
    return Outcome(
        result=result,
        reason=reason,
        duration=seconds_between(_text(status.get("startTime")), ended_at),
        succeeded=_count(status.get("succeeded")),
        failed=_count(status.get("failed")),
        ended_at=ended_at,
    )


def seconds_between(start: str | None, end: str | None) -> float | None:
    """Seconds from one RFC 3339 time to another; None when either is unusable."""
    if start is None or end is None:
        return None
    try:
        elapsed = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return None
    return max(elapsed.total_seconds(), 0.0)


def _status(job: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(job.get("status"))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
