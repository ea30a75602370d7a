"""Contract tests: the outcome URL, posted before the Event and the release."""

from __future__ import annotations

import pytest
from tracker.harness import running
from tracker.replay_apiserver import IDLE_WATCH, ReplayApiserver, Reply

JOBS = "/apis/batch/v1/jobs"
NIGHTLY = "/apis/batch/v1/namespaces/team-a/jobs/nightly-report-28745120"
EVENTS = "/api/v1/namespaces/team-a/events"
EVENT = (
    f"{EVENTS}/nightly-report-28745120.batchguard-outcome."
    "7d0c3f0e-5a8b-4f0e-9a51-2b6f8e3c9d14"
)
OUTCOMES = "/outcomes"
ACCEPTED = Reply(status=202, body={"accepted": True})
UNAVAILABLE = Reply(status=503, body={"error": "try later"})


@pytest.fixture
def complete_job(apiserver: ReplayApiserver) -> ReplayApiserver:
    apiserver.expect("GET", JOBS, Reply.of("jobs-list-complete.json"))
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)
    apiserver.expect("GET", EVENT, then=Reply.of("status-404-event.json", 404))
    apiserver.expect("POST", EVENTS, Reply.of("event-nightly-outcome.json", 201))
    apiserver.expect("PATCH", NIGHTLY, Reply.of("job-nightly-released.json"))
    return apiserver


@pytest.fixture
def tracker_with_url(complete_job, make_tracker, metrics):
    def target(stop):
        tracker = make_tracker(
            metrics=metrics,
            stop=stop,
            outcome_url=complete_job.url + OUTCOMES,
            outcome_retry_delay=0.01,
        )
        tracker.run(stop)

    return target


def test_the_outcome_is_posted_as_one_json_line_before_the_event_and_the_release(
    complete_job, tracker_with_url
):
    complete_job.expect("POST", OUTCOMES, ACCEPTED)

    with running(tracker_with_url):
        complete_job.wait_for(1, "PATCH", NIGHTLY)

    order = [(r.method, r.path) for r in complete_job.requests if not r.watch]
    assert order == [
        ("GET", JOBS),
        ("GET", EVENT),
        ("POST", OUTCOMES),
        ("POST", EVENTS),
        ("PATCH", NIGHTLY),
    ]
    [post] = complete_job.sent("POST", OUTCOMES)
    assert post.headers["content-type"] == "application/json"
    assert post.body == {
        "apiVersion": "batchguard.io/v1alpha1",
        "kind": "JobOutcome",
        "uid": "7d0c3f0e-5a8b-4f0e-9a51-2b6f8e3c9d14",
        "namespace": "team-a",
        "name": "nightly-report-28745120",
        "cronJob": "nightly-report",
        "result": "succeeded",
        "reason": "CompletionsReached",
        "durationSeconds": 221.0,
        "succeeded": 1,
        "failed": 0,
        "startTime": "2025-06-02T02:00:00Z",
        "endTime": "2025-06-02T02:03:41Z",
    }


def test_an_outcome_url_that_refuses_delays_the_release_until_it_accepts(
    complete_job, tracker_with_url
):
    complete_job.expect("POST", OUTCOMES, *[UNAVAILABLE] * 4, ACCEPTED)

    with running(tracker_with_url):
        complete_job.wait_for(1, "PATCH", NIGHTLY)

    posts = complete_job.sent("POST", OUTCOMES)
    patch = complete_job.sent("PATCH", NIGHTLY)[0]
    assert len(posts) == 5
    assert complete_job.requests.index(posts[-1]) < complete_job.requests.index(patch)
    assert len(complete_job.sent("POST", EVENTS)) == 1
