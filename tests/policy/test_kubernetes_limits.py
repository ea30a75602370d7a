"""List and size limits of the Kubernetes checks, and the parsers behind them.

These cases need long lists or strings, so they are built here rather than
written out in the YAML case tables.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers.rule_runner import job

from webhook.policy.kubernetes import validate
from webhook.policy.kubernetes.names import (
    dns1123_label_errors,
    mask_trailing_dash,
    qualified_name_errors,
)
from webhook.policy.kubernetes.success_policy import IndexesError, count_indexes


def messages(obj: dict[str, Any]) -> list[str]:
    findings = validate(obj, kind="Job", operation="CREATE")
    return [f"{finding.path}: {finding.message}" for finding in findings]


def exit_code_rule(*values: int) -> dict[str, Any]:
    return {
        "action": "FailJob",
        "onExitCodes": {"operator": "In", "values": list(values)},
    }


def test_21_pod_failure_rules_are_too_many() -> None:
    rules = [exit_code_rule(code) for code in range(1, 22)]

    assert messages(job(podFailurePolicy={"rules": rules})) == [
        "spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items"
    ]


def test_256_exit_codes_in_one_rule_are_too_many() -> None:
    rule = exit_code_rule(*range(1, 257))

    assert messages(job(podFailurePolicy={"rules": [rule]})) == [
        "spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: "
        "must have at most 255 items"
    ]


def test_21_pod_condition_patterns_in_one_rule_are_too_many() -> None:
    patterns = [{"type": f"Condition{n}", "status": "True"} for n in range(21)]
    rule = {"action": "Ignore", "onPodConditions": patterns}

    assert messages(job(podFailurePolicy={"rules": [rule]})) == [
        "spec.podFailurePolicy.rules[0].onPodConditions: Too many: 21: "
        "must have at most 20 items"
    ]


def indexed(**spec: Any) -> dict[str, Any]:
    return job(completionMode="Indexed", **spec)


def test_21_success_rules_are_too_many() -> None:
    policy = {"rules": [{"succeededCount": 1}] * 21}

    assert messages(indexed(completions=5, successPolicy=policy)) == [
        "spec.successPolicy.rules: Too many: 21: must have at most 20 items"
    ]


def test_succeeded_indexes_longer_than_64_kib_are_too_long() -> None:
    indexes = ",".join(str(index) for index in range(13_000))
    assert len(indexes) > 64 * 1024
    policy = {"rules": [{"succeededIndexes": indexes}]}

    assert messages(indexed(completions=13_000, successPolicy=policy)) == [
        "spec.successPolicy.rules[0].succeededIndexes: Too long: "
        "may not be more than 65536 bytes"
    ]


@pytest.mark.parametrize(
    ("text", "completions", "count"),
    [
        ("", 3, 0),
        ("0", 1, 1),
        ("0,2-4,7", 8, 5),
        ("+3", 4, 1),
        ("007", 8, 1),
    ],
    ids=["empty", "one", "mixed", "plus-sign", "leading-zeros"],
)
def test_succeeded_indexes_are_counted_like_the_apiserver(
    text: str, completions: int, count: int
) -> None:
    assert count_indexes(text, completions) == count


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("0,,2", 'cannot convert string to integer for index: ""'),
        ("-1", 'cannot convert string to integer for index: ""'),
        (" 1", 'cannot convert string to integer for index: " 1"'),
        ("1_0", 'cannot convert string to integer for index: "1_0"'),
        ("9" * 30, f'cannot convert string to integer for index: "{"9" * 30}"'),
        ("0-9", 'too large index: "9"'),
        ("2,2", "non-increasing order, previous: 2, current: 2"),
        ("1-3,3", "non-increasing order, previous: 3, current: 3"),
    ],
    ids=[
        "empty-item",
        "negative",
        "space",
        "underscore",
        "beyond-int64",
        "range-end-too-large",
        "repeated",
        "overlapping-range",
    ],
)
def test_malformed_succeeded_indexes_give_the_apiservers_error(
    text: str, error: str
) -> None:
    with pytest.raises(IndexesError) as raised:
        count_indexes(text, 5)

    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("job-7", []),
        ("a" * 64, ["must be no more than 63 characters"]),
        ("a.b", ["must not contain dots"]),
    ],
    ids=["valid", "too-long", "dotted"],
)
def test_dns_labels_are_checked_like_apimachinery(name: str, errors: list[str]) -> None:
    assert dns1123_label_errors(name) == errors


def test_a_qualified_name_with_two_slashes_gets_one_error() -> None:
    assert qualified_name_errors("a/b/c") == [
        "a valid label key must consist of alphanumeric characters, '-', '_' or "
        "'.', and must start and end with an alphanumeric character (e.g. "
        "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
        "subdomain prefix and '/' (e.g. 'example.com/MyName')"
    ]


def test_a_qualified_name_prefix_must_be_a_dns_subdomain() -> None:
    assert qualified_name_errors("/Ready") == ["prefix part must be non-empty"]


@pytest.mark.parametrize(
    ("prefix", "checked_as"),
    [("pi-", "pa"), ("job", "job"), ("-", "-")],
    ids=["trailing-dash", "no-dash", "only-a-dash"],
)
def test_a_generate_name_is_checked_with_its_trailing_dash_masked(
    prefix: str, checked_as: str
) -> None:
    assert mask_trailing_dash(prefix) == checked_as
