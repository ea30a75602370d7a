"""Builders for AdmissionReview bodies used across the tests."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any


def job(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "example-job", "namespace": "example-ns"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "registry.example/app:1"}],
                }
            },
            **spec,
        },
    }


def review(
    obj: dict[str, Any] | None,
    *,
    operation: str = "CREATE",
    kind: str = "Job",
    group: str = "batch",
    version: str = "admission.k8s.io/v1",
    uid: str | None = None,
    **request: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": version,
        "kind": "AdmissionReview",
        "request": {
            "uid": str(uuid.UUID(int=1)) if uid is None else uid,
            "kind": {"group": group, "version": "v1", "kind": kind},
            "resource": {
                "group": group,
                "version": "v1",
                "resource": kind.lower() + "s",
            },
            "operation": operation,
            "namespace": "example-ns",
            "name": "example-job",
            "object": obj,
            "userInfo": {"username": "alice"},
            "dryRun": False,
            **request,
        },
    }


def decoded_patch(response: dict[str, Any]) -> list[dict[str, Any]]:
    patch: list[dict[str, Any]] = json.loads(
        base64.b64decode(response["response"]["patch"])
    )
    return patch
