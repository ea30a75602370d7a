"""Static checks of a policy set: conflicts and rules that can never apply."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from itertools import combinations
from typing import Literal

from webhook.policy.model import LabelSelector, Match, Policy, PolicySet
from webhook.policy.quantity import QuantityError, parse_quantity
from webhook.policy.rules import RULES
from webhook.policy.rules.finalizer import DEFAULT_NAME as DEFAULT_FINALIZER
from webhook.policy.timezones import time_zone_errors

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class LintFinding:
    source: str
    severity: Severity
    code: str
    message: str

    def render(self) -> str:
        return f"{self.source}: {self.severity}: {self.message} [{self.code}]"


def lint(policies: PolicySet) -> list[LintFinding]:
    findings = [*_per_policy(policies), *_conflicts(policies)]
    return sorted(findings)


def _per_policy(policies: PolicySet) -> Iterator[LintFinding]:
    for policy in policies.policies:
        yield from _unmatchable(policy)
        yield from _rules_outside_kinds(policy)
        yield from _dormant_finalizer(policy)
        yield from _unusable_time_zones(policy)
        yield from _requests_above_limits(policy)


def _unusable_time_zones(policy: Policy) -> Iterator[LintFinding]:
    config = policy.rules.get("timeZone")
    default = config.get("default") if config is not None else None
    if not isinstance(default, str):
        return
    errors = time_zone_errors(default)
    if errors:
        yield LintFinding(
            policy.source,
            "error",
            "time-zone-default",
            f"the timeZone default {default!r} of policy {policy.name!r} is not one "
            f"the apiserver accepts ({errors[-1]}), so it is never applied",
        )


def _requests_above_limits(policy: Policy) -> Iterator[LintFinding]:
    config = policy.rules.get("resources")
    defaults = config.get("defaults") if config is not None else None
    if not isinstance(defaults, dict):
        return
    requests = defaults.get("requests") or {}
    limits = defaults.get("limits") or {}
    for name in sorted(set(requests) & set(limits)):
        try:
            above = parse_quantity(requests[name]) > parse_quantity(limits[name])
        except QuantityError:
            continue
        if above:
            yield LintFinding(
                policy.source,
                "warning",
                "request-above-limit",
                f"policy {policy.name!r} defaults the {name} request "
                f"({requests[name]!r}) above the {name} limit ({limits[name]!r}); "
                "a container that gets both defaults keeps only the limit's value",
            )


def _unmatchable(policy: Policy) -> Iterator[LintFinding]:
    match = policy.match
    if all(
        any(fnmatchcase(glob, exclude) for exclude in match.exclude_namespaces)
        for glob in match.namespaces
    ):
        yield LintFinding(
            policy.source,
            "error",
            "never-matches",
            f"policy {policy.name!r} can never match: every namespace glob in "
            f"{list(match.namespaces)} is excluded by {list(match.exclude_namespaces)}",
        )


def _rules_outside_kinds(policy: Policy) -> Iterator[LintFinding]:
    for name in policy.rules:
        rule = RULES.get(name)
        if rule is None or rule.kinds & policy.match.kinds:
            continue
        yield LintFinding(
            policy.source,
            "error",
            "rule-never-applies",
            f"rule {name!r} of policy {policy.name!r} applies only to "
            f"{', '.join(sorted(rule.kinds))}, which the policy does not match "
            f"(kinds {sorted(policy.match.kinds)})",
        )


def _dormant_finalizer(policy: Policy) -> Iterator[LintFinding]:
    config = policy.rules.get("trackingFinalizer")
    if config is None:
        return
    name = config.get("name", DEFAULT_FINALIZER)
    if name != DEFAULT_FINALIZER:
        yield LintFinding(
            policy.source,
            "warning",
            "finalizer-name",
            f"policy {policy.name!r} injects the finalizer {name!r}; start the "
            f"tracker with --finalizer {name} or it will never release those Jobs",
        )
    if config.get("trackerDeployed") is not True:
        yield LintFinding(
            policy.source,
            "warning",
            "finalizer-without-tracker",
            f"policy {policy.name!r} configures trackingFinalizer without "
            "trackerDeployed: true, so no finalizer is injected; deploy the tracker "
            "and set trackerDeployed: true, or remove the rule",
        )


def _conflicts(policies: PolicySet) -> Iterator[LintFinding]:
    for first, second in combinations(policies.policies, 2):
        if not _may_overlap(first.match, second.match):
            continue
        for name in sorted(set(first.rules) & set(second.rules)):
            if first.rules[name] == second.rules[name]:
                continue
            yield LintFinding(
                second.source,
                "warning",
                "conflict",
                f"policies {first.name!r} (priority {first.priority}) and "
                f"{second.name!r} (priority {second.priority}) configure rule "
                f"{name!r} differently for objects both can match; "
                f"{first.name!r} wins",
            )


def _globs_may_overlap(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    return any(fnmatchcase(a, b) or fnmatchcase(b, a) for a in first for b in second)


def _selectors_may_overlap(first: LabelSelector, second: LabelSelector) -> bool:
    shared = set(first.match_labels) & set(second.match_labels)
    return all(first.match_labels[key] == second.match_labels[key] for key in shared)


def _may_overlap(first: Match, second: Match) -> bool:
    """Conservative: True unless the two matches provably select disjoint objects."""
    return (
        bool(first.kinds & second.kinds)
        and _globs_may_overlap(first.namespaces, second.namespaces)
        and _selectors_may_overlap(first.selector, second.selector)
    )
