"""One-line help for every rule id a report can carry."""

from __future__ import annotations

from typing import Final

from webhook.manifests import RULE_PREFIX as MANIFEST_PREFIX
from webhook.policy.kubernetes.field_errors import RULE_PREFIX as KUBERNETES_PREFIX
from webhook.policy.rules import RULES

UNREADABLE_RULE: Final = f"{MANIFEST_PREFIX}.unreadable"

_MANIFEST_HELP: Final = {
    "api-version": "The object uses an apiVersion that Kubernetes does not serve; "
    "the apiserver would refuse it. Use batch/v1.",
    "duplicate-key": "A mapping repeats a key. Kubernetes tools disagree on which "
    "value wins, so the object is not checked until one is removed.",
    "not-a-string": "An unquoted value that Kubernetes reads as a boolean or a "
    "number where it needs a string (labels, annotations, env values, command, "
    "args, node selectors). Quote it.",
    "ambiguous-scalar": "An unquoted value that Kubernetes reads as a string but "
    "YAML 1.1 tools read as a number. Quote it so every tool agrees.",
    "unreadable": "The file is not valid YAML or JSON, or exceeds a size limit, so "
    "nothing in it was checked.",
}


def rule_help(rule_id: str) -> str:
    """What a rule checks, for SARIF and the text report's legend."""
    prefix, _, check = rule_id.partition(".")
    if prefix == MANIFEST_PREFIX and check in _MANIFEST_HELP:
        return _MANIFEST_HELP[check]
    if prefix == KUBERNETES_PREFIX:
        return (
            "A check the Kubernetes apiserver makes: it would reject the object "
            f"({check or rule_id})."
        )
    rule = RULES.get(prefix)
    if rule is not None:
        return rule.description
    return f"The policy rule {rule_id!r}."
