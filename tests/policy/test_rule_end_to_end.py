"""The mutation rules through a policy file and the engine, as admission runs them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpatch
from helpers.rule_runner import cronjob, job

from webhook.policy.engine import Outcome, review
from webhook.policy.loader import parse_policies
from webhook.policy.model import PolicySet

POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: team-defaults}
spec:
  rules:
    metadataDefaults:
      annotations: {example.com/owner-team: batch}
      labels: {example.com/cost-center: shared}
      podTemplate:
        labels: {example.com/tier: batch}
    ttlSecondsAfterFinished: {default: 86400, maximum: 604800, clamp: true}
    resources:
      defaults:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {cpu: 500m, memory: 512Mi}
      maximums:
        limits: {cpu: "4"}
    backoffLimit: {default: 2, maximum: 10}
    activeDeadlineSeconds: {default: 3600}
    historyLimits:
      successfulJobsHistoryLimit: {default: 1}
    podFailurePolicy:
      default:
        rules:
        - action: Ignore
          onPodConditions: [{type: DisruptionTarget}]
    trackingFinalizer: {trackerDeployed: true}
"""


def policies(text: str = POLICY) -> PolicySet:
    return PolicySet(tuple(parse_policies(text, path=Path("team-defaults.yaml"))))


def admitted(obj: dict[str, Any], **how: Any) -> Outcome:
    outcome = review(obj, policies=policies(), **how)

    assert outcome.allowed is True, [f.render() for f in outcome.denials]
    assert jsonpatch.apply_patch(obj, outcome.patch) == outcome.mutated
    again = review(outcome.mutated, policies=policies(), **how)
    assert again.patch == []
    return outcome


def br_01_job() -> dict[str, Any]:
    obj = job()
    obj["metadata"]["annotations"] = {"existing.example.com/keep": "yes"}
    obj["metadata"]["labels"] = {"app": "example"}
    return obj


METADATA_ONLY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: owners}
spec:
  rules:
    metadataDefaults:
      annotations: {example.com/owner-team: batch}
      labels: {example.com/cost-center: shared}
"""


def test_br_01_and_br_02_patches_through_the_engine() -> None:
    existing = review(br_01_job(), policies=policies(METADATA_ONLY))
    absent = review(job(), policies=policies(METADATA_ONLY))

    assert existing.patch == [
        {
            "op": "add",
            "path": "/metadata/annotations/example.com~1owner-team",
            "value": "batch",
        },
        {
            "op": "add",
            "path": "/metadata/labels/example.com~1cost-center",
            "value": "shared",
        },
    ]
    assert absent.patch == [
        {
            "op": "add",
            "path": "/metadata/annotations",
            "value": {"example.com/owner-team": "batch"},
        },
        {
            "op": "add",
            "path": "/metadata/labels",
            "value": {"example.com/cost-center": "shared"},
        },
    ]


def test_a_new_job_gets_every_default_in_one_valid_idempotent_patch() -> None:
    outcome = admitted(job(backoffLimit=6, podReplacementPolicy="TerminatingOrFailed"))

    spec = outcome.mutated["spec"]
    assert spec["ttlSecondsAfterFinished"] == 86400
    assert spec["backoffLimit"] == 2
    assert spec["activeDeadlineSeconds"] == 3600
    assert spec["podReplacementPolicy"] == "Failed"
    assert spec["template"]["metadata"] == {"labels": {"example.com/tier": "batch"}}
    assert outcome.mutated["metadata"]["finalizers"] == ["batchguard.io/job-tracking"]
    assert outcome.warnings == ()


def test_br_04_job_update_leaves_the_template_alone_and_may_add_a_ttl() -> None:
    old = job(backoffLimit=6)
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"example.com/tier": "b"}

    outcome = admitted(new, operation="UPDATE", old=old)

    paths = [op["path"] for op in outcome.patch]
    assert [p for p in paths if p.startswith("/spec/")] == [
        "/spec/ttlSecondsAfterFinished"
    ]
    assert "/metadata/finalizers" not in paths
    assert [w.message for w in outcome.warnings] == [
        "pod template metadata defaults not applied: "
        "spec.template of an existing Job is immutable",
        "podFailurePolicy default not applied: spec.podFailurePolicy of an "
        "existing Job is immutable",
        "resource defaults not applied: spec.template of an existing Job is immutable",
    ]


BR_20_POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: sizes}
spec:
  rules:
    resources:
      defaults:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {cpu: 500m, memory: 512Mi}
"""


def test_br_20_through_the_engine() -> None:
    obj = job()
    obj["spec"]["template"]["spec"]["containers"] = [
        {
            "name": "main",
            "image": "registry.example/app:1.0",
            "resources": {"requests": {"cpu": "0.7", "memory": "1Gi"}},
        },
        {
            "name": "sidecar",
            "image": "registry.example/sidecar:1.0",
            "resources": {"limits": {"cpu": "50m"}},
        },
    ]
    outcome = review(obj, policies=policies(BR_20_POLICY))

    containers = "/spec/template/spec/containers"
    assert outcome.patch == [
        {
            "op": "add",
            "path": f"{containers}/1/resources/limits/memory",
            "value": "512Mi",
        },
        {
            "op": "add",
            "path": f"{containers}/1/resources/requests",
            "value": {"memory": "128Mi"},
        },
    ]
    assert [w.message for w in outcome.warnings] == [
        "default cpu limit not applied to container main: below explicit request 700m",
        "default memory limit not applied to container main: below explicit "
        "request 1Gi",
    ]


def test_a_cronjob_update_defaults_its_template_and_history() -> None:
    obj = cronjob(backoffLimit=6, podReplacementPolicy="TerminatingOrFailed")

    outcome = admitted(obj, operation="UPDATE", old=obj)

    spec = outcome.mutated["spec"]
    assert spec["successfulJobsHistoryLimit"] == 1
    assert spec["jobTemplate"]["spec"]["backoffLimit"] == 2
    assert "finalizers" not in outcome.mutated["metadata"]
    assert outcome.warnings == ()


def test_a_job_being_deleted_gets_no_finalizer() -> None:
    obj = job()
    obj["metadata"]["deletionTimestamp"] = "2026-12-03T12:00:00Z"

    outcome = review(obj, policies=policies(), operation="UPDATE", old=job())

    assert outcome.patch == []
