"""activeDeadlineSeconds, backoffLimit, parallelism, completions and suspend."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate, validate

from webhook.policy.findings import Enforcement
from webhook.policy.rules.base import Kind, Operation
from webhook.policy.rules.job_limits import (
    ACTIVE_DEADLINE,
    BACKOFF_LIMIT,
    COMPLETIONS,
    PARALLELISM,
    RULES,
    SUSPEND,
)

DEADLINE = "/spec/activeDeadlineSeconds"
BACKOFF = "/spec/backoffLimit"
TEMPLATE_BACKOFF = "/spec/jobTemplate/spec/backoffLimit"


@pytest.mark.parametrize(
    ("obj", "kind", "operation", "patch"),
    [
        (job(), "Job", "CREATE", [{"op": "add", "path": DEADLINE, "value": 600}]),
        (job(activeDeadlineSeconds=30), "Job", "CREATE", []),
        (job(), "Job", "UPDATE", []),
        (
            cronjob(),
            "CronJob",
            "UPDATE",
            [
                {
                    "op": "add",
                    "path": "/spec/jobTemplate/spec/activeDeadlineSeconds",
                    "value": 600,
                }
            ],
        ),
    ],
    ids=[
        "new-job-gets-default",
        "explicit-value-kept",
        "running-job-never-gets-a-deadline",
        "cronjob-template-gets-default-on-update",
    ],
)
def test_active_deadline_default(
    obj: dict[str, Any], kind: Kind, operation: Operation, patch: list[dict[str, Any]]
) -> None:
    result = mutate(
        ACTIVE_DEADLINE, obj, {"default": 600}, kind=kind, operation=operation, old=obj
    )

    assert result.patch == patch


def test_active_deadline_is_clamped_and_checked() -> None:
    config = {"maximum": 3600, "clamp": True}

    result = mutate(ACTIVE_DEADLINE, job(activeDeadlineSeconds=7200), config)
    [finding] = validate(
        ACTIVE_DEADLINE, job(activeDeadlineSeconds=7200), {"maximum": 3600}
    )

    assert result.patch == [{"op": "replace", "path": DEADLINE, "value": 3600}]
    assert result.messages == [
        "activeDeadlineSeconds 7200 is above the policy maximum 3600 "
        "and was lowered to 3600."
    ]
    assert (finding.rule, finding.message) == (
        "activeDeadlineSeconds.maximum",
        "activeDeadlineSeconds 7200 is above the policy maximum 3600.",
    )


def test_active_deadline_can_be_required() -> None:
    [finding] = validate(ACTIVE_DEADLINE, job(), {"required": True})

    assert (finding.path, finding.message) == (
        "spec.activeDeadlineSeconds",
        "activeDeadlineSeconds is required by this policy and is not set.",
    )


@pytest.mark.parametrize(
    ("spec", "patch"),
    [
        ({"backoffLimit": 6}, [{"op": "replace", "path": BACKOFF, "value": 2}]),
        ({}, [{"op": "add", "path": BACKOFF, "value": 2}]),
        ({"backoffLimit": 0}, []),
        ({"backoffLimit": 4}, []),
        ({"backoffLimit": 2147483647, "backoffLimitPerIndex": 1}, []),
        ({"backoffLimit": 6, "backoffLimitPerIndex": 1}, []),
    ],
    ids=[
        "apiserver-default-replaced",
        "absent-filled",
        "explicit-zero-kept",
        "other-explicit-value-kept",
        "per-index-limit-governs",
        "per-index-limit-governs-even-at-six",
    ],
)
def test_backoff_limit_default_replaces_absent_or_apiserver_default(
    spec: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    assert mutate(BACKOFF_LIMIT, job(**spec), {"default": 2}).patch == patch


def test_replacing_the_apiserver_default_says_so() -> None:
    result = mutate(BACKOFF_LIMIT, job(backoffLimit=6), {"default": 2})

    assert [a.message for a in result.applied] == [
        "Replaced the apiserver default 6 of backoffLimit with the policy default 2."
    ]


@pytest.mark.parametrize(
    ("old_spec", "new_spec", "config", "patch"),
    [
        ({"backoffLimit": 6}, {"backoffLimit": 6}, {"default": 2}, []),
        (
            {"backoffLimit": 20},
            {"backoffLimit": 20},
            {"maximum": 10, "clamp": True},
            [],
        ),
        (
            {"backoffLimit": 6},
            {"backoffLimit": 20},
            {"maximum": 10, "clamp": True},
            [{"op": "replace", "path": BACKOFF, "value": 10}],
        ),
    ],
    ids=["no-default-on-update", "old-value-not-rewritten", "raised-value-clamped"],
)
def test_backoff_limit_on_job_update_only_ratchets(
    old_spec: dict[str, Any],
    new_spec: dict[str, Any],
    config: dict[str, Any],
    patch: list[dict[str, Any]],
) -> None:
    result = mutate(
        BACKOFF_LIMIT, job(**new_spec), config, operation="UPDATE", old=job(**old_spec)
    )

    assert result.patch == patch


def test_backoff_limit_default_applies_to_a_cronjob_template_on_update() -> None:
    obj = cronjob(backoffLimit=6)

    result = mutate(
        BACKOFF_LIMIT, obj, {"default": 1}, kind="CronJob", operation="UPDATE", old=obj
    )

    assert result.patch == [{"op": "replace", "path": TEMPLATE_BACKOFF, "value": 1}]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"backoffLimit": 11}, ["backoffLimit 11 is above the policy maximum 10."]),
        ({"backoffLimit": 10}, []),
        ({"backoffLimit": 2147483647, "backoffLimitPerIndex": 2}, []),
    ],
    ids=["above", "at-maximum", "per-index"],
)
def test_backoff_limit_maximum(spec: dict[str, Any], expected: list[str]) -> None:
    findings = validate(BACKOFF_LIMIT, job(**spec), {"maximum": 10})

    assert [f.message for f in findings] == expected


@pytest.mark.parametrize(
    ("rule", "spec", "expected"),
    [
        (
            PARALLELISM,
            {"parallelism": 50},
            [("spec.parallelism", "parallelism 50 is above the policy maximum 10.")],
        ),
        (PARALLELISM, {"parallelism": 10}, []),
        (
            COMPLETIONS,
            {"completions": 11},
            [("spec.completions", "completions 11 is above the policy maximum 10.")],
        ),
        (COMPLETIONS, {"parallelism": 3}, []),
    ],
    ids=[
        "parallelism-above",
        "parallelism-at",
        "completions-above",
        "completions-unset",
    ],
)
def test_parallelism_and_completions_maximums(
    rule: Any, spec: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    findings = validate(rule, job(**spec), {"maximum": 10})

    assert [(f.path, f.message) for f in findings] == expected


@pytest.mark.parametrize(
    ("obj", "kind", "operation", "expected"),
    [
        (
            job(suspend=False),
            "Job",
            "CREATE",
            [
                (
                    "spec.suspend",
                    "suspend is false; this policy requires Jobs to be created "
                    "with suspend true.",
                )
            ],
        ),
        (
            job(),
            "Job",
            "CREATE",
            [
                (
                    "spec.suspend",
                    "suspend is not set; this policy requires Jobs to be created "
                    "with suspend true.",
                )
            ],
        ),
        (
            job(suspend="yes"),
            "Job",
            "CREATE",
            [
                (
                    "spec.suspend",
                    'suspend is "yes"; this policy requires Jobs to be created '
                    "with suspend true.",
                )
            ],
        ),
        (job(suspend=True), "Job", "CREATE", []),
        (job(suspend=False), "Job", "UPDATE", []),
        (
            cronjob(suspend=False),
            "CronJob",
            "CREATE",
            [
                (
                    "spec.jobTemplate.spec.suspend",
                    "suspend is false; this policy requires Jobs to be created "
                    "with suspend true.",
                )
            ],
        ),
    ],
    ids=[
        "created-running",
        "created-without-suspend",
        "created-with-a-string",
        "created-suspended",
        "resumed-by-an-update",
        "cronjob-template",
    ],
)
def test_suspend_is_required_on_create_only(
    obj: dict[str, Any],
    kind: Kind,
    operation: Operation,
    expected: list[tuple[str, str]],
) -> None:
    findings = validate(
        SUSPEND, obj, {"required": True}, kind=kind, operation=operation, old=obj
    )

    assert [(f.path, f.message) for f in findings] == expected
    assert {f.enforcement for f in findings} <= {Enforcement.DENY}


def test_suspend_without_required_checks_nothing() -> None:
    assert validate(SUSPEND, job(suspend=False), {}) == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_every_schema_is_draft_2020_12_and_described(rule: Any) -> None:
    jsonschema.Draft202012Validator.check_schema(rule.schema)

    assert rule.schema["additionalProperties"] is False
    assert all("description" in p for p in rule.schema["properties"].values())


@pytest.mark.parametrize(
    ("rule", "config", "valid"),
    [
        (ACTIVE_DEADLINE, {"default": 0}, False),
        (ACTIVE_DEADLINE, {"default": 60, "maximum": 3600, "required": True}, True),
        (BACKOFF_LIMIT, {"default": 0, "maximum": 6, "clamp": True}, True),
        (BACKOFF_LIMIT, {"required": True}, False),
        (PARALLELISM, {"maximum": 4}, True),
        (COMPLETIONS, {"maximum": -1}, False),
        (SUSPEND, {"required": "true"}, False),
    ],
    ids=[
        "deadline-zero",
        "deadline-full",
        "backoff-full",
        "backoff-has-no-required",
        "parallelism",
        "completions-negative",
        "suspend-string",
    ],
)
def test_schemas_reject_malformed_blocks(rule: Any, config: Any, valid: bool) -> None:
    assert jsonschema.Draft202012Validator(rule.schema).is_valid(config) is valid
