"""Cron schedules exactly as Kubernetes reads and runs them.

The kube-apiserver validates ``spec.schedule`` with ``cron.ParseStandard`` from
robfig/cron v3.0.1, and the CronJob controller runs the result with
``Schedule.Next``. This module is a reimplementation of both, not an approximation:

- the grammar and every error text of ``ParseStandard``, including the Go
  ``strconv.Atoi`` and ``time.ParseDuration`` messages robfig embeds;
- the bit sets robfig builds, with its "star" flag that decides whether the
  day-of-month and day-of-week fields are ANDed or ORed;
- ``Next``'s search over wall-clock fields with Go's ``time.Date`` normalisation,
  so a run in a spring-forward gap is skipped and a run in a fall-back hour
  happens twice, and its five-year bound (None means "never fires");
- ``@every <duration>``: the start truncated to the second plus the duration, the
  duration rounded down to whole seconds and at least one second.

One deliberate difference: robfig panics on a ``TZ=``/``CRON_TZ=`` prefix with no
space after it (robfig/cron issues #470, #554); `parse_schedule` raises
`ScheduleError` instead (see `TZ_PREFIX_WITHOUT_SPACE`).

Exceptions::

    ValueError
     └── ScheduleError      robfig's message as str(); .hint says how to fix it
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final

from webhook.policy.timezones import TimeZoneError, load_location

STAR_BIT: Final = 1 << 63
"""Set in a field's bits when robfig saw ``*`` or ``?`` with no step above 1."""

_MASK64: Final = (1 << 64) - 1
_INT64_LIMIT: Final = 1 << 63
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_SECOND: Final = timedelta(seconds=1)
_NANOSECONDS: Final = 1_000_000_000
# Next looks five years ahead; Python datetimes end with the year 9999.
_LAST_START_YEAR: Final = 9993

TZ_PREFIX_WITHOUT_SPACE: Final = (
    "a TZ= or CRON_TZ= prefix must be followed by a space and the schedule: {spec}"
)
"""The message for the input robfig panics on (batchguard's own wording)."""

DESCRIPTORS: Final = (
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
)
EVERY_PREFIX: Final = "@every "


class ScheduleError(ValueError):
    """A schedule ``cron.ParseStandard`` refuses; ``str()`` is robfig's message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        """How to fix it, as a sentence (None when there is nothing useful to say)."""

    def __str__(self) -> str:
        return self.message


class _ReversedRange(ScheduleError):
    """A range such as ``22-2``; ``wrapped`` is ``term`` split at the field's end."""

    def __init__(self, message: str, *, term: str, wrapped: str) -> None:
        super().__init__(message)
        self.term = term
        self.wrapped = wrapped


# --- the fields -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldRange:
    """The values one field accepts (robfig's ``bounds``)."""

    name: str
    low: int
    high: int
    names: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def all_bits(self) -> int:
        return _bits(self.low, self.high, 1)


MINUTE = FieldRange("minute", 0, 59)
HOUR = FieldRange("hour", 0, 23)
DAY_OF_MONTH = FieldRange("day-of-month", 1, 31)
MONTH = FieldRange(
    "month",
    1,
    12,
    {
        name: number
        for number, name in enumerate(
            "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
        )
    },
)
DAY_OF_WEEK = FieldRange(
    "day-of-week",
    0,
    6,
    {name: number for number, name in enumerate("sun mon tue wed thu fri sat".split())},
)
FIELD_RANGES: Final = (MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK)


@dataclass(frozen=True)
class Term:
    """One comma-separated element of a field, as robfig read it."""

    text: str
    start: int
    end: int
    step: int
    star: bool
    """Written as ``*`` or ``?``."""
    stepped: bool
    """Written with ``/step``."""
    bits: int


@dataclass(frozen=True)
class Field:
    """One of the five fields of a standard schedule."""

    range: FieldRange
    text: str
    terms: tuple[Term, ...]
    bits: int

    @property
    def has_empty_element(self) -> bool:
        """``0,,5``, ``,5`` or ``5,``: robfig skips the empty element silently."""
        return "" in self.text.split(",")


# --- schedules ------------------------------------------------------------------


@dataclass(frozen=True)
class SpecSchedule:
    """A schedule of fields (robfig's ``SpecSchedule``); descriptors are one too."""

    expression: str
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: tzinfo | None = None
    """The zone of a ``TZ=`` prefix; None runs in the zone of the time given."""
    fields: tuple[Field, ...] = ()
    """The five fields as written; empty for a descriptor such as ``@daily``."""
    descriptor: str | None = None

    @property
    def days_or(self) -> bool:
        """Both day fields restricted: a day matches when EITHER matches."""
        return not (self.dom | self.dow) & STAR_BIT

    def next(self, after: datetime) -> datetime | None:
        """The first run strictly after ``after`` (aware), or None if it never runs.

        Runs in ``location`` if the schedule had a ``TZ=`` prefix, else in the zone
        of ``after``; the result is in the zone of ``after``.
        """
        clock = _Clock(self.location or _zone_of(after))
        start = _unix_seconds(after) + 1
        if self._never_matches():
            return None
        found = _Search(self, clock, start).run()
        return None if found is None else datetime.fromtimestamp(found, after.tzinfo)

    def matches_day(self, day: date) -> bool:
        """robfig's ``dayMatches`` for a calendar day."""
        dom = bool(1 << day.day & self.dom)
        dow = bool(1 << day.isoweekday() % 7 & self.dow)
        return (dom or dow) if self.days_or else (dom and dow)

    def matches(self, wall: datetime) -> bool:
        """True if the wall-clock time (seconds ignored) is one the schedule names."""
        return (
            bool(1 << wall.month & self.month)
            and self.matches_day(wall.date())
            and bool(1 << wall.hour & self.hour)
            and bool(1 << wall.minute & self.minute)
        )

    def days(self, start: date, end: date) -> Iterator[date]:
        """The days in ``[start, end)`` with runs, in order (month by month)."""
        year, month = start.year, start.month
        while date(year, month, 1) < end:
            for day in self._days_of_month(year, month):
                if start <= day < end:
                    yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _days_of_month(self, year: int, month: int) -> Iterator[date]:
        if not 1 << month & self.month:
            return
        first = date(year, month, 1)
        length = _days_in_month(year, month)
        in_month = _bits(1, length, 1)
        by_dom = self.dom & in_month
        by_dow = _weekday_days(first.isoweekday() % 7, self.dow) & in_month
        chosen = by_dom | by_dow if self.days_or else by_dom & by_dow
        for day in range(1, length + 1):
            if 1 << day & chosen:
                yield first.replace(day=day)

    def times_of_day(self) -> list[int]:
        """Minutes after midnight of the runs on a day with runs, in order."""
        return [
            hour * 60 + minute
            for hour in _values(self.hour, HOUR)
            for minute in _values(self.minute, MINUTE)
        ]

    def _never_matches(self) -> bool:
        # Next would only give up after five years of searching; say so at once.
        dom = self.dom & DAY_OF_MONTH.all_bits
        dow = self.dow & DAY_OF_WEEK.all_bits
        return (
            not self.minute & MINUTE.all_bits
            or not self.hour & HOUR.all_bits
            or not self.month & MONTH.all_bits
            or not (dom or dow if self.days_or else dom and dow)
        )


@dataclass(frozen=True)
class EverySchedule:
    """``@every <duration>`` (robfig's ``ConstantDelaySchedule``)."""

    expression: str
    seconds: int
    """The delay: the duration rounded down to whole seconds, at least 1."""
    duration: str
    """The duration as written."""
    location: tzinfo | None = None

    def next(self, after: datetime) -> datetime:
        """``after`` truncated to the second, plus the delay."""
        _zone_of(after)
        return datetime.fromtimestamp(_unix_seconds(after) + self.seconds, after.tzinfo)


Schedule = SpecSchedule | EverySchedule


def next_runs(
    schedule: Schedule,
    *,
    time_zone: tzinfo | None = None,
    start: datetime,
    count: int,
) -> list[datetime]:
    """The next ``count`` runs after ``start``, as the CronJob controller runs them.

    ``time_zone`` is the CronJob's ``spec.timeZone`` (None: UTC, the zone of a
    controller-manager that has none configured). The runs come back in that zone;
    fewer than ``count`` if the schedule stops firing.
    """
    current = start.astimezone(time_zone or UTC)
    runs: list[datetime] = []
    for _ in range(count):
        following = schedule.next(current)
        if following is None:
            break
        runs.append(following)
        current = following
    return runs


# --- parsing --------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def parse_schedule(expression: str) -> Schedule:
    """Parse a schedule as ``cron.ParseStandard`` does.

    Raises `ScheduleError` whose ``str()`` is robfig's error text. Schedules are
    immutable, so a parse is cached: one review asks for it several times, and a
    cluster's CronJobs share a handful of schedules.
    """
    if not expression:
        raise ScheduleError(
            "empty spec string", hint="Write a schedule such as '0 3 * * *'."
        )

    location, spec = _split_location(expression)
    if spec.startswith("@"):
        return _parse_descriptor(spec, expression=expression, location=location)
    return _parse_fields(spec, expression=expression, location=location)


def _split_location(expression: str) -> tuple[tzinfo | None, str]:
    if not expression.startswith(("TZ=", "CRON_TZ=")):
        return None, expression

    space = expression.find(" ")
    if space == -1:
        raise ScheduleError(
            TZ_PREFIX_WITHOUT_SPACE.format(spec=expression),
            hint="Set spec.timeZone and drop the TZ= prefix.",
        )
    name = expression[expression.find("=") + 1 : space]
    try:
        location = load_location(name)
    except TimeZoneError as error:
        raise ScheduleError(
            f"provided bad location {name}: {error}",
            hint="Set spec.timeZone and drop the TZ= prefix.",
        ) from None
    return location, _go_trim_space(expression[space:])


def _parse_descriptor(
    spec: str, *, expression: str, location: tzinfo | None
) -> Schedule:
    if spec in DESCRIPTORS:
        return _descriptor_schedule(spec, expression=expression, location=location)
    if spec.startswith(EVERY_PREFIX):
        duration = spec[len(EVERY_PREFIX) :]
        try:
            nanoseconds = parse_duration(duration)
        except ValueError as error:
            raise ScheduleError(
                f"failed to parse duration {spec}: {error}",
                hint=(
                    "Write a Go duration such as 90m or 1h30m; the units are h, m, "
                    "s, ms, us and ns (there is no d)."
                ),
            ) from None
        seconds = max(nanoseconds, _NANOSECONDS) // _NANOSECONDS
        return EverySchedule(expression, seconds, duration, location)
    raise ScheduleError(
        f"unrecognized descriptor: {spec}",
        hint=(
            "The descriptors are "
            + ", ".join(DESCRIPTORS)
            + " and @every <duration>; otherwise write five fields."
        ),
    )


def _descriptor_schedule(
    spec: str, *, expression: str, location: tzinfo | None
) -> SpecSchedule:
    every_day = DAY_OF_MONTH.all_bits | STAR_BIT
    every_month = MONTH.all_bits | STAR_BIT
    every_weekday = DAY_OF_WEEK.all_bits | STAR_BIT
    day, month, weekday, hour = {
        "@yearly": (1 << 1, 1 << 1, every_weekday, 1),
        "@annually": (1 << 1, 1 << 1, every_weekday, 1),
        "@monthly": (1 << 1, every_month, every_weekday, 1),
        "@weekly": (every_day, every_month, 1 << 0, 1),
        "@daily": (every_day, every_month, every_weekday, 1),
        "@midnight": (every_day, every_month, every_weekday, 1),
        "@hourly": (every_day, every_month, every_weekday, HOUR.all_bits | STAR_BIT),
    }[spec]
    return SpecSchedule(
        expression,
        minute=1,
        hour=hour,
        dom=day,
        month=month,
        dow=weekday,
        location=location,
        descriptor=spec,
    )


def _parse_fields(
    spec: str, *, expression: str, location: tzinfo | None
) -> SpecSchedule:
    texts = _go_fields(spec)
    if len(texts) != 5:
        raise ScheduleError(
            f"expected exactly 5 fields, found {len(texts)}: [{' '.join(texts)}]",
            hint=_field_count_hint(len(texts)),
        )

    parsed = []
    for index, text in enumerate(texts):
        try:
            parsed.append(_parse_field(text, index))
        except _ReversedRange as error:
            fixed = list(texts)
            fixed[index] = _replace_term(text, error.term, error.wrapped)
            raise ScheduleError(
                error.message,
                hint=f"Ranges cannot wrap around; write {' '.join(fixed)!r} instead.",
            ) from None
    minute, hour, dom, month, dow = parsed
    return SpecSchedule(
        expression,
        minute=minute.bits,
        hour=hour.bits,
        dom=dom.bits,
        month=month.bits,
        dow=dow.bits,
        location=location,
        fields=tuple(parsed),
    )


def _field_count_hint(count: int) -> str:
    five = "five fields (minute hour day-of-month month day-of-week)"
    if count == 6:
        return (
            f"Kubernetes schedules have exactly {five}; drop the seconds field "
            "(Quartz, Spring) or the year field."
        )
    if count == 7:
        return (
            f"Kubernetes schedules have exactly {five}; drop the seconds and year "
            "fields."
        )
    return f"Write {five} or a descriptor such as @daily."


def _replace_term(text: str, term: str, replacement: str) -> str:
    terms = text.split(",")
    terms[terms.index(term)] = replacement
    return ",".join(terms)


def _parse_field(text: str, index: int) -> Field:
    # FieldsFunc drops empty elements; a repeated term cannot change the bits or
    # the first error, so each distinct term is parsed once.
    terms = tuple(
        _parse_term(term, index) for term in dict.fromkeys(text.split(",")) if term
    )
    bits = 0
    for term in terms:
        bits |= term.bits
    return Field(FIELD_RANGES[index], text, terms, bits)


@lru_cache(maxsize=4096)
def _parse_term(expr: str, index: int) -> Term:
    """robfig's ``getRange``; its checks run in its order, so the first error is its."""
    rng = FIELD_RANGES[index]
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    star = low_and_high[0] in ("*", "?")
    if star:
        start, end = rng.low, rng.high
    else:
        start, end = _endpoints(low_and_high, expr=expr, rng=rng)
    step = _step(range_and_step, expr=expr)
    stepped = len(range_and_step) == 2
    if stepped and len(low_and_high) == 1:
        end = rng.high  # "N/step" means "N-max/step"

    _check_range(start, end, expr=expr, rng=rng)
    if start > end:
        _reversed(
            start, end, expr=expr, rng=rng, pair=not star and len(low_and_high) == 2
        )
    if step == 0:
        raise ScheduleError(
            f"step of range should be a positive number: {expr}",
            hint="Write a step of 1 or more, such as */5.",
        )
    star_bit = STAR_BIT if star and step <= 1 else 0
    return Term(
        expr, start, end, step, star, stepped, _bits(start, end, step) | star_bit
    )


def _endpoints(
    low_and_high: list[str], *, expr: str, rng: FieldRange
) -> tuple[int, int]:
    start = _int_or_name(low_and_high[0], rng)
    if len(low_and_high) == 1:
        return start, start
    if len(low_and_high) == 2:
        return start, _int_or_name(low_and_high[1], rng)
    raise ScheduleError(
        f"too many hyphens: {expr}",
        hint="Write a range as a-b, with an optional step: a-b/n.",
    )


def _step(range_and_step: list[str], *, expr: str) -> int:
    if len(range_and_step) == 1:
        return 1
    if len(range_and_step) == 2:
        return _must_parse_int(range_and_step[1], rng=None)
    raise ScheduleError(
        f"too many slashes: {expr}",
        hint="Write at most one step, such as 0-30/10.",
    )


def _check_range(start: int, end: int, *, expr: str, rng: FieldRange) -> None:
    if start < rng.low:
        raise ScheduleError(
            f"beginning of range ({start}) below minimum ({rng.low}): {expr}",
            hint=_bounds_hint(rng, start),
        )
    if end > rng.high:
        raise ScheduleError(
            f"end of range ({end}) above maximum ({rng.high}): {expr}",
            hint=_bounds_hint(rng, end),
        )


def _reversed(start: int, end: int, *, expr: str, rng: FieldRange, pair: bool) -> None:
    message = f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if not pair:
        raise ScheduleError(message, hint=_bounds_hint(rng, start))
    low_text, _, step = expr.partition("/")
    first, last = low_text.split("-")
    named = not first.lstrip("+").isdigit()
    suffix = f"/{step}" if step else ""
    high = _label(rng, rng.high, named)
    low = _label(rng, rng.low, named)
    head = first if start == rng.high else f"{first}-{high}{suffix}"
    tail = last if end == rng.low else f"{low}-{last}{suffix}"
    wrapped = f"{head},{tail}"
    raise _ReversedRange(message, term=expr, wrapped=wrapped)


def _label(rng: FieldRange, value: int, named: bool) -> str:
    if named:
        for name, number in rng.names.items():
            if number == value:
                return name.upper()
    return str(value)


def _bounds_hint(rng: FieldRange, value: int) -> str:
    if rng is DAY_OF_WEEK and value == 7:
        return "Kubernetes numbers the days of the week 0-6; write 0 or SUN for Sunday."
    return f"{rng.name} values run from {rng.low} to {rng.high}."


def _int_or_name(text: str, rng: FieldRange) -> int:
    if rng.names:
        named = rng.names.get(_go_lower(text))
        if named is not None:
            return named
    return _must_parse_int(text, rng=rng)


def _must_parse_int(text: str, *, rng: FieldRange | None) -> int:
    try:
        number = go_atoi(text)
    except ValueError as error:
        raise ScheduleError(
            f"failed to parse int from {text}: {error}", hint=_number_hint(text, rng)
        ) from None
    if number < 0:
        raise ScheduleError(
            f"negative number ({number}) not allowed: {text}",
            hint="Write a step of 1 or more, such as */5.",
        )
    return number


_QUARTZ = re.compile(r"(?i)[0-9]*[lw]|lw|[a-z0-9]+#[0-9]*|h(\(.*)?")


def _number_hint(text: str, rng: FieldRange | None) -> str:
    if _QUARTZ.fullmatch(text):
        return (
            "Kubernetes schedules have no L, W, # or H (Quartz, Jenkins); list the "
            "values explicitly."
        )
    if not text:
        return (
            "Write a number on each side of '-' and after '/'; negative numbers "
            "are not allowed."
        )
    if rng is None:
        return "Write the step as a whole number, such as */5."
    first, last = _label(rng, rng.low, True), _label(rng, rng.high, True)
    names = f" or the names {first}-{last}" if rng.names else ""
    return (
        f"{rng.name} takes *, ?, numbers from {rng.low} to {rng.high}{names}, "
        "ranges a-b and steps /n."
    )


# --- Go's text handling ---------------------------------------------------------

# unicode.IsSpace: what strings.Fields splits on and strings.TrimSpace trims.
_GO_SPACE: Final = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(chr(code) for code in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_GO_FIELD = re.compile(f"[^{re.escape(_GO_SPACE)}]+")


def _go_fields(text: str) -> list[str]:
    return _GO_FIELD.findall(text)


def _go_trim_space(text: str) -> str:
    return text.strip(_GO_SPACE)


def _go_lower(text: str) -> str:
    # Go lowers U+0130 to a plain "i"; Python gives "i" plus a combining dot.
    return text.lower() if text.isascii() else text.replace("\u0130", "i").lower()


def _byte_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def go_atoi(text: str) -> int:
    """``strconv.Atoi`` on a 64-bit platform; ValueError carries Go's message."""
    if 0 < _byte_length(text) < 19:
        digits = text[1:] if text[0] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(_atoi_error(text, "invalid syntax"))
        return -int(digits) if text[0] == "-" else int(digits)
    return _parse_int(text)


def _parse_int(text: str) -> int:
    """``strconv.ParseInt(text, 10, 64)``: the slow path of Atoi, digit by digit."""
    negative = text[:1] == "-"
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits:
        raise ValueError(_atoi_error(text, "invalid syntax"))
    cutoff = _MASK64 // 10 + 1
    number = 0
    for char in digits:
        if not "0" <= char <= "9":
            raise ValueError(_atoi_error(text, "invalid syntax"))
        if number >= cutoff:
            raise ValueError(_atoi_error(text, "value out of range"))
        number = number * 10 + ord(char) - 48
        if number > _MASK64:
            raise ValueError(_atoi_error(text, "value out of range"))
    if number > _INT64_LIMIT or (number == _INT64_LIMIT and not negative):
        raise ValueError(_atoi_error(text, "value out of range"))
    return -number if negative else number


def _atoi_error(text: str, reason: str) -> str:
    return f"strconv.Atoi: parsing {_strconv_quote(text)}: {reason}"


_STRCONV_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def _strconv_quote(text: str) -> str:
    """``strconv.Quote``: Go-escaped, with printable characters kept as they are."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return '"' + "".join(_strconv_char(char) for char in text) + '"'


def _strconv_char(char: str) -> str:
    escape = _STRCONV_ESCAPES.get(char)
    if escape is not None:
        return escape
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\\ufffd"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _time_quote(text: str) -> str:
    """The ``time`` package's quote: non-ASCII and control bytes as ``\\xNN``."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    quoted: list[str] = []
    for char in text:
        if char < " " or char >= "\x80":
            quoted.extend(
                f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass")
            )
        else:
            quoted.append("\\" + char if char in '"\\' else char)
    return '"' + "".join(quoted) + '"'


_UNITS: Final = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": _NANOSECONDS,
    "m": 60 * _NANOSECONDS,
    "h": 3600 * _NANOSECONDS,
}


# One component of a duration as Go consumes it: digits, a fraction, a unit.
_DURATION_PART = re.compile(r"[0-9]*(?:\.[0-9]*)?[^0-9.]*")
_PART_FIELDS = re.compile(r"([0-9]*)(?:(\.)([0-9]*))?(.*)", re.DOTALL)
_INFINITY: Final = float("inf")


class _InvalidDuration(ValueError):
    """Go's ``time: invalid duration "..."``, with the quote made only when shown."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"time: invalid duration {_time_quote(self.text)}"


def parse_duration(text: str) -> int:
    """Go's ``time.ParseDuration``, in nanoseconds; ValueError carries Go's message.

    Go reads the components one by one; here identical components are read once
    and counted, which gives the same answer (the sum only grows, and every
    overflow has the same message) and keeps a long input linear and fast.
    """
    negative = text[:1] == "-"
    body = text[1:] if text[:1] in ("+", "-") else text
    if body == "0":
        return 0
    if not body or not (body[0] == "." or "0" <= body[0] <= "9"):
        raise _InvalidDuration(text)

    parts = _DURATION_PART.findall(body)[:-1]  # the last match is the empty end
    values: dict[str, int] = {}
    failures: dict[str, ValueError] = {}
    for part in dict.fromkeys(parts):
        value = _duration_part(part, text)
        if isinstance(value, ValueError):
            failures[part] = value
        else:
            values[part] = value
    if failures:
        first = next(index for index, part in enumerate(parts) if part in failures)
        _sum_durations(parts[:first], values, text)
        raise failures[parts[first]]
    total = _sum_durations(parts, values, text)
    if negative:
        return -total
    if total > _INT64_LIMIT - 1:
        raise _InvalidDuration(text)
    return total


def _sum_durations(parts: list[str], values: Mapping[str, int], text: str) -> int:
    """Go's running sum, which fails past 2**63 and wraps to 0 exactly at 2**64."""
    if any(values[part] == _INT64_LIMIT for part in set(parts)):
        total = 0
        for part in parts:
            total = (total + values[part]) & _MASK64
            if total > _INT64_LIMIT:
                raise _InvalidDuration(text)
        return total
    total = sum(values[part] * count for part, count in Counter(parts).items())
    if total > _INT64_LIMIT:
        raise _InvalidDuration(text)
    return total


def _duration_part(part: str, text: str) -> int | ValueError:
    """The nanoseconds of one component, or the error Go reports for it."""
    match = _PART_FIELDS.fullmatch(part)
    whole, dot, decimals, unit_text = match.groups("") if match else ("", "", "", "")
    digits = whole.lstrip("0")
    # Go gives up as soon as the integer passes 2**63 (more than 20 digits always
    # do), before it looks at the unit; and a component needs some digit.
    if len(digits) > 20 or int(digits or "0") > _INT64_LIMIT:
        return _InvalidDuration(text)
    if not whole and not decimals:
        return _InvalidDuration(text)
    if not unit_text:
        return ValueError(f"time: missing unit in duration {_time_quote(text)}")
    unit = _UNITS.get(unit_text)
    if unit is None:
        return ValueError(
            f"time: unknown unit {_time_quote(unit_text)} in duration "
            f"{_time_quote(text)}"
        )
    if int(digits or "0") > _INT64_LIMIT // unit:
        return _InvalidDuration(text)

    value = int(digits or "0") * unit
    fraction, scale = _leading_fraction(decimals) if dot else (0, 1.0)
    if fraction > 0:
        value += int(float(fraction) * (float(unit) / scale))
        if value > _INT64_LIMIT:
            return _InvalidDuration(text)
    return value


def _leading_fraction(decimals: str) -> tuple[int, float]:
    """Go's ``leadingFraction``: digits past its precision change nothing."""
    number, scale = 0, 1.0
    for char in decimals:
        if number > (_INT64_LIMIT - 1) // 10 or scale == _INFINITY:
            break
        following = number * 10 + ord(char) - 48
        if following > _INT64_LIMIT:
            break
        number = following
        scale *= 10
    return number, scale


# --- bits and calendar ----------------------------------------------------------


def _bits(low: int, high: int, step: int) -> int:
    if step == 1:
        return (1 << (high + 1)) - (1 << low)
    bits = 0
    for value in range(low, high + 1, step):
        bits |= 1 << value
    return bits


def _values(bits: int, rng: FieldRange) -> list[int]:
    return [value for value in range(rng.low, rng.high + 1) if 1 << value & bits]


@lru_cache(maxsize=1024)
def _weekday_days(first_weekday: int, dow: int) -> int:
    """Bits of the days 1-31 of a month starting on ``first_weekday`` that match."""
    bits = 0
    for day in range(1, 32):
        if 1 << (first_weekday + day - 1) % 7 & dow:
            bits |= 1 << day
    return bits


def _days_in_month(year: int, month: int) -> int:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def _zone_of(moment: datetime) -> tzinfo:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} must be timezone-aware.")
    if moment.year > _LAST_START_YEAR:
        raise ValueError(f"{moment!r} is too late to search five years ahead of.")
    return moment.tzinfo


def _seconds(offset: timedelta | None) -> int:
    return 0 if offset is None else offset // _SECOND


def _unix_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch, rounded down as Go's truncation does."""
    return (moment - _EPOCH) // _SECOND


# --- Schedule.Next --------------------------------------------------------------


class _Clock:
    """Go's ``time`` arithmetic in one zone, on whole Unix seconds."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def wall(self, unix: int) -> datetime:
        return datetime.fromtimestamp(unix, self.zone)

    def offset(self, unix: int) -> int:
        return _seconds(self.wall(unix).utcoffset())

    def date(
        self,
        year: int,
        month: int,
        day: int,
        hour: int = 0,
        minute: int = 0,
        second: int = 0,
    ) -> int:
        """``time.Date``: normalise the fields, then pick the offset as Go does.

        Go looks up the offset in force at the wall time read as UTC, then the
        offset in force at the instant that gives; in a gap or a fold that choice
        is what moves the run (Europe: forward, America: back).
        """
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        days = date(year, month, 1).toordinal() - _EPOCH_ORDINAL + day - 1
        local = days * 86400 + hour * 3600 + minute * 60 + second
        return local - self.offset(local - self.offset(local))

    def add_date(self, unix: int, *, months: int = 0, days: int = 0) -> int:
        wall = self.wall(unix)
        return self.date(
            wall.year,
            wall.month + months,
            wall.day + days,
            wall.hour,
            wall.minute,
            wall.second,
        )


class _Search:
    """robfig's ``SpecSchedule.Next``: each field loop, and ``goto WRAP`` as True."""

    def __init__(self, schedule: SpecSchedule, clock: _Clock, start: int) -> None:
        self.schedule = schedule
        self.clock = clock
        self.added = False
        self._move(start)
        self.year_limit = self.wall.year + 5

    def run(self) -> int | None:
        while self.wall.year <= self.year_limit:
            if (
                self._month()
                or self._day()
                or self._hour()
                or self._minute()
                or self._second()
            ):
                continue
            return self.time
        return None

    def _move(self, time: int) -> None:
        self.time = time
        self.wall = self.clock.wall(time)

    def _first_change(self) -> bool:
        """True the first time a field moves: the finer fields then start at zero."""
        if self.added:
            return False
        self.added = True
        return True

    def _month(self) -> bool:
        while not 1 << self.wall.month & self.schedule.month:
            if self._first_change():
                self._move(self.clock.date(self.wall.year, self.wall.month, 1))
            self._move(self.clock.add_date(self.time, months=1))
            if self.wall.month == 1:
                return True
        return False

    def _day(self) -> bool:
        while not self.schedule.matches_day(self.wall.date()):
            if self._first_change():
                wall = self.wall
                self._move(self.clock.date(wall.year, wall.month, wall.day))
            self._move(self.clock.add_date(self.time, days=1))
            # Midnight may not exist on the new day: step back or on to 00:00.
            hour = self.wall.hour
            if hour > 12:
                self._move(self.time + (24 - hour) * 3600)
            elif hour:
                self._move(self.time - hour * 3600)
            if self.wall.day == 1:
                return True
        return False

    def _hour(self) -> bool:
        while not 1 << self.wall.hour & self.schedule.hour:
            if self._first_change():
                wall = self.wall
                self._move(self.clock.date(wall.year, wall.month, wall.day, wall.hour))
            target = _next_value(self.schedule.hour, self.wall.hour, HOUR)
            if not self._jump((target - self.wall.hour) * 3600):
                self._move(self.time + 3600)
            if self.wall.hour == 0:
                return True
        return False

    def _minute(self) -> bool:
        while not 1 << self.wall.minute & self.schedule.minute:
            if self._first_change():
                self._move(self.time - self.time % 60)
            target = _next_value(self.schedule.minute, self.wall.minute, MINUTE)
            if not self._jump((target - self.wall.minute) * 60):
                self._move(self.time + 60)
            if self.wall.minute == 0:
                return True
        return False

    def _second(self) -> bool:
        # Every schedule runs at second 0, so this loop only ever ends by wrapping.
        while self.wall.second:
            self._first_change()
            if not self._jump(60 - self.wall.second):
                self._move(self.time + 1)
            if self.wall.second == 0:
                return True
        return False

    def _jump(self, seconds: int) -> bool:
        """Take many of robfig's one-unit steps at once, where that changes nothing.

        With the same UTC offset at both ends (no offset change in between: zones
        do not change twice within a day), every step would have moved the wall
        clock by exactly one unit, so the loop would have stopped just there.
        """
        target = self.time + seconds
        if self.clock.offset(target) != _seconds(self.wall.utcoffset()):
            return False
        self._move(target)
        return True


def _next_value(bits: int, current: int, rng: FieldRange) -> int:
    """The next value after ``current`` in ``bits``, or one past the field's end."""
    for value in range(current + 1, rng.high + 1):
        if 1 << value & bits:
            return value
    return rng.high + 1
