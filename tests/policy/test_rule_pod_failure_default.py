"""The podFailurePolicy rule: inject only what keeps the Job valid, or require it."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate, validate

from webhook.policy.findings import Enforcement
from webhook.policy.rules.pod_failure_default import POD_FAILURE_POLICY

RULES = [
    {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42, 3]}},
    {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
]
SORTED_RULES = [
    {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [3, 42]}},
    {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
]
DEFAULT = {"default": {"rules": RULES}}


def defaulted_job(**spec: Any) -> dict[str, Any]:
    """A Job as the webhook sees it: podReplacementPolicy already defaulted."""
    return job(podReplacementPolicy="TerminatingOrFailed", **spec)


def on_container(name: str) -> dict[str, Any]:
    return {
        "action": "FailJob",
        "onExitCodes": {"containerName": name, "operator": "In", "values": [42]},
    }


def test_the_default_is_injected_with_podreplacementpolicy_failed() -> None:
    result = mutate(POD_FAILURE_POLICY, defaulted_job(), DEFAULT)

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/podFailurePolicy",
            "value": {"rules": SORTED_RULES},
        },
        {"op": "replace", "path": "/spec/podReplacementPolicy", "value": "Failed"},
    ]
    assert [(a.path, a.message) for a in result.applied] == [
        ("spec.podFailurePolicy", "Added the policy's default podFailurePolicy."),
        (
            "spec.podReplacementPolicy",
            "Set podReplacementPolicy to 'Failed', which a podFailurePolicy requires.",
        ),
    ]


def test_the_injected_policy_is_a_copy_of_the_policy_block() -> None:
    config = copy.deepcopy(DEFAULT)

    result = mutate(POD_FAILURE_POLICY, job(), config)
    result.mutated["spec"]["podFailurePolicy"]["rules"].clear()

    assert config == DEFAULT


@pytest.mark.parametrize(
    ("obj", "rules"),
    [
        (job(), RULES),
        (
            defaulted_job(),
            [{"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [0]}}],
        ),
        (
            job(backoffLimitPerIndex=1, completionMode="Indexed", completions=3),
            [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}}],
        ),
        (job(), [on_container("main")]),
    ],
    ids=[
        "plain",
        "count-not-in-zero",
        "fail-index-with-per-index-limit",
        "named-container",
    ],
)
def test_injection_happens_when_the_job_allows_it(
    obj: dict[str, Any], rules: list[Any]
) -> None:
    result = mutate(POD_FAILURE_POLICY, obj, {"default": {"rules": rules}})

    assert result.mutated["spec"]["podFailurePolicy"]["rules"] == sorted_values(rules)
    assert result.mutated["spec"]["podReplacementPolicy"] == "Failed"
    assert result.notes == []


def sorted_values(rules: list[Any]) -> list[Any]:
    rules = copy.deepcopy(rules)
    for rule in rules:
        if "onExitCodes" in rule:
            rule["onExitCodes"]["values"].sort()
    return rules


def with_restart_policy(policy: str) -> dict[str, Any]:
    obj = defaulted_job()
    obj["spec"]["template"]["spec"]["restartPolicy"] = policy
    return obj


def with_init_container(name: str) -> dict[str, Any]:
    obj = defaulted_job()
    obj["spec"]["template"]["spec"]["initContainers"] = [
        {"name": name, "image": "registry.example/setup:1.0"}
    ]
    return obj


@pytest.mark.parametrize(
    ("obj", "rules", "reason"),
    [
        (
            with_restart_policy("OnFailure"),
            RULES,
            "the pod template's restartPolicy is 'OnFailure', and a pod failure "
            "policy requires 'Never'",
        ),
        (
            with_restart_policy("Always"),
            RULES,
            "the pod template's restartPolicy is 'Always', and a pod failure "
            "policy requires 'Never'",
        ),
        (
            defaulted_job(),
            [{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}}],
            "its FailIndex action requires spec.backoffLimitPerIndex, which is unset",
        ),
        (
            defaulted_job(),
            [on_container("mian")],
            "it names the container 'mian', which the pod template lacks",
        ),
        (
            {"kind": "Job", "spec": {"podReplacementPolicy": "TerminatingOrFailed"}},
            RULES,
            "the Job has no pod template",
        ),
    ],
    ids=[
        "restart-on-failure",
        "restart-policy-defaulted-to-always",
        "fail-index-without-per-index-limit",
        "unknown-container",
        "no-template",
    ],
)
def test_injection_is_skipped_with_a_warning_when_it_would_break_the_job(
    obj: dict[str, Any], rules: list[Any], reason: str
) -> None:
    result = mutate(POD_FAILURE_POLICY, obj, {"default": {"rules": rules}})

    assert result.patch == []
    assert [(n.path, n.rule, n.enforcement, n.message) for n in result.notes] == [
        (
            "spec.podFailurePolicy",
            "podFailurePolicy.skipped",
            Enforcement.WARN,
            f"podFailurePolicy default not applied: {reason}",
        )
    ]


def test_an_init_container_name_is_a_valid_container_name() -> None:
    result = mutate(
        POD_FAILURE_POLICY,
        with_init_container("setup"),
        {"default": {"rules": [on_container("setup")]}},
    )

    assert [op["path"] for op in result.patch] == [
        "/spec/podFailurePolicy",
        "/spec/podReplacementPolicy",
    ]


def test_br_19_an_existing_policy_is_left_untouched() -> None:
    existing = {"rules": [on_container("main")]}
    obj = defaulted_job(podFailurePolicy=existing)
    obj["spec"]["podReplacementPolicy"] = "Failed"

    result = mutate(POD_FAILURE_POLICY, obj, DEFAULT)

    assert result.patch == []
    assert result.notes == []


def test_job_update_never_injects_and_says_why() -> None:
    obj = defaulted_job()

    result = mutate(POD_FAILURE_POLICY, obj, DEFAULT, operation="UPDATE", old=obj)

    assert result.patch == []
    assert result.messages == [
        "podFailurePolicy default not applied: spec.podFailurePolicy of an "
        "existing Job is immutable"
    ]


def test_cronjob_update_injects_into_the_job_template() -> None:
    obj = cronjob(podReplacementPolicy="TerminatingOrFailed")

    result = mutate(
        POD_FAILURE_POLICY, obj, DEFAULT, kind="CronJob", operation="UPDATE", old=obj
    )

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/jobTemplate/spec/podFailurePolicy",
            "value": {"rules": SORTED_RULES},
        },
        {
            "op": "replace",
            "path": "/spec/jobTemplate/spec/podReplacementPolicy",
            "value": "Failed",
        },
    ]


@pytest.mark.parametrize(
    "config",
    [{}, {"default": None}, {"default": {"rules": "FailJob"}}, {"required": True}],
    ids=["empty", "null-default", "rules-not-a-list", "only-required"],
)
def test_without_a_usable_default_nothing_is_injected(config: dict[str, Any]) -> None:
    result = mutate(POD_FAILURE_POLICY, defaulted_job(), config)

    assert result.patch == []
    assert result.notes == []


def test_malformed_default_values_are_injected_unsorted_rather_than_raising() -> None:
    rules = [
        {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [2, "1"]}}
    ]

    result = mutate(POD_FAILURE_POLICY, job(), {"default": {"rules": rules}})

    assert result.mutated["spec"]["podFailurePolicy"] == {"rules": rules}


@pytest.mark.parametrize(
    ("obj", "kind", "expected"),
    [
        (job(), "Job", [("spec.podFailurePolicy", "podFailurePolicy.required")]),
        (job(podFailurePolicy={"rules": RULES}), "Job", []),
        (
            cronjob(),
            "CronJob",
            [("spec.jobTemplate.spec.podFailurePolicy", "podFailurePolicy.required")],
        ),
    ],
    ids=["job-without", "job-with", "cronjob-template-without"],
)
def test_a_required_policy_is_checked(
    obj: dict[str, Any], kind: Any, expected: list[tuple[str, str]]
) -> None:
    findings = validate(POD_FAILURE_POLICY, obj, {"required": True}, kind=kind)

    assert [(f.path, f.rule) for f in findings] == expected
    assert {f.message for f in findings} <= {
        "podFailurePolicy is required by this policy and is not set."
    }


def exit_codes(**fields: Any) -> dict[str, Any]:
    return {"default": {"rules": [{"action": "FailJob", "onExitCodes": fields}]}}


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        (DEFAULT, True),
        ({"default": {"rules": [{"action": "Ignore"}]}}, False),
        (
            {
                "default": {
                    "rules": [
                        {
                            "action": "FailJob",
                            "onExitCodes": {"operator": "In", "values": [1]},
                            "onPodConditions": [{"type": "DisruptionTarget"}],
                        }
                    ]
                }
            },
            False,
        ),
        (
            {
                "default": {
                    "rules": [{"action": "Retry", "onPodConditions": [{"type": "X"}]}]
                }
            },
            False,
        ),
        ({"default": {"rules": [{"action": "Ignore", "onPodConditions": []}]}}, False),
        (
            {
                "default": {
                    "rules": [
                        {
                            "action": "Ignore",
                            "onPodConditions": [{"type": "A", "status": "Yes"}],
                        }
                    ]
                }
            },
            False,
        ),
        (
            {
                "default": {
                    "rules": [
                        {"action": "Ignore", "onPodConditions": [{"type": "a b"}]}
                    ]
                }
            },
            False,
        ),
        (exit_codes(operator="In", values=[0, 1]), False),
        (exit_codes(operator="NotIn", values=[0, 1]), True),
        (exit_codes(operator="In", values=[1, 1]), False),
        (exit_codes(operator="In", values=[]), False),
        (exit_codes(operator="Is", values=[1]), False),
        (exit_codes(values=[1]), False),
        (exit_codes(operator="In", values=[1], containerName="Main"), False),
        (exit_codes(operator="In", values=[1], containerName="main"), True),
        ({"default": {"rules": []}}, False),
        ({"default": {"rules": [RULES[1]] * 21}}, False),
        ({"required": True}, True),
        ({"required": "yes"}, False),
    ],
    ids=[
        "br-19-shape",
        "neither-exit-codes-nor-conditions",
        "both-exit-codes-and-conditions",
        "unknown-action",
        "empty-conditions",
        "unknown-status",
        "condition-type-with-space",
        "in-with-zero",
        "not-in-with-zero",
        "duplicate-values",
        "no-values",
        "unknown-operator",
        "no-operator",
        "container-name-uppercase",
        "container-name",
        "no-rules",
        "too-many-rules",
        "required",
        "required-not-boolean",
    ],
)
def test_the_schema_checks_the_default_rules_shape(
    config: dict[str, Any], valid: bool
) -> None:
    validator = jsonschema.Draft202012Validator(POD_FAILURE_POLICY.schema)
    assert validator.is_valid(config) is valid


def test_the_schema_is_a_described_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(POD_FAILURE_POLICY.schema)

    assert POD_FAILURE_POLICY.schema["additionalProperties"] is False
    assert all(
        "description" in p for p in POD_FAILURE_POLICY.schema["properties"].values()
    )


@pytest.mark.parametrize("name", [["main"], {"n": 1}, 7, None], ids=repr)
def test_a_container_whose_name_is_not_a_string_is_skipped_not_a_crash(
    name: Any,
) -> None:
    obj = defaulted_job()
    obj["spec"]["template"]["spec"]["containers"][0]["name"] = name

    result = mutate(
        POD_FAILURE_POLICY, obj, {"default": {"rules": [on_container("main")]}}
    )

    assert result.patch == []
    assert result.messages == [
        "podFailurePolicy default not applied: it names the container 'main', "
        "which the pod template lacks"
    ]
