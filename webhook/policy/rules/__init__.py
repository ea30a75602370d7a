"""The registry of policy rules: name (the key under ``spec.rules``) -> Rule.

Each rule module exports ``RULES``, a tuple of the rules it defines, and is listed
here in alphabetical order.
"""

from __future__ import annotations

from webhook.policy.rules.base import Rule

_MODULE_RULES: list[tuple[Rule, ...]] = []

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in sorted(
        (rule for rules in _MODULE_RULES for rule in rules), key=lambda r: r.name
    )
}
