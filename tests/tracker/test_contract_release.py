"""Contract tests: recording and releasing, against recorded apiserver answers.

The tracker's real kubernetes client talks to a local server that replays what a
kube-apiserver answers; the tests assert the exact requests it sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from tracker.harness import running, sample
from tracker.replay_apiserver import IDLE_WATCH, ReplayApiserver, Reply

from webhook.tracker.metrics import TrackerMetrics

JOBS = "/apis/batch/v1/jobs"
NIGHTLY = "/apis/batch/v1/namespaces/team-a/jobs/nightly-report-28745120"
EVENTS = "/api/v1/namespaces/team-a/events"
EVENT_NAME = (
    "nightly-report-28745120.batchguard-outcome.7d0c3f0e-5a8b-4f0e-9a51-2b6f8e3c9d14"
)
EVENT = f"{EVENTS}/{EVENT_NAME}"


def release_patch(resource_version: str) -> list[dict[str, Any]]:
    return [
        {"op": "test", "path": "/metadata/resourceVersion", "value": resource_version},
        {
            "op": "test",
            "path": "/metadata/finalizers/0",
            "value": "batchguard.io/job-tracking",
        },
        {"op": "remove", "path": "/metadata/finalizers/0"},
    ]


EXPECTED_EVENT = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": EVENT_NAME, "namespace": "team-a"},
    "involvedObject": {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "namespace": "team-a",
        "name": "nightly-report-28745120",
        "uid": "7d0c3f0e-5a8b-4f0e-9a51-2b6f8e3c9d14",
        "resourceVersion": "48213",
    },
    "reason": "BatchguardOutcome",
    "message": "Job succeeded (CompletionsReached) after 3m41s: "
    "1 pod succeeded, 0 failed.",
    "type": "Normal",
    "source": {"component": "batchguard-tracker"},
    "reportingComponent": "batchguard.io/tracker",
    "reportingInstance": "tracker-test",
    "firstTimestamp": "2025-06-02T02:03:42+00:00",
    "lastTimestamp": "2025-06-02T02:03:42+00:00",
    "count": 1,
}


@pytest.fixture
def complete_job(apiserver: ReplayApiserver) -> ReplayApiserver:
    """A list holding the completed nightly Job, then an idle watch."""
    apiserver.expect("GET", JOBS, Reply.of("jobs-list-complete.json"))
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)
    return apiserver


def test_a_finished_job_is_recorded_then_released_with_a_guarded_patch(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    complete_job.expect("PATCH", NIGHTLY, Reply.of("job-nightly-released.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(1, "PATCH", NIGHTLY)

    order = [(r.method, r.path) for r in complete_job.requests if not r.watch]
    assert order == [
        ("GET", JOBS),
        ("GET", EVENT),
        ("POST", EVENTS),
        ("PATCH", NIGHTLY),
    ]
    [event] = complete_job.sent("POST", EVENTS)
    assert event.body == EXPECTED_EVENT
    assert event.headers["content-type"] == "application/json"
    [patch] = complete_job.sent("PATCH", NIGHTLY)
    assert patch.body == release_patch("48213")
    assert patch.headers["content-type"] == "application/json-patch+json"
    assert complete_job.unexpected == []


def test_a_recorded_outcome_is_counted_once_in_the_metrics(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    complete_job.expect("PATCH", NIGHTLY, Reply.of("job-nightly-released.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(1, "PATCH", NIGHTLY)

    outcomes = "batchguard_tracker_job_outcomes_total"
    assert sample(metrics, outcomes, namespace="team-a", result="succeeded") == 1
    assert sample(metrics, "batchguard_tracker_releases_total") == 1
    duration = "batchguard_tracker_job_duration_seconds_sum"
    assert sample(metrics, duration, result="succeeded") == 221.0


def test_a_conflict_on_the_patch_rereads_the_job_and_patches_its_new_version(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    complete_job.expect(
        "PATCH",
        NIGHTLY,
        Reply.of("status-409-job-conflict.json", 409),
        Reply.of("job-nightly-released.json"),
    )
    complete_job.expect("GET", NIGHTLY, Reply.of("job-nightly-complete-moved.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(2, "PATCH", NIGHTLY)

    patches = [r.body for r in complete_job.sent("PATCH", NIGHTLY)]
    assert patches == [release_patch("48213"), release_patch("48230")]
    assert len(complete_job.sent("POST", EVENTS)) == 1
    assert sample(metrics, "batchguard_tracker_releases_total") == 1


def test_a_failed_test_operation_422_is_retried_like_a_conflict(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    complete_job.expect(
        "PATCH",
        NIGHTLY,
        Reply.of("status-422-patch-test-failed.json", 422),
        Reply.of("job-nightly-released.json"),
    )
    complete_job.expect("GET", NIGHTLY, Reply.of("job-nightly-complete-moved.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(2, "PATCH", NIGHTLY)

    patches = [r.body for r in complete_job.sent("PATCH", NIGHTLY)]
    assert patches == [release_patch("48213"), release_patch("48230")]


def test_a_job_recreated_under_the_same_name_keeps_its_finalizer(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    complete_job.expect("PATCH", NIGHTLY, Reply.of("status-409-job-conflict.json", 409))
    complete_job.expect("GET", NIGHTLY, Reply.of("job-nightly-recreated.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(1, "GET", NIGHTLY)

    assert len(complete_job.sent("PATCH", NIGHTLY)) == 1
    assert sample(metrics, "batchguard_tracker_releases_total") == 0


def test_a_restarted_tracker_does_not_record_or_count_an_outcome_twice(
    apiserver, make_tracker
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("jobs-list-complete.json"),
        Reply.of("jobs-list-complete.json"),
    )
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)
    apiserver.expect(
        "GET",
        EVENT,
        Reply.of("status-404-event.json", 404),
        Reply.of("event-nightly-outcome.json"),
    )
    apiserver.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    apiserver.expect(
        "PATCH",
        NIGHTLY,
        Reply.of("status-500-etcd.json", 500),
        Reply.of("job-nightly-released.json"),
    )
    first, second = TrackerMetrics(), TrackerMetrics()

    with running(lambda stop: make_tracker(metrics=first, stop=stop).run(stop)):
        apiserver.wait_for(1, "PATCH", NIGHTLY)
    with running(lambda stop: make_tracker(metrics=second, stop=stop).run(stop)):
        apiserver.wait_for(2, "PATCH", NIGHTLY)

    assert len(apiserver.sent("POST", EVENTS)) == 1
    outcomes = "batchguard_tracker_job_outcomes_total"
    counted = [
        sample(m, outcomes, namespace="team-a", result="succeeded")
        for m in (first, second)
    ]
    assert counted == [1, 0]
    assert sample(second, "batchguard_tracker_releases_total") == 1


def test_an_event_created_first_by_another_replica_is_not_counted_here(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, Reply.of("status-409-event-exists.json", 409))
    complete_job.expect("PATCH", NIGHTLY, Reply.of("job-nightly-released.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(1, "PATCH", NIGHTLY)

    outcomes = "batchguard_tracker_job_outcomes_total"
    assert sample(metrics, outcomes, namespace="team-a", result="succeeded") == 0
    assert sample(metrics, "batchguard_tracker_releases_total") == 1


def test_a_job_whose_event_cannot_be_created_keeps_its_finalizer(
    complete_job, make_tracker, metrics
):
    complete_job.expect("GET", EVENT, then=Reply.of("status-404-event.json", 404))
    complete_job.expect("POST", EVENTS, then=Reply.of("status-403-events.json", 403))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        complete_job.wait_for(3, "POST", EVENTS)

    assert complete_job.sent("PATCH", NIGHTLY) == []
    assert sample(metrics, "batchguard_tracker_errors_total", stage="record") >= 3
