"""The ``ttlSecondsAfterFinished`` rule: default, cap or require a finished Job's TTL.

The field is mutable on a Job UPDATE, so a missing TTL is added to existing Jobs
too. An explicit value is never replaced by the default (``0`` means "delete at
once" and is kept), and on UPDATE a value above the maximum is lowered only when
the update itself set it.
"""

from __future__ import annotations

from collections.abc import Iterator

from webhook.policy.findings import Finding
from webhook.policy.rules.base import Event, Rule, RuleContext
from webhook.policy.rules.job_limits import (
    CLAMP_PROPERTY,
    Bounds,
    check_bounds,
    integer_property,
    job_spec_fields,
    mutate_bounds,
    object_schema,
)

FIELD = "ttlSecondsAfterFinished"


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    bounds = Bounds.from_config(ctx.config)
    for field in job_spec_fields(ctx, FIELD):
        yield from mutate_bounds(ctx, field, bounds=bounds, defaults=True)


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    bounds = Bounds.from_config(ctx.config)
    for field in job_spec_fields(ctx, FIELD):
        yield from check_bounds(ctx, field, bounds=bounds)


SCHEMA = object_schema(
    "How long finished Jobs are kept before the TTL controller deletes them "
    "(spec.ttlSecondsAfterFinished, in seconds).",
    {
        "default": integer_property(
            "Set when the Job (or the CronJob's job template) has no TTL, on "
            "CREATE and on UPDATE. An explicit value, 0 included, is kept."
        ),
        "maximum": integer_property("Largest TTL allowed, in seconds."),
        "clamp": CLAMP_PROPERTY,
        "required": {
            "type": "boolean",
            "default": False,
            "description": "Report a Job without a TTL (useful without a default).",
        },
    },
)

TTL = Rule(
    name=FIELD,
    description="Default, cap or require the time a finished Job is kept.",
    schema=SCHEMA,
    mutate=_mutate,
    validate=_validate,
)

RULES: tuple[Rule, ...] = (TTL,)
