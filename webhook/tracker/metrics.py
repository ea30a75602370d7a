"""The tracker's Prometheus metrics, in a registry of their own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

DURATION_BUCKETS = (
    1.0,
    5.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
    7200.0,
    21600.0,
    43200.0,
    86400.0,
    float("inf"),
)
"""Seconds: batch Jobs run from seconds to days."""

ERROR_STAGES = ("list", "watch", "record", "release", "lease", "internal")


class TrackerMetrics:
    """Outcomes, durations, releases and errors of one tracker process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.outcomes = Counter(
            "batchguard_tracker_job_outcomes_total",
            "Job outcomes recorded, by namespace and result "
            "(succeeded, failed, deleted).",
            ["namespace", "result"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "batchguard_tracker_job_duration_seconds",
            "Run time of recorded Jobs, from startTime to their end.",
            ["result"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.releases = Counter(
            "batchguard_tracker_releases_total",
            "Finalizers removed from Jobs after their outcome was recorded.",
            registry=self.registry,
        )
        self.errors = Counter(
            "batchguard_tracker_errors_total",
            "Failed steps, by stage (list, watch, record, release, lease, "
            "internal). Each failed step is retried.",
            ["stage"],
            registry=self.registry,
        )
        self.relists = Counter(
            "batchguard_tracker_relists_total",
            "Fresh lists of Jobs, by reason (start, expired, error).",
            ["reason"],
            registry=self.registry,
        )
        self.leader = Gauge(
            "batchguard_tracker_leader",
            "1 while this replica holds the lease and releases finalizers.",
            registry=self.registry,
        )
        for stage in ERROR_STAGES:
            self.errors.labels(stage=stage)
