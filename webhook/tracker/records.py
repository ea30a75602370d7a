"""What the tracker writes about a Job's outcome: the Event and the JSON line.

Pure functions. The Event's name is derived from the Job's uid, so that creating it
is idempotent: a second attempt, from a restarted or another replica, gets
``409 AlreadyExists`` instead of a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from webhook.tracker.decisions import Outcome, Result

EVENT_REASON = "BatchguardOutcome"
EVENT_SOURCE = "batchguard-tracker"
REPORTING_COMPONENT = "batchguard.io/tracker"
OUTCOME_API_VERSION = "batchguard.io/v1alpha1"


def job_ref(job: Mapping[str, Any]) -> tuple[str, str]:
    """The Job's namespace and name."""
    metadata = _mapping(job.get("metadata"))
    return str(metadata.get("namespace", "")), str(metadata.get("name", ""))


def job_identity(job: Mapping[str, Any]) -> str:
    """The Job's uid; a digest of namespace, name and creation time without one."""
    metadata = _mapping(job.get("metadata"))
    uid = metadata.get("uid")
    if isinstance(uid, str) and uid:
        return uid
    namespace, name = job_ref(job)
    seed = f"{namespace}/{name}/{metadata.get('creationTimestamp', '')}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def event_name(job: Mapping[str, Any]) -> str:
    """``<job>.batchguard-outcome.<uid>``: one name per Job, ever."""
    _, name = job_ref(job)
    return f"{name}.batchguard-outcome.{job_identity(job)}"


def format_duration(seconds: float) -> str:
    """Whole seconds the way Go prints a duration: ``45s``, ``2m0s``, ``1h2m3s``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def describe(outcome: Outcome) -> str:
    """The Event message, one sentence with the result, duration and counts."""
    if outcome.result is Result.DELETED:
        what = "Job was deleted before it finished"
    else:
        what = f"Job {outcome.result}"
    if outcome.reason:
        what += f" ({outcome.reason})"
    if outcome.duration is None:
        when = " without starting"
    else:
        when = f" after {format_duration(outcome.duration)}"
    pods = "pod" if outcome.succeeded == 1 else "pods"
    return (
        f"{what}{when}: {outcome.succeeded} {pods} succeeded, {outcome.failed} failed."
    )


def event_body(
    job: Mapping[str, Any], outcome: Outcome, *, instance: str, now: datetime
) -> dict[str, Any]:
    """A ``core/v1`` Event on the Job, named by :func:`event_name`."""
    namespace, name = job_ref(job)
    metadata = _mapping(job.get("metadata"))
    timestamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": event_name(job), "namespace": namespace},
        "involvedObject": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "namespace": namespace,
            "name": name,
            "uid": metadata.get("uid"),
            "resourceVersion": metadata.get("resourceVersion"),
        },
        "reason": EVENT_REASON,
        "message": describe(outcome),
        "type": "Warning" if outcome.result is Result.FAILED else "Normal",
        "source": {"component": EVENT_SOURCE},
        "reportingComponent": REPORTING_COMPONENT,
        "reportingInstance": instance,
        "firstTimestamp": timestamp,
        "lastTimestamp": timestamp,
        "count": 1,
    }


def outcome_document(job: Mapping[str, Any], outcome: Outcome) -> dict[str, Any]:
    """The JSON object posted to ``--outcome-url``; ``uid`` is its idempotency key."""
    namespace, name = job_ref(job)
    status = _mapping(job.get("status"))
    return {
        "apiVersion": OUTCOME_API_VERSION,
        "kind": "JobOutcome",
        "uid": job_identity(job),
        "namespace": namespace,
        "name": name,
        "cronJob": cronjob_owner(job),
        "result": str(outcome.result),
        "reason": outcome.reason,
        "durationSeconds": outcome.duration,
        "succeeded": outcome.succeeded,
        "failed": outcome.failed,
        "startTime": status.get("startTime"),
        "endTime": outcome.ended_at,
    }


def cronjob_owner(job: Mapping[str, Any]) -> str | None:
    """The name of the CronJob that created the Job, if one did."""
    owners = _mapping(job.get("metadata")).get("ownerReferences")
    for owner in owners if isinstance(owners, list) else ():
        owner = _mapping(owner)
        if owner.get("kind") == "CronJob" and owner.get("controller") is True:
            name = owner.get("name")
            return name if isinstance(name, str) else None
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
