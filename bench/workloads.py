"""Typical Jobs and CronJobs, as the apiserver hands them to a webhook.

The objects carry the defaults the apiserver fills in before admission
(``backoffLimit: 6``, ``completionMode``, the pod defaults...) and no resources,
so the default policies have work to do on them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

NAMESPACE = "team-data"


def container(index: int) -> dict[str, Any]:
    return {
        "name": "main" if index == 0 else f"sidecar-{index}",
        "image": f"registry.example.com/data/etl:{index}.4.2",
        "command": ["python", "-m", "etl", "--date", "$(RUN_DATE)"],
        "env": [
            {"name": "RUN_DATE", "value": "2024-05-01"},
            {"name": "LOG_LEVEL", "value": "info"},
        ],
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def job_spec(*, containers: int = 1) -> dict[str, Any]:
    return {
        "backoffLimit": 6,
        "completions": 1,
        "parallelism": 1,
        "completionMode": "NonIndexed",
        "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed",
        "template": {
            "metadata": {"labels": {"app": "nightly-etl", "team": "data"}},
            "spec": {
                "restartPolicy": "Never",
                "containers": [container(index) for index in range(containers)],
                "dnsPolicy": "ClusterFirst",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "terminationGracePeriodSeconds": 30,
            },
        },
    }


def job(*, name: str = "nightly-etl", containers: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {"app": "nightly-etl", "team": "data"},
        },
        "spec": job_spec(containers=containers),
    }


def cronjob(
    *, name: str = "nightly-etl", schedule: str = "0 3 * * *"
) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "labels": {"app": "nightly-etl", "team": "data"},
        },
        "spec": {
            "schedule": schedule,
            "concurrencyPolicy": "Forbid",
            "suspend": False,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": job_spec()},
        },
    }


def admission_review(obj: dict[str, Any], *, uid: str | None = None) -> dict[str, Any]:
    """An AdmissionReview v1 CREATE request for ``obj``."""
    kind = obj["kind"]
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid or str(uuid.uuid4()),
            "kind": {"group": "batch", "version": "v1", "kind": kind},
            "resource": {
                "group": "batch",
                "version": "v1",
                "resource": kind.lower() + "s",
            },
            "requestKind": {"group": "batch", "version": "v1", "kind": kind},
            "operation": "CREATE",
            "namespace": obj["metadata"]["namespace"],
            "name": obj["metadata"]["name"],
            "object": obj,
            "oldObject": None,
            "userInfo": {
                "username": "system:serviceaccount:ci:deployer",
                "groups": ["system:serviceaccounts", "system:authenticated"],
            },
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
            "dryRun": False,
        },
    }


def admission_body(obj: dict[str, Any], *, uid: str | None = None) -> bytes:
    return json.dumps(admission_review(obj, uid=uid)).encode()
