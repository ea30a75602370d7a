"""``spec.successPolicy`` as the apiserver validates it, with its index-list parser."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.field_errors import Shown
from webhook.policy.kubernetes.names import byte_length

RULE = "successPolicy"

MAX_RULES = 20
MAX_SUCCEEDED_INDEXES_BYTES = 64 * 1024
_GO_INT64_MAX = 2**63 - 1


class IndexesError(ValueError):
    """An index list such as ``0,2-4`` that the apiserver would not parse."""


def count_indexes(text: str, completions: int) -> int:
    """How many indexes ``text`` lists; each must be below ``completions``.

    The format is comma-separated intervals ``x`` or ``x-y`` in strictly
    increasing order, as in ``status.completedIndexes``.
    """
    if not text:
        return 0
    total = 0
    last: int | None = None
    for interval in text.split(","):
        first, end = _interval(interval, completions)
        if last is not None and last >= first:
            raise IndexesError(
                f"non-increasing order, previous: {last}, current: {first}"
            )
        total += end - first + 1
        last = end
    return total


def _interval(text: str, completions: int) -> tuple[int, int]:
    limits = text.split("-")
    if len(limits) > 2:
        raise IndexesError(
            f"the fragment {_quote(text)} violates the requirement that an index "
            "interval can have at most two parts separated by '-'"
        )
    first = _index(limits[0], completions)
    if len(limits) == 1:
        return first, first
    end = _index(limits[1], completions)
    if first >= end:
        raise IndexesError(f"non-increasing order, previous: {first}, current: {end}")
    return first, end


def _index(text: str, completions: int) -> int:
    index = _go_atoi(text)
    if index is None:
        raise IndexesError(
            f"cannot convert string to integer for index: {_quote(text)}"
        )
    if index >= completions:
        raise IndexesError(f"too large index: {_quote(text)}")
    return index


def _go_atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi`` for what can reach it here: ``+`` and decimal digits."""
    if not re.fullmatch(r"\+?[0-9]+", text):
        return None
    digits = text.lstrip("+").lstrip("0") or "0"
    if len(digits) > len(str(_GO_INT64_MAX)) or int(digits) > _GO_INT64_MAX:
        return None
    return int(digits)


def _quote(text: str) -> str:
    return field_errors.go_value(text)


def validate_success_policy(spec: Mapping[str, Any], *, path: str) -> Iterator[Finding]:
    """Findings for the success policy of one (defaulted) JobSpec at ``path``."""
    policy = spec.get("successPolicy")
    if policy is None:
        return
    policy_path = f"{path}.successPolicy"
    if spec.get("completionMode") != "Indexed":
        yield field_errors.invalid(
            policy_path,
            Shown("{...}"),
            "requires indexed completion mode",
            rule=RULE,
            hint="Set completionMode: Indexed, or remove successPolicy.",
        )
        return
    yield from _rules(policy.get("rules") or [], spec, path=f"{policy_path}.rules")


def _rules(
    rules: list[Any], spec: Mapping[str, Any], *, path: str
) -> Iterator[Finding]:
    if not rules:
        yield field_errors.required(
            path,
            "at least one rules must be specified when the successPolicy is specified",
            rule=RULE,
            hint="Add a rule with succeededIndexes or succeededCount.",
        )
    if len(rules) > MAX_RULES:
        yield field_errors.too_many(
            path,
            len(rules),
            MAX_RULES,
            rule=RULE,
            hint=f"Keep at most {MAX_RULES} success rules.",
        )
    completions = spec.get("completions")
    if completions is None:
        # NB: Indexed mode already requires completions; that finding is reported.
        return
    for index, rule in enumerate(rules):
        if rule is not None:
            yield from _rule(rule, completions, path=f"{path}[{index}]")


def _rule(rule: Mapping[str, Any], completions: int, *, path: str) -> Iterator[Finding]:
    if "succeededCount" not in rule and "succeededIndexes" not in rule:
        yield field_errors.required(
            path,
            "at least one of succeededCount or succeededIndexes must be specified",
            rule=RULE,
            hint="Say which indexes must succeed, or how many.",
        )
    total = 0
    if "succeededIndexes" in rule:
        total = yield from _indexes(
            rule["succeededIndexes"], completions, path=f"{path}.succeededIndexes"
        )
    if "succeededCount" in rule:
        yield from _count(
            rule["succeededCount"],
            completions,
            total if "succeededIndexes" in rule else None,
            path=f"{path}.succeededCount",
        )


def _indexes(
    text: str, completions: int, *, path: str
) -> Generator[Finding, None, int]:
    """Yield findings; return how many indexes ``text`` lists (0 if unparsable)."""
    if byte_length(text) > MAX_SUCCEEDED_INDEXES_BYTES:
        yield field_errors.too_long(
            path,
            f"may not be more than {MAX_SUCCEEDED_INDEXES_BYTES} bytes",
            rule=RULE,
            hint="List the indexes as ranges (0-99) instead of one by one.",
        )
    try:
        return count_indexes(text, completions)
    except IndexesError as error:
        yield field_errors.invalid(
            path,
            text,
            f"error parsing succeededIndexes: {error}",
            rule=RULE,
            hint=(
                "Write increasing indexes or ranges below completions, separated "
                "by commas, such as 0,2-4."
            ),
        )
        return 0


def _count(
    count: int, completions: int, listed: int | None, *, path: str
) -> Iterator[Finding]:
    if count < 0:
        yield field_errors.invalid(
            path,
            count,
            "must be greater than or equal to 0",
            rule=RULE,
            hint="Use a count of 0 or more.",
        )
    if count > completions:
        yield field_errors.invalid(
            path,
            count,
            f"must be less than or equal to {completions} "
            "(the number of specified completions)",
            rule=RULE,
            hint="A success count cannot exceed spec.completions.",
        )
    if listed is not None and count > listed:
        yield field_errors.invalid(
            path,
            count,
            f"must be less than or equal to {listed} "
            "(the number of indexes in the specified succeededIndexes field)",
            rule=RULE,
            hint="A success count cannot exceed the number of succeededIndexes.",
        )
