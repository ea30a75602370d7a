"""The ``podFailurePolicySemantics`` rule: pod failure policies the apiserver
accepts but that do not do what their author meant.

The job controller tries a pod failure policy's rules in order and applies the
first that matches a failed pod. An exit-code rule matches when some container
(the named one, or any) terminated with a non-zero code in, or not in, its list;
a condition rule matches when the pod has one of its conditions. Four checks:

- ``shadowed``: an earlier rule matches every failure a later rule matches (the
  same container or any container, and a superset of its exit codes; or a
  superset of its conditions), so the later rule never applies.
- ``exitCodeRange``: an exit code outside 0-255, which no Linux container exits
  with.
- ``matchesAll``: a ``NotIn`` rule with no container name whose list holds no
  code from 1 to 255 (``NotIn [0]``) matches every container failure, so the
  rules after it only see pods that failed without an exit code.
- ``disruptionTarget``: no rule matches the ``DisruptionTarget`` condition, so a
  pod that was preempted or evicted counts against ``backoffLimit``.

Malformed rules are left to the Kubernetes checks, which deny them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import Rule, RuleContext, is_int, job_specs

NAME = "podFailurePolicySemantics"
CHECKS = ("shadowed", "exitCodeRange", "matchesAll", "disruptionTarget")

FAILING_EXIT_CODES = frozenset(range(1, 256))
"""The exit codes an exit-code rule can match: the controller skips 0."""


@dataclass(frozen=True)
class PolicyRule:
    """One well-formed rule of a pod failure policy, in a form easy to compare."""

    index: int
    action: str
    container: str | None = None
    operator: str | None = None
    """``In`` or ``NotIn`` for an exit-code rule; None for a condition rule."""
    values: tuple[int, ...] = ()
    conditions: frozenset[tuple[str, str]] = frozenset()
    """``(type, status)`` pairs of a condition rule."""

    @property
    def on_exit_codes(self) -> bool:
        return self.operator is not None

    @property
    def exit_codes(self) -> frozenset[int]:
        """The failing exit codes this rule matches."""
        listed = frozenset(self.values)
        if self.operator == "In":
            return FAILING_EXIT_CODES & listed
        return FAILING_EXIT_CODES - listed

    def covers(self, later: PolicyRule) -> bool:
        """Whether this rule matches every failure ``later`` matches."""
        if self.on_exit_codes and later.on_exit_codes:
            return (
                self.container in (None, later.container)
                and bool(later.exit_codes)
                and later.exit_codes <= self.exit_codes
            )
        if not self.on_exit_codes and not later.on_exit_codes:
            return later.conditions <= self.conditions
        return False

    def describe(self) -> str:
        if self.on_exit_codes:
            scope = f" of container {self.container!r}" if self.container else ""
            codes = ", ".join(str(value) for value in self.values)
            return f"{self.action} on exit codes {self.operator} [{codes}]{scope}"
        patterns = " or ".join(f"{t}={s}" for t, s in sorted(self.conditions))
        return f"{self.action} on pod condition {patterns}"


def policy_rules(policy: Any) -> list[PolicyRule]:
    """The well-formed rules of a ``podFailurePolicy`` value, with their indexes."""
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    if not isinstance(rules, list):
        return []
    parsed = (_parse(index, rule) for index, rule in enumerate(rules))
    return [rule for rule in parsed if rule is not None]


def _parse(index: int, rule: Any) -> PolicyRule | None:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("action"), str):
        return None
    exit_codes = rule.get("onExitCodes")
    conditions = rule.get("onPodConditions")
    if exit_codes is not None and conditions:
        return None
    if exit_codes is not None:
        return _exit_code_rule(index, rule["action"], exit_codes)
    return _condition_rule(index, rule["action"], conditions)


def _exit_code_rule(index: int, action: str, requirement: Any) -> PolicyRule | None:
    if not isinstance(requirement, Mapping):
        return None
    operator = requirement.get("operator")
    values = requirement.get("values")
    container = requirement.get("containerName")
    if operator not in ("In", "NotIn") or not isinstance(values, list) or not values:
        return None
    if not all(is_int(value) for value in values):
        return None
    if container is not None and not isinstance(container, str):
        return None
    return PolicyRule(index, action, container, operator, tuple(values))


def _condition_rule(index: int, action: str, patterns: Any) -> PolicyRule | None:
    if not isinstance(patterns, list) or not patterns:
        return None
    conditions = set()
    for pattern in patterns:
        if not isinstance(pattern, Mapping) or not isinstance(pattern.get("type"), str):
            return None
        status = pattern.get("status") or "True"
        if not isinstance(status, str):
            return None
        conditions.add((pattern["type"], status))
    return PolicyRule(index, action, conditions=frozenset(conditions))


@dataclass(frozen=True)
class _Policy:
    """The rules of one pod failure policy and where it sits in the object."""

    path: str
    rules: list[PolicyRule]

    def rule_path(self, rule: PolicyRule) -> str:
        return f"{self.path}.rules[{rule.index}]"


Check = Callable[[_Policy], Iterator[tuple[str, str, str]]]
"""A check yields ``(path, message, hint)`` for each problem it finds."""


def _shadowed(policy: _Policy) -> Iterator[tuple[str, str, str]]:
    for position, later in enumerate(policy.rules):
        earlier = next((r for r in policy.rules[:position] if r.covers(later)), None)
        if earlier is None:
            continue
        yield (
            policy.rule_path(later),
            f"rules[{later.index}] ({later.describe()}) never applies: "
            f"rules[{earlier.index}] ({earlier.describe()}) comes first and matches "
            "every failure it matches, and the first matching rule wins.",
            f"Move rules[{later.index}] above rules[{earlier.index}], or remove it.",
        )


def _exit_code_range(policy: _Policy) -> Iterator[tuple[str, str, str]]:
    for rule in policy.rules:
        for position, value in enumerate(rule.values):
            if 0 <= value <= 255:
                continue
            yield (
                f"{policy.rule_path(rule)}.onExitCodes.values[{position}]",
                f"Exit code {value!r} in rules[{rule.index}] can never match: "
                "container exit codes are 0-255 on Linux.",
                "Use the exit code the process returns; a signal N shows as 128+N.",
            )


def _matches_all(policy: _Policy) -> Iterator[tuple[str, str, str]]:
    last = policy.rules[-1].index if policy.rules else -1
    for rule in policy.rules:
        if not _catches_every_failure(rule) or rule.index == last:
            continue
        yield (
            policy.rule_path(rule),
            f"rules[{rule.index}] ({rule.describe()}) matches every container that "
            "fails, so the rules after it only apply to pods that fail without a "
            "non-zero exit code (a preempted pod's containers exit non-zero too).",
            "Move this catch-all rule to the end, after the rules it now hides.",
        )


def _catches_every_failure(rule: PolicyRule) -> bool:
    return (
        rule.operator == "NotIn"
        and rule.container is None
        and not (FAILING_EXIT_CODES & frozenset(rule.values))
    )


def _disruption_target(policy: _Policy) -> Iterator[tuple[str, str, str]]:
    if any(("DisruptionTarget", "True") in rule.conditions for rule in policy.rules):
        return
    yield (
        f"{policy.path}.rules",
        "No rule matches the DisruptionTarget pod condition, so a pod that is "
        "preempted or evicted counts against backoffLimit like a crash.",
        "Add a first rule {action: Ignore, onPodConditions: [{type: "
        "DisruptionTarget}]}.",
    )


_CHECKS: dict[str, Check] = {
    "shadowed": _shadowed,
    "exitCodeRange": _exit_code_range,
    "matchesAll": _matches_all,
    "disruptionTarget": _disruption_target,
}


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    enabled = _enabled_checks(ctx.config)
    enforcement = ctx.enforcement
    for path, spec in job_specs(ctx.obj, ctx.kind):
        if spec.get("podFailurePolicy") is None:
            continue
        policy = _Policy(
            f"{path}.podFailurePolicy", policy_rules(spec["podFailurePolicy"])
        )
        for name in enabled:
            for where, message, hint in _CHECKS[name](policy):
                yield ctx.finding(
                    where, message, check=name, hint=hint, enforcement=enforcement
                )


def _enabled_checks(config: Mapping[str, Any]) -> Sequence[str]:
    chosen = config.get("checks")
    return [name for name in CHECKS if not chosen or name in chosen]


SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": (
        "Warn about pod failure policies that Kubernetes accepts but that do not "
        "do what they say: rules hidden by earlier rules, exit codes no container "
        "returns, catch-all rules placed first, and no rule for evicted pods."
    ),
    "properties": {
        "checks": {
            "type": "array",
            "items": {"enum": list(CHECKS)},
            "uniqueItems": True,
            "minItems": 1,
            "description": "The checks to run (default: all of them).",
        }
    },
}

SEMANTICS = Rule(
    name=NAME,
    description="Find pod failure policy rules that can never apply or mislead.",
    schema=SCHEMA,
    validate=_validate,
    default_enforcement=Enforcement.WARN,
    examples=({"enforcement": "warn", "checks": ["shadowed", "matchesAll"]},),
)

RULES: tuple[Rule, ...] = (SEMANTICS,)
