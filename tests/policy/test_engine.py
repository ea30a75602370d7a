"""The engine contract: patch from a diff, idempotence, UPDATE safety, ratcheting."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from helpers.admission import job

from webhook.policy.engine import review
from webhook.policy.findings import Enforcement
from webhook.policy.loader import build_policy
from webhook.policy.model import PolicySet


def policies(rules: dict[str, Any], **spec: Any) -> PolicySet:
    document = {"metadata": {"name": "test"}, "spec": {"rules": rules, **spec}}
    return PolicySet((build_policy(document, source="test.yaml#0"),))


TTL = policies({"ttlSecondsAfterFinished": {"default": 3600, "maximum": 86400}})
RESOURCES = policies(
    {"resources": {"defaults": {"requests": {"cpu": "100m", "memory": "128Mi"}}}}
)


def test_the_patch_is_the_difference_between_object_and_mutated_copy() -> None:
    obj = job()

    outcome = review(obj, policies=TTL)

    assert outcome.patch == [
        {"op": "add", "path": "/spec/ttlSecondsAfterFinished", "value": 3600}
    ]
    assert jsonpatch.apply_patch(obj, outcome.patch) == outcome.mutated
    assert "ttlSecondsAfterFinished" not in obj["spec"]
    assert outcome.allowed is True


def test_reviewing_the_mutated_object_again_yields_an_empty_patch() -> None:
    first = review(job(), policies=RESOURCES)

    second = review(first.mutated, policies=RESOURCES)

    assert first.patch != []
    assert second.patch == []


def test_review_is_deterministic() -> None:
    outcomes = [review(job(), policies=RESOURCES) for _ in range(3)]

    assert all(outcome == outcomes[0] for outcome in outcomes)


def test_a_policy_limit_above_its_maximum_is_denied() -> None:
    outcome = review(job(ttlSecondsAfterFinished=999999), policies=TTL)

    assert outcome.allowed is False
    assert [(f.rule, f.path, f.policy) for f in outcome.denials] == [
        ("ttlSecondsAfterFinished.maximum", "spec.ttlSecondsAfterFinished", "test")
    ]


def test_job_update_never_touches_the_pod_template() -> None:
    old = job()
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"example.com/tier": "b"}

    outcome = review(new, policies=RESOURCES, operation="UPDATE", old=old)

    assert [op for op in outcome.patch if op["path"].startswith("/spec/template")] == []


def test_cronjob_update_may_change_the_job_template() -> None:
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "example-ns"},
        "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": job()["spec"]}},
    }

    outcome = review(cronjob, policies=RESOURCES, operation="UPDATE", old=cronjob)

    assert [op["path"] for op in outcome.patch] == [
        "/spec/jobTemplate/spec/template/spec/containers/0/resources"
    ]


def test_an_update_is_not_denied_for_a_violation_the_old_object_had() -> None:
    old = job(ttlSecondsAfterFinished=999999)
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"changed": "yes"}

    outcome = review(new, policies=TTL, operation="UPDATE", old=old)

    assert outcome.allowed is True
    [warning] = outcome.warnings
    assert warning.message.endswith("[not denied: it predates this update]")


def test_an_update_that_introduces_a_violation_is_denied() -> None:
    old = job(ttlSecondsAfterFinished=60)
    new = job(ttlSecondsAfterFinished=999999)

    outcome = review(new, policies=TTL, operation="UPDATE", old=old)

    assert outcome.allowed is False


def _owned(obj: dict[str, Any]) -> dict[str, Any]:
    obj["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "nightly",
            "uid": "0e7c6a77-8d5a-4e7b-9b1a-000000000001",
            "controller": True,
        }
    ]
    return obj


@pytest.mark.parametrize(
    ("mode", "allowed"), [("warn", True), ("enforce", False)], ids=["warn", "enforce"]
)
def test_jobs_created_by_a_cronjob_follow_the_policy_owned_jobs_mode(
    mode: str, allowed: bool
) -> None:
    rules = {"ttlSecondsAfterFinished": {"maximum": 60}}

    outcome = review(
        _owned(job(ttlSecondsAfterFinished=600)),
        policies=policies(rules, cronJobOwnedJobs=mode),
        from_cronjob_controller=True,
    )

    assert outcome.allowed is allowed
    assert len(outcome.violations) == 1


def test_an_owner_reference_written_by_anyone_else_softens_nothing() -> None:
    rules = {"ttlSecondsAfterFinished": {"maximum": 60}}

    outcome = review(_owned(job(ttlSecondsAfterFinished=600)), policies=policies(rules))

    assert outcome.allowed is False


def test_the_validating_webhook_judges_the_object_as_received() -> None:
    rules = {"ttlSecondsAfterFinished": {"maximum": 60, "clamp": True}}
    obj = job(ttlSecondsAfterFinished=600)

    as_mutated = review(obj, policies=policies(rules))
    as_received = review(obj, policies=policies(rules), validate_as_mutated=False)

    assert as_mutated.allowed is True
    assert as_received.allowed is False
    assert [f.path for f in as_received.denials] == ["spec.ttlSecondsAfterFinished"]


@pytest.mark.parametrize(
    ("obj", "operation", "reason"),
    [
        (
            {"apiVersion": "apps/v1", "kind": "Deployment"},
            "CREATE",
            "not a batch Job or CronJob",
        ),
        (job(), "DELETE", "DELETE is not reviewed"),
        (
            {
                **job(),
                "metadata": {"name": "x", "deletionTimestamp": "2026-12-03T00:00:00Z"},
            },
            "UPDATE",
            "the object is being deleted",
        ),
    ],
    ids=["other-kind", "delete", "being-deleted"],
)
def test_objects_outside_scope_are_skipped_untouched(
    obj: dict[str, Any], operation: Any, reason: str
) -> None:
    outcome = review(obj, policies=TTL, operation=operation)

    assert outcome.skipped_reason == reason
    assert outcome.patch == []
    assert outcome.findings == ()


def test_the_request_kind_overrides_an_object_without_apiversion() -> None:
    obj = job()
    del obj["apiVersion"], obj["kind"]

    outcome = review(obj, policies=TTL, kind="Job")

    assert outcome.patch == [
        {"op": "add", "path": "/spec/ttlSecondsAfterFinished", "value": 3600}
    ]


def test_audit_findings_do_not_deny() -> None:
    rules = {"ttlSecondsAfterFinished": {"maximum": 60, "enforcement": "audit"}}

    outcome = review(job(ttlSecondsAfterFinished=600), policies=policies(rules))

    assert outcome.allowed is True
    assert [f.enforcement for f in outcome.audits] == [Enforcement.AUDIT]
