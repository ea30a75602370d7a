"""The resources rule: defaults that keep pods valid, maximums, required values."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate, validate

from webhook.policy.findings import Enforcement
from webhook.policy.rules.resources import RESOURCES

DEFAULTS = {
    "defaults": {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
}
CONTAINERS = "/spec/template/spec/containers"


def job_with(
    *containers: dict[str, Any], init: tuple[dict[str, Any], ...] = ()
) -> dict[str, Any]:
    obj = job()
    pod = obj["spec"]["template"]["spec"]
    pod["containers"] = [
        {"image": "registry.example/app:1.0", **container} for container in containers
    ]
    if init:
        pod["initContainers"] = list(init)
    return obj


def br_20_job() -> dict[str, Any]:
    return job_with(
        {"name": "main", "resources": {"requests": {"cpu": "0.7", "memory": "1Gi"}}},
        {"name": "sidecar", "resources": {"limits": {"cpu": "50m"}}},
    )


def test_br_20_explicit_values_win_and_no_limit_falls_below_a_request() -> None:
    result = mutate(RESOURCES, br_20_job(), DEFAULTS)

    assert result.patch == [
        {
            "op": "add",
            "path": f"{CONTAINERS}/1/resources/requests",
            "value": {"memory": "128Mi"},
        },
        {
            "op": "add",
            "path": f"{CONTAINERS}/1/resources/limits/memory",
            "value": "512Mi",
        },
    ]
    assert [(n.path, n.rule, n.enforcement, n.message) for n in result.notes] == [
        (
            "spec.template.spec.containers[0].resources.limits.cpu",
            "resources.withheld",
            Enforcement.WARN,
            "default cpu limit not applied to container main: below explicit "
            "request 700m",
        ),
        (
            "spec.template.spec.containers[0].resources.limits.memory",
            "resources.withheld",
            Enforcement.WARN,
            "default memory limit not applied to container main: below explicit "
            "request 1Gi",
        ),
    ]


def test_a_container_without_resources_gets_the_whole_map() -> None:
    result = mutate(RESOURCES, job(), DEFAULTS)

    assert result.patch == [
        {
            "op": "add",
            "path": f"{CONTAINERS}/0/resources",
            "value": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"cpu": "500m", "memory": "512Mi"},
            },
        }
    ]
    assert [a.message for a in result.applied] == [
        "Set requests.cpu of container 'main' to the policy default '100m'.",
        "Set requests.memory of container 'main' to the policy default '128Mi'.",
        "Set limits.cpu of container 'main' to the policy default '500m'.",
        "Set limits.memory of container 'main' to the policy default '512Mi'.",
    ]


@pytest.mark.parametrize(
    ("resources", "config", "patch"),
    [
        (
            {"requests": {"cpu": "700m"}},
            {"defaults": {"requests": {"cpu": "0.7"}}},
            [],
        ),
        (
            {"requests": {"cpu": "0.7"}},
            {"defaults": {"limits": {"cpu": "700m"}}},
            [{"op": "add", "path": "/limits", "value": {"cpu": "700m"}}],
        ),
        (
            {"limits": {"cpu": "2"}},
            {"defaults": {"requests": {"cpu": "100m"}}},
            [{"op": "add", "path": "/requests", "value": {"cpu": "100m"}}],
        ),
        (
            {"limits": {"cpu": "50m"}},
            {"defaults": {"requests": {"cpu": "100m"}}},
            [],
        ),
        (
            {},
            {"defaults": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}},
            [{"op": "add", "path": "/limits", "value": {"cpu": "1"}}],
        ),
        (
            {"requests": {}, "limits": {}},
            {"defaults": {"requests": {"ephemeral-storage": "1Gi"}}},
            [{"op": "add", "path": "/requests/ephemeral-storage", "value": "1Gi"}],
        ),
        (
            {},
            {"defaults": {"requests": {"cpu": 1, "memory": 134217728}}},
            [
                {
                    "op": "add",
                    "path": "/requests",
                    "value": {"cpu": "1", "memory": "134217728"},
                }
            ],
        ),
        (
            {"requests": {"cpu": "lots"}},
            {"defaults": {"limits": {"cpu": "1", "memory": "1Gi"}}},
            [{"op": "add", "path": "/limits", "value": {"memory": "1Gi"}}],
        ),
        (
            {"requests": None},
            {"defaults": {"requests": {"cpu": "1"}}},
            [{"op": "replace", "path": "/requests", "value": {"cpu": "1"}}],
        ),
        (
            {},
            {"defaults": {"requests": {"cpu": "fast"}, "limits": []}},
            [],
        ),
    ],
    ids=[
        "equal-quantities-in-other-notation",
        "default-limit-equal-to-request-is-added",
        "default-request-below-explicit-limit",
        "default-request-above-explicit-limit-skipped",
        "default-request-above-default-limit-skipped",
        "empty-maps-get-per-key-adds",
        "numeric-defaults-written-as-strings",
        "unparsable-value-skips-only-that-resource",
        "null-requests-counts-as-absent",
        "unparsable-policy-defaults-ignored",
    ],
)
def test_defaults_fill_only_what_keeps_the_container_valid(
    resources: dict[str, Any], config: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    obj = job_with({"name": "main", "resources": resources})
    prefix = f"{CONTAINERS}/0/resources"

    result = mutate(RESOURCES, obj, config)

    assert result.patch == [{**op, "path": prefix + op["path"]} for op in patch]


@pytest.mark.parametrize(
    ("resources"),
    [
        "100m",
        {"requests": ["cpu=1"]},
        {"limits": "1"},
    ],
    ids=["resources-a-string", "requests-a-list", "limits-a-string"],
)
def test_containers_with_unreadable_resources_are_left_alone(resources: Any) -> None:
    obj = job_with({"name": "main", "resources": resources})

    assert mutate(RESOURCES, obj, DEFAULTS).patch == []
    assert validate(RESOURCES, obj, {"required": ["requests.cpu"]}) == []


def test_init_containers_and_sidecars_get_defaults_too() -> None:
    sidecar = {
        "name": "proxy",
        "image": "registry.example/p:1",
        "restartPolicy": "Always",
    }
    obj = job_with(
        {"name": "main", "resources": {"requests": {"cpu": "1"}}}, init=(sidecar,)
    )
    config = {"defaults": {"requests": {"cpu": "100m"}}}

    result = mutate(RESOURCES, obj, config)

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/template/spec/initContainers/0/resources",
            "value": {"requests": {"cpu": "100m"}},
        }
    ]


def test_the_containers_option_limits_which_lists_are_covered() -> None:
    init = {"name": "setup", "image": "registry.example/s:1"}
    obj = job_with({"name": "main"}, init=(init,))
    config = {"defaults": {"requests": {"cpu": "100m"}}, "containers": ["containers"]}

    result = mutate(RESOURCES, obj, config)

    assert [op["path"] for op in result.patch] == [f"{CONTAINERS}/0/resources"]


def test_br_04_job_update_adds_nothing_and_warns_once() -> None:
    old = job_with({"name": "main"}, {"name": "helper"})
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"example.com/tier": "b"}

    result = mutate(RESOURCES, new, DEFAULTS, operation="UPDATE", old=old)

    assert result.patch == []
    assert [(n.path, n.rule, n.enforcement, n.message) for n in result.notes] == [
        (
            "spec.template",
            "resources.immutable",
            Enforcement.WARN,
            "resource defaults not applied: spec.template of an existing Job is "
            "immutable",
        )
    ]


def test_job_update_is_silent_when_no_default_would_apply() -> None:
    full = {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    obj = job_with({"name": "main", "resources": full})

    result = mutate(RESOURCES, obj, DEFAULTS, operation="UPDATE", old=obj)

    assert result.patch == []
    assert result.notes == []


def test_cronjob_update_may_default_the_job_template() -> None:
    obj = cronjob()
    config = {"defaults": {"limits": {"memory": "512Mi"}}}

    result = mutate(RESOURCES, obj, config, kind="CronJob", operation="UPDATE", old=obj)

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/jobTemplate/spec/template/spec/containers/0/resources",
            "value": {"limits": {"memory": "512Mi"}},
        }
    ]


MAXIMUMS = {
    "maximums": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2"}}
}


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (
            {"limits": {"cpu": "2500m"}, "requests": {"cpu": "0.5"}},
            [
                (
                    "spec.template.spec.containers[0].resources.limits.cpu",
                    "limits.cpu of container 'main' is '2500m', above the policy "
                    "maximum '2'.",
                )
            ],
        ),
        (
            {"limits": {"cpu": "1500m"}},
            [
                (
                    "spec.template.spec.containers[0].resources.requests.cpu",
                    "requests.cpu of container 'main' is not set and defaults to the "
                    "limit '1500m', above the policy maximum '1'.",
                )
            ],
        ),
        (
            {"requests": {"memory": 2147483648, "cpu": 1.0}},
            [],
        ),
        (
            {"requests": {"memory": "2049Mi"}},
            [
                (
                    "spec.template.spec.containers[0].resources.requests.memory",
                    "requests.memory of container 'main' is '2049Mi', above the "
                    "policy maximum '2Gi'.",
                )
            ],
        ),
    ],
    ids=["limit-above", "limit-standing-in-for-request", "at-maximum", "memory-above"],
)
def test_maximums_compare_quantities(
    resources: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    obj = job_with({"name": "main", "resources": resources})

    findings = validate(RESOURCES, obj, MAXIMUMS)

    assert [(f.path, f.message) for f in findings] == expected
    assert {f.rule for f in findings} <= {"resources.maximum"}


def test_a_maximum_finding_says_how_to_fix_it() -> None:
    obj = job_with({"name": "main", "resources": {"limits": {"cpu": "3"}}})

    [finding] = validate(RESOURCES, obj, {"maximums": {"limits": {"cpu": "2"}}})

    assert finding.hint == "set it to 2 or less"


@pytest.mark.parametrize(
    ("resources", "missing"),
    [
        ({}, ["requests.cpu", "limits.memory"]),
        ({"limits": {"cpu": "1", "memory": "1Gi"}}, []),
        ({"requests": {"cpu": "1", "memory": "1Gi"}}, ["limits.memory"]),
    ],
    ids=["nothing-set", "limit-counts-as-request", "request-is-not-a-limit"],
)
def test_required_values(resources: dict[str, Any], missing: list[str]) -> None:
    obj = job_with({"name": "main", "resources": resources})
    config = {"required": ["requests.cpu", "limits.memory"]}

    findings = validate(RESOURCES, obj, config)

    assert [f.message for f in findings] == [
        f"{value} of container 'main' is required by this policy and is not set."
        for value in missing
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Container 'main': 'lots' is not a valid quantity."),
        (
            "-1",
            "Container 'main': '-1' is negative; resource quantities must be "
            "zero or more.",
        ),
        (True, "Container 'main': True is not a valid quantity."),
    ],
    ids=["word", "negative", "boolean"],
)
def test_bad_quantities_are_findings_not_exceptions(value: Any, message: str) -> None:
    obj = job_with({"name": "main", "resources": {"limits": {"cpu": value}}})

    findings = validate(RESOURCES, obj, {**MAXIMUMS, "required": ["limits.cpu"]})

    assert [(f.rule, f.path, f.message) for f in findings] == [
        (
            "resources.quantity",
            "spec.template.spec.containers[0].resources.limits.cpu",
            message,
        )
    ]


def test_an_unnamed_container_is_named_by_its_position() -> None:
    obj = job()
    obj["spec"]["template"]["spec"]["containers"] = [{"image": "registry.example/a:1"}]

    [finding] = validate(RESOURCES, obj, {"required": ["requests.cpu"]})

    assert finding.message == (
        "requests.cpu of container 'containers[0]' is required by this policy "
        "and is not set."
    )


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        (DEFAULTS, True),
        (MAXIMUMS, True),
        ({"defaults": {"requests": {"cpu": 0.5, "ephemeral-storage": "10Gi"}}}, True),
        ({"defaults": {"requests": {"cpu": "half"}}}, False),
        ({"defaults": {"requests": {"cpu": "-1"}}}, False),
        ({"defaults": {"requests": {"cpu": -1}}}, False),
        ({"defaults": {"requests": {"nvidia.com/gpu": "1"}}}, False),
        ({"required": ["requests.cpu", "limits.ephemeral-storage"]}, True),
        ({"required": ["cpu"]}, False),
        ({"containers": ["initContainers"]}, True),
        ({"containers": []}, False),
        ({"containers": ["ephemeralContainers"]}, False),
    ],
    ids=[
        "defaults",
        "maximums",
        "number-and-ephemeral-storage",
        "not-a-quantity",
        "negative-string",
        "negative-number",
        "unknown-resource",
        "required",
        "required-without-section",
        "containers",
        "no-containers",
        "unknown-container-list",
    ],
)
def test_the_schema(config: dict[str, Any], valid: bool) -> None:
    assert jsonschema.Draft202012Validator(RESOURCES.schema).is_valid(config) is valid


def test_the_schema_is_a_described_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(RESOURCES.schema)

    assert RESOURCES.schema["additionalProperties"] is False
    assert all("description" in p for p in RESOURCES.schema["properties"].values())
