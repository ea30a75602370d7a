"""What the tracker decides for each state a tracked Job can be in."""

from __future__ import annotations

from typing import Any

import pytest

from webhook.tracker.decisions import (
    Ignore,
    Outcome,
    Release,
    Result,
    Wait,
    decide,
    seconds_between,
)

FINALIZER = "batchguard.io/job-tracking"
START = "2025-06-02T02:00:00Z"
END = "2025-06-02T02:03:41Z"


def job(
    *,
    finalizers: tuple[str, ...] = (FINALIZER,),
    deleted: str | None = None,
    **status: Any,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "nightly", "namespace": "team-a"}
    if finalizers:
        metadata["finalizers"] = list(finalizers)
    if deleted:
        metadata["deletionTimestamp"] = deleted
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "status": status,
    }


def condition(
    kind: str, reason: str | None = None, status: str = "True"
) -> dict[str, Any]:
    entry = {"type": kind, "status": status, "lastTransitionTime": END}
    if reason:
        entry["reason"] = reason
    return entry


CASES = [
    pytest.param(
        job(finalizers=()),
        Ignore(f"the Job does not carry the finalizer {FINALIZER!r}"),
        id="no-finalizer",
    ),
    pytest.param(
        job(finalizers=("batch.kubernetes.io/job-tracking",)),
        Ignore(f"the Job does not carry the finalizer {FINALIZER!r}"),
        id="only-the-controllers-pod-finalizer",
    ),
    pytest.param(
        job(finalizers=(), conditions=[condition("Complete")]),
        Ignore(f"the Job does not carry the finalizer {FINALIZER!r}"),
        id="finished-but-already-released",
    ),
    pytest.param(
        job(startTime=START, active=1),
        Wait("the Job is still running"),
        id="running",
    ),
    pytest.param(
        job(),
        Wait("the Job is still running"),
        id="not-started-yet",
    ),
    pytest.param(
        job(
            startTime=START,
            conditions=[condition("SuccessCriteriaMet", "CompletionsReached")],
        ),
        Wait("the Job is still running"),
        id="success-criteria-met-is-interim",
    ),
    pytest.param(
        job(
            startTime=START, conditions=[condition("FailureTarget", "PodFailurePolicy")]
        ),
        Wait("the Job is still running"),
        id="failure-target-is-interim",
    ),
    pytest.param(
        job(startTime=START, conditions=[condition("Complete", status="False")]),
        Wait("the Job is still running"),
        id="complete-condition-false",
    ),
    pytest.param(
        job(startTime=START, conditions=[condition("Suspended", "JobSuspended")]),
        Wait("the Job is still running"),
        id="suspended",
    ),
    pytest.param(
        job(
            startTime=START,
            completionTime=END,
            succeeded=3,
            conditions=[
                condition("SuccessCriteriaMet", "CompletionsReached"),
                condition("Complete", "CompletionsReached"),
            ],
        ),
        Release(Outcome(Result.SUCCEEDED, "CompletionsReached", 221.0, 3, 0, END)),
        id="complete",
    ),
    pytest.param(
        job(
            startTime=START,
            failed=7,
            conditions=[condition("Failed", "BackoffLimitExceeded")],
        ),
        Release(Outcome(Result.FAILED, "BackoffLimitExceeded", 221.0, 0, 7, END)),
        id="failed-backoff-limit",
    ),
    pytest.param(
        job(
            startTime=START,
            failed=1,
            conditions=[condition("Failed", "DeadlineExceeded")],
        ),
        Release(Outcome(Result.FAILED, "DeadlineExceeded", 221.0, 0, 1, END)),
        id="failed-deadline",
    ),
    pytest.param(
        job(
            startTime=START,
            failed=1,
            conditions=[
                condition("FailureTarget", "PodFailurePolicy"),
                condition("Failed", "PodFailurePolicy"),
            ],
        ),
        Release(Outcome(Result.FAILED, "PodFailurePolicy", 221.0, 0, 1, END)),
        id="failed-pod-failure-policy",
    ),
    pytest.param(
        job(conditions=[condition("Failed", "DeadlineExceeded")]),
        Release(Outcome(Result.FAILED, "DeadlineExceeded", None, 0, 0, END)),
        id="failed-without-starting",
    ),
    pytest.param(
        job(startTime=START, succeeded=1, conditions=[condition("Complete")]),
        Release(Outcome(Result.SUCCEEDED, None, 221.0, 1, 0, END)),
        id="complete-without-reason-ends-at-the-condition",
    ),
    pytest.param(
        job(
            deleted=END,
            startTime=START,
            succeeded=1,
            conditions=[condition("Complete", "CompletionsReached")],
        ),
        Release(Outcome(Result.SUCCEEDED, "CompletionsReached", 221.0, 1, 0, END)),
        id="finished-then-deleted-keeps-its-result",
    ),
    pytest.param(
        job(deleted=END, startTime=START, active=2),
        Wait("the Job is being deleted but some of its pods are not counted yet"),
        id="deleted-with-active-pods",
    ),
    pytest.param(
        job(deleted=END, startTime=START, active=0, terminating=1),
        Wait("the Job is being deleted but some of its pods are not counted yet"),
        id="deleted-with-terminating-pods",
    ),
    pytest.param(
        job(
            deleted=END,
            startTime=START,
            uncountedTerminatedPods={"failed": ["5d0b7c1e-pod"]},
        ),
        Wait("the Job is being deleted but some of its pods are not counted yet"),
        id="deleted-with-uncounted-pods",
    ),
    pytest.param(
        job(
            deleted=END,
            startTime=START,
            active=0,
            failed=2,
            uncountedTerminatedPods={},
        ),
        Release(Outcome(Result.DELETED, None, 221.0, 0, 2, END)),
        id="deleted-after-its-pods-are-counted",
    ),
    pytest.param(
        job(deleted=END),
        Release(Outcome(Result.DELETED, None, None, 0, 0, END)),
        id="deleted-before-starting",
    ),
    pytest.param(
        {"metadata": {"finalizers": [FINALIZER]}, "status": "garbage"},
        Wait("the Job is still running"),
        id="malformed-status",
    ),
]


@pytest.mark.parametrize(("job", "expected"), CASES)
def test_each_job_state_gets_its_decision(job, expected):
    assert decide(job, finalizer=FINALIZER) == expected


def test_a_custom_finalizer_name_is_the_one_looked_for():
    finished = job(finalizers=(FINALIZER,), conditions=[condition("Complete")])

    decision = decide(finished, finalizer="example.com/tracking")

    assert decision == Ignore(
        "the Job does not carry the finalizer 'example.com/tracking'"
    )


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(START, END, 221.0, id="seconds"),
        pytest.param(
            "2025-06-02T02:00:00.250000Z", "2025-06-02T02:00:01Z", 0.75, id="fractions"
        ),
        pytest.param(END, START, 0.0, id="clock-skew-clamps-to-zero"),
        pytest.param(None, END, None, id="never-started"),
        pytest.param(START, "yesterday", None, id="unparseable"),
        pytest.param("2025-06-02T02:00:00", END, None, id="naive-and-aware"),
    ],
)
def test_durations_are_measured_between_rfc3339_times(start, end, expected):
    assert seconds_between(start, end) == expected
