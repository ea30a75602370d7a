"""Findings worded the way the kube-apiserver words field errors.

The apiserver renders a field error as ``<path>: <type>[: <value>][: <detail>]``.
These helpers build the part after the path, so that a denial from batchguard reads
like the rejection the user would otherwise meet at ``kubectl apply`` time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from webhook.policy.findings import Enforcement, Finding

RULE_PREFIX = "kubernetes"


class Shown(str):
    """A bad value already rendered for the message, such as ``{...}`` for a template.

    ``OMITTED`` leaves the value out, as the apiserver does for ``OmitValueType``.
    """


OMITTED = Shown("")


def go_value(value: Any) -> str:
    """Render a bad value as the apiserver does: strings quoted, numbers bare."""
    if isinstance(value, Shown):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _finding(path: str, message: str, rule: str, hint: str | None) -> Finding:
    return Finding(
        path=path,
        message=message,
        rule=f"{RULE_PREFIX}.{rule}",
        enforcement=Enforcement.DENY,
        hint=hint,
    )


def _with_detail(text: str, detail: str | None) -> str:
    return f"{text}: {detail}" if detail else text


def invalid(
    path: str, value: Any, detail: str, *, rule: str, hint: str | None = None
) -> Finding:
    shown = go_value(value)
    head = f"Invalid value: {shown}" if shown else "Invalid value"
    return _finding(path, _with_detail(head, detail), rule, hint)


def required(
    path: str, detail: str | None = None, *, rule: str, hint: str | None = None
) -> Finding:
    return _finding(path, _with_detail("Required value", detail), rule, hint)


def forbidden(
    path: str, detail: str | None = None, *, rule: str, hint: str | None = None
) -> Finding:
    return _finding(path, _with_detail("Forbidden", detail), rule, hint)


def not_supported(
    path: str,
    value: Any,
    supported: Iterable[str],
    *,
    rule: str,
    hint: str | None = None,
) -> Finding:
    choices = ", ".join(json.dumps(choice) for choice in supported)
    message = f"Unsupported value: {go_value(value)}: supported values: {choices}"
    return _finding(path, message, rule, hint)


def duplicate(path: str, value: Any, *, rule: str, hint: str | None = None) -> Finding:
    return _finding(path, f"Duplicate value: {go_value(value)}", rule, hint)


def too_many(
    path: str, actual: int, limit: int, *, rule: str, hint: str | None = None
) -> Finding:
    message = f"Too many: {actual}: must have at most {limit} items"
    return _finding(path, message, rule, hint)


def too_long(path: str, detail: str, *, rule: str, hint: str | None = None) -> Finding:
    return _finding(path, f"Too long: {detail}", rule, hint)


def go_string_list(values: Iterable[str]) -> str:
    """Go's ``%q`` of a string slice: ``["A" "B"]``."""
    return "[" + " ".join(json.dumps(value) for value in values) + "]"
