"""The ``timeZone`` and ``timeZoneHygiene`` rules: the zone a CronJob runs in.

``timeZone`` injects a default zone, requires one, or restricts the allowed zones.
The apiserver does not default ``spec.timeZone``, so the default applies only when
the field is absent, on CREATE and on UPDATE (a CronJob's spec is mutable; note
that adding a zone to an existing CronJob moves its runs to that zone's clock). It
is never added to a schedule with a ``TZ=``/``CRON_TZ=`` prefix: the apiserver
refuses the two together.

``timeZoneHygiene`` warns about deprecated zone names (``US/Eastern``) and about
``Etc/GMT+N`` zones, whose sign is the reverse of the UTC offset they stand for.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import Event, Rule, RuleContext, cronjob_spec
from webhook.policy.rules.schedule import Note
from webhook.policy.timezones import canonical_name, posix_sign_note, time_zone_errors

PATH = "spec.timeZone"


def time_zone_notes(name: str) -> list[Note]:
    """Warnings about a valid zone name: a deprecated alias, an inverted sign."""
    notes = []
    canonical = canonical_name(name)
    if canonical is not None:
        notes.append(
            Note(
                "deprecatedAlias",
                f"{name!r} is a deprecated alias; use {canonical}",
                f"Set timeZone to {canonical!r}; it runs on the same clock.",
            )
        )
    sign = posix_sign_note(name)
    if sign is not None:
        notes.append(
            Note(
                "invertedSign",
                sign,
                "Check the offset you meant; a named zone such as Asia/Dubai "
                "avoids the confusion.",
            )
        )
    return notes


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    default = ctx.config.get("default")
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if not isinstance(default, str) or spec is None or spec.get("timeZone") is not None:
        return
    schedule = spec.get("schedule")
    if not isinstance(schedule, str) or "TZ" in schedule:
        return

    errors = time_zone_errors(default)
    if errors:
        yield ctx.finding(
            PATH,
            f"The policy default timeZone {default!r} was not applied: {errors[-1]}.",
            check="default",
            hint="Fix the policy's default to an IANA zone name.",
            enforcement=Enforcement.WARN,
        )
        return
    spec["timeZone"] = default
    yield ctx.applied(PATH, f"Set timeZone to the policy default {default!r}.")


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if spec is None:
        return

    time_zone = spec.get("timeZone")
    if time_zone is None:
        if ctx.config.get("required") is True:
            yield ctx.finding(
                PATH,
                "timeZone is required by this policy and is not set; the CronJob "
                "would run on the controller's clock (usually UTC).",
                check="required",
                hint="Set spec.timeZone to an IANA zone such as Europe/Berlin.",
            )
        return
    allowed = ctx.config.get("allowed")
    if isinstance(time_zone, str) and isinstance(allowed, list):
        if not any(fnmatchcase(time_zone, pattern) for pattern in allowed):
            yield ctx.finding(
                PATH,
                f"timeZone {time_zone!r} is not allowed by this policy; allowed: "
                f"{', '.join(allowed)}.",
                check="allowed",
                hint=f"Use a zone matching one of: {', '.join(allowed)}.",
            )


def _hygiene_validate(ctx: RuleContext) -> Iterator[Finding]:
    spec = cronjob_spec(ctx.obj, ctx.kind)
    time_zone = spec.get("timeZone") if spec is not None else None
    if not isinstance(time_zone, str) or time_zone_errors(time_zone):
        return

    enforcement = ctx.enforcement
    for note in time_zone_notes(time_zone):
        yield ctx.finding(
            PATH,
            note.message,
            check=note.check,
            hint=note.hint,
            enforcement=enforcement,
        )


TIME_ZONE = Rule(
    name="timeZone",
    description="Default, require or restrict a CronJob's spec.timeZone.",
    schema={
        "type": "object",
        "additionalProperties": False,
        "description": "The zone a CronJob's schedule is read in.",
        "properties": {
            "default": {
                "type": "string",
                "minLength": 1,
                "description": (
                    "Set when spec.timeZone is absent and the schedule has no "
                    "TZ=/CRON_TZ= prefix, on CREATE and UPDATE. An IANA name "
                    "such as Etc/UTC."
                ),
            },
            "required": {
                "type": "boolean",
                "default": False,
                "description": "Report a CronJob without spec.timeZone.",
            },
            "allowed": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "minLength": 1},
                "description": (
                    "Globs the zone must match, such as Europe/* or Etc/UTC "
                    "(case-sensitive, as zone names are)."
                ),
            },
        },
    },
    kinds=frozenset({"CronJob"}),
    mutate=_mutate,
    validate=_validate,
)

TIME_ZONE_HYGIENE = Rule(
    name="timeZoneHygiene",
    description="Warn about deprecated and sign-inverted time zone names.",
    schema={
        "type": "object",
        "additionalProperties": False,
        "description": (
            "Warnings about valid but misleading spec.timeZone values: deprecated "
            "aliases (US/Eastern) and Etc/GMT+N, which means UTC-N."
        ),
        "properties": {},
    },
    kinds=frozenset({"CronJob"}),
    validate=_hygiene_validate,
    default_enforcement=Enforcement.WARN,
)

RULES: tuple[Rule, ...] = (TIME_ZONE, TIME_ZONE_HYGIENE)
