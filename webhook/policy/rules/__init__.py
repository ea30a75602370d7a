"""The registry of policy rules: name (the key under ``spec.rules``) -> Rule.

Each rule module exports ``RULES``, a tuple of the rules it defines, and is listed
here in alphabetical order.
"""

from __future__ import annotations

from webhook.policy.rules import (
    cronjob_policy,
    finalizer,
    history,
    job_limits,
    metadata_defaults,
    pod_failure_default,
    pod_failure_semantics,
    resources,
    schedule,
    time_zone,
    ttl,
)
from webhook.policy.rules.base import Rule

_MODULE_RULES: list[tuple[Rule, ...]] = [
    cronjob_policy.RULES,
    finalizer.RULES,
    history.RULES,
    job_limits.RULES,
    metadata_defaults.RULES,
    pod_failure_default.RULES,
    pod_failure_semantics.RULES,
    resources.RULES,
    schedule.RULES,
    time_zone.RULES,
    ttl.RULES,
]

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in sorted(
        (rule for rules in _MODULE_RULES for rule in rules), key=lambda r: r.name
    )
}
