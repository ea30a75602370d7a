"""Label selector matching, as ``metav1.LabelSelectorAsSelector`` does it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_NEEDS_VALUES = frozenset({"In", "NotIn"})
_TAKES_NO_VALUES = frozenset({"Exists", "DoesNotExist"})


def selector_matches(
    selector: Mapping[str, Any], labels: Mapping[str, str]
) -> bool | None:
    """Whether ``labels`` satisfy ``selector``; None if the selector is malformed.

    An empty selector matches everything. A malformed one (an unknown operator,
    ``In`` without values, ``Exists`` with values) cannot be turned into a
    selector, so the apiserver skips the checks that need it.
    """
    expressions = [e for e in selector.get("matchExpressions") or [] if e is not None]
    if not all(_well_formed(expression) for expression in expressions):
        return None
    match_labels = selector.get("matchLabels") or {}
    return all(labels.get(key) == value for key, value in match_labels.items()) and all(
        _expression_matches(expression, labels) for expression in expressions
    )


def _well_formed(expression: Mapping[str, Any]) -> bool:
    operator = expression.get("operator")
    values = expression.get("values") or []
    if operator in _NEEDS_VALUES:
        return bool(values)
    return operator in _TAKES_NO_VALUES and not values


def _expression_matches(
    expression: Mapping[str, Any], labels: Mapping[str, str]
) -> bool:
    key = expression.get("key", "")
    values = expression.get("values") or []
    operator = expression["operator"]
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    return key not in labels
