"""CronJob validation as the kube-apiserver does it (``ValidateCronJobCreate`` and
``ValidateCronJobUpdate``).

The schedule and time zone checks live in ``schedule``; everything else about the
job template is the Job's own ``validate_job_spec`` under
``spec.jobTemplate.spec``. Unlike a Job, a CronJob may change anything on update.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors, shapes
from webhook.policy.kubernetes.defaults import default_cronjob_spec
from webhook.policy.kubernetes.field_errors import Shown
from webhook.policy.kubernetes.job import validate_job_spec
from webhook.policy.kubernetes.names import byte_length, validate_object_name
from webhook.policy.kubernetes.schedule import validate_schedule
from webhook.policy.rules.base import Operation

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
# The controller names each Job ``<cronjob>-<11-character timestamp>``, and a Job
# name must stay a 63-character DNS label.
MAX_NAME_LENGTH = 63 - 11

_TEMPLATE = "spec.jobTemplate.spec"


def validate_cronjob(
    obj: Mapping[str, Any],
    *,
    operation: Operation,
    old: Mapping[str, Any] | None = None,
) -> Iterator[Finding]:
    """Every finding the apiserver would report for creating or updating ``obj``."""
    cronjob, problems = shapes.conform(obj, shapes.CRONJOB, path="")
    yield from problems
    if cronjob is None:
        return
    metadata = cronjob.get("metadata", {})
    spec = cronjob.setdefault("spec", {})
    default_cronjob_spec(spec)
    creating = operation != "UPDATE" or old is None
    if creating:
        yield from validate_object_name(metadata)
    yield from _spec(
        spec, raw=_raw_spec(obj), old_spec=None if creating else _raw_spec(old)
    )
    if creating:
        yield from _name_length(metadata.get("name", ""))


def _raw_spec(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    spec = obj.get("spec") if isinstance(obj, Mapping) else None
    return spec if isinstance(spec, Mapping) else {}


def _spec(
    spec: Mapping[str, Any],
    *,
    raw: Mapping[str, Any],
    old_spec: Mapping[str, Any] | None,
) -> Iterator[Finding]:
    timing = list(validate_schedule(raw, old_spec=old_spec, path="spec"))
    # The apiserver checks startingDeadlineSeconds between schedule and timeZone.
    yield from (f for f in timing if not f.path.startswith("spec.timeZone"))
    yield from _at_least_zero(spec, "startingDeadlineSeconds")
    yield from (f for f in timing if f.path.startswith("spec.timeZone"))
    yield from _concurrency_policy(spec.get("concurrencyPolicy", "Allow"))
    yield from _job_template(spec["jobTemplate"]["spec"])
    yield from _at_least_zero(spec, "successfulJobsHistoryLimit")
    yield from _at_least_zero(spec, "failedJobsHistoryLimit")


def _at_least_zero(spec: Mapping[str, Any], key: str) -> Iterator[Finding]:
    value = spec.get(key)
    if value is not None and value < 0:
        yield field_errors.invalid(
            f"spec.{key}",
            value,
            "must be greater than or equal to 0",
            rule=key,
            hint=f"Set {key} to 0 or more, or leave it out.",
        )


def _concurrency_policy(policy: str) -> Iterator[Finding]:
    if policy not in CONCURRENCY_POLICIES:
        yield field_errors.not_supported(
            "spec.concurrencyPolicy",
            policy,
            CONCURRENCY_POLICIES,
            rule="concurrencyPolicy",
            hint="Use Allow, Forbid or Replace (case matters).",
        )


def _job_template(spec: Mapping[str, Any]) -> Iterator[Finding]:
    """``ValidateJobTemplateSpec``: the JobSpec checks, and no selector of its own."""
    yield from validate_job_spec(spec, path=_TEMPLATE)
    if "selector" in spec:
        yield field_errors.invalid(
            f"{_TEMPLATE}.selector",
            Shown("{...}"),
            "`selector` will be auto-generated",
            rule="selector",
            hint="Remove the selector; each Job the CronJob creates gets its own.",
        )
    if spec.get("manualSelector") is True:
        yield field_errors.not_supported(
            f"{_TEMPLATE}.manualSelector",
            True,
            ("nil", "false"),
            rule="selector",
            hint="Remove manualSelector from the job template.",
        )


def _name_length(name: str) -> Iterator[Finding]:
    if byte_length(name) > MAX_NAME_LENGTH:
        yield field_errors.invalid(
            "metadata.name",
            name,
            f"must be no more than {MAX_NAME_LENGTH} characters",
            rule="name",
            hint=(
                f"Shorten the name to {MAX_NAME_LENGTH} characters: the CronJob's "
                "Jobs are named after it with an 11-character suffix."
            ),
        )
