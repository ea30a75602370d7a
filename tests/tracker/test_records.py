"""What the tracker writes: the guarded patch, the Event and the outcome line."""

from __future__ import annotations

from typing import Any

import pytest
from tracker.harness import NOW
from tracker.replay_apiserver import recorded

from webhook.tracker.decisions import Outcome, Result
from webhook.tracker.patches import NoFinalizer, release_patch
from webhook.tracker.records import (
    cronjob_owner,
    describe,
    event_body,
    event_name,
    format_duration,
    outcome_document,
)

FINALIZER = "batchguard.io/job-tracking"


def with_finalizers(*finalizers: str) -> dict[str, Any]:
    return {"metadata": {"resourceVersion": "77", "finalizers": list(finalizers)}}


@pytest.mark.parametrize(
    ("job", "index"),
    [
        pytest.param(with_finalizers(FINALIZER), 0, id="only"),
        pytest.param(with_finalizers("foregroundDeletion", FINALIZER), 1, id="second"),
        pytest.param(
            with_finalizers(FINALIZER, "orphan", "example.com/keep"), 0, id="first"
        ),
    ],
)
def test_the_release_patch_tests_the_version_and_the_finalizer_at_its_index(job, index):
    assert release_patch(job, finalizer=FINALIZER) == [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "77"},
        {"op": "test", "path": f"/metadata/finalizers/{index}", "value": FINALIZER},
        {"op": "remove", "path": f"/metadata/finalizers/{index}"},
    ]


@pytest.mark.parametrize(
    "job",
    [
        pytest.param(with_finalizers(), id="empty-list"),
        pytest.param({"metadata": {"resourceVersion": "77"}}, id="no-list"),
        pytest.param(with_finalizers("batch.kubernetes.io/job-tracking"), id="other"),
    ],
)
def test_no_release_patch_is_built_for_a_job_without_the_finalizer(job):
    with pytest.raises(NoFinalizer, match="does not carry the finalizer"):
        release_patch(job, finalizer=FINALIZER)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(0, "0s", id="zero"),
        pytest.param(44.6, "45s", id="rounded"),
        pytest.param(120, "2m0s", id="minutes"),
        pytest.param(3723, "1h2m3s", id="hours"),
        pytest.param(90000, "25h0m0s", id="more-than-a-day"),
    ],
)
def test_durations_read_like_go_durations(seconds, expected):
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        pytest.param(
            Outcome(Result.SUCCEEDED, "CompletionsReached", 221.0, 1, 0, None),
            "Job succeeded (CompletionsReached) after 3m41s: "
            "1 pod succeeded, 0 failed.",
            id="succeeded",
        ),
        pytest.param(
            Outcome(Result.FAILED, "BackoffLimitExceeded", 127.0, 0, 7, None),
            "Job failed (BackoffLimitExceeded) after 2m7s: 0 pods succeeded, 7 failed.",
            id="failed",
        ),
        pytest.param(
            Outcome(Result.FAILED, "DeadlineExceeded", None, 0, 0, None),
            "Job failed (DeadlineExceeded) without starting: "
            "0 pods succeeded, 0 failed.",
            id="never-started",
        ),
        pytest.param(
            Outcome(Result.DELETED, None, 300.0, 2, 1, None),
            "Job was deleted before it finished after 5m0s: "
            "2 pods succeeded, 1 failed.",
            id="deleted",
        ),
    ],
)
def test_the_event_message_names_result_reason_duration_and_counts(outcome, expected):
    assert describe(outcome) == expected


def test_the_event_name_is_derived_from_the_job_uid():
    job = recorded("job-nightly-complete.json")

    assert event_name(job) == (
        "nightly-report-28745120.batchguard-outcome."
        "7d0c3f0e-5a8b-4f0e-9a51-2b6f8e3c9d14"
    )


def test_a_job_without_uid_gets_a_stable_digest_in_its_event_name():
    job = {
        "metadata": {
            "name": "local",
            "namespace": "dev",
            "creationTimestamp": "2025-06-02T00:00:00Z",
        }
    }

    assert event_name(job) == event_name(dict(job))
    assert event_name(job).startswith("local.batchguard-outcome.")
    assert len(event_name(job)) == len("local.batchguard-outcome.") + 32


def test_a_failed_job_gets_a_warning_event_on_the_job():
    job = recorded("job-etl-failed.json")
    outcome = Outcome(Result.FAILED, "BackoffLimitExceeded", 127.0, 0, 7, None)

    body = event_body(job, outcome, instance="tracker-0", now=NOW)

    assert body["type"] == "Warning"
    assert body["involvedObject"] == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "namespace": "team-a",
        "name": "etl-load",
        "uid": "c4a1f7b2-0e3d-4b9a-8f62-1d5e7a3c2b90",
        "resourceVersion": "48102",
    }
    assert (body["firstTimestamp"], body["lastTimestamp"]) == (
        "2025-06-02T02:03:42Z",
        "2025-06-02T02:03:42Z",
    )


def test_the_outcome_line_of_a_job_without_a_cronjob_says_so():
    job = recorded("job-etl-failed.json")
    outcome = Outcome(Result.FAILED, "BackoffLimitExceeded", 127.0, 0, 7, "end")

    document = outcome_document(job, outcome)

    assert (document["cronJob"], document["endTime"]) == (None, "end")


def test_only_a_controlling_cronjob_counts_as_the_owner():
    job = {
        "metadata": {
            "ownerReferences": [
                {"kind": "CronJob", "name": "not-controller", "controller": False},
                {"kind": "Workflow", "name": "wf", "controller": True},
                {"kind": "CronJob", "name": "nightly", "controller": True},
            ]
        }
    }

    assert cronjob_owner(job) == "nightly"
