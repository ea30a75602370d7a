"""The trackingFinalizer rule: batchguard's own finalizer, on CREATE only, once."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers.rule_runner import cronjob, job, mutate

from webhook.policy.findings import Enforcement
from webhook.policy.rules.finalizer import TRACKING_FINALIZER

ON = {"trackerDeployed": True}
OURS = "batchguard.io/job-tracking"
JOB_CONTROLLERS = "batch.kubernetes.io/job-tracking"


def with_metadata(**metadata: Any) -> dict[str, Any]:
    obj = job()
    obj["metadata"].update(metadata)
    return obj


@pytest.mark.parametrize(
    ("obj", "config", "patch"),
    [
        (
            job(),
            ON,
            [
                {"op": "add", "path": "/metadata/finalizers", "value": [OURS]},
                {
                    "op": "add",
                    "path": "/metadata/labels",
                    "value": {"batchguard.io/tracked": "true"},
                },
            ],
        ),
        (
            with_metadata(finalizers=["example.com/other"], labels={"app": "etl"}),
            ON,
            [
                {"op": "add", "path": "/metadata/finalizers/1", "value": OURS},
                {
                    "op": "add",
                    "path": "/metadata/labels/batchguard.io~1tracked",
                    "value": "true",
                },
            ],
        ),
        (
            with_metadata(labels={"batchguard.io/tracked": "false"}),
            ON,
            [
                {"op": "add", "path": "/metadata/finalizers", "value": [OURS]},
                {
                    "op": "replace",
                    "path": "/metadata/labels/batchguard.io~1tracked",
                    "value": "true",
                },
            ],
        ),
        (
            job(),
            {**ON, "name": "example.com/job-audit"},
            [
                {
                    "op": "add",
                    "path": "/metadata/finalizers",
                    "value": ["example.com/job-audit"],
                },
                {
                    "op": "add",
                    "path": "/metadata/labels",
                    "value": {"batchguard.io/tracked": "true"},
                },
            ],
        ),
    ],
    ids=[
        "whole-list-and-map-when-absent",
        "appended-to-existing-list-and-map",
        "tracked-label-forced-true",
        "custom-name",
    ],
)
def test_the_finalizer_and_tracked_label_are_added_on_create(
    obj: dict[str, Any], config: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    result = mutate(TRACKING_FINALIZER, obj, config)

    assert result.patch == patch
    assert result.notes == []


def test_the_finalizer_is_never_added_twice() -> None:
    obj = with_metadata(finalizers=[OURS], labels={"batchguard.io/tracked": "true"})

    assert mutate(TRACKING_FINALIZER, obj, ON).patch == []


@pytest.mark.parametrize(
    ("obj", "config", "how"),
    [
        (job(), {}, {}),
        (job(), {"trackerDeployed": False}, {}),
        (job(), {"trackerDeployed": "true"}, {}),
        (job(), ON, {"operation": "UPDATE", "old": job()}),
        (
            job(),
            ON,
            {"operation": "UPDATE", "old": with_metadata(finalizers=[OURS])},
        ),
        (with_metadata(deletionTimestamp="2026-12-03T12:00:00Z"), ON, {}),
        (cronjob(), ON, {"kind": "CronJob"}),
        (with_metadata(finalizers="batchguard.io/job-tracking"), ON, {}),
        ({"kind": "Job", "metadata": None}, ON, {}),
    ],
    ids=[
        "tracker-not-declared",
        "tracker-declared-absent",
        "tracker-flag-not-a-boolean",
        "update",
        "update-that-removes-the-finalizer",
        "being-deleted",
        "cronjob",
        "finalizers-not-a-list",
        "metadata-null",
    ],
)
def test_nothing_is_added_where_the_finalizer_must_not_go(
    obj: dict[str, Any], config: dict[str, Any], how: dict[str, Any]
) -> None:
    result = mutate(TRACKING_FINALIZER, obj, config, **how)

    assert result.patch == []
    assert result.notes == []


def test_the_job_controllers_finalizer_is_refused_even_past_the_schema() -> None:
    result = mutate(TRACKING_FINALIZER, job(), {**ON, "name": JOB_CONTROLLERS})

    assert result.patch == []
    [note] = result.notes
    assert (note.path, note.rule, note.enforcement) == (
        "metadata.finalizers",
        "trackingFinalizer.name",
        Enforcement.WARN,
    )
    assert note.message == (
        "The tracking finalizer 'batch.kubernetes.io/job-tracking' was not added: "
        "it must be batchguard's own finalizer name, not "
        "'batch.kubernetes.io/job-tracking' (the job controller's Pod finalizer, "
        "which nothing removes from a Job)."
    )


def test_applied_mutations_name_the_finalizer_and_label() -> None:
    result = mutate(TRACKING_FINALIZER, job(), ON)

    assert [(a.path, a.message) for a in result.applied] == [
        (
            "metadata.finalizers",
            "Added the tracking finalizer 'batchguard.io/job-tracking'.",
        ),
        (
            "metadata.labels[batchguard.io/tracked]",
            "Set the label 'batchguard.io/tracked' to 'true' so that the tracker "
            "sees the Job.",
        ),
    ]


@pytest.mark.parametrize(
    ("config", "valid"),
    [
        ({"trackerDeployed": True}, True),
        ({"trackerDeployed": True, "name": "example.com/job-audit"}, True),
        ({"trackerDeployed": True, "name": JOB_CONTROLLERS}, False),
        ({"trackerDeployed": True, "name": "job-tracking"}, False),
        ({"trackerDeployed": True, "name": "example/job-tracking"}, False),
        ({"trackerDeployed": True, "name": "Example.com/x"}, False),
        ({"trackerDeployed": "yes"}, False),
        ({"trackerDeployed": True, "finalizer": OURS}, False),
    ],
    ids=[
        "minimal",
        "custom-domain",
        "job-controllers-finalizer",
        "not-qualified",
        "prefix-without-a-dot",
        "uppercase-domain",
        "flag-not-boolean",
        "unknown-option",
    ],
)
def test_the_schema(config: dict[str, Any], valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(TRACKING_FINALIZER.schema)

    assert validator.is_valid(config) is valid


def test_the_schema_explains_why_the_job_controllers_finalizer_is_refused() -> None:
    name = TRACKING_FINALIZER.schema["properties"]["name"]

    jsonschema.Draft202012Validator.check_schema(TRACKING_FINALIZER.schema)
    assert name["not"] == {"const": JOB_CONTROLLERS}
    assert "would never be deleted" in name["description"]
    assert name["default"] == OURS
