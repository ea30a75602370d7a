"""The JSON Schema of policy files, assembled from the rule registry.

Each rule declares the schema of its own config block; this module wraps them in
the ``BatchPolicy`` envelope. ``batchguard policy schema`` prints the result, and
``webhook/policy/schema.json`` is the published copy (a test keeps the two equal).
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from webhook.policy.findings import Enforcement
from webhook.policy.model import API_VERSION, KIND
from webhook.policy.rules import RULES

SCHEMA_ID = "https://batchguard.io/schemas/v1alpha1/batchpolicy.json"

_GLOBS = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "description": "Shell-style globs (``*``, ``?``, ``[abc]``).",
}

_LABEL_SELECTOR = {
    "type": "object",
    "additionalProperties": False,
    "description": "A Kubernetes label selector on the object's own labels.",
    "properties": {
        "matchLabels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
        },
        "matchExpressions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "operator"],
                "properties": {
                    "key": {"type": "string", "minLength": 1},
                    "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                    "values": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

_ENFORCEMENT = {
    "enum": [level.value for level in Enforcement],
    "description": (
        "deny refuses the request, warn admits it with an admission warning, "
        "audit admits it and records an audit annotation and a metric."
    ),
}


def _rule_schema(name: str) -> dict[str, Any]:
    rule = RULES[name]
    schema = copy.deepcopy(dict(rule.schema))
    schema.setdefault("type", "object")
    schema.setdefault("additionalProperties", False)
    properties = schema.setdefault("properties", {})
    properties["enforcement"] = {
        **_ENFORCEMENT,
        "default": rule.default_enforcement.value,
    }
    schema.setdefault("description", rule.description)
    return schema


def _spec_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["rules"],
        "properties": {
            "priority": {
                "type": "integer",
                "default": 0,
                "description": (
                    "When several matching policies configure the same rule, the "
                    "one with the highest priority owns it (ties: name order)."
                ),
            },
            "match": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "kinds": {
                        "type": "array",
                        "items": {"enum": ["Job", "CronJob"]},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                    "namespaces": _GLOBS,
                    "excludeNamespaces": _GLOBS,
                    "objectSelector": _LABEL_SELECTOR,
                },
            },
            "exemptions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": (
                        "An exemption names at least one of namespaces, names or "
                        "objectSelector, and a reason."
                    ),
                    "additionalProperties": False,
                    "required": ["reason"],
                    "properties": {
                        "rules": {
                            "type": "array",
                            "items": {"enum": sorted(RULES)},
                        },
                        "namespaces": _GLOBS,
                        "names": _GLOBS,
                        "objectSelector": _LABEL_SELECTOR,
                        "reason": {"type": "string", "minLength": 1},
                    },
                    "anyOf": [
                        {"required": ["namespaces"]},
                        {"required": ["names"]},
                        {"required": ["objectSelector"]},
                    ],
                },
            },
            "cronJobOwnedJobs": {
                "enum": ["warn", "enforce"],
                "default": "warn",
                "description": (
                    "warn: denials on Jobs created by a CronJob become warnings, so "
                    "a policy tightened after the CronJob was admitted does not "
                    "silently stop it; enforce: deny them like any other Job."
                ),
            },
            "rules": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: _rule_schema(name) for name in RULES},
            },
        },
    }


@cache
def policy_schema() -> dict[str, Any]:
    """The full JSON Schema (draft 2020-12) of one policy document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "batchguard BatchPolicy",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": KIND},
            "metadata": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {
                        "type": "string",
                        "pattern": "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$",
                    },
                    "labels": {"type": "object"},
                    "annotations": {"type": "object"},
                },
            },
            "spec": _spec_schema(),
        },
    }
