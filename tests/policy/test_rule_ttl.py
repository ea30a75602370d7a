"""The ttlSecondsAfterFinished rule: default, clamp, maximum, required, UPDATE."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate, validate

from webhook.policy.findings import Enforcement
from webhook.policy.rules.base import Kind
from webhook.policy.rules.ttl import TTL

PATH = "/spec/ttlSecondsAfterFinished"


@pytest.mark.parametrize(
    ("spec", "config", "patch"),
    [
        ({}, {"default": 3600}, [{"op": "add", "path": PATH, "value": 3600}]),
        ({"ttlSecondsAfterFinished": 0}, {"default": 3600}, []),
        ({"ttlSecondsAfterFinished": 60}, {"default": 3600}, []),
        (
            {"ttlSecondsAfterFinished": None},
            {"default": 3600},
            [{"op": "replace", "path": PATH, "value": 3600}],
        ),
        (
            {"ttlSecondsAfterFinished": 86400},
            {"maximum": 3600, "clamp": True},
            [{"op": "replace", "path": PATH, "value": 3600}],
        ),
        ({"ttlSecondsAfterFinished": 86400}, {"maximum": 3600}, []),
        ({"ttlSecondsAfterFinished": 3600}, {"maximum": 3600, "clamp": True}, []),
        (
            {},
            {"default": 7200, "maximum": 3600, "clamp": True},
            [{"op": "add", "path": PATH, "value": 3600}],
        ),
        (
            {"ttlSecondsAfterFinished": "soon"},
            {"default": 1, "maximum": 0, "clamp": True},
            [],
        ),
        ({}, {"default": "3600"}, []),
        ({}, {}, []),
    ],
    ids=[
        "default-when-absent",
        "explicit-zero-kept",
        "explicit-value-kept",
        "null-counts-as-absent",
        "clamp-lowers-to-maximum",
        "no-clamp-leaves-value-for-validation",
        "at-maximum-untouched",
        "default-above-maximum-is-clamped",
        "wrong-type-value-skipped",
        "wrong-type-default-ignored",
        "empty-config",
    ],
)
def test_ttl_mutation_on_job_create(
    spec: dict[str, Any], config: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    assert mutate(TTL, job(**spec), config).patch == patch


def test_a_clamp_is_reported_as_applied_and_as_a_warning() -> None:
    result = mutate(
        TTL, job(ttlSecondsAfterFinished=86400), {"maximum": 3600, "clamp": True}
    )

    assert [(a.path, a.message) for a in result.applied] == [
        (
            "spec.ttlSecondsAfterFinished",
            "Lowered ttlSecondsAfterFinished from 86400 to the policy maximum 3600.",
        )
    ]
    assert [(n.path, n.rule, n.enforcement, n.message) for n in result.notes] == [
        (
            "spec.ttlSecondsAfterFinished",
            "ttlSecondsAfterFinished.clamped",
            Enforcement.WARN,
            "ttlSecondsAfterFinished 86400 is above the policy maximum 3600 "
            "and was lowered to 3600.",
        )
    ]


def test_a_default_is_reported_as_applied() -> None:
    result = mutate(TTL, job(), {"default": 600})

    assert [(a.rule, a.path, a.message, a.policy) for a in result.applied] == [
        (
            "ttlSecondsAfterFinished",
            "spec.ttlSecondsAfterFinished",
            "Set ttlSecondsAfterFinished to the policy default 600.",
            "test-policy",
        )
    ]
    assert result.notes == []


@pytest.mark.parametrize(
    ("old_spec", "new_spec", "config", "patch"),
    [
        ({}, {}, {"default": 3600}, [{"op": "add", "path": PATH, "value": 3600}]),
        (
            {"ttlSecondsAfterFinished": 86400},
            {"ttlSecondsAfterFinished": 86400},
            {"maximum": 3600, "clamp": True},
            [],
        ),
        (
            {"ttlSecondsAfterFinished": 60},
            {"ttlSecondsAfterFinished": 86400},
            {"maximum": 3600, "clamp": True},
            [{"op": "replace", "path": PATH, "value": 3600}],
        ),
        (
            {},
            {"ttlSecondsAfterFinished": 86400},
            {"maximum": 3600, "clamp": True},
            [{"op": "replace", "path": PATH, "value": 3600}],
        ),
        (
            {"ttlSecondsAfterFinished": 0},
            {"ttlSecondsAfterFinished": 0},
            {"default": 3600},
            [],
        ),
    ],
    ids=[
        "default-added-to-an-existing-job",
        "unchanged-value-above-maximum-is-not-rewritten",
        "raised-value-is-clamped",
        "newly-set-value-is-clamped",
        "explicit-zero-kept",
    ],
)
def test_ttl_mutation_on_job_update_ratchets(
    old_spec: dict[str, Any],
    new_spec: dict[str, Any],
    config: dict[str, Any],
    patch: list[dict[str, Any]],
) -> None:
    result = mutate(
        TTL, job(**new_spec), config, operation="UPDATE", old=job(**old_spec)
    )

    assert result.patch == patch


def test_a_cronjob_gets_the_default_in_its_job_template() -> None:
    result = mutate(TTL, cronjob(), {"default": 3600}, kind="CronJob")

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/jobTemplate/spec/ttlSecondsAfterFinished",
            "value": 3600,
        }
    ]


def test_a_cronjob_update_clamps_only_a_changed_template_value() -> None:
    old = cronjob(ttlSecondsAfterFinished=86400)
    config = {"maximum": 3600, "clamp": True}

    unchanged = mutate(TTL, old, config, kind="CronJob", operation="UPDATE", old=old)
    raised = mutate(
        TTL,
        cronjob(ttlSecondsAfterFinished=90000),
        config,
        kind="CronJob",
        operation="UPDATE",
        old=old,
    )

    assert unchanged.patch == []
    assert raised.patch == [
        {
            "op": "replace",
            "path": "/spec/jobTemplate/spec/ttlSecondsAfterFinished",
            "value": 3600,
        }
    ]


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("Job", {"kind": "Job"}),
        ("Job", {"spec": "nope"}),
        ("CronJob", {"spec": {"jobTemplate": None}}),
        ("CronJob", {"spec": {"jobTemplate": {"spec": []}}}),
    ],
    ids=["no-spec", "spec-not-a-map", "job-template-null", "job-template-spec-list"],
)
def test_malformed_objects_are_left_alone(kind: Kind, obj: dict[str, Any]) -> None:
    config = {"default": 60, "maximum": 10, "clamp": True, "required": True}

    assert mutate(TTL, obj, config, kind=kind).patch == []
    assert validate(TTL, obj, config, kind=kind) == []


@pytest.mark.parametrize(
    ("spec", "config", "expected"),
    [
        (
            {"ttlSecondsAfterFinished": 86400},
            {"maximum": 3600},
            [
                (
                    "ttlSecondsAfterFinished.maximum",
                    "ttlSecondsAfterFinished 86400 is above the policy maximum 3600.",
                )
            ],
        ),
        (
            {},
            {"required": True},
            [
                (
                    "ttlSecondsAfterFinished.required",
                    "ttlSecondsAfterFinished is required by this policy "
                    "and is not set.",
                )
            ],
        ),
        ({"ttlSecondsAfterFinished": 0}, {"required": True, "maximum": 0}, []),
        ({"ttlSecondsAfterFinished": "x"}, {"required": True, "maximum": 0}, []),
        ({}, {"maximum": 3600}, []),
    ],
    ids=["above-maximum", "required-missing", "zero-satisfies", "wrong-type", "absent"],
)
def test_ttl_validation(
    spec: dict[str, Any], config: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    findings = validate(TTL, job(**spec), {**config, "enforcement": "warn"})

    assert [(f.rule, f.message) for f in findings] == expected
    assert {f.path for f in findings} <= {"spec.ttlSecondsAfterFinished"}
    assert {f.enforcement for f in findings} <= {Enforcement.WARN}


def test_a_maximum_finding_says_how_to_fix_it() -> None:
    [finding] = validate(TTL, job(ttlSecondsAfterFinished=90), {"maximum": 60})

    assert finding.render() == (
        "spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished 90 is above the "
        "policy maximum 60. (set it to 60 or less)"
    )


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        ({"default": 0, "maximum": 86400, "clamp": True, "required": False}, True),
        ({"default": -1}, False),
        ({"default": 2147483648}, False),
        ({"maximum": "1h"}, False),
        ({"clamp": "yes"}, False),
        ({"defualt": 60}, False),
    ],
    ids=["full", "negative", "above-int32", "string", "clamp-not-boolean", "typo"],
)
def test_the_schema_accepts_only_well_formed_blocks(
    config: dict[str, Any], valid: bool
) -> None:
    validator = jsonschema.Draft202012Validator(TTL.schema)

    assert validator.is_valid(config) is valid


def test_the_schema_is_a_valid_draft_2020_12_schema_with_descriptions() -> None:
    jsonschema.Draft202012Validator.check_schema(TTL.schema)

    assert all("description" in p for p in TTL.schema["properties"].values())
