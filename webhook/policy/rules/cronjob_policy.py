"""The ``concurrencyPolicy`` and ``startingDeadlineSeconds`` rules for CronJobs.

The apiserver sets ``concurrencyPolicy: Allow`` before any webhook sees a CronJob,
so an omitted field and an explicit ``Allow`` look the same. A policy ``default``
therefore replaces an absent value *or* ``Allow``; ``Forbid`` and ``Replace`` are
kept. ``startingDeadlineSeconds`` has no apiserver default, so its policy default
applies only when the field is absent. Both act on CREATE and UPDATE: a CronJob's
spec is mutable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.rules.base import Event, Rule, RuleContext, cronjob_spec, is_int
from webhook.policy.rules.job_limits import (
    IntField,
    apply_default,
    integer_property,
    object_schema,
)

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
APISERVER_CONCURRENCY_POLICY = "Allow"
CONCURRENCY_PATH = "spec.concurrencyPolicy"
DEADLINE = "startingDeadlineSeconds"


def _concurrency_mutate(ctx: RuleContext) -> Iterator[Event]:
    default = ctx.config.get("default")
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if default not in CONCURRENCY_POLICIES or spec is None:
        return
    value = spec.get("concurrencyPolicy")
    if value == default or value not in (None, APISERVER_CONCURRENCY_POLICY):
        return

    spec["concurrencyPolicy"] = default
    if value is None:
        message = f"Set concurrencyPolicy to the policy default {default!r}."
    else:
        message = (
            f"Replaced concurrencyPolicy {value!r} (the apiserver's default, which "
            f"an explicit {value!r} cannot be told from) with the policy default "
            f"{default!r}."
        )
    yield ctx.applied(CONCURRENCY_PATH, message)


def _concurrency_validate(ctx: RuleContext) -> Iterator[Finding]:
    allowed = ctx.config.get("allowed")
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if not isinstance(allowed, list) or spec is None:
        return

    value = spec.get("concurrencyPolicy")
    effective = APISERVER_CONCURRENCY_POLICY if value is None else value
    if isinstance(effective, str) and effective not in allowed:
        omitted = " (the default when omitted)" if value is None else ""
        yield ctx.finding(
            CONCURRENCY_PATH,
            f"concurrencyPolicy {effective!r}{omitted} is not allowed by this "
            f"policy; allowed: {', '.join(allowed)}.",
            check="allowed",
            hint=f"Set spec.concurrencyPolicy to {' or '.join(allowed)}.",
        )


CONCURRENCY_POLICY = Rule(
    name="concurrencyPolicy",
    description="Default or restrict what a CronJob does when runs overlap.",
    schema=object_schema(
        "spec.concurrencyPolicy: Allow (overlapping runs), Forbid (skip a run "
        "while one is active) or Replace (stop the active run).",
        {
            "default": {
                "enum": list(CONCURRENCY_POLICIES),
                "description": (
                    "Replaces an absent concurrencyPolicy or the apiserver's "
                    "default Allow (an explicit Allow cannot be told apart from "
                    "an omitted field), on CREATE and UPDATE."
                ),
            },
            "allowed": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": list(CONCURRENCY_POLICIES)},
                "description": (
                    "The values a CronJob may have; an omitted field counts as Allow."
                ),
            },
        },
    ),
    kinds=frozenset({"CronJob"}),
    mutate=_concurrency_mutate,
    validate=_concurrency_validate,
)


def _deadline_field(ctx: RuleContext) -> IntField | None:
    spec = cronjob_spec(ctx.obj, ctx.kind)
    return IntField(spec, "spec", DEADLINE) if spec is not None else None


def _deadline_mutate(ctx: RuleContext) -> Iterator[Event]:
    default: Any = ctx.config.get("default")
    field = _deadline_field(ctx)
    if is_int(default) and field is not None:
        yield from apply_default(ctx, field, default=default)


def _deadline_validate(ctx: RuleContext) -> Iterator[Finding]:
    minimum = ctx.config.get("minimum")
    field = _deadline_field(ctx)
    if not is_int(minimum) or field is None:
        return

    value = field.value
    if is_int(value) and value < minimum:
        yield ctx.finding(
            field.field_path,
            f"{DEADLINE} {value!r} is below the policy minimum {minimum!r}: a run "
            f"that cannot start within {value!r} seconds of its time is skipped.",
            check="minimum",
            hint=f"Set {DEADLINE} to {minimum!r} or more, or leave it out.",
        )


STARTING_DEADLINE = Rule(
    name=DEADLINE,
    description="Default or bound how late a CronJob's run may start.",
    schema=object_schema(
        "spec.startingDeadlineSeconds: how many seconds after its scheduled time "
        "a run may still start; absent means no limit.",
        {
            "default": integer_property(
                "Set when startingDeadlineSeconds is absent (the apiserver has no "
                "default for it), on CREATE and UPDATE."
            ),
            "minimum": integer_property(
                "Smallest startingDeadlineSeconds allowed; an absent field (no "
                "limit) passes."
            ),
        },
    ),
    kinds=frozenset({"CronJob"}),
    mutate=_deadline_mutate,
    validate=_deadline_validate,
)

RULES: tuple[Rule, ...] = (CONCURRENCY_POLICY, STARTING_DEADLINE)
