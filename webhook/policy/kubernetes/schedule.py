"""The kube-apiserver's checks of a CronJob's ``schedule`` and ``timeZone``.

``validateCronJobSpec`` requires a schedule, parses it with robfig/cron's
``ParseStandard`` (`webhook.policy.cron`), refuses a ``TZ=``/``CRON_TZ=`` prefix
(it looks for the substring ``TZ`` anywhere) unless an UPDATE keeps one the old
schedule already had, and checks ``timeZone`` (`webhook.policy.timezones`) only on
CREATE or when an UPDATE changes it, so an old invalid zone does not block other
updates.

One difference: the apiserver panics on a ``TZ=`` prefix without a space after it
and answers 500; batchguard reports it as an invalid schedule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.cron import ScheduleError, parse_schedule
from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.shapes import RULE as FIELD_TYPE_RULE
from webhook.policy.kubernetes.shapes import brief
from webhook.policy.timezones import (
    EMPTY_MESSAGE,
    LOCAL_MESSAGE,
    suggestion,
    time_zone_errors,
)

TZ_REFUSED = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
TZ_WITH_TIME_ZONE = "cannot use both timeZone field and TZ or CRON_TZ in schedule"
_TZ_HINT = "Set spec.timeZone to the zone and drop the TZ=/CRON_TZ= prefix."


def validate_schedule(
    spec: Mapping[str, Any],
    *,
    old_spec: Mapping[str, Any] | None,
    path: str = "spec",
) -> Iterator[Finding]:
    """Findings for ``spec.schedule`` and ``spec.timeZone``, in the apiserver's order.

    ``spec`` is the CronJob spec as sent (wrong JSON types are reported here);
    ``old_spec`` is the spec before an UPDATE, or None on CREATE.
    """
    yield from _schedule_findings(spec, old_spec=old_spec, path=f"{path}.schedule")
    yield from _time_zone_findings(spec, old_spec=old_spec, path=f"{path}.timeZone")


def schedule_errors(
    schedule: str, *, time_zone_set: bool, old_schedule: str | None
) -> list[tuple[str, str | None]]:
    """``validateScheduleFormat``: ``(detail, hint)`` for each error, in order.

    ``old_schedule`` is the schedule before an UPDATE, or None on CREATE.
    """
    errors: list[tuple[str, str | None]] = []
    try:
        parse_schedule(schedule)
    except ScheduleError as error:
        errors.append((error.message, error.hint))

    allow_tz = old_schedule is not None and "TZ" in old_schedule
    if "TZ" in schedule:
        if not allow_tz:
            errors.append((TZ_REFUSED, _TZ_HINT))
        elif time_zone_set:
            errors.append((TZ_WITH_TIME_ZONE, _TZ_HINT))
    return errors


def _schedule_findings(
    spec: Mapping[str, Any], *, old_spec: Mapping[str, Any] | None, path: str
) -> Iterator[Finding]:
    schedule = spec.get("schedule")
    if schedule is None or schedule == "":
        yield field_errors.required(
            path, rule="schedule", hint="Set a schedule such as '0 3 * * *'."
        )
        return
    if not isinstance(schedule, str):
        yield _wrong_type(path, schedule)
        return

    old_schedule = old_spec.get("schedule") if old_spec is not None else None
    errors = schedule_errors(
        schedule,
        time_zone_set=spec.get("timeZone") is not None,
        old_schedule=old_schedule if isinstance(old_schedule, str) else None,
    )
    for detail, hint in errors:
        yield field_errors.invalid(path, schedule, detail, rule="schedule", hint=hint)


def _time_zone_findings(
    spec: Mapping[str, Any], *, old_spec: Mapping[str, Any] | None, path: str
) -> Iterator[Finding]:
    time_zone = spec.get("timeZone")
    if time_zone is None:
        return
    if not isinstance(time_zone, str):
        yield _wrong_type(path, time_zone)
        return
    if old_spec is not None and old_spec.get("timeZone") == time_zone:
        return

    for detail in time_zone_errors(time_zone):
        yield field_errors.invalid(
            path,
            time_zone,
            detail,
            rule="timeZone",
            hint=_time_zone_hint(time_zone, detail),
        )


def _time_zone_hint(time_zone: str, detail: str) -> str:
    if detail == EMPTY_MESSAGE:
        return "Remove timeZone (the controller's zone, usually UTC) or name a zone."
    if detail == LOCAL_MESSAGE:
        return "Name the zone explicitly, such as Etc/UTC or Europe/Berlin."
    close = suggestion(time_zone.strip())
    if close is not None:
        return f"Zone names are case-sensitive; did you mean {close!r}?"
    return "Use an IANA zone name such as Europe/Berlin or America/New_York."


def _wrong_type(path: str, value: Any) -> Finding:
    return field_errors.invalid(
        path,
        brief(value),
        "must be a string",
        rule=FIELD_TYPE_RULE,
        hint="Fix the YAML type of this field; the apiserver cannot decode it.",
    )
