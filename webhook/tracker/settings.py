"""The tracker's settings, filled from flags by ``batchguard tracker``."""

from __future__ import annotations

from dataclasses import dataclass

from webhook.policy.rules.finalizer import DEFAULT_NAME as FINALIZER
from webhook.policy.rules.finalizer import TRACKED_LABEL

__all__ = ["FINALIZER", "TRACKED_LABEL", "LeaseSettings", "TrackerSettings"]


@dataclass(frozen=True)
class TrackerSettings:
    identity: str
    """This replica's name in Events (``reportingInstance``) and in the Lease."""
    finalizer: str = FINALIZER
    """The finalizer the mutating webhook adds to Jobs; the tracker removes it.
    Never the job controller's ``batch.kubernetes.io/job-tracking``."""
    label_selector: str = f"{TRACKED_LABEL}=true"
    """Which Jobs to watch: the webhook labels the Jobs it adds the finalizer to."""
    namespace: str | None = None
    """Watch one namespace; None watches all of them."""
    outcome_url: str | None = None
    """When set, each outcome is also POSTed there as one JSON line."""
    outcome_timeout: float = 5.0
    """Seconds one POST to the outcome URL may take."""
    outcome_attempts: int = 3
    """POSTs per recording attempt; after that the Job is retried later."""
    outcome_retry_delay: float = 0.5
    """Seconds before the second POST of an attempt; doubles for each further one."""
    page_size: int = 500
    """Jobs per page when listing (``limit``)."""
    watch_timeout: int = 300
    """Seconds the apiserver keeps one watch open (``timeoutSeconds``)."""
    error_backoff: float = 0.5
    """First delay after a failed list or watch; doubles up to 30 seconds."""
    retry_backoff: float = 1.0
    """First delay before a Job whose release failed is tried again; doubles up
    to five minutes."""
    conflict_attempts: int = 5
    """Patches of one Job (re-reading it after each conflict) before backing off."""


@dataclass(frozen=True)
class LeaseSettings:
    """Leader election through a ``coordination.k8s.io/v1`` Lease."""

    namespace: str
    name: str = "batchguard-tracker"
    duration: float = 15.0
    """Seconds a lease holds without renewal before another replica may take it."""
    renew_deadline: float = 10.0
    """Seconds the leader keeps trying to renew before it stops leading."""
    retry_period: float = 2.0
    """Seconds between attempts to acquire or renew."""
