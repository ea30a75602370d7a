"""``spec.podFailurePolicy`` as the apiserver validates it.

Errors come in the apiserver's order: the rule count, then for each rule its
action, its ``onExitCodes``, its ``onPodConditions``, and last whether it has
exactly one of the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.field_errors import OMITTED, Shown
from webhook.policy.kubernetes.names import qualified_name_errors
from webhook.policy.rules.base import containers, is_int, pod_spec

RULE = "podFailurePolicy"

ACTIONS = ("Count", "FailIndex", "FailJob", "Ignore")
OPERATORS = ("In", "NotIn")
STATUSES = ("False", "True", "Unknown")
MAX_RULES = 20
MAX_EXIT_CODE_VALUES = 255
MAX_CONDITION_PATTERNS = 20


def validate_pod_failure_policy(
    spec: Mapping[str, Any], *, path: str
) -> Iterator[Finding]:
    """Findings for the pod failure policy of one (defaulted) JobSpec at ``path``."""
    policy = spec.get("podFailurePolicy")
    if policy is None:
        return
    rules = policy.get("rules") or []
    rules_path = f"{path}.podFailurePolicy.rules"
    if len(rules) > MAX_RULES:
        yield field_errors.too_many(
            rules_path,
            len(rules),
            MAX_RULES,
            rule=RULE,
            hint=f"Keep at most {MAX_RULES} rules; merge rules with the same action.",
        )
    context = _Context(
        names=container_names(spec),
        per_index_backoff="backoffLimitPerIndex" in spec,
    )
    for index, rule in enumerate(rules):
        if rule is not None:
            yield from _rule(rule, path=f"{rules_path}[{index}]", context=context)


def container_names(spec: Mapping[str, Any]) -> frozenset[str]:
    """Names of the containers and init containers of the JobSpec's pod template."""
    pod = pod_spec(spec) or {}
    return frozenset(container.get("name", "") for _, _, container in containers(pod))


@dataclass(frozen=True)
class _Context:
    """What the checks of one rule need to know about the rest of the JobSpec."""

    names: frozenset[str]
    per_index_backoff: bool


def _rule(
    rule: Mapping[str, Any], *, path: str, context: _Context
) -> Iterator[Finding]:
    yield from _action(rule.get("action", ""), path=f"{path}.action", context=context)
    exit_codes = rule.get("onExitCodes")
    conditions = rule.get("onPodConditions") or []
    if exit_codes is not None:
        yield from _exit_codes(exit_codes, path=f"{path}.onExitCodes", context=context)
    if conditions:
        yield from _conditions(conditions, path=f"{path}.onPodConditions")
    if exit_codes is not None and conditions:
        yield field_errors.invalid(
            path,
            OMITTED,
            "specifying both OnExitCodes and OnPodConditions is not supported",
            rule=RULE,
            hint="Split this rule in two: one on exit codes, one on pod conditions.",
        )
    if exit_codes is None and not conditions:
        yield field_errors.invalid(
            path,
            OMITTED,
            "specifying one of OnExitCodes and OnPodConditions is required",
            rule=RULE,
            hint="Say what the rule matches: onExitCodes or onPodConditions.",
        )


def _action(action: str, *, path: str, context: _Context) -> Iterator[Finding]:
    if action == "":
        yield field_errors.required(
            path,
            f"valid values: {field_errors.go_string_list(ACTIONS)}",
            rule=RULE,
            hint="Set action to Count, FailIndex, FailJob or Ignore.",
        )
    elif action == "FailIndex":
        if not context.per_index_backoff:
            yield field_errors.invalid(
                path,
                action,
                "requires the backoffLimitPerIndex to be set",
                rule=RULE,
                hint=(
                    "Set spec.backoffLimitPerIndex (with completionMode: Indexed), "
                    "or use FailJob."
                ),
            )
    elif action not in ACTIONS:
        yield field_errors.not_supported(
            path,
            action,
            ACTIONS,
            rule=RULE,
            hint="Use one of Count, FailIndex, FailJob or Ignore (case matters).",
        )


def _exit_codes(
    requirement: Mapping[str, Any], *, path: str, context: _Context
) -> Iterator[Finding]:
    operator = requirement.get("operator", "")
    yield from _operator(operator, path=f"{path}.operator")
    if "containerName" in requirement:
        yield from _container_name(
            requirement["containerName"],
            path=f"{path}.containerName",
            context=context,
        )
    yield from _values(requirement.get("values"), operator, path=f"{path}.values")


def _operator(operator: str, *, path: str) -> Iterator[Finding]:
    if operator == "":
        yield field_errors.required(
            path,
            f"valid values: {field_errors.go_string_list(OPERATORS)}",
            rule=RULE,
            hint="Set operator to In or NotIn.",
        )
    elif operator not in OPERATORS:
        yield field_errors.not_supported(
            path,
            operator,
            OPERATORS,
            rule=RULE,
            hint="Use In or NotIn (case matters).",
        )


def _container_name(name: str, *, path: str, context: _Context) -> Iterator[Finding]:
    if name in context.names:
        return
    known = ", ".join(sorted(context.names)) or "none"
    yield field_errors.invalid(
        path,
        name,
        "must be one of the container or initContainer names in the pod template",
        rule=RULE,
        hint=f"Name one of the pod template's containers ({known}), or omit it.",
    )


def _values(
    values: Sequence[Any] | None, operator: str, *, path: str
) -> Iterator[Finding]:
    if not values:
        yield field_errors.invalid(
            path,
            None if values is None else Shown("[]"),
            "at least one value is required",
            rule=RULE,
            hint="List the exit codes this rule matches.",
        )
        return
    if len(values) > MAX_EXIT_CODE_VALUES:
        yield field_errors.too_many(
            path,
            len(values),
            MAX_EXIT_CODE_VALUES,
            rule=RULE,
            hint="List at most 255 exit codes; use NotIn for the complement.",
        )
    yield from _each_value(values, operator, path=path)
    if all(is_int(value) for value in values) and not _ordered(values):
        yield field_errors.invalid(
            path,
            Shown(json.dumps(list(values), separators=(",", ":"))),
            "must be ordered",
            rule=RULE,
            hint="Sort the exit codes in increasing order.",
        )


def _each_value(
    values: Sequence[Any], operator: str, *, path: str
) -> Iterator[Finding]:
    seen: set[int] = set()
    for index, value in enumerate(values):
        if not is_int(value):
            continue
        if operator == "In" and value == 0:
            yield field_errors.invalid(
                f"{path}[{index}]",
                value,
                "must not be 0 for the In operator",
                rule=RULE,
                hint="Exit code 0 is success and never matches; remove it.",
            )
        if value in seen:
            yield field_errors.duplicate(
                f"{path}[{index}]",
                value,
                rule=RULE,
                hint="Remove the repeated exit code.",
            )
        seen.add(value)


def _ordered(values: Sequence[int]) -> bool:
    return all(a <= b for a, b in zip(values, values[1:], strict=False))


def _conditions(patterns: Sequence[Any], *, path: str) -> Iterator[Finding]:
    if len(patterns) > MAX_CONDITION_PATTERNS:
        yield field_errors.too_many(
            path,
            len(patterns),
            MAX_CONDITION_PATTERNS,
            rule=RULE,
            hint="Match at most 20 pod conditions in one rule.",
        )
    for index, pattern in enumerate(patterns):
        if pattern is not None:
            yield from _pattern(pattern, path=f"{path}[{index}]")


def _pattern(pattern: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    condition_type = pattern.get("type", "")
    for error in qualified_name_errors(condition_type):
        yield field_errors.invalid(
            f"{path}.type",
            condition_type,
            error,
            rule=RULE,
            hint="Use a pod condition type such as DisruptionTarget.",
        )
    status = pattern.get("status", "True")
    if status not in STATUSES:
        yield field_errors.not_supported(
            f"{path}.status",
            status,
            STATUSES,
            rule=RULE,
            hint='Use "True", "False" or "Unknown" (quoted, so YAML keeps a string).',
        )
