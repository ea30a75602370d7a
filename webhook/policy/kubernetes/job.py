"""Job validation as the kube-apiserver does it (``ValidateJob``, ``validateJobSpec``).

``validate_job_spec`` is shared with CronJobs, whose ``spec.jobTemplate.spec`` gets
the same checks under its own path. Every function here reads the copy made by
``shapes.conform`` after ``defaults.default_job_spec``, so types can be trusted
and absent fields already hold the values the apiserver would give them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors, shapes
from webhook.policy.kubernetes.defaults import default_job_spec
from webhook.policy.kubernetes.field_errors import Shown
from webhook.policy.kubernetes.job_update import validate_job_update
from webhook.policy.kubernetes.names import (
    byte_length,
    dns1123_label_errors,
    domain_prefixed_path_errors,
    validate_object_name,
)
from webhook.policy.kubernetes.pod_failure_policy import validate_pod_failure_policy
from webhook.policy.kubernetes.selectors import selector_matches
from webhook.policy.kubernetes.success_policy import validate_success_policy
from webhook.policy.rules.base import Operation, pod_spec

COMPLETION_MODES = ("NonIndexed", "Indexed")
POD_REPLACEMENT_POLICIES = ("Failed", "TerminatingOrFailed")
JOB_RESTART_POLICIES = ("OnFailure", "Never")

MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000
MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100_000
COMPLETIONS_SOFT_LIMIT = 100_000
PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS = 10_000
MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS = 10_000
MAX_MANAGED_BY_LENGTH = 63

# In the order the apiserver checks them; each must be >= 0 when set.
_COUNTS = (
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
)


def validate_job(
    obj: Mapping[str, Any],
    *,
    operation: Operation,
    old: Mapping[str, Any] | None = None,
) -> Iterator[Finding]:
    """Every finding the apiserver would report for creating or updating ``obj``."""
    job, problems = shapes.conform(obj, shapes.JOB, path="")
    yield from problems
    if job is None:
        return
    metadata = job.get("metadata", {})
    spec = job.setdefault("spec", {})
    default_job_spec(spec)
    yield from validate_object_name(metadata)
    yield from validate_job_spec(spec, path="spec")
    yield from _manual_selector(spec)
    yield from _indexed_pod_names(metadata, spec)
    if operation == "UPDATE" and old is not None:
        yield from _update(spec, old)


def _update(spec: Mapping[str, Any], old: Mapping[str, Any]) -> Iterator[Finding]:
    previous, _ = shapes.conform(old, shapes.JOB_WITH_STATUS, path="")
    if previous is None:
        return
    old_spec = previous.setdefault("spec", {})
    default_job_spec(old_spec)
    yield from validate_job_update(
        spec, old_spec, old_status=previous.get("status", {})
    )


def validate_job_spec(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    """The JobSpec checks a Job and a CronJob's job template share."""
    yield from _counts(spec, path=path)
    if "managedBy" in spec:
        yield from _managed_by(spec["managedBy"], path=f"{path}.managedBy")
    yield from _completion_mode(spec, path=path)
    yield from validate_pod_failure_policy(spec, path=path)
    yield from validate_success_policy(spec, path=path)
    yield from _pod_replacement_policy(spec, path=f"{path}.podReplacementPolicy")
    yield from _pod_template(spec, path=f"{path}.template.spec")


def _counts(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    for key in _COUNTS:
        value = spec.get(key)
        if value is not None and value < 0:
            yield field_errors.invalid(
                f"{path}.{key}",
                value,
                "must be greater than or equal to 0",
                rule=key,
                hint=f"Set {key} to 0 or more, or leave it out.",
            )
    if "maxFailedIndexes" in spec and "backoffLimitPerIndex" not in spec:
        yield field_errors.required(
            f"{path}.backoffLimitPerIndex",
            "when maxFailedIndexes is specified",
            rule="maxFailedIndexes",
            hint="Set backoffLimitPerIndex too, or remove maxFailedIndexes.",
        )


def _managed_by(managed_by: str, *, path: str) -> Iterator[Finding]:
    hint = (
        "Name the controller as a domain-prefixed path such as example.com/queue, "
        "or leave it out for the built-in job controller."
    )
    if not managed_by:
        yield field_errors.required(path, rule="managedBy", hint=hint)
    else:
        for value, detail in domain_prefixed_path_errors(managed_by):
            yield field_errors.invalid(path, value, detail, rule="managedBy", hint=hint)
    if byte_length(managed_by) > MAX_MANAGED_BY_LENGTH:
        yield field_errors.too_long(
            path,
            f"may not be more than {MAX_MANAGED_BY_LENGTH} bytes",
            rule="managedBy",
            hint=hint,
        )


def _completion_mode(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    mode = spec.get("completionMode")
    if mode not in COMPLETION_MODES:
        yield field_errors.not_supported(
            f"{path}.completionMode",
            mode,
            COMPLETION_MODES,
            rule="completionMode",
            hint="Use NonIndexed or Indexed.",
        )
    if mode == "Indexed":
        yield from _indexed_limits(spec, path=path)
        yield from _high_completions_limits(spec, path=path)
    elif mode == "NonIndexed":
        yield from _requires_indexed(spec, path=path)


def _indexed_limits(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    completions = spec.get("completions")
    parallelism = spec.get("parallelism")
    max_failed = spec.get("maxFailedIndexes")
    if completions is None:
        yield field_errors.required(
            f"{path}.completions",
            "when completion mode is Indexed",
            rule="completionMode",
            hint="Set completions: an Indexed Job runs one pod per index.",
        )
    if parallelism is not None and parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB:
        yield _indexed_limit(
            f"{path}.parallelism",
            parallelism,
            f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} "
            "when completion mode is Indexed",
        )
    if completions is not None and max_failed is not None and max_failed > completions:
        yield _indexed_limit(
            f"{path}.maxFailedIndexes",
            max_failed,
            "must be less than or equal to completions",
        )
    if max_failed is not None and max_failed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB:
        yield _indexed_limit(
            f"{path}.maxFailedIndexes",
            max_failed,
            f"must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}",
        )


def _high_completions_limits(
    spec: Mapping[str, Any], *, path: str
) -> Iterator[Finding]:
    completions = spec.get("completions")
    if completions is None or completions <= COMPLETIONS_SOFT_LIMIT:
        return
    if "backoffLimitPerIndex" not in spec:
        return
    if "maxFailedIndexes" not in spec:
        yield field_errors.required(
            f"{path}.maxFailedIndexes",
            f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}",
            rule="completionMode",
            hint="Set maxFailedIndexes (at most 10000) for so many completions.",
        )
    detail = (
        "must be less than or equal to {limit} when completions are above "
        f"{COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"
    )
    for key, limit in (
        ("parallelism", PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS),
        ("maxFailedIndexes", MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS),
    ):
        value = spec.get(key)
        if value is not None and value > limit:
            yield _indexed_limit(f"{path}.{key}", value, detail.format(limit=limit))


def _indexed_limit(path: str, value: int, detail: str) -> Finding:
    return field_errors.invalid(
        path,
        value,
        detail,
        rule="completionMode",
        hint="Lower the value to the limit of an Indexed Job.",
    )


def _requires_indexed(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    for key in ("backoffLimitPerIndex", "maxFailedIndexes"):
        if key in spec:
            yield field_errors.invalid(
                f"{path}.{key}",
                spec[key],
                "requires indexed completion mode",
                rule="completionMode",
                hint=f"Set completionMode: Indexed with completions, or drop {key}.",
            )


def _pod_replacement_policy(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    policy = spec.get("podReplacementPolicy")
    if "podFailurePolicy" in spec:
        if policy != "Failed":
            yield field_errors.not_supported(
                path,
                policy,
                ("Failed",),
                rule="podReplacementPolicy",
                hint="With a podFailurePolicy, set podReplacementPolicy: Failed.",
            )
    elif policy not in POD_REPLACEMENT_POLICIES:
        yield field_errors.not_supported(
            path,
            policy,
            POD_REPLACEMENT_POLICIES,
            rule="podReplacementPolicy",
            hint="Use Failed or TerminatingOrFailed, or leave it out.",
        )


def _pod_template(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    pod = pod_spec(spec) or {}
    if not pod.get("containers"):
        yield field_errors.required(
            f"{path}.containers",
            rule="podTemplate",
            hint="Give the pod template at least one container.",
        )
    yield from _restart_policy(
        pod.get("restartPolicy", "Always"),
        with_failure_policy="podFailurePolicy" in spec,
        path=f"{path}.restartPolicy",
    )


def _restart_policy(
    policy: str, *, with_failure_policy: bool, path: str
) -> Iterator[Finding]:
    if policy == "Always":
        yield field_errors.required(
            path,
            'valid values: "OnFailure", "Never"',
            rule="restartPolicy",
            hint=(
                "Set restartPolicy: Never or OnFailure in the pod template; when it "
                "is left out, Kubernetes uses Always, which a Job does not allow."
            ),
        )
    elif policy not in JOB_RESTART_POLICIES:
        yield field_errors.not_supported(
            path,
            policy,
            JOB_RESTART_POLICIES,
            rule="restartPolicy",
            hint="Use Never or OnFailure (case matters).",
        )
    elif with_failure_policy and policy != "Never":
        yield field_errors.invalid(
            path,
            policy,
            'only "Never" is supported when podFailurePolicy is specified',
            rule="restartPolicy",
            hint="Set restartPolicy: Never; a pod failure policy needs failed pods.",
        )


def _manual_selector(spec: Mapping[str, Any]) -> Iterator[Finding]:
    """``ValidateJobSpec``'s selector checks, for a selector the user manages."""
    if spec.get("manualSelector") is not True:
        return
    selector = spec.get("selector")
    if selector is None:
        yield field_errors.required(
            "spec.selector",
            rule="selector",
            hint="With manualSelector: true, give a selector matching the pod labels.",
        )
        return
    labels = (spec.get("template") or {}).get("metadata", {}).get("labels", {})
    if selector_matches(selector, labels) is False:
        yield field_errors.invalid(
            "spec.template.metadata.labels",
            Shown(json.dumps(labels, sort_keys=True, separators=(",", ":"))),
            "`selector` does not match template `labels`",
            rule="selector",
            hint="Make the pod template labels satisfy spec.selector.",
        )


def _indexed_pod_names(
    metadata: Mapping[str, Any], spec: Mapping[str, Any]
) -> Iterator[Finding]:
    """An Indexed Job's last pod, ``<name>-<completions-1>``, needs a DNS label."""
    name = metadata.get("name")
    completions = spec.get("completions")
    if spec.get("completionMode") != "Indexed" or not name or not completions:
        return
    if completions <= 0:
        return
    hostname = f"{name}-{completions - 1}"
    if dns1123_label_errors(hostname):
        yield field_errors.invalid(
            "metadata.name",
            name,
            f"will not able to create pod with invalid DNS label: {hostname}",
            rule="name",
            hint=(
                "Shorten the Job name so that the name, a dash and the largest "
                "index fit in 63 lower-case characters."
            ),
        )
