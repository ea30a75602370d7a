"""Limits on a Job's integer fields and the suspend requirement.

Rules: ``activeDeadlineSeconds``, ``backoffLimit``, ``parallelism``,
``completions`` and ``suspend``. They act on a Job's ``spec`` and on a CronJob's
``spec.jobTemplate.spec``.

The building blocks for an integer field with a policy default, a maximum, a
clamp switch and a required flag (`Bounds`, `IntField`, `mutate_bounds`,
`check_bounds`) also serve ``ttlSecondsAfterFinished`` and the CronJob history
limits.

Two facts shape them. The apiserver fills in some defaults before any webhook
runs (``backoffLimit: 6``, history limits 3 and 1), so a policy default replaces
an absent value *or* the apiserver's own default. And on UPDATE a value is only
lowered when the update itself changed it: an object admitted before the policy
existed is never rewritten unprompted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import (
    Event,
    JSONObject,
    Rule,
    RuleContext,
    Validator,
    is_int,
    job_specs,
)

MAX_INT32 = 2_147_483_647
BACKOFF_LIMIT_DEFAULT = 6
"""What the apiserver sets when ``backoffLimit`` is omitted (no per-index limit)."""


@dataclass(frozen=True)
class Bounds:
    """What a policy asks of one integer field."""

    default: int | None = None
    maximum: int | None = None
    clamp: bool = False
    """Lower a value above the maximum instead of reporting it."""
    required: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, clamp: Any = None) -> Bounds:
        """Read the options, ignoring any of the wrong type."""
        return cls(
            default=_int_option(config.get("default")),
            maximum=_int_option(config.get("maximum")),
            clamp=(config.get("clamp") if clamp is None else clamp) is True,
            required=config.get("required") is True,
        )


@dataclass(frozen=True)
class IntField:
    """One integer field of the working copy, and what held it before the update."""

    holder: JSONObject
    path: str
    """Path of ``holder``, such as ``spec.jobTemplate.spec``."""
    name: str
    old_holder: Mapping[str, Any] | None = None

    @property
    def value(self) -> Any:
        return self.holder.get(self.name)

    @property
    def field_path(self) -> str:
        return f"{self.path}.{self.name}"

    def changed(self) -> bool:
        """True unless the old object held the same value (or the field is new)."""
        return self.old_holder is None or self.old_holder.get(self.name) != self.value


def job_spec_fields(ctx: RuleContext, name: str) -> Iterator[IntField]:
    """The field ``name`` of the Job spec (or the CronJob's job template spec)."""
    old_specs = dict(job_specs(ctx.old, ctx.kind)) if ctx.old is not None else {}
    for path, spec in job_specs(ctx.obj, ctx.kind):
        yield IntField(spec, path, name, old_specs.get(path))


def mutate_bounds(
    ctx: RuleContext,
    field: IntField,
    *,
    bounds: Bounds,
    defaults: bool,
    replaces: int | None = None,
) -> Iterator[Event]:
    """Apply the default (when ``defaults`` allows it) and then the clamp."""
    if defaults and bounds.default is not None:
        yield from apply_default(ctx, field, default=bounds.default, replaces=replaces)
    if bounds.clamp and bounds.maximum is not None:
        yield from apply_clamp(ctx, field, maximum=bounds.maximum)


def apply_default(
    ctx: RuleContext, field: IntField, *, default: int, replaces: int | None = None
) -> Iterator[Event]:
    """Set ``default`` when the field is absent or holds the apiserver's default."""
    value = field.value
    if value == default or not (value is None or _is_value(value, replaces)):
        return

    field.holder[field.name] = default
    if value is None:
        message = f"Set {field.name} to the policy default {default!r}."
    else:
        message = (
            f"Replaced the apiserver default {value!r} of {field.name} "
            f"with the policy default {default!r}."
        )
    yield ctx.applied(field.field_path, message)


def apply_clamp(ctx: RuleContext, field: IntField, *, maximum: int) -> Iterator[Event]:
    """Lower a value above ``maximum``; on UPDATE only if the update changed it."""
    value = field.value
    if not is_int(value) or value <= maximum:
        return
    if not ctx.creating and not field.changed():
        return

    field.holder[field.name] = maximum
    yield ctx.applied(
        field.field_path,
        f"Lowered {field.name} from {value!r} to the policy maximum {maximum!r}.",
    )
    yield ctx.finding(
        field.field_path,
        f"{field.name} {value!r} is above the policy maximum {maximum!r} "
        f"and was lowered to {maximum!r}.",
        check="clamped",
        enforcement=Enforcement.WARN,
    )


def check_bounds(
    ctx: RuleContext, field: IntField, *, bounds: Bounds
) -> Iterator[Finding]:
    """Findings for a missing required value and for a value above the maximum."""
    value = field.value
    if value is None:
        if bounds.required:
            yield ctx.finding(
                field.field_path,
                f"{field.name} is required by this policy and is not set.",
                check="required",
            )
        return
    if bounds.maximum is not None and is_int(value) and value > bounds.maximum:
        yield ctx.finding(
            field.field_path,
            f"{field.name} {value!r} is above the policy maximum {bounds.maximum!r}.",
            check="maximum",
            hint=f"set it to {bounds.maximum!r} or less",
        )


def defaults_allowed(ctx: RuleContext) -> bool:
    """Defaults go into new Jobs and into any CronJob's (mutable) job template."""
    return ctx.kind == "CronJob" or ctx.creating


def integer_property(description: str, *, minimum: int = 0) -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": minimum,
        "maximum": MAX_INT32,
        "description": description,
    }


def object_schema(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
    }


CLAMP_PROPERTY = {
    "type": "boolean",
    "default": False,
    "description": (
        "true: lower a value above the maximum to the maximum and warn. "
        "false: report it with the rule's enforcement. On UPDATE a value is "
        "lowered only if the update changed it."
    ),
}


def _int_option(value: Any) -> int | None:
    return value if is_int(value) else None


def _is_value(value: Any, expected: int | None) -> bool:
    return expected is not None and is_int(value) and value == expected


def _deadline_mutate(ctx: RuleContext) -> Iterator[Event]:
    bounds = Bounds.from_config(ctx.config)
    for field in job_spec_fields(ctx, "activeDeadlineSeconds"):
        yield from mutate_bounds(
            ctx, field, bounds=bounds, defaults=defaults_allowed(ctx)
        )


def _deadline_validate(ctx: RuleContext) -> Iterator[Finding]:
    bounds = Bounds.from_config(ctx.config)
    for field in job_spec_fields(ctx, "activeDeadlineSeconds"):
        yield from check_bounds(ctx, field, bounds=bounds)


ACTIVE_DEADLINE = Rule(
    name="activeDeadlineSeconds",
    description="Default, cap or require the time limit of a Job's run.",
    schema=object_schema(
        "Bounds on spec.activeDeadlineSeconds, the seconds a Job may run "
        "before it is failed.",
        {
            "default": integer_property(
                "Set when the Job has no activeDeadlineSeconds; new Jobs and "
                "CronJob job templates only (adding a deadline to a running Job "
                "could end it at once).",
                minimum=1,
            ),
            "maximum": integer_property(
                "Largest activeDeadlineSeconds allowed.", minimum=1
            ),
            "clamp": CLAMP_PROPERTY,
            "required": {
                "type": "boolean",
                "default": False,
                "description": "Report a Job without activeDeadlineSeconds.",
            },
        },
    ),
    mutate=_deadline_mutate,
    validate=_deadline_validate,
)


def _backoff_fields(ctx: RuleContext) -> Iterator[IntField]:
    """backoffLimit, except where backoffLimitPerIndex governs retries instead."""
    for field in job_spec_fields(ctx, "backoffLimit"):
        if field.holder.get("backoffLimitPerIndex") is None:
            yield field


def _backoff_mutate(ctx: RuleContext) -> Iterator[Event]:
    bounds = Bounds.from_config(ctx.config)
    for field in _backoff_fields(ctx):
        yield from mutate_bounds(
            ctx,
            field,
            bounds=bounds,
            defaults=defaults_allowed(ctx),
            replaces=BACKOFF_LIMIT_DEFAULT,
        )


def _backoff_validate(ctx: RuleContext) -> Iterator[Finding]:
    bounds = Bounds.from_config(ctx.config)
    for field in _backoff_fields(ctx):
        yield from check_bounds(ctx, field, bounds=bounds)


BACKOFF_LIMIT = Rule(
    name="backoffLimit",
    description="Default or cap the number of retries before a Job fails.",
    schema=object_schema(
        "Bounds on spec.backoffLimit. Jobs with spec.backoffLimitPerIndex are "
        "left alone: the per-index limit governs their retries.",
        {
            "default": integer_property(
                "Replaces an absent backoffLimit or the apiserver's default 6 "
                "(the webhook cannot tell an explicit 6 from an omitted field). "
                "New Jobs and CronJob job templates only."
            ),
            "maximum": integer_property("Largest backoffLimit allowed."),
            "clamp": CLAMP_PROPERTY,
        },
    ),
    mutate=_backoff_mutate,
    validate=_backoff_validate,
)


def _maximum_validator(name: str) -> Validator:
    def validate(ctx: RuleContext) -> Iterator[Finding]:
        bounds = Bounds(maximum=_int_option(ctx.config.get("maximum")))
        for field in job_spec_fields(ctx, name):
            yield from check_bounds(ctx, field, bounds=bounds)

    return validate


PARALLELISM = Rule(
    name="parallelism",
    description="Cap the number of a Job's pods running at once.",
    schema=object_schema(
        "Bounds on spec.parallelism.",
        {"maximum": integer_property("Largest parallelism allowed.")},
    ),
    validate=_maximum_validator("parallelism"),
)

COMPLETIONS = Rule(
    name="completions",
    description="Cap the number of successful pods a Job asks for.",
    schema=object_schema(
        "Bounds on spec.completions (a Job without completions is not checked).",
        {"maximum": integer_property("Largest completions allowed.")},
    ),
    validate=_maximum_validator("completions"),
)


def _as_written(spec: Mapping[str, Any], name: str) -> str:
    """A field's value as a manifest spells it (JSON), or ``not set``."""
    if name not in spec:
        return "not set"
    return json.dumps(spec[name], ensure_ascii=False)


def _suspend_validate(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.config.get("required") is not True or not ctx.creating:
        return

    for path, spec in job_specs(ctx.obj, ctx.kind):
        if spec.get("suspend") is not True:
            yield ctx.finding(
                f"{path}.suspend",
                f"suspend is {_as_written(spec, 'suspend')}; this policy requires "
                "Jobs to be created with suspend true.",
                check="required",
                hint="create the Job suspended and let the approval step resume it",
            )


SUSPEND = Rule(
    name="suspend",
    description="Require Jobs to be created suspended.",
    schema=object_schema(
        "Checks on spec.suspend. Checked on CREATE only: resuming a Job later "
        "is the legitimate end of an approval workflow.",
        {
            "required": {
                "type": "boolean",
                "default": False,
                "description": (
                    "Report a Job (or a CronJob's job template) created without "
                    "suspend: true."
                ),
            },
        },
    ),
    validate=_suspend_validate,
)

RULES: tuple[Rule, ...] = (
    ACTIVE_DEADLINE,
    BACKOFF_LIMIT,
    COMPLETIONS,
    PARALLELISM,
    SUSPEND,
)
