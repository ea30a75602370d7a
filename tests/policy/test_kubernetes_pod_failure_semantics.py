"""The podFailurePolicySemantics rule: valid pod failure policies that mislead."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, validate

from webhook.policy.findings import Enforcement
from webhook.policy.rules import RULES
from webhook.policy.rules.pod_failure_semantics import SEMANTICS
from webhook.policy.schema import policy_schema

POLICY_SCHEMA = jsonschema.Draft202012Validator(policy_schema())

IGNORE_DISRUPTION = {
    "action": "Ignore",
    "onPodConditions": [{"type": "DisruptionTarget"}],
}


def codes(action: str, operator: str, *values: int, container: str | None = None):
    requirement: dict[str, Any] = {"operator": operator, "values": list(values)}
    if container is not None:
        requirement["containerName"] = container
    return {"action": action, "onExitCodes": requirement}


def conditions(action: str, *patterns: tuple[str, str]) -> dict[str, Any]:
    return {
        "action": action,
        "onPodConditions": [{"type": t, "status": s} for t, s in patterns],
    }


def findings(*rules: dict[str, Any], **config: Any) -> list[tuple[str, str]]:
    obj = job(podFailurePolicy={"rules": [IGNORE_DISRUPTION, *rules]})
    return [(f.rule, f.path) for f in validate(SEMANTICS, obj, config)]


def shadowed(index: int) -> tuple[str, str]:
    return (
        "podFailurePolicySemantics.shadowed",
        f"spec.podFailurePolicy.rules[{index}]",
    )


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([codes("FailJob", "In", 1, 2, 3), codes("Ignore", "In", 2)], [shadowed(2)]),
        ([codes("FailJob", "In", 1), codes("Ignore", "In", 1, 2)], []),
        (
            [codes("FailJob", "In", 1), codes("Count", "In", 1, container="main")],
            [shadowed(2)],
        ),
        ([codes("FailJob", "In", 1, container="main"), codes("Ignore", "In", 1)], []),
        (
            [
                codes("FailJob", "In", 1, container="main"),
                codes("Ignore", "In", 1, container="setup"),
            ],
            [],
        ),
        ([codes("FailJob", "NotIn", 1, 2), codes("Ignore", "In", 3, 4)], [shadowed(2)]),
        ([codes("FailJob", "NotIn", 1, 2), codes("Ignore", "In", 2, 3)], []),
        ([codes("FailJob", "NotIn", 1), codes("Ignore", "NotIn", 1, 2)], [shadowed(2)]),
        ([codes("FailJob", "NotIn", 1, 2), codes("Ignore", "NotIn", 1)], []),
        ([conditions("FailJob", ("DisruptionTarget", "True"))], [shadowed(1)]),
        (
            [
                conditions("Ignore", ("A", "True"), ("B", "True")),
                conditions("FailJob", ("B", "True")),
            ],
            [shadowed(2)],
        ),
        (
            [
                conditions("Ignore", ("A", "True")),
                conditions("FailJob", ("A", "True"), ("B", "True")),
            ],
            [],
        ),
        (
            [
                conditions("Ignore", ("A", "True")),
                conditions("FailJob", ("A", "False")),
            ],
            [],
        ),
        ([codes("FailJob", "In", 1), conditions("Ignore", ("A", "True"))], []),
    ],
    ids=[
        "in-superset-first",
        "in-subset-first",
        "any-container-first",
        "one-container-first",
        "other-containers",
        "not-in-first",
        "not-in-overlapping-in",
        "not-in-fewer-exclusions-first",
        "not-in-more-exclusions-first",
        "same-condition-twice",
        "condition-superset-first",
        "condition-subset-first",
        "other-status",
        "codes-then-conditions",
    ],
)
def test_a_rule_is_shadowed_when_an_earlier_one_matches_all_it_matches(
    rules: list[dict[str, Any]], expected: list[tuple[str, str]]
) -> None:
    assert findings(*rules, checks=["shadowed"]) == expected


def test_a_shadowed_rule_is_explained_with_both_rules() -> None:
    obj = job(
        podFailurePolicy={
            "rules": [
                IGNORE_DISRUPTION,
                codes("FailJob", "In", 1, 2, container="main"),
                codes("Ignore", "In", 2, container="main"),
            ]
        }
    )

    [finding] = validate(SEMANTICS, obj, {})

    assert finding.message == (
        "rules[2] (Ignore on exit codes In [2] of container 'main') never applies: "
        "rules[1] (FailJob on exit codes In [1, 2] of container 'main') comes first "
        "and matches every failure it matches, and the first matching rule wins."
    )
    assert finding.hint == "Move rules[2] above rules[1], or remove it."


def test_exit_codes_outside_0_to_255_are_reported_each() -> None:
    result = findings(codes("FailJob", "In", -1, 3, 256), checks=["exitCodeRange"])

    assert result == [
        (
            "podFailurePolicySemantics.exitCodeRange",
            "spec.podFailurePolicy.rules[1].onExitCodes.values[0]",
        ),
        (
            "podFailurePolicySemantics.exitCodeRange",
            "spec.podFailurePolicy.rules[1].onExitCodes.values[2]",
        ),
    ]


def test_an_in_rule_of_impossible_codes_is_not_called_shadowed() -> None:
    result = findings(codes("FailJob", "NotIn", 0), codes("Ignore", "In", 300))

    assert (
        "podFailurePolicySemantics.shadowed",
        "spec.podFailurePolicy.rules[2]",
    ) not in result


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([codes("FailJob", "NotIn", 0), codes("Ignore", "In", 1)], [1]),
        ([codes("FailJob", "NotIn", 0, 300), codes("Ignore", "In", 1)], [1]),
        ([codes("Count", "In", 1), codes("FailJob", "NotIn", 0)], []),
        (
            [codes("FailJob", "NotIn", 0, container="main"), codes("Ignore", "In", 1)],
            [],
        ),
        ([codes("FailJob", "NotIn", 0, 1), codes("Ignore", "In", 1)], []),
    ],
    ids=[
        "not-in-zero",
        "not-in-impossible",
        "catch-all-last",
        "one-container",
        "excludes-1",
    ],
)
def test_a_catch_all_rule_before_other_rules_is_reported(
    rules: list[dict[str, Any]], expected: list[int]
) -> None:
    result = findings(*rules, checks=["matchesAll"])

    assert result == [
        ("podFailurePolicySemantics.matchesAll", f"spec.podFailurePolicy.rules[{i}]")
        for i in expected
    ]


@pytest.mark.parametrize(
    ("rules", "reported"),
    [
        ([codes("FailJob", "In", 42)], True),
        ([], True),
        ([conditions("Ignore", ("DisruptionTarget", "False"))], True),
        ([conditions("Ignore", ("DisruptionTarget", "True"))], False),
        (
            [{"action": "Count", "onPodConditions": [{"type": "DisruptionTarget"}]}],
            False,
        ),
    ],
    ids=[
        "exit-codes-only",
        "no-rules",
        "status-false",
        "status-true",
        "status-defaulted",
    ],
)
def test_a_policy_without_a_disruption_target_rule_is_reported(
    rules: list[dict[str, Any]], reported: bool
) -> None:
    obj = job(podFailurePolicy={"rules": rules})

    result = validate(SEMANTICS, obj, {"checks": ["disruptionTarget"]})

    assert [(f.path, f.rule) for f in result] == (
        [("spec.podFailurePolicy.rules", "podFailurePolicySemantics.disruptionTarget")]
        if reported
        else []
    )


def test_findings_warn_by_default_and_follow_the_configured_enforcement() -> None:
    obj = job(podFailurePolicy={"rules": []})

    [default] = validate(SEMANTICS, obj, {})
    [denied] = validate(SEMANTICS, obj, {"enforcement": "deny"})

    assert (default.enforcement, denied.enforcement) == (
        Enforcement.WARN,
        Enforcement.DENY,
    )


def test_a_cronjob_job_template_is_checked_under_its_path() -> None:
    obj = cronjob(podFailurePolicy={"rules": [codes("FailJob", "In", 1, 999)]})

    result = [f.path for f in validate(SEMANTICS, obj, {}, kind="CronJob")]

    assert result == [
        "spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.values[1]",
        "spec.jobTemplate.spec.podFailurePolicy.rules",
    ]


@pytest.mark.parametrize(
    "policy",
    [None, {"rules": "many"}, {"rules": [{"action": 5}, "rule", {"action": "Ignore"}]}],
    ids=["no-policy", "rules-not-a-list", "malformed-rules"],
)
def test_malformed_or_missing_policies_are_left_to_the_kubernetes_checks(
    policy: Any,
) -> None:
    obj = job() if policy is None else job(podFailurePolicy=policy)

    result = validate(
        SEMANTICS, obj, {"checks": ["shadowed", "exitCodeRange", "matchesAll"]}
    )

    assert result == []


def policy(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "batchguard.io/v1alpha1",
        "kind": "BatchPolicy",
        "metadata": {"name": "semantics"},
        "spec": {"rules": {"podFailurePolicySemantics": config}},
    }


@pytest.mark.parametrize(
    "config",
    [*SEMANTICS.examples, {}, {"enforcement": "audit"}],
    ids=["example", "empty", "audit"],
)
def test_the_rule_is_registered_with_a_schema_accepting_its_config(
    config: dict[str, Any],
) -> None:
    assert RULES["podFailurePolicySemantics"] is SEMANTICS
    POLICY_SCHEMA.validate(policy(config))


@pytest.mark.parametrize(
    "config",
    [{"checks": ["unknownCheck"]}, {"checks": []}, {"checks": "shadowed"}],
    ids=["unknown-check", "no-checks", "not-a-list"],
)
def test_the_rule_schema_refuses_bad_check_lists(config: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        POLICY_SCHEMA.validate(policy(config))
