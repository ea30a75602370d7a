"""The checks the kube-apiserver itself makes on Jobs and CronJobs.

Running them in the webhook and the CLI turns a rejection at ``kubectl apply`` time
into a finding with a path, the apiserver's own words and a hint. They follow the
batch/v1 validation of Kubernetes 1.36 (``pkg/apis/batch/validation``), apply the
v1 defaults first so that raw manifests and admitted objects get the same answer,
and never raise: a field of the wrong JSON type is a finding too.

Every finding is a denial with a rule id ``kubernetes.<area>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.cronjob import validate_cronjob
from webhook.policy.kubernetes.job import validate_job
from webhook.policy.kubernetes.shapes import brief
from webhook.policy.rules.base import Kind, Operation

__all__ = ["validate"]


def validate(
    obj: Mapping[str, Any],
    *,
    kind: Kind,
    operation: Operation,
    old: Mapping[str, Any] | None = None,
) -> Iterator[Finding]:
    """Findings for ``obj``, in the order the apiserver would report them.

    ``old`` is the object before an UPDATE; it is ignored on CREATE.
    """
    if not isinstance(obj, Mapping):
        yield field_errors.invalid(
            "",
            brief(obj),
            f"a {kind} must be a JSON object",
            rule="fieldType",
            hint="Give the manifest as a YAML mapping.",
        )
        return
    checks = validate_job if kind == "Job" else validate_cronjob
    yield from checks(obj, operation=operation, old=old)
