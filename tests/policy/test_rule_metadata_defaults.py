"""The metadataDefaults rule: escaped keys, whole maps when absent, existing wins."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate

from webhook.policy.findings import Enforcement
from webhook.policy.loader import PolicyLoadError, parse_policies
from webhook.policy.rules.metadata_defaults import METADATA_DEFAULTS

BR_01_POLICY = {
    "annotations": {"example.com/owner-team": "batch"},
    "labels": {"example.com/cost-center": "shared"},
}


def br_01_job() -> dict[str, Any]:
    obj = job()
    obj["metadata"] = {
        "name": "example-job",
        "namespace": "example-ns",
        "annotations": {"existing.example.com/keep": "yes"},
        "labels": {"app": "example"},
    }
    return obj


def test_br_01_keys_with_slash_and_tilde_are_escaped_in_patch_paths() -> None:
    result = mutate(METADATA_DEFAULTS, br_01_job(), BR_01_POLICY)

    assert result.patch == [
        {
            "op": "add",
            "path": "/metadata/annotations/example.com~1owner-team",
            "value": "batch",
        },
        {
            "op": "add",
            "path": "/metadata/labels/example.com~1cost-center",
            "value": "shared",
        },
    ]
    assert result.mutated["metadata"]["annotations"] == {
        "existing.example.com/keep": "yes",
        "example.com/owner-team": "batch",
    }


def test_br_02_absent_maps_are_added_whole_with_unescaped_keys() -> None:
    result = mutate(METADATA_DEFAULTS, job(), BR_01_POLICY)

    assert result.patch == [
        {
            "op": "add",
            "path": "/metadata/annotations",
            "value": {"example.com/owner-team": "batch"},
        },
        {
            "op": "add",
            "path": "/metadata/labels",
            "value": {"example.com/cost-center": "shared"},
        },
    ]


def test_applied_mutations_name_each_key() -> None:
    result = mutate(METADATA_DEFAULTS, job(), BR_01_POLICY)

    assert [(a.path, a.message) for a in result.applied] == [
        (
            "metadata.annotations[example.com/owner-team]",
            "Added the annotation 'example.com/owner-team': 'batch'.",
        ),
        (
            "metadata.labels[example.com/cost-center]",
            "Added the label 'example.com/cost-center': 'shared'.",
        ),
    ]


BOTH = {"labels": {"team": "platform"}, "annotations": {"owner": "batch"}}


@pytest.mark.parametrize(
    ("metadata", "config", "patch"),
    [
        ({"labels": {"team": "data"}}, {"labels": {"team": "platform"}}, []),
        (
            {"labels": {"team": "data"}, "annotations": {}},
            BOTH,
            [{"op": "add", "path": "/metadata/annotations/owner", "value": "batch"}],
        ),
        (
            {"labels": None},
            BOTH,
            [
                {
                    "op": "add",
                    "path": "/metadata/annotations",
                    "value": {"owner": "batch"},
                },
                {
                    "op": "replace",
                    "path": "/metadata/labels",
                    "value": {"team": "platform"},
                },
            ],
        ),
        ({"labels": ["team=data"], "annotations": "owner=me"}, BOTH, []),
    ],
    ids=[
        "existing-value-wins",
        "empty-map-gets-per-key-adds",
        "null-map-counts-as-absent",
        "malformed-maps-left-alone",
    ],
)
def test_existing_values_win_and_malformed_maps_are_skipped(
    metadata: dict[str, Any], config: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    obj = job()
    obj["metadata"] |= metadata

    assert mutate(METADATA_DEFAULTS, obj, config).patch == patch


def test_non_string_values_from_a_policy_that_skipped_the_schema_are_ignored() -> None:
    config = {"labels": {"replicas": 3, "team": "data"}, "annotations": ["x"]}

    result = mutate(METADATA_DEFAULTS, job(), config)

    assert result.patch == [
        {"op": "add", "path": "/metadata/labels", "value": {"team": "data"}}
    ]


POD_TEMPLATE = {"podTemplate": {"labels": {"example.com/tier": "batch"}}}


def test_pod_template_metadata_is_added_whole_on_job_create() -> None:
    result = mutate(METADATA_DEFAULTS, job(), POD_TEMPLATE)

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/template/metadata",
            "value": {"labels": {"example.com/tier": "batch"}},
        }
    ]


def test_pod_template_labels_go_per_key_into_existing_maps() -> None:
    obj = job()
    obj["spec"]["template"]["metadata"] = {"labels": {"app": "etl"}}

    result = mutate(METADATA_DEFAULTS, obj, POD_TEMPLATE)

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/template/metadata/labels/example.com~1tier",
            "value": "batch",
        }
    ]


def test_br_04_job_update_changes_object_metadata_but_never_the_pod_template() -> None:
    old = job()
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"example.com/tier": "b"}
    config = {"annotations": {"owner": "batch"}, **POD_TEMPLATE}

    result = mutate(METADATA_DEFAULTS, new, config, operation="UPDATE", old=old)

    assert result.patch == [
        {"op": "add", "path": "/metadata/annotations", "value": {"owner": "batch"}}
    ]
    assert [(n.path, n.enforcement, n.message) for n in result.notes] == [
        (
            "spec.template.metadata",
            Enforcement.WARN,
            "pod template metadata defaults not applied: "
            "spec.template of an existing Job is immutable",
        )
    ]


def test_job_update_does_not_warn_when_the_template_already_has_the_labels() -> None:
    obj = job()
    obj["spec"]["template"]["metadata"] = {"labels": {"example.com/tier": "x"}}

    result = mutate(METADATA_DEFAULTS, obj, POD_TEMPLATE, operation="UPDATE", old=obj)

    assert result.patch == []
    assert result.notes == []


def test_cronjob_update_may_change_the_job_templates_pod_template() -> None:
    obj = cronjob()

    result = mutate(
        METADATA_DEFAULTS,
        obj,
        POD_TEMPLATE,
        kind="CronJob",
        operation="UPDATE",
        old=obj,
    )

    assert result.patch == [
        {
            "op": "add",
            "path": "/spec/jobTemplate/spec/template/metadata",
            "value": {"labels": {"example.com/tier": "batch"}},
        }
    ]


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        (BR_01_POLICY, True),
        (POD_TEMPLATE, True),
        ({"labels": {"team": "not a valid value"}}, False),
        ({"labels": {"team": "x" * 64}}, False),
        ({"labels": {"team": ""}}, True),
        ({"annotations": {"note": "any text at all, even spaces"}}, True),
        ({"annotations": {"count": 3}}, False),
        ({"labels": {"": "x"}}, False),
        ({"podTemplate": {"finalizers": ["x"]}}, False),
        ({"jobTemplateLabels": {"a": "b"}}, False),
    ],
    ids=[
        "br-01",
        "pod-template",
        "label-value-with-spaces",
        "label-value-too-long",
        "empty-label-value",
        "annotation-free-text",
        "annotation-not-a-string",
        "empty-key",
        "pod-template-unknown-field",
        "unknown-option",
    ],
)
def test_the_schema(config: dict[str, Any], valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(METADATA_DEFAULTS.schema)
    assert validator.is_valid(config) is valid


def test_the_schema_is_a_described_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(METADATA_DEFAULTS.schema)

    assert METADATA_DEFAULTS.schema["additionalProperties"] is False
    assert all(
        "description" in p for p in METADATA_DEFAULTS.schema["properties"].values()
    )


@pytest.mark.parametrize(
    "key",
    ["example.com/cost~center", "bad key!", "UPPER.example/x", "-leading", "a/b/c", ""],
    ids=["tilde", "space", "uppercase-prefix", "leading-dash", "two-slashes", "empty"],
)
@pytest.mark.parametrize("map_name", ["labels", "annotations"])
def test_keys_the_apiserver_would_refuse_fail_the_policy_load(
    map_name: str, key: str
) -> None:
    text = (
        "apiVersion: batchguard.io/v1alpha1\nkind: BatchPolicy\n"
        "metadata: {name: p}\nspec:\n  rules:\n    metadataDefaults:\n"
        f"      {map_name}: {{{json.dumps(key)}: v}}\n"
    )

    with pytest.raises(PolicyLoadError) as raised:
        parse_policies(text, path=Path("p.yaml"))

    assert f"spec.rules.metadataDefaults.{map_name}: " in str(raised.value)
    assert "does not match" in str(raised.value)
