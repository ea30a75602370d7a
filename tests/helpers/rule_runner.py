"""Run one policy rule on one object, the way the engine does, and check the patch.

``mutate`` applies a rule's mutation to a copy of the object and returns the JSON
Patch from the object to that copy. On the way it asserts the two properties every
mutation must have: the patch applied to the original gives the mutated object,
and mutating the result again changes nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

import jsonpatch

from webhook.policy.findings import Applied, Finding
from webhook.policy.rules.base import Kind, Operation, Rule, RuleContext


@dataclass(frozen=True)
class Mutation:
    patch: list[dict[str, Any]]
    mutated: dict[str, Any]
    applied: list[Applied]
    notes: list[Finding]

    @property
    def messages(self) -> list[str]:
        return [note.message for note in self.notes]


def context(
    rule: Rule,
    obj: dict[str, Any],
    config: dict[str, Any],
    *,
    kind: Kind = "Job",
    operation: Operation = "CREATE",
    old: dict[str, Any] | None = None,
) -> RuleContext:
    return RuleContext(
        obj=obj,
        kind=kind,
        operation=operation,
        config=config,
        policy="test-policy",
        rule=rule.name,
        old=old,
        default_enforcement=rule.default_enforcement,
    )


def mutate(
    rule: Rule, obj: dict[str, Any], config: dict[str, Any], **how: Any
) -> Mutation:
    assert rule.mutate is not None
    working = copy.deepcopy(obj)
    ctx = context(rule, working, config, **how)
    events = list(rule.mutate(ctx))

    patch = jsonpatch.make_patch(obj, working).patch
    assert jsonpatch.apply_patch(obj, patch) == working
    again = copy.deepcopy(working)
    list(rule.mutate(replace(ctx, obj=again)))
    assert again == working, "a second mutation changed the object"

    return Mutation(
        patch=patch,
        mutated=working,
        applied=[event for event in events if isinstance(event, Applied)],
        notes=[event for event in events if isinstance(event, Finding)],
    )


def validate(
    rule: Rule, obj: dict[str, Any], config: dict[str, Any], **how: Any
) -> list[Finding]:
    assert rule.validate is not None
    return list(rule.validate(context(rule, copy.deepcopy(obj), config, **how)))


def job(**spec: Any) -> dict[str, Any]:
    """A minimal valid Job with one container named ``main``."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "example-job", "namespace": "example-ns"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "registry.example/a:1"}],
                }
            },
            **spec,
        },
    }


def cronjob(**job_spec: Any) -> dict[str, Any]:
    """The base CronJob, its job template holding ``job_spec`` fields."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "example-report", "namespace": "example-ns"},
        "spec": {
            "schedule": "0 18 * * *",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": job(**job_spec)["spec"]},
        },
    }
