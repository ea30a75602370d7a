"""Contract tests: leader election through a Lease, against recorded answers."""

from __future__ import annotations

import threading

import pytest
from tracker.harness import NOW, running, sample
from tracker.replay_apiserver import ReplayApiserver, Reply

from webhook.tracker.leader import LeaderElector
from webhook.tracker.settings import LeaseSettings

LEASES = "/apis/coordination.k8s.io/v1/namespaces/batchguard-system/leases"
LEASE = f"{LEASES}/batchguard-tracker"
STAMP = "2025-06-02T02:03:42+00:00"
"""``NOW`` as the client serializes a MicroTime."""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def elector(cluster_api, metrics, clock) -> LeaderElector:
    return LeaderElector(
        api=cluster_api,
        settings=LeaseSettings(
            namespace="batchguard-system",
            duration=15,
            renew_deadline=0.3,
            retry_period=0.02,
        ),
        identity="tracker-test",
        metrics=metrics,
        clock=clock,
        now=lambda: NOW,
    )


def test_an_absent_lease_is_created_naming_this_replica(
    apiserver: ReplayApiserver, elector
):
    apiserver.expect("GET", LEASE, Reply.of("status-404-lease.json", 404))
    apiserver.expect("POST", LEASES, Reply.of("lease-created.json", 201))

    assert elector.try_acquire_or_renew() is True

    [create] = apiserver.sent("POST", LEASES)
    assert create.body == {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "batchguard-tracker", "namespace": "batchguard-system"},
        "spec": {
            "holderIdentity": "tracker-test",
            "leaseDurationSeconds": 15,
            "acquireTime": STAMP,
            "renewTime": STAMP,
            "leaseTransitions": 0,
        },
    }


def test_a_lease_created_first_by_another_replica_is_not_ours(
    apiserver: ReplayApiserver, elector
):
    apiserver.expect("GET", LEASE, Reply.of("status-404-lease.json", 404))
    apiserver.expect("POST", LEASES, Reply.of("status-409-lease-conflict.json", 409))

    assert elector.try_acquire_or_renew() is False


def test_a_lease_another_replica_renews_is_left_alone(
    apiserver: ReplayApiserver, elector, clock
):
    apiserver.expect("GET", LEASE, then=Reply.of("lease-held-by-other.json"))

    first = elector.try_acquire_or_renew()
    clock.now += 14.9
    second = elector.try_acquire_or_renew()

    assert (first, second) == (False, False)
    assert apiserver.sent("PUT", LEASE) == []


def test_a_lease_unchanged_for_its_duration_is_taken_over_at_its_version(
    apiserver: ReplayApiserver, elector, clock
):
    apiserver.expect("GET", LEASE, then=Reply.of("lease-held-by-other.json"))
    apiserver.expect("PUT", LEASE, Reply.of("lease-renewed.json"))

    elector.try_acquire_or_renew()
    clock.now += 15
    taken = elector.try_acquire_or_renew()

    assert taken is True
    [replace] = apiserver.sent("PUT", LEASE)
    assert replace.body["metadata"]["resourceVersion"] == "9001"
    assert replace.body["spec"] == {
        "holderIdentity": "tracker-test",
        "leaseDurationSeconds": 15,
        "acquireTime": STAMP,
        "renewTime": STAMP,
        "leaseTransitions": 4,
    }


def test_a_released_lease_is_taken_at_once(apiserver: ReplayApiserver, elector):
    apiserver.expect("GET", LEASE, Reply.of("lease-released.json"))
    apiserver.expect("PUT", LEASE, Reply.of("lease-renewed.json"))

    assert elector.try_acquire_or_renew() is True
    [replace] = apiserver.sent("PUT", LEASE)
    assert replace.body["spec"]["holderIdentity"] == "tracker-test"
    assert replace.body["metadata"]["resourceVersion"] == "9002"


def test_a_conflict_when_taking_the_lease_means_another_replica_won(
    apiserver: ReplayApiserver, elector
):
    apiserver.expect("GET", LEASE, Reply.of("lease-released.json"))
    apiserver.expect("PUT", LEASE, Reply.of("status-409-lease-conflict.json", 409))

    assert elector.try_acquire_or_renew() is False


def test_the_leader_works_while_renewing_and_gives_the_lease_back_on_shutdown(
    apiserver: ReplayApiserver, elector, metrics
):
    apiserver.expect("GET", LEASE, Reply.of("status-404-lease.json", 404))
    apiserver.expect("GET", LEASE, then=Reply.of("lease-created.json"))
    apiserver.expect("POST", LEASES, Reply.of("lease-created.json", 201))
    apiserver.expect("PUT", LEASE, then=Reply.of("lease-renewed.json"))
    working = threading.Event()
    leader_while_working: list[float] = []

    def work(leading: threading.Event) -> None:
        leader_while_working.append(sample(metrics, "batchguard_tracker_leader"))
        working.set()
        leading.wait()

    with running(lambda stop: elector.lead(stop=stop, work=work)):
        assert working.wait(5)
        apiserver.wait_for(2, "PUT", LEASE)

    release = apiserver.sent("PUT", LEASE)[-1].body["spec"]
    assert (release["holderIdentity"], release["leaseDurationSeconds"]) == ("", 1)
    assert leader_while_working == [1.0]
    assert sample(metrics, "batchguard_tracker_leader") == 0.0


def test_the_leader_stops_working_when_it_cannot_renew_before_the_deadline(
    apiserver: ReplayApiserver, elector, clock, metrics
):
    apiserver.expect("GET", LEASE, Reply.of("status-404-lease.json", 404))
    apiserver.expect("GET", LEASE, then=Reply.of("status-500-etcd.json", 500))
    apiserver.expect("POST", LEASES, Reply.of("lease-created.json", 201))
    stopped_leading = threading.Event()

    def work(leading: threading.Event) -> None:
        clock.now += 1
        leading.wait(5)
        stopped_leading.set()

    with running(lambda stop: elector.lead(stop=stop, work=work)):
        assert stopped_leading.wait(5)

    assert sample(metrics, "batchguard_tracker_errors_total", stage="lease") >= 1
    assert apiserver.sent("PUT", LEASE) == []
