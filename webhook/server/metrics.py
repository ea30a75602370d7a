"""Prometheus metrics, correct under several gunicorn workers.

When ``PROMETHEUS_MULTIPROC_DIR`` is set (``batchguard serve`` sets it before the
workers start), every worker writes its samples to that directory and ``/metrics``
aggregates them; otherwise the process-local default registry is used.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

ADMISSION_REQUESTS = Counter(
    "batchguard_admission_requests_total",
    "Admission reviews answered, by endpoint, kind, operation and decision.",
    ["endpoint", "kind", "operation", "decision"],
)
ADMISSION_DURATION = Histogram(
    "batchguard_admission_review_duration_seconds",
    "Time to answer one admission review, from parsed body to response.",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
VIOLATIONS = Counter(
    "batchguard_violations_total",
    "Findings reported by validation, by rule and enforcement level.",
    ["rule", "enforcement"],
)
MUTATIONS = Counter(
    "batchguard_mutations_total",
    "Mutations applied, by rule.",
    ["rule"],
)
BAD_REQUESTS = Counter(
    "batchguard_bad_requests_total",
    "Requests refused as malformed (HTTP 4xx), by endpoint.",
    ["endpoint"],
)
INTERNAL_ERRORS = Counter(
    "batchguard_internal_errors_total",
    "Unexpected errors while reviewing a well-formed request, by endpoint.",
    ["endpoint"],
)
POLICY_RELOADS = Counter(
    "batchguard_policy_reloads_total",
    "Policy (re)load attempts, by result (success or failure).",
    ["result"],
)
POLICY_LOAD_OK = Gauge(
    "batchguard_policy_last_load_success",
    "1 when the last policy load succeeded, 0 when the last good set is in force.",
    multiprocess_mode="liveall",
)
CERTIFICATE_EXPIRY = Gauge(
    "batchguard_certificate_expiry_timestamp_seconds",
    "Unix time at which the serving certificate expires.",
    multiprocess_mode="max",
)


def record_policy_load(success: bool) -> None:
    POLICY_RELOADS.labels(result="success" if success else "failure").inc()
    POLICY_LOAD_OK.set(1 if success else 0)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
