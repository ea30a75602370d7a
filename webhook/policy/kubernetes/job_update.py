"""What may change when a Job is updated (``ValidateJobSpecUpdate``).

Most of a Job's spec is fixed at creation: the selector, the completion mode, the
pod failure and success policies, ``backoffLimitPerIndex``, ``managedBy``, the
completions of a non-Indexed Job and the pod template. The exceptions followed
here are those of Kubernetes 1.36 with its default feature gates:

- elastic Indexed Jobs (GA in 1.31): completions may change together with
  parallelism, ending equal to it;
- a safely suspended Job (1.36 beta, on by default: ``MutableSchedulingDirectives``
  and ``MutablePodResourcesForSuspendedJobs``) may change its pod template's
  labels, annotations, node selector, node affinity, tolerations, scheduling gates
  and the ``resources`` of its containers and init containers.

"Safely suspended" is read from the old object: ``spec.suspend`` is true, no pod
is active, and the Job either never started or carries the ``Suspended=True``
condition.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.field_errors import Shown

RULE = "immutable"
IMMUTABLE = "field is immutable"

# In the order the apiserver compares them, after completions and the template.
_FIXED_AFTER_TEMPLATE = (
    "completionMode",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "managedBy",
    "successPolicy",
)

_SCHEDULING_POD_FIELDS = ("nodeSelector", "tolerations", "schedulingGates")

_TEMPLATE_HINT = (
    "The pod template of a Job cannot change, except the scheduling directives and "
    "container resources of a suspended Job with no active pods; create a new Job."
)


def validate_job_update(
    spec: Mapping[str, Any],
    old_spec: Mapping[str, Any],
    *,
    old_status: Mapping[str, Any],
    path: str = "spec",
) -> Iterator[Finding]:
    """Findings for changes to fields of a Job's spec that may not change."""
    yield from _completions(spec, old_spec, path=path)
    yield from _fixed(spec, old_spec, "selector", path=path)
    if _template_changed(
        spec, old_spec, relaxed=suspended_safely(old_spec, old_status)
    ):
        yield _immutable(f"{path}.template", Shown("{...}"), _TEMPLATE_HINT)
    for key in _FIXED_AFTER_TEMPLATE:
        yield from _fixed(spec, old_spec, key, path=path)


def suspended_safely(spec: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    """Whether a Job's pod template may take new scheduling directives and resources."""
    if spec.get("suspend") is not True or status.get("active", 0) != 0:
        return False
    return "startTime" not in status or _condition_true(status, "Suspended")


def _condition_true(status: Mapping[str, Any], condition_type: str) -> bool:
    return any(
        condition is not None
        and condition.get("type") == condition_type
        and condition.get("status") == "True"
        for condition in status.get("conditions") or []
    )


def _completions(
    spec: Mapping[str, Any], old_spec: Mapping[str, Any], *, path: str
) -> Iterator[Finding]:
    completions = spec.get("completions")
    if completions == old_spec.get("completions"):
        return
    if spec.get("completionMode") != "Indexed":
        yield _immutable(
            f"{path}.completions",
            completions,
            "Only an Indexed Job can change its completions; create a new Job.",
        )
    elif completions is not None and completions != spec.get("parallelism"):
        yield field_errors.invalid(
            f"{path}.completions",
            completions,
            f"can only be modified in tandem with {path}.parallelism",
            rule=RULE,
            hint="Change parallelism to the same new value in the same update.",
        )


def _fixed(
    spec: Mapping[str, Any], old_spec: Mapping[str, Any], key: str, *, path: str
) -> Iterator[Finding]:
    value = spec.get(key)
    if _normal(value) == _normal(old_spec.get(key)):
        return
    shown = Shown("{...}") if isinstance(value, dict) else value
    yield _immutable(
        f"{path}.{key}",
        shown,
        f"{key} cannot change after the Job is created; create a new Job instead.",
    )


def _immutable(path: str, value: Any, hint: str) -> Finding:
    return field_errors.invalid(path, value, IMMUTABLE, rule=RULE, hint=hint)


def _template_changed(
    spec: Mapping[str, Any], old_spec: Mapping[str, Any], *, relaxed: bool
) -> bool:
    template = spec.get("template") or {}
    old_template = old_spec.get("template") or {}
    if relaxed:
        template = _without_mutable_parts(template)
        old_template = _without_mutable_parts(old_template)
    return bool(_normal(template) != _normal(old_template))


def _without_mutable_parts(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template minus what a safely suspended Job may change."""
    result = copy.deepcopy(dict(template))
    metadata = result.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("labels", None)
        metadata.pop("annotations", None)
    pod = result.get("spec")
    if isinstance(pod, dict):
        _drop_scheduling_directives(pod)
        _drop_resources(pod)
    return result


def _drop_scheduling_directives(pod: dict[str, Any]) -> None:
    for key in _SCHEDULING_POD_FIELDS:
        pod.pop(key, None)
    affinity = pod.get("affinity")
    if isinstance(affinity, dict):
        affinity.pop("nodeAffinity", None)


def _drop_resources(pod: dict[str, Any]) -> None:
    for list_name in ("containers", "initContainers"):
        for container in pod.get(list_name) or []:
            if isinstance(container, dict):
                container.pop("resources", None)


def _normal(value: Any) -> Any:
    """``value`` with nulls and empty objects and lists left out, at any depth.

    Go compares the decoded structs, where an absent field, ``null`` and an empty
    list or map are the same; the comparison here does likewise.
    """
    if isinstance(value, dict):
        items = ((key, _normal(item)) for key, item in value.items())
        return {key: item for key, item in items if not _empty(item)}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []
