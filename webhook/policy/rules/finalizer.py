"""The ``trackingFinalizer`` rule: hold new Jobs until the tracker records them.

The rule puts batchguard's own finalizer on a Job when it is created, and the
tracker (a controller shipped with batchguard) removes it once it has recorded
the Job's outcome. A finalizer that nothing removes keeps a Job in Terminating
forever, so the rule does nothing unless the policy states that the tracker is
deployed, and it refuses ``batch.kubernetes.io/job-tracking``: that name belongs
to the job controller, which puts it on Pods and never removes it from a Job.

The finalizer is added on CREATE only: never on UPDATE (so it is not put back by
the update that removes it), never to an object being deleted (the apiserver
forbids new finalizers then), and never twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from webhook.policy.findings import Enforcement
from webhook.policy.rules.base import Event, JSONObject, Rule, RuleContext

DEFAULT_NAME = "batchguard.io/job-tracking"
JOB_CONTROLLER_FINALIZER = "batch.kubernetes.io/job-tracking"  # never put on a Job
TRACKED_LABEL = "batchguard.io/tracked"
"""Label on tracked Jobs, so that the tracker can watch them with a selector."""

_QUALIFIED_FINALIZER = (
    r"^(?=.{1,253}/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+"
    r"/(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    metadata = ctx.obj.get("metadata")
    if not isinstance(metadata, dict) or not _applies(ctx, metadata):
        return
    name = ctx.config.get("name", DEFAULT_NAME)
    if name == JOB_CONTROLLER_FINALIZER or not isinstance(name, str):
        yield _refused(ctx, name)
        return

    yield from _add_finalizer(ctx, metadata, name)
    finalizers = metadata.get("finalizers")
    if isinstance(finalizers, list) and name in finalizers:
        yield from _add_label(ctx, metadata)


def _applies(ctx: RuleContext, metadata: JSONObject) -> bool:
    return (
        ctx.config.get("trackerDeployed") is True
        and ctx.kind == "Job"
        and ctx.creating
        and metadata.get("deletionTimestamp") is None
    )


def _refused(ctx: RuleContext, name: Any) -> Event:
    return ctx.finding(
        "metadata.finalizers",
        f"The tracking finalizer {name!r} was not added: it must be batchguard's "
        f"own finalizer name, not {JOB_CONTROLLER_FINALIZER!r} (the job "
        "controller's Pod finalizer, which nothing removes from a Job).",
        check="name",
        enforcement=Enforcement.WARN,
        hint=f"use the default {DEFAULT_NAME!r}",
    )


def _add_finalizer(
    ctx: RuleContext, metadata: JSONObject, name: str
) -> Iterator[Event]:
    finalizers = metadata.get("finalizers")
    if finalizers is None:
        metadata["finalizers"] = [name]
    elif isinstance(finalizers, list) and name not in finalizers:
        finalizers.append(name)
    else:
        return
    yield ctx.applied("metadata.finalizers", f"Added the tracking finalizer {name!r}.")


def _add_label(ctx: RuleContext, metadata: JSONObject) -> Iterator[Event]:
    labels = metadata.get("labels")
    if labels is None:
        metadata["labels"] = labels = {}
    if not isinstance(labels, dict) or labels.get(TRACKED_LABEL) == "true":
        return

    labels[TRACKED_LABEL] = "true"
    yield ctx.applied(
        f"metadata.labels[{TRACKED_LABEL}]",
        f"Set the label {TRACKED_LABEL!r} to 'true' so that the tracker sees the Job.",
    )


SCHEMA = {
    "type": "object",
    "description": (
        "Put batchguard's finalizer on new Jobs so that the tracker can record "
        "each Job's outcome before the Job is deleted."
    ),
    "additionalProperties": False,
    "properties": {
        "trackerDeployed": {
            "type": "boolean",
            "description": (
                "Must be true for the rule to do anything: state that the "
                "batchguard tracker runs in this cluster. Without it nothing "
                "removes the finalizer and every Job would stay Terminating "
                "when deleted."
            ),
        },
        "name": {
            "type": "string",
            "default": DEFAULT_NAME,
            "maxLength": 317,
            "pattern": _QUALIFIED_FINALIZER,
            "not": {"const": JOB_CONTROLLER_FINALIZER},
            "description": (
                "The finalizer name: domain-qualified, and the one the tracker "
                f"removes. Never {JOB_CONTROLLER_FINALIZER!r}: that is the job "
                "controller's Pod finalizer, nothing removes it from a Job, so "
                "the Job would never be deleted."
            ),
        },
    },
}

TRACKING_FINALIZER = Rule(
    name="trackingFinalizer",
    description="Add batchguard's tracking finalizer to new Jobs.",
    schema=SCHEMA,
    kinds=frozenset({"Job"}),
    mutate=_mutate,
    default_enforcement=Enforcement.WARN,
)

RULES: tuple[Rule, ...] = (TRACKING_FINALIZER,)
