"""The ``podFailurePolicy`` rule: inject a default pod failure policy, or require one.

A pod failure policy is only valid next to fields that the apiserver has already
defaulted by the time the webhook runs, so injection checks the Job first and
skips it, with a warning saying why, when the result would be rejected:

- the pod template's ``restartPolicy`` must be ``Never``;
- a ``FailIndex`` action needs ``spec.backoffLimitPerIndex``;
- every ``containerName`` must name a container or init container of the template.

``podReplacementPolicy`` is set to ``Failed`` in the same patch: the apiserver
already defaulted it to ``TerminatingOrFailed``, which it rejects next to a pod
failure policy. The policy is immutable once a Job exists, so it is injected into
new Jobs and into CronJob job templates only. Exit code lists are injected in
ascending order, as the apiserver requires.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import (
    Event,
    JSONObject,
    Rule,
    RuleContext,
    containers,
    is_int,
    job_specs,
    pod_spec,
)

FIELD = "podFailurePolicy"
NOT_APPLIED = "podFailurePolicy default not applied"


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    default = ctx.config.get("default")
    if not isinstance(default, Mapping) or not isinstance(default.get("rules"), list):
        return

    for path, spec in job_specs(ctx.obj, ctx.kind):
        if spec.get(FIELD) is not None:
            continue
        reason = _blocker(ctx, spec, default["rules"])
        if reason is not None:
            yield ctx.finding(
                f"{path}.{FIELD}",
                f"{NOT_APPLIED}: {reason}",
                check="skipped",
                enforcement=Enforcement.WARN,
            )
            continue
        yield from _inject(ctx, path, spec, default)


def _blocker(ctx: RuleContext, spec: JSONObject, rules: list[Any]) -> str | None:
    """Why injecting the default would make the Job invalid, if it would."""
    if not ctx.pod_template_mutable:
        return "spec.podFailurePolicy of an existing Job is immutable"
    pod = pod_spec(spec)
    if pod is None:
        return "the Job has no pod template"
    restart_policy = pod.get("restartPolicy")
    if restart_policy != "Never":
        return (
            f"the pod template's restartPolicy is {restart_policy!r}, "
            "and a pod failure policy requires 'Never'"
        )
    if spec.get("backoffLimitPerIndex") is None and _actions(rules) & {"FailIndex"}:
        return "its FailIndex action requires spec.backoffLimitPerIndex, which is unset"
    return _missing_container(pod, rules)


def _actions(rules: list[Any]) -> set[Any]:
    return {rule.get("action") for rule in rules if isinstance(rule, Mapping)}


def _missing_container(pod: JSONObject, rules: list[Any]) -> str | None:
    names = {
        name
        for _, _, container in containers(pod)
        if isinstance(name := container.get("name"), str)
    }
    for rule in rules:
        on_exit_codes = rule.get("onExitCodes") if isinstance(rule, Mapping) else None
        if not isinstance(on_exit_codes, Mapping):
            continue
        name = on_exit_codes.get("containerName")
        if name is not None and name not in names:
            return f"it names the container {name!r}, which the pod template lacks"
    return None


def _inject(
    ctx: RuleContext, path: str, spec: JSONObject, default: Mapping[str, Any]
) -> Iterator[Event]:
    spec[FIELD] = _normalized(default)
    yield ctx.applied(f"{path}.{FIELD}", "Added the policy's default podFailurePolicy.")
    if spec.get("podReplacementPolicy") != "Failed":
        spec["podReplacementPolicy"] = "Failed"
        yield ctx.applied(
            f"{path}.podReplacementPolicy",
            "Set podReplacementPolicy to 'Failed', which a podFailurePolicy requires.",
        )


def _normalized(default: Mapping[str, Any]) -> JSONObject:
    """A private copy of the default, with exit code lists in ascending order."""
    policy: JSONObject = copy.deepcopy(dict(default))
    for rule in policy["rules"]:
        on_exit_codes = rule.get("onExitCodes") if isinstance(rule, dict) else None
        values = (
            on_exit_codes.get("values") if isinstance(on_exit_codes, dict) else None
        )
        if isinstance(values, list) and all(is_int(value) for value in values):
            values.sort()
    return policy


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.config.get("required") is not True:
        return

    for path, spec in job_specs(ctx.obj, ctx.kind):
        if spec.get(FIELD) is None:
            yield ctx.finding(
                f"{path}.{FIELD}",
                f"{FIELD} is required by this policy and is not set.",
                check="required",
                hint="say which exit codes and pod conditions fail the Job at once",
            )


_INT32 = {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}
_QUALIFIED_NAME = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)

_ON_EXIT_CODES = {
    "type": "object",
    "description": "Match pods by the exit codes of their containers.",
    "additionalProperties": False,
    "required": ["operator", "values"],
    "properties": {
        "containerName": {
            "type": "string",
            "maxLength": 63,
            "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "description": (
                "Only this container's exit code counts. Jobs whose template "
                "lacks the container do not get the default."
            ),
        },
        "operator": {"enum": ["In", "NotIn"], "description": "In or NotIn."},
        "values": {
            "type": "array",
            "minItems": 1,
            "maxItems": 255,
            "uniqueItems": True,
            "items": _INT32,
            "description": (
                "Exit codes, without duplicates (injected in ascending order)."
            ),
        },
    },
    "if": {"properties": {"operator": {"const": "In"}}},
    "then": {
        "properties": {
            "values": {"items": {"not": {"const": 0}}},
        },
    },
}

_ON_POD_CONDITIONS = {
    "type": "array",
    "description": "Match pods by their conditions.",
    "minItems": 1,
    "maxItems": 20,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {
                "type": "string",
                "maxLength": 316,
                "pattern": _QUALIFIED_NAME,
                "description": "A pod condition type, such as DisruptionTarget.",
            },
            "status": {
                "enum": ["True", "False", "Unknown"],
                "description": "Condition status to match (default True).",
            },
        },
    },
}

_RULE = {
    "type": "object",
    "description": "An action and one of onExitCodes or onPodConditions.",
    "additionalProperties": False,
    "required": ["action"],
    "properties": {
        "action": {
            "enum": ["Count", "FailIndex", "FailJob", "Ignore"],
            "description": (
                "What a matching pod failure does. FailIndex needs "
                "spec.backoffLimitPerIndex on the Job."
            ),
        },
        "onExitCodes": _ON_EXIT_CODES,
        "onPodConditions": _ON_POD_CONDITIONS,
    },
    "oneOf": [{"required": ["onExitCodes"]}, {"required": ["onPodConditions"]}],
}

SCHEMA = {
    "type": "object",
    "description": "Inject or require spec.podFailurePolicy.",
    "additionalProperties": False,
    "properties": {
        "default": {
            "type": "object",
            "description": (
                "The podFailurePolicy added to Jobs without one (new Jobs and "
                "CronJob job templates; the Job needs restartPolicy: Never)."
            ),
            "additionalProperties": False,
            "required": ["rules"],
            "properties": {
                "rules": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 20,
                    "items": _RULE,
                    "description": "The policy's rules, in evaluation order.",
                },
            },
        },
        "required": {
            "type": "boolean",
            "default": False,
            "description": "Report a Job that has no podFailurePolicy.",
        },
    },
}

POD_FAILURE_POLICY = Rule(
    name=FIELD,
    description="Inject a default pod failure policy, or require one.",
    schema=SCHEMA,
    mutate=_mutate,
    validate=_validate,
)

RULES: tuple[Rule, ...] = (POD_FAILURE_POLICY,)
