"""The ``schedule`` and ``scheduleHygiene`` rules: what a CronJob's schedule means.

``schedule`` bounds how often a CronJob runs (``minimumInterval``). The interval is
measured on the schedule as written, in UTC, so a DST fall-back that runs a daily
job twice an hour apart does not count against it; ``scheduleHygiene`` reports that.

``scheduleHygiene`` warns about schedules Kubernetes accepts but that probably do
not mean what their author thinks: days that never come (``0 0 31 2 *``), the
day-of-month/day-of-week OR, ``*/1``, steps wider than their range, empty list
elements, ``@every``, runs that a DST change skips or doubles over the next year,
and a ``startingDeadlineSeconds`` shorter than the controller's 10-second loop.

Both look at time from "now" (the rule's clock) for their examples and for the DST
year ahead; `schedule_rules` takes the clock so tests can fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import chain, pairwise
from typing import Any

from webhook.policy.cron import (
    HOUR,
    EverySchedule,
    Schedule,
    ScheduleError,
    SpecSchedule,
    Term,
    parse_duration,
    parse_schedule,
)
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import Rule, RuleContext, cronjob_spec, is_int
from webhook.policy.timezones import TimeZoneError, load_time_zone

Clock = Callable[[], datetime]

CONTROLLER_PERIOD_SECONDS = 10
"""How often the CronJob controller looks at its CronJobs."""

_INTERVAL_WINDOW_YEARS = 28  # every weekday/date/leap-year combination of a century
_LEAP_WINDOW_YEARS = 8
_DST_WINDOW = timedelta(days=366)
_MAX_LISTED_TIMES = 4
_NANOSECONDS = 1_000_000_000

CHECKS = (
    "neverFires",
    "leapDayOnly",
    "daysOr",
    "starStep",
    "largeStep",
    "emptyElement",
    "every",
    "everyRounded",
    "dstSkipped",
    "dstDoubled",
    "startingDeadline",
)
"""The checks of ``scheduleHygiene``, by the names its ``ignore`` option takes."""


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Note:
    """One hygiene observation: the check's name, a sentence, and how to fix it."""

    check: str
    message: str
    hint: str | None = None


# --- how often ------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """The shortest time between two consecutive runs, and an example of it."""

    seconds: int
    first: datetime
    second: datetime


def shortest_gap(schedule: Schedule, *, start: date) -> Gap | None:
    """The shortest interval between consecutive runs, in UTC, from ``start`` on.

    None when the schedule never runs twice. The days are looked at over 28 years,
    which covers every combination of weekday, date and leap year a century has.
    """
    midnight = datetime(start.year, start.month, start.day, tzinfo=UTC)
    if isinstance(schedule, EverySchedule):
        delay = timedelta(seconds=schedule.seconds)
        return Gap(schedule.seconds, midnight, midnight + delay)

    times = schedule.times_of_day()
    days = schedule.days(start, _years_later(start, _INTERVAL_WINDOW_YEARS))
    first_day = next(days, None)
    if not times or first_day is None:
        return None

    gaps = [_within_day(first_day, times), _across_days(first_day, days, times)]
    found = [gap for gap in gaps if gap is not None]
    return min(found, key=lambda gap: gap.seconds) if found else None


def _years_later(day: date, years: int) -> date:
    return day + timedelta(days=365 * years + years // 4)


def _at(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=minutes
    )


def _within_day(day: date, times: list[int]) -> Gap | None:
    pairs = list(pairwise(times))
    if not pairs:
        return None
    first, second = min(pairs, key=lambda pair: pair[1] - pair[0])
    return Gap((second - first) * 60, _at(day, first), _at(day, second))


def _across_days(first_day: date, days: Iterator[date], times: list[int]) -> Gap | None:
    best: tuple[date, date] | None = None
    previous = first_day
    for day in days:
        if best is None or day - previous < best[1] - best[0]:
            best = (previous, day)
            if (day - previous).days == 1:
                break
        previous = day
    if best is None:
        return None
    last_run, next_run = _at(best[0], times[-1]), _at(best[1], times[0])
    return Gap((next_run - last_run) // timedelta(seconds=1), last_run, next_run)


def format_seconds(seconds: int) -> str:
    """``5400`` -> ``1h30m``: a Go-style duration without zero parts."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"


def _format_run(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


def minimum_interval_nanoseconds(value: Any) -> int | None:
    """A ``minimumInterval`` option: whole seconds, or a Go duration such as ``5m``."""
    if is_int(value):
        return int(value) * _NANOSECONDS
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            return None
    return None


def _interval_validate(ctx: RuleContext, clock: Clock) -> Iterator[Finding]:
    minimum = minimum_interval_nanoseconds(ctx.config.get("minimumInterval"))
    spec = cronjob_spec(ctx.obj, ctx.kind)
    schedule = _parsed(spec)
    if minimum is None or schedule is None:
        return

    gap = shortest_gap(schedule, start=clock().date())
    if gap is None or gap.seconds * _NANOSECONDS >= minimum:
        return
    option = ctx.config["minimumInterval"]
    required = format_seconds(option) if is_int(option) else str(option)
    yield ctx.finding(
        "spec.schedule",
        f"schedule {schedule.expression!r} runs at {_format_run(gap.first)} and "
        f"again at {_format_run(gap.second)}, {format_seconds(gap.seconds)} apart; "
        f"this policy requires at least {required} between runs.",
        check="minimumInterval",
        hint=f"Space the runs at least {required} apart.",
    )


# --- hygiene --------------------------------------------------------------------


def schedule_notes(
    schedule: Schedule, *, time_zone: tzinfo | None, now: datetime
) -> list[Note]:
    """What is surprising about a valid schedule, as Kubernetes would run it.

    ``time_zone`` is the CronJob's zone (None: UTC); a ``TZ=`` prefix wins over it,
    as it does in the controller. DST changes are looked for in the year after
    ``now``.
    """
    if isinstance(schedule, EverySchedule):
        return list(_every_notes(schedule))
    zone = schedule.location or time_zone or UTC
    if not _fires(schedule, now.astimezone(zone)):
        return [_never_fires(schedule)]

    notes = list(_leap_day_notes(schedule, start=now.date()))
    notes.extend(_field_notes(schedule))
    notes.extend(_dst_notes(schedule, zone=zone, now=now))
    return notes


def _fires(schedule: SpecSchedule, now: datetime) -> bool:
    # A calendar with no matching day in six years answers faster than Next.
    today = now.date()
    if next(schedule.days(today, _years_later(today, 6)), None) is None:
        return False
    return schedule.next(now) is not None


def _never_fires(schedule: SpecSchedule) -> Note:
    return Note(
        "neverFires",
        f"schedule {schedule.expression!r} never fires: no time in the next five "
        "years matches it, and Kubernetes looks no further",
        "Check the day-of-month against the months: February has at most 29 days; "
        "April, June, September and November have 30.",
    )


def _leap_day_notes(schedule: SpecSchedule, *, start: date) -> Iterator[Note]:
    days = schedule.days(start, _years_later(start, _LEAP_WINDOW_YEARS))
    first = next(days, None)
    if first is None:
        return
    if all((day.month, day.day) == (2, 29) for day in chain([first], days)):
        yield Note(
            "leapDayOnly",
            f"schedule {schedule.expression!r} fires only on February 29, once "
            "every four years",
            "Use '28 2' or '1 3' for a yearly run at the end of February.",
        )


def _field_notes(schedule: SpecSchedule) -> Iterator[Note]:
    if not schedule.fields:
        return
    if schedule.days_or:
        yield Note(
            "daysOr",
            "schedule restricts both day-of-month and day-of-week; Kubernetes runs "
            "the job when EITHER matches (OR)",
            "If you meant days matching both, keep one of the two fields '*' and "
            "check the other in the job.",
        )
    for fld in schedule.fields:
        if fld.has_empty_element:
            yield Note(
                "emptyElement",
                f"{fld.range.name} '{fld.text}' has an empty list element; "
                "Kubernetes ignores it",
                "Remove the extra comma.",
            )
        for term in fld.terms:
            yield from _term_notes(fld.range.name, term)


def _term_notes(field_name: str, term: Term) -> Iterator[Note]:
    if term.star and term.stepped and term.step == 1:
        yield Note(
            "starStep",
            f"{field_name} '{term.text}' is equivalent to '*'",
            "Write '*'.",
        )
    elif term.stepped and term.step > 1 and term.step > term.end - term.start:
        scope = (
            f"the range '{term.text.partition('/')[0]}'"
            if "-" in term.text.partition("/")[0] and not term.star
            else f"{field_name} range"
        )
        yield Note(
            "largeStep",
            f"step {term.step} exceeds {scope}; equivalent to '{term.start}'",
            f"Write '{term.start}', or a step that fits the range.",
        )


def _every_notes(schedule: EverySchedule) -> Iterator[Note]:
    yield Note(
        "every",
        f"'@every' is a non-standard descriptor; runs every {schedule.duration} "
        "counted from the CronJob's last scheduled time, not at fixed clock times",
        "Use five fields for runs at fixed clock times.",
    )
    nanoseconds = parse_duration(schedule.duration)
    if nanoseconds != schedule.seconds * _NANOSECONDS:
        yield Note(
            "everyRounded",
            f"'@every {schedule.duration}' is rounded down to whole seconds and up "
            f"to at least one second: it runs every "
            f"{format_seconds(schedule.seconds)}",
            f"Write '@every {format_seconds(schedule.seconds)}'.",
        )


# --- DST ------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """A change of UTC offset: when, and the offsets before and after."""

    at: int
    before: int
    after: int


def _dst_notes(
    schedule: SpecSchedule, *, zone: tzinfo, now: datetime
) -> Iterator[Note]:
    # A job that runs every hour keeps running every hour across a DST change.
    if schedule.hour & HOUR.all_bits == HOUR.all_bits:
        return

    name = str(zone)
    for change in transitions(zone, start=now, end=now + _DST_WINDOW):
        shift = change.after - change.before
        first = change.at + min(change.before, change.after)
        walls = _affected_walls(schedule, first=first, seconds=abs(shift))
        if walls:
            yield _dst_note(walls, zone=name, skipped=shift > 0)


def _affected_walls(
    schedule: SpecSchedule, *, first: int, seconds: int
) -> list[datetime]:
    """Scheduled wall-clock minutes in ``[first, first + seconds)`` (wall as UTC)."""
    walls = []
    for moment in range(-(-first // 60) * 60, first + seconds, 60):
        hour, minute = divmod(moment // 60 % 1440, 60)
        if 1 << hour & schedule.hour and 1 << minute & schedule.minute:
            wall = datetime.fromtimestamp(moment, UTC).replace(tzinfo=None)
            if schedule.matches(wall):
                walls.append(wall)
    return walls


def _dst_note(walls: list[datetime], *, zone: str, skipped: bool) -> Note:
    day = walls[0].date().isoformat()
    times = _list_times(walls)
    one = len(walls) == 1
    if skipped:
        return Note(
            "dstSkipped",
            f"{times} {'does' if one else 'do'} not exist on {day} in {zone}; "
            f"Kubernetes will skip {'that run' if one else 'those runs'}",
            "Schedule the job outside the hour the clocks skip, or use a zone "
            "without DST such as Etc/UTC.",
        )
    return Note(
        "dstDoubled",
        f"{times} in {zone} {'runs' if one else 'run'} twice on {day} (DST fall-back)",
        "Schedule the job outside the repeated hour, make it safe to run twice, "
        "or use a zone without DST such as Etc/UTC.",
    )


def _list_times(walls: list[datetime]) -> str:
    shown = [wall.strftime("%H:%M") for wall in walls[:_MAX_LISTED_TIMES]]
    hidden = len(walls) - len(shown)
    return ", ".join(shown) + (f" and {hidden} more" if hidden else "")


def transitions(zone: tzinfo, *, start: datetime, end: datetime) -> list[Transition]:
    """The offset changes of ``zone`` between ``start`` and ``end``."""
    first = int(start.timestamp())
    days = (end - start).days
    return _transitions(zone, first - first % 86400, days)


@lru_cache(maxsize=256)
def _transitions(zone: tzinfo, first: int, days: int) -> list[Transition]:
    found = []
    previous = _offset(zone, first)
    for day in range(1, days + 1):
        moment = first + day * 86400
        offset = _offset(zone, moment)
        if offset != previous:
            at = _first_with(zone, low=moment - 86400, high=moment, offset=offset)
            found.append(Transition(at, previous, offset))
            previous = offset
    return found


def _offset(zone: tzinfo, unix: int) -> int:
    offset = datetime.fromtimestamp(unix, zone).utcoffset()
    return 0 if offset is None else offset // timedelta(seconds=1)


def _first_with(zone: tzinfo, *, low: int, high: int, offset: int) -> int:
    """The first second in ``(low, high]`` whose offset is ``offset`` (bisection)."""
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, middle) == offset:
            high = middle
        else:
            low = middle
    return high


# --- the rules ------------------------------------------------------------------


def _parsed(spec: Mapping[str, Any] | None) -> Schedule | None:
    text = spec.get("schedule") if spec is not None else None
    if not isinstance(text, str):
        return None
    try:
        return parse_schedule(text)
    except ScheduleError:
        return None


def cronjob_time_zone(spec: Mapping[str, Any]) -> tzinfo | None:
    """The valid ``spec.timeZone`` of a CronJob spec, else None."""
    name = spec.get("timeZone")
    if not isinstance(name, str):
        return None
    try:
        return load_time_zone(name)
    except TimeZoneError:
        return None


def _hygiene_validate(ctx: RuleContext, clock: Clock) -> Iterator[Finding]:
    spec = cronjob_spec(ctx.obj, ctx.kind)
    if spec is None:
        return

    ignored = set(ctx.config.get("ignore", ()))
    enforcement = ctx.enforcement
    notes = _spec_notes(spec, now=clock())
    for path, note in notes:
        if note.check not in ignored:
            yield ctx.finding(
                path,
                note.message,
                check=note.check,
                hint=note.hint,
                enforcement=enforcement,
            )


def _spec_notes(
    spec: Mapping[str, Any], *, now: datetime
) -> Iterator[tuple[str, Note]]:
    schedule = _parsed(spec)
    if schedule is not None:
        notes = schedule_notes(schedule, time_zone=cronjob_time_zone(spec), now=now)
        yield from (("spec.schedule", note) for note in notes)

    deadline: Any = spec.get("startingDeadlineSeconds")
    if is_int(deadline) and 0 <= deadline < CONTROLLER_PERIOD_SECONDS:
        yield (
            "spec.startingDeadlineSeconds",
            Note(
                "startingDeadline",
                f"startingDeadlineSeconds {deadline} is under "
                f"{CONTROLLER_PERIOD_SECONDS} seconds; the CronJob controller checks "
                f"every {CONTROLLER_PERIOD_SECONDS} seconds, so a run may never start",
                f"Set startingDeadlineSeconds to {CONTROLLER_PERIOD_SECONDS} or more, "
                "or leave it out.",
            ),
        )


_DURATION_PATTERN = r"^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$"

SCHEDULE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "How often a CronJob may run.",
    "properties": {
        "minimumInterval": {
            "description": (
                "The shortest time allowed between two consecutive runs: whole "
                "seconds, or a Go duration such as 5m or 1h30m. Measured on the "
                "schedule in UTC (a DST fall-back does not count)."
            ),
            "oneOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": _DURATION_PATTERN},
            ],
        },
    },
}

HYGIENE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "description": "Warnings about schedules that run other than they seem to.",
    "properties": {
        "ignore": {
            "type": "array",
            "items": {"enum": list(CHECKS)},
            "uniqueItems": True,
            "description": "Checks to leave out.",
        },
    },
}


def schedule_rules(*, clock: Clock = system_clock) -> tuple[Rule, ...]:
    """The two rules, reading the time from ``clock``."""

    def interval(ctx: RuleContext) -> Iterator[Finding]:
        return _interval_validate(ctx, clock)

    def hygiene(ctx: RuleContext) -> Iterator[Finding]:
        return _hygiene_validate(ctx, clock)

    return (
        Rule(
            name="schedule",
            description="Limit how often a CronJob runs.",
            schema=SCHEDULE_SCHEMA,
            kinds=frozenset({"CronJob"}),
            validate=interval,
        ),
        Rule(
            name="scheduleHygiene",
            description=(
                "Warn about CronJob schedules that Kubernetes accepts but runs "
                "other than they seem to."
            ),
            schema=HYGIENE_SCHEMA,
            kinds=frozenset({"CronJob"}),
            validate=hygiene,
            default_enforcement=Enforcement.WARN,
        ),
    )


RULES: tuple[Rule, ...] = schedule_rules()
