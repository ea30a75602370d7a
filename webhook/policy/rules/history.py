"""The ``historyLimits`` rule: how many finished Jobs a CronJob keeps.

The apiserver sets ``successfulJobsHistoryLimit: 3`` and ``failedJobsHistoryLimit:
1`` before the webhook sees a CronJob, so an omitted field and an explicit 3 (or 1)
look the same. A policy default therefore replaces an absent value or the
apiserver's default; any other explicit value, 0 included, is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.rules.base import Event, Rule, RuleContext, cronjob_spec
from webhook.policy.rules.job_limits import (
    CLAMP_PROPERTY,
    Bounds,
    IntField,
    check_bounds,
    integer_property,
    mutate_bounds,
    object_schema,
)

APISERVER_DEFAULTS = {"successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1}


def _fields(ctx: RuleContext) -> Iterator[tuple[IntField, Bounds]]:
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if spec is None:
        return

    old_spec = _old_spec(ctx.old)
    for name in APISERVER_DEFAULTS:
        options = ctx.config.get(name)
        if isinstance(options, Mapping):
            bounds = Bounds.from_config(options, clamp=ctx.config.get("clamp"))
            yield IntField(spec, "spec", name, old_spec), bounds


def _old_spec(old: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    spec = old.get("spec") if old is not None else None
    return spec if isinstance(spec, Mapping) else None


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    for field, bounds in _fields(ctx):
        replaces = APISERVER_DEFAULTS[field.name]
        yield from mutate_bounds(
            ctx, field, bounds=bounds, defaults=True, replaces=replaces
        )


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    for field, bounds in _fields(ctx):
        yield from check_bounds(ctx, field, bounds=bounds)


def _limit_schema(name: str, apiserver_default: int) -> dict[str, Any]:
    return object_schema(
        f"Bounds on spec.{name}.",
        {
            "default": integer_property(
                f"Replaces an absent {name} or the apiserver's default "
                f"{apiserver_default} (the webhook cannot tell an explicit "
                f"{apiserver_default} from an omitted field). Other values, 0 "
                "included, are kept."
            ),
            "maximum": integer_property(f"Largest {name} allowed."),
        },
    )


SCHEMA = object_schema(
    "How many finished Jobs a CronJob keeps.",
    {name: _limit_schema(name, default) for name, default in APISERVER_DEFAULTS.items()}
    | {"clamp": CLAMP_PROPERTY},
)

HISTORY_LIMITS = Rule(
    name="historyLimits",
    description="Default or cap the number of finished Jobs a CronJob keeps.",
    schema=SCHEMA,
    kinds=frozenset({"CronJob"}),
    mutate=_mutate,
    validate=_validate,
)

RULES: tuple[Rule, ...] = (HISTORY_LIMITS,)
