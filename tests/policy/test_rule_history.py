"""The historyLimits rule: apiserver defaults replaced, explicit values kept, maxima."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate, validate

from webhook.policy.rules.history import HISTORY_LIMITS

SUCCESSFUL = "/spec/successfulJobsHistoryLimit"
FAILED = "/spec/failedJobsHistoryLimit"
DEFAULTS = {
    "successfulJobsHistoryLimit": {"default": 1},
    "failedJobsHistoryLimit": {"default": 2},
}


def limits(**values: Any) -> dict[str, Any]:
    obj = cronjob()
    obj["spec"].update(values)
    for name, value in values.items():
        if value is None:
            del obj["spec"][name]
    return obj


@pytest.mark.parametrize(
    ("obj", "patch"),
    [
        (
            limits(),
            [
                {"op": "replace", "path": SUCCESSFUL, "value": 1},
                {"op": "replace", "path": FAILED, "value": 2},
            ],
        ),
        (
            limits(successfulJobsHistoryLimit=None, failedJobsHistoryLimit=None),
            [
                {"op": "add", "path": SUCCESSFUL, "value": 1},
                {"op": "add", "path": FAILED, "value": 2},
            ],
        ),
        (limits(successfulJobsHistoryLimit=0, failedJobsHistoryLimit=0), []),
        (limits(successfulJobsHistoryLimit=5, failedJobsHistoryLimit=4), []),
    ],
    ids=[
        "apiserver-defaults-replaced",
        "absent-filled",
        "explicit-zero-kept",
        "other-explicit-values-kept",
    ],
)
def test_defaults_replace_absent_or_apiserver_default_values(
    obj: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    assert mutate(HISTORY_LIMITS, obj, DEFAULTS, kind="CronJob").patch == patch


def test_defaults_also_apply_on_cronjob_update() -> None:
    obj = limits()

    result = mutate(
        HISTORY_LIMITS,
        obj,
        {"successfulJobsHistoryLimit": {"default": 1}},
        kind="CronJob",
        operation="UPDATE",
        old=obj,
    )

    assert result.patch == [{"op": "replace", "path": SUCCESSFUL, "value": 1}]
    assert [a.message for a in result.applied] == [
        "Replaced the apiserver default 3 of successfulJobsHistoryLimit "
        "with the policy default 1."
    ]


CLAMPED = {
    "successfulJobsHistoryLimit": {"maximum": 5},
    "failedJobsHistoryLimit": {"maximum": 2},
    "clamp": True,
}


@pytest.mark.parametrize(
    ("operation", "old", "patch"),
    [
        (
            "CREATE",
            None,
            [
                {"op": "replace", "path": SUCCESSFUL, "value": 5},
                {"op": "replace", "path": FAILED, "value": 2},
            ],
        ),
        (
            "UPDATE",
            limits(successfulJobsHistoryLimit=10, failedJobsHistoryLimit=9),
            [],
        ),
        (
            "UPDATE",
            limits(successfulJobsHistoryLimit=10),
            [{"op": "replace", "path": FAILED, "value": 2}],
        ),
    ],
    ids=["create", "update-unchanged", "update-changes-one"],
)
def test_clamp_lowers_values_set_by_this_request(
    operation: Any, old: dict[str, Any] | None, patch: list[dict[str, Any]]
) -> None:
    obj = limits(successfulJobsHistoryLimit=10, failedJobsHistoryLimit=9)

    result = mutate(
        HISTORY_LIMITS, obj, CLAMPED, kind="CronJob", operation=operation, old=old
    )

    assert result.patch == patch


def test_values_above_the_maximum_are_findings_without_clamp() -> None:
    config = {"successfulJobsHistoryLimit": {"maximum": 5}, "enforcement": "deny"}
    obj = limits(successfulJobsHistoryLimit=10)

    findings = validate(HISTORY_LIMITS, obj, config, kind="CronJob")

    assert [(f.rule, f.path, f.message) for f in findings] == [
        (
            "historyLimits.maximum",
            "spec.successfulJobsHistoryLimit",
            "successfulJobsHistoryLimit 10 is above the policy maximum 5.",
        )
    ]


@pytest.mark.parametrize(
    ("obj", "kind", "config"),
    [
        (job(), "Job", DEFAULTS),
        ({"spec": None}, "CronJob", DEFAULTS),
        (limits(), "CronJob", {"successfulJobsHistoryLimit": 1}),
        (
            limits(successfulJobsHistoryLimit="3"),
            "CronJob",
            {"successfulJobsHistoryLimit": {"default": 1, "maximum": 2}, "clamp": True},
        ),
    ],
    ids=["a-job", "no-spec", "options-not-a-map", "value-not-an-integer"],
)
def test_what_the_rule_cannot_read_is_left_alone(
    obj: dict[str, Any], kind: Any, config: dict[str, Any]
) -> None:
    result = mutate(HISTORY_LIMITS, obj, config, kind=kind)

    assert [op["path"] for op in result.patch if op["path"] == SUCCESSFUL] == []


def test_the_rule_applies_to_cronjobs_only() -> None:
    assert HISTORY_LIMITS.kinds == frozenset({"CronJob"})


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        (DEFAULTS, True),
        (CLAMPED, True),
        ({"successfulJobsHistoryLimit": {"default": -1}}, False),
        ({"successfulJobsHistoryLimit": {"required": True}}, False),
        ({"successfulJobHistoryLimit": {"default": 1}}, False),
    ],
    ids=[
        "defaults",
        "clamped",
        "negative",
        "no-required",
        "typo",
    ],
)
def test_the_schema(config: dict[str, Any], valid: bool) -> None:
    assert (
        jsonschema.Draft202012Validator(HISTORY_LIMITS.schema).is_valid(config) is valid
    )


def test_the_schema_is_a_described_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(HISTORY_LIMITS.schema)

    assert HISTORY_LIMITS.schema["additionalProperties"] is False
    assert all("description" in p for p in HISTORY_LIMITS.schema["properties"].values())
