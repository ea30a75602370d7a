"""Contract tests: listing and watching tracked Jobs, against recorded answers."""

from __future__ import annotations

import threading

import pytest
from tracker.harness import running, sample
from tracker.replay_apiserver import IDLE_WATCH, ReplayApiserver, Reply

from webhook.tracker.follow import JobFollower

JOBS = "/apis/batch/v1/jobs"
TEAM_A_JOBS = "/apis/batch/v1/namespaces/team-a/jobs"
CLEANUP = "/apis/batch/v1/namespaces/team-a/jobs/cleanup-tmp"
CLEANUP_EVENT = (
    "/api/v1/namespaces/team-a/events/"
    "cleanup-tmp.batchguard-outcome.e92b6d14-3c7a-4f15-b0d8-6a4c1e9f2735"
)
FIRST_PAGE_TOKEN = (
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgxOTAsInN0YXJ0IjoidGVhbS1hL25pZ2h0bHkt"
    "cmVwb3J0LTI4NzQ1MTIwXHUwMDAwIn0"
)


class Recording:
    """A JobHandler that keeps what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.changed = threading.Event()

    def replace_all(self, jobs):
        self.calls.append(("list", [job["metadata"]["name"] for job in jobs]))
        self.changed.set()

    def apply(self, event_type, job):
        self.calls.append((event_type, [job["metadata"]["name"]]))
        self.changed.set()


@pytest.fixture
def follow(cluster_api, settings, metrics):
    def start(handler, **changes):
        follower = JobFollower(
            api=cluster_api,
            handler=handler,
            settings=type(settings)(**{**settings.__dict__, **changes}),
            metrics=metrics,
        )

        def run(stop: threading.Event) -> None:
            follower.run(stop)

        return running(run), follower

    return start


def test_the_list_follows_continue_tokens_then_watches_from_its_resource_version(
    apiserver: ReplayApiserver, follow
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("jobs-list-page-1.json"),
        Reply.of("jobs-list-page-2.json"),
    )
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)
    handler = Recording()
    loop, _ = follow(handler, page_size=1)

    with loop:
        [watch] = apiserver.wait_for(1, "GET", JOBS, watch=True)

    first, second = apiserver.sent("GET", JOBS, watch=False)
    assert first.query == {
        "labelSelector": ["batchguard.io/tracked=true"],
        "limit": ["1"],
    }
    assert second.query == {
        "continue": [FIRST_PAGE_TOKEN],
        "labelSelector": ["batchguard.io/tracked=true"],
        "limit": ["1"],
    }
    assert watch.query == {
        "allowWatchBookmarks": ["true"],
        "labelSelector": ["batchguard.io/tracked=true"],
        "resourceVersion": ["48190"],
        "timeoutSeconds": ["5"],
        "watch": ["true"],
    }
    assert handler.calls[0] == ("list", ["nightly-report-28745120", "etl-load"])


def test_an_expired_watch_410_leads_to_a_fresh_list_not_an_old_resource_version(
    apiserver: ReplayApiserver, follow, metrics
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("jobs-list-page-1.json"),
        Reply.of("jobs-list-page-2.json"),
        Reply.of("jobs-list-empty.json"),
    )
    apiserver.expect(
        "GET",
        JOBS,
        Reply.stream("watch-jobs-expired.jsonl"),
        watch=True,
        then=IDLE_WATCH,
    )
    handler = Recording()
    loop, _ = follow(handler)

    with loop:
        watches = apiserver.wait_for(2, "GET", JOBS, watch=True)

    assert [w.param("resourceVersion") for w in watches[:2]] == ["48190", "48400"]
    assert handler.calls[:3] == [
        ("list", ["nightly-report-28745120", "etl-load"]),
        ("MODIFIED", ["nightly-report-28745120"]),
        ("list", []),
    ]
    assert sample(metrics, "batchguard_tracker_relists_total", reason="expired") == 1


def test_a_watch_answered_with_http_410_also_leads_to_a_fresh_list(
    apiserver: ReplayApiserver, follow, metrics
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("jobs-list-complete.json"),
        Reply.of("jobs-list-empty.json"),
    )
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("status-410-expired.json", 410),
        watch=True,
        then=IDLE_WATCH,
    )
    loop, _ = follow(Recording())

    with loop:
        watches = apiserver.wait_for(2, "GET", JOBS, watch=True)

    assert [w.param("resourceVersion") for w in watches[:2]] == ["48213", "48400"]
    assert sample(metrics, "batchguard_tracker_relists_total", reason="expired") == 1


def test_a_watch_that_ends_resumes_from_the_last_bookmark_without_listing(
    apiserver: ReplayApiserver, follow
):
    apiserver.expect("GET", JOBS, Reply.of("jobs-list-complete.json"))
    bookmark = Reply.stream("watch-jobs-bookmark.jsonl")
    apiserver.expect("GET", JOBS, bookmark, watch=True, then=IDLE_WATCH)
    loop, _ = follow(Recording())

    with loop:
        watches = apiserver.wait_for(2, "GET", JOBS, watch=True)

    assert [w.param("resourceVersion") for w in watches[:2]] == ["48213", "48377"]
    assert len(apiserver.sent("GET", JOBS, watch=False)) == 1


def test_a_failing_list_is_retried_after_a_bounded_backoff(
    apiserver: ReplayApiserver, follow, metrics
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("status-500-etcd.json", 500),
        Reply.of("status-500-etcd.json", 500),
        Reply.of("jobs-list-complete.json"),
    )
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)
    loop, _ = follow(Recording())

    with loop:
        apiserver.wait_for(1, "GET", JOBS, watch=True)

    assert len(apiserver.sent("GET", JOBS, watch=False)) == 3
    assert sample(metrics, "batchguard_tracker_errors_total", stage="list") == 2
    assert sample(metrics, "batchguard_tracker_relists_total", reason="error") == 1


def test_one_namespace_is_listed_and_watched_at_its_own_path(
    apiserver: ReplayApiserver, follow
):
    apiserver.expect("GET", TEAM_A_JOBS, Reply.of("jobs-list-complete.json"))
    apiserver.expect("GET", TEAM_A_JOBS, watch=True, then=IDLE_WATCH)
    loop, _ = follow(Recording(), namespace="team-a")

    with loop:
        apiserver.wait_for(1, "GET", TEAM_A_JOBS, watch=True)

    assert apiserver.sent("GET", JOBS) == []


def test_a_deleted_job_waits_for_its_pods_then_is_released_as_deleted(
    apiserver: ReplayApiserver, make_tracker, metrics
):
    apiserver.expect("GET", JOBS, Reply.of("jobs-list-deleting.json"))
    apiserver.expect(
        "GET",
        JOBS,
        Reply.stream("watch-jobs-cleanup-drains.jsonl", hold=0.1),
        watch=True,
        then=IDLE_WATCH,
    )
    apiserver.expect("GET", CLEANUP_EVENT, Reply.of("status-404-event.json", 404))
    apiserver.expect(
        "POST",
        "/api/v1/namespaces/team-a/events",
        Reply.of("event-nightly-outcome.json", 201),
    )
    apiserver.expect("PATCH", CLEANUP, Reply.of("job-cleanup-deleting-done.json"))

    with running(lambda stop: make_tracker(metrics=metrics, stop=stop).run(stop)):
        [patch] = apiserver.wait_for(1, "PATCH", CLEANUP)

    assert patch.body[0] == {
        "op": "test",
        "path": "/metadata/resourceVersion",
        "value": "48322",
    }
    [event] = apiserver.sent("POST", "/api/v1/namespaces/team-a/events")
    assert event.body["message"] == (
        "Job was deleted before it finished after 5m0s: 0 pods succeeded, 2 failed."
    )
    outcomes = "batchguard_tracker_job_outcomes_total"
    assert sample(metrics, outcomes, namespace="team-a", result="deleted") == 1


def test_a_handler_that_fails_unexpectedly_does_not_end_the_watch_loop(
    apiserver: ReplayApiserver, follow, metrics
):
    apiserver.expect(
        "GET",
        JOBS,
        Reply.of("jobs-list-complete.json"),
        Reply.of("jobs-list-complete.json"),
    )
    apiserver.expect("GET", JOBS, watch=True, then=IDLE_WATCH)

    class FailsOnce(Recording):
        def replace_all(self, jobs):
            if not self.calls:
                self.calls.append(("failed", []))
                raise KeyError("metadata")
            super().replace_all(jobs)  # type: ignore[no-untyped-call]

    handler = FailsOnce()
    loop, _ = follow(handler)

    with loop:
        apiserver.wait_for(1, "GET", JOBS, watch=True)

    assert handler.calls[:2] == [("failed", []), ("list", ["nightly-report-28745120"])]
    assert sample(metrics, "batchguard_tracker_errors_total", stage="internal") == 1
