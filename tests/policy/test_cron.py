"""The robfig/cron v3.0.1 reimplementation: grammar, error texts, Next, @every."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webhook.policy.cron import (
    DAY_OF_WEEK,
    MONTH,
    STAR_BIT,
    EverySchedule,
    ScheduleError,
    SpecSchedule,
    _Clock,
    go_atoi,
    next_runs,
    parse_duration,
    parse_schedule,
)
from webhook.policy.timezones import load_time_zone

NEW_YORK = load_time_zone("America/New_York")
PARIS = load_time_zone("Europe/Paris")


def error_of(expression: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    return caught.value


def spec(expression: str) -> SpecSchedule:
    parsed = parse_schedule(expression)
    assert isinstance(parsed, SpecSchedule)
    return parsed


def values(bits: int) -> list[int]:
    return [value for value in range(64) if 1 << value & bits]


def utc_runs(expression: str, start: str, count: int, zone=None) -> list[str]:
    found = next_runs(
        parse_schedule(expression),
        time_zone=zone,
        start=datetime.fromisoformat(start),
        count=count,
    )
    return [run.isoformat() for run in found]


ERRORS = [
    ("", "empty spec string"),
    ("   ", "expected exactly 5 fields, found 0: []"),
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("0 0 10 * * ?", "expected exactly 5 fields, found 6: [0 0 10 * * ?]"),
    ("*/15 * * * * *", "expected exactly 5 fields, found 6: [*/15 * * * * *]"),
    ("0 3 * * 7", "end of range (7) above maximum (6): 7"),
    ("0 3 * * 5-7", "end of range (7) above maximum (6): 5-7"),
    ("60 * * * *", "end of range (60) above maximum (59): 60"),
    ("0 0 * 0 *", "beginning of range (0) below minimum (1): 0"),
    ("0 22-2 * * *", "beginning of range (22) beyond end of range (2): 22-2"),
    ("70/5 * * * *", "beginning of range (70) beyond end of range (59): 70/5"),
    ("0 0 * * MON-SUN", "beginning of range (1) beyond end of range (0): MON-SUN"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("1-5/0 * * * *", "step of range should be a positive number: 1-5/0"),
    ("*/-1 * * * *", "negative number (-1) not allowed: -1"),
    (
        "-1 * * * *",
        'failed to parse int from : strconv.Atoi: parsing "": invalid syntax',
    ),
    (
        "0 0 10-/2 * *",
        'failed to parse int from : strconv.Atoi: parsing "": invalid syntax',
    ),
    (
        "0 0 L * *",
        'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax',
    ),
    (
        "0 9 * * MON#1",
        'failed to parse int from MON#1: strconv.Atoi: parsing "MON#1": invalid syntax',
    ),
    (
        "99999999999999999999 * * * *",
        "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
        '"99999999999999999999": value out of range',
    ),
    (
        "9223372036854775807 * * * *",
        "end of range (9223372036854775807) above maximum (59): 9223372036854775807",
    ),
    (
        "a\tb\x00 * * * *",
        "expected exactly 5 fields, found 6: [a b\x00 * * * *]",
    ),
    (
        "b\x00 * * * *",
        'failed to parse int from b\x00: strconv.Atoi: parsing "b\\x00": '
        "invalid syntax",
    ),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("1/2/3 * * * *", "too many slashes: 1/2/3"),
    ("@reboot", "unrecognized descriptor: @reboot"),
    ("@daily ", "unrecognized descriptor: @daily "),
    (
        "@every 1d",
        'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"',
    ),
    (
        "@every 10",
        'failed to parse duration @every 10: time: missing unit in duration "10"',
    ),
    (
        "TZ=Mars/Base 0 * * * *",
        "provided bad location Mars/Base: unknown time zone Mars/Base",
    ),
    (
        "TZ=UTC",
        "a TZ= or CRON_TZ= prefix must be followed by a space and the schedule: TZ=UTC",
    ),
]


@pytest.mark.parametrize(
    ("expression", "message"), ERRORS, ids=[repr(e) for e, _ in ERRORS]
)
def test_invalid_schedules_give_robfigs_message(expression: str, message: str) -> None:
    assert str(error_of(expression)) == message


HINTS = [
    (
        "0 3 * * 7",
        "Kubernetes numbers the days of the week 0-6; write 0 or SUN for Sunday.",
    ),
    ("0 22-2 * * *", "Ranges cannot wrap around; write '0 22-23,0-2 * * *' instead."),
    ("5-3 * * * *", "Ranges cannot wrap around; write '5-59,0-3 * * * *' instead."),
    (
        "0 0 * * SAT-MON",
        "Ranges cannot wrap around; write '0 0 * * SAT,SUN-MON' instead.",
    ),
    ("0 23-2/2 * * *", "Ranges cannot wrap around; write '0 23,0-2/2 * * *' instead."),
    (
        "0 0 10 * * ?",
        "Kubernetes schedules have exactly five fields (minute hour day-of-month "
        "month day-of-week); drop the seconds field (Quartz, Spring) or the year "
        "field.",
    ),
    (
        "0 0 1W * *",
        "Kubernetes schedules have no L, W, # or H (Quartz, Jenkins); list the "
        "values explicitly.",
    ),
    ("0 0 * 13 *", "month values run from 1 to 12."),
    ("*/0 * * * *", "Write a step of 1 or more, such as */5."),
]


@pytest.mark.parametrize(("expression", "hint"), HINTS, ids=[e for e, _ in HINTS])
def test_invalid_schedules_say_how_to_fix_them(expression: str, hint: str) -> None:
    assert error_of(expression).hint == hint


FIELDS = [
    # expression, minutes, hours, days of month, months, days of week
    (
        "* * * * ?",
        list(range(60)),
        list(range(24)),
        list(range(1, 32)),
        list(range(1, 13)),
        list(range(7)),
    ),
    ("0,,5 0 1 1 0", [0, 5], [0], [1], [1], [0]),
    (
        "*/20 */1 ?/10 JAN-mar sun,Sat",
        [0, 20, 40],
        list(range(24)),
        [1, 11, 21, 31],
        [1, 2, 3],
        [0, 6],
    ),
    ("50/5 22/1 30/1 11/2 FRI/1", [50, 55], [22, 23], [30, 31], [11], [5, 6]),
    (
        "*/61 +5 *-3 * *",
        [0],
        [5],
        list(range(1, 32)),
        list(range(1, 13)),
        list(range(7)),
    ),
]


@pytest.mark.parametrize(
    ("expression", "minutes", "hours", "doms", "months", "dows"),
    FIELDS,
    ids=[row[0] for row in FIELDS],
)
def test_fields_select_the_values_robfig_selects(
    expression, minutes, hours, doms, months, dows
) -> None:
    parsed = spec(expression)

    assert [
        values(parsed.minute & ~STAR_BIT),
        values(parsed.hour & ~STAR_BIT),
        values(parsed.dom & ~STAR_BIT),
        values(parsed.month & ~STAR_BIT),
        values(parsed.dow & ~STAR_BIT),
    ] == [minutes, hours, doms, months, dows]


STAR_FLAGS = [
    ("*", True),
    ("?", True),
    ("*/1", True),
    ("*/2", False),
    ("1-31", False),
    ("*,1", True),
]


@pytest.mark.parametrize(("dom", "star"), STAR_FLAGS, ids=[d for d, _ in STAR_FLAGS])
def test_the_star_flag_survives_only_a_step_of_one(dom: str, star: bool) -> None:
    assert bool(spec(f"0 0 {dom} * *").dom & STAR_BIT) is star


def test_names_are_case_insensitive_like_go_to_lower() -> None:
    assert values(spec("0 0 * jAn,DEC mOn-FrI").month) == [1, 12]
    assert values(spec("0 0 * * FR\u0130").dow) == [5]


DESCRIPTORS = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
]


@pytest.mark.parametrize(
    ("descriptor", "fields"), DESCRIPTORS, ids=[d for d, _ in DESCRIPTORS]
)
def test_descriptors_run_like_their_fields(descriptor: str, fields: str) -> None:
    start = "2027-02-25T13:17:00+00:00"

    assert utc_runs(descriptor, start, 4) == utc_runs(fields, start, 4)


def test_both_day_fields_restricted_run_when_either_matches() -> None:
    assert utc_runs("0 0 */2 * 3", "2026-12-01T00:00:00+00:00", 10) == [
        "2026-12-02T00:00:00+00:00",
        "2026-12-03T00:00:00+00:00",
        "2026-12-05T00:00:00+00:00",
        "2026-12-07T00:00:00+00:00",
        "2026-12-09T00:00:00+00:00",
        "2026-12-11T00:00:00+00:00",
        "2026-12-13T00:00:00+00:00",
        "2026-12-15T00:00:00+00:00",
        "2026-12-16T00:00:00+00:00",
        "2026-12-17T00:00:00+00:00",
    ]


def test_a_starred_day_field_makes_the_other_one_decide() -> None:
    assert utc_runs("0 0 1 * */1", "2026-12-03T12:00:00+00:00", 3) == [
        "2027-01-01T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00",
        "2027-03-01T00:00:00+00:00",
    ]


def test_an_explicit_full_range_is_restricted_and_ors_with_the_weekday() -> None:
    assert utc_runs("0 0 1-31 * 1", "2026-12-03T12:00:00+00:00", 2) == [
        "2026-12-04T00:00:00+00:00",
        "2026-12-05T00:00:00+00:00",
    ]


def test_next_gives_up_after_five_years() -> None:
    # 2100 is not a leap year, so the next 29 February is 2104: too far for robfig.
    assert utc_runs("0 0 29 2 *", "2096-03-01T00:00:00+00:00", 1) == []
    assert utc_runs("0 0 29 2 *", "2095-03-01T00:00:00+00:00", 1) == [
        "2096-02-29T00:00:00+00:00"
    ]


def test_a_schedule_with_an_empty_field_never_fires() -> None:
    assert utc_runs(", * * * *", "2026-12-03T12:00:00+00:00", 1) == []


def test_a_spring_forward_gap_skips_the_run() -> None:
    assert utc_runs("30 2 * * *", "2027-03-13T12:00:00-05:00", 3, NEW_YORK) == [
        "2027-03-15T02:30:00-04:00",
        "2027-03-16T02:30:00-04:00",
        "2027-03-17T02:30:00-04:00",
    ]


def test_a_fall_back_hour_runs_twice() -> None:
    assert utc_runs("30 1 * * *", "2027-11-06T13:00:00-04:00", 3, NEW_YORK) == [
        "2027-11-07T01:30:00-04:00",
        "2027-11-07T01:30:00-05:00",
        "2027-11-08T01:30:00-05:00",
    ]


def test_hourly_runs_cross_the_gap_one_hour_apart() -> None:
    assert utc_runs("0 * * * *", "2027-03-14T00:30:00-05:00", 2, NEW_YORK) == [
        "2027-03-14T01:00:00-05:00",
        "2027-03-14T03:00:00-04:00",
    ]


def test_a_gap_in_europe_is_skipped_too() -> None:
    assert utc_runs("30 2 * * *", "2027-03-27T12:00:00+01:00", 2, PARIS) == [
        "2027-03-29T02:30:00+02:00",
        "2027-03-30T02:30:00+02:00",
    ]


def test_a_tz_prefix_wins_over_the_time_zone_given() -> None:
    assert utc_runs("TZ=Europe/Paris 0 9 * * *", "2027-01-04T00:00:00+00:00", 1) == [
        "2027-01-04T08:00:00+00:00"
    ]


def test_a_local_tz_prefix_runs_in_the_zone_of_the_time_given() -> None:
    parsed = parse_schedule("CRON_TZ=Local 0 9 * * *")

    assert parsed.location is None
    assert utc_runs(
        "CRON_TZ=Local 0 9 * * *", "2027-01-04T00:00:00+00:00", 1, PARIS
    ) == ["2027-01-04T09:00:00+01:00"]


EVERY = [
    ("@every 48h", 172800),
    ("@every 1h30m", 5400),
    ("@every 1500ms", 1),
    ("@every 2.9s", 2),
    ("@every 0s", 1),
    ("@every -1h", 1),
    ("@every 0", 1),
]


@pytest.mark.parametrize(("expression", "seconds"), EVERY, ids=[e for e, _ in EVERY])
def test_every_rounds_down_to_whole_seconds_and_at_least_one(
    expression: str, seconds: int
) -> None:
    parsed = parse_schedule(expression)

    assert isinstance(parsed, EverySchedule)
    assert parsed.seconds == seconds


def test_every_counts_from_the_start_truncated_to_the_second() -> None:
    after = datetime(2026, 12, 3, 12, 0, 0, 900_000, tzinfo=UTC)

    assert parse_schedule("@every 90m").next(after) == datetime(
        2026, 12, 3, 13, 30, tzinfo=UTC
    )


ATOI = [
    ("0", 0),
    ("+5", 5),
    ("-0", 0),
    ("007", 7),
    ("-9223372036854775808", -9223372036854775808),
    ("9223372036854775807", 9223372036854775807),
]


@pytest.mark.parametrize(("text", "number"), ATOI, ids=[t for t, _ in ATOI])
def test_atoi_reads_what_go_reads(text: str, number: int) -> None:
    assert go_atoi(text) == number


ATOI_ERRORS = [
    ("", 'strconv.Atoi: parsing "": invalid syntax'),
    ("+", 'strconv.Atoi: parsing "+": invalid syntax'),
    ("1_000", 'strconv.Atoi: parsing "1_000": invalid syntax'),
    ("\u0663", 'strconv.Atoi: parsing "\u0663": invalid syntax'),
    (
        "9223372036854775808",
        'strconv.Atoi: parsing "9223372036854775808": value out of range',
    ),
    (
        "99999999999999999999x",
        'strconv.Atoi: parsing "99999999999999999999x": value out of range',
    ),
    (
        "9999999999999999999x",
        'strconv.Atoi: parsing "9999999999999999999x": invalid syntax',
    ),
    ("a\u00ad\n", 'strconv.Atoi: parsing "a\\u00ad\\n": invalid syntax'),
]


@pytest.mark.parametrize(
    ("text", "message"), ATOI_ERRORS, ids=[repr(t) for t, _ in ATOI_ERRORS]
)
def test_atoi_fails_with_gos_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        go_atoi(text)

    assert str(caught.value) == message


DURATIONS = [
    ("0", 0),
    ("-0", 0),
    ("1h30m", 5_400_000_000_000),
    ("1.5h", 5_400_000_000_000),
    (".5s", 500_000_000),
    ("1\u00b5s", 1_000),
    ("1\u03bcs", 1_000),
    ("-9223372036854775808ns", -9223372036854775808),
    # Go adds in uint64: 2**63 + 2**63 wraps to 0 and is accepted.
    ("9223372036854775808ns9223372036854775808ns", 0),
]


@pytest.mark.parametrize(
    ("text", "nanoseconds"), DURATIONS, ids=[t for t, _ in DURATIONS]
)
def test_durations_parse_as_go_parses_them(text: str, nanoseconds: int) -> None:
    assert parse_duration(text) == nanoseconds


DURATION_ERRORS = [
    ("", 'time: invalid duration ""'),
    ("1", 'time: missing unit in duration "1"'),
    (".s", 'time: invalid duration ".s"'),
    ("1d", 'time: unknown unit "d" in duration "1d"'),
    ("1h 30m", 'time: unknown unit "h " in duration "1h 30m"'),
    ("5\u00b5x", 'time: unknown unit "\\xc2\\xb5x" in duration "5\\xc2\\xb5x"'),
    ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
]


@pytest.mark.parametrize(
    ("text", "message"), DURATION_ERRORS, ids=[repr(t) for t, _ in DURATION_ERRORS]
)
def test_durations_fail_with_gos_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)

    assert str(caught.value) == message


# --- bounded on any input -------------------------------------------------------

CRON_TEXT = st.text(
    alphabet=st.sampled_from(
        list("0123456789*?/-,@ LW#HTZ=+JANMONsumh.\t\u00a0\u0130")
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=timedelta(milliseconds=200))
@given(expression=st.one_of(CRON_TEXT, st.text(max_size=40)))
def test_parsing_any_text_returns_or_raises_schedule_error(expression: str) -> None:
    try:
        parsed = parse_schedule(expression)
    except ScheduleError as error:
        assert str(error)
        return
    parsed.next(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))


LONG_INPUTS = [
    "1," * 5000 + " * * * *",
    ",".join(str(i) for i in range(2500))[:10_000] + " * * * *",
    "@every " + "".join(f"{i}s" for i in range(2500))[:10_000],
    "@every " + "1s" * 4999 + "1x",
    "9" * 10_000 + " * * * *",
    "*/" + "9" * 10_000 + " * * * *",
    ",".join(f"{i % 60}-59/{i % 7 + 1}" for i in range(1600)) + " * * * *",
    "x" * 10_000,
    "@every " + "1s" * 5000,
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "expression", LONG_INPUTS, ids=[f"long{i}" for i in range(len(LONG_INPUTS))]
)
def test_a_ten_thousand_character_schedule_is_answered_without_hanging(
    expression: str,
) -> None:
    # Speed is measured in bench/; here the bound only catches a hang.
    try:
        schedule = parse_schedule(expression)
    except ScheduleError as error:
        assert str(error)
    else:
        assert schedule is not None


# --- Next against a literal port of robfig's loops -----------------------------


def robfig_next(schedule: SpecSchedule, after: datetime) -> datetime | None:
    """``SpecSchedule.Next`` step by step, without the module's shortcuts."""
    clock = _Clock(schedule.location or after.tzinfo or UTC)
    t = int(after.timestamp()) + 1
    added = False
    limit = clock.wall(t).year + 5

    def matches_day(wall: datetime) -> bool:
        return schedule.matches_day(wall.date())

    while clock.wall(t).year <= limit:
        wall = clock.wall(t)
        wrapped = False
        while not 1 << wall.month & schedule.month:
            if not added:
                added = True
                t = clock.date(wall.year, wall.month, 1)
            t = clock.add_date(t, months=1)
            wall = clock.wall(t)
            if wall.month == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not matches_day(wall):
            if not added:
                added = True
                t = clock.date(wall.year, wall.month, wall.day)
            t = clock.add_date(t, days=1)
            wall = clock.wall(t)
            if wall.hour:
                t += (24 - wall.hour) * 3600 if wall.hour > 12 else -wall.hour * 3600
                wall = clock.wall(t)
            if wall.day == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not 1 << wall.hour & schedule.hour:
            if not added:
                added = True
                t = clock.date(wall.year, wall.month, wall.day, wall.hour)
            t += 3600
            wall = clock.wall(t)
            if wall.hour == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while not 1 << wall.minute & schedule.minute:
            if not added:
                added = True
                t -= t % 60
            t += 60
            wall = clock.wall(t)
            if wall.minute == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while wall.second:
            added = True
            t += 1
            wall = clock.wall(t)
            if wall.second == 0:
                wrapped = True
                break
        if wrapped:
            continue
        return datetime.fromtimestamp(t, after.tzinfo)
    return None


DST_ZONES = [
    "America/New_York",
    "Europe/Paris",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Havana",
    "America/Santiago",
    "Asia/Tehran",
]


def field_text(values: list[int], step: int | None) -> str:
    text = ",".join(str(v) for v in sorted(set(values)))
    return f"*/{step}" if step else text


@st.composite
def schedules(draw: st.DrawFn) -> str:
    minute = draw(st.sampled_from(["*", "0", "30", "*/15", "0,45", "59", "5-10"]))
    hour = draw(st.sampled_from(["*", "0", "1", "2", "1-3", "*/5", "23", "0,12"]))
    dom = draw(st.sampled_from(["*", "1", "15", "*/2", "31", "29"]))
    month = draw(st.sampled_from(["*", "3", "10,11", "2", "*/4"]))
    dow = draw(st.sampled_from(["*", "0", "1-5", "6", "*/1"]))
    return f"{minute} {hour} {dom} {month} {dow}"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    expression=schedules(),
    zone=st.sampled_from(DST_ZONES),
    offset=st.integers(min_value=0, max_value=3 * 366 * 24 * 60),
)
def test_next_takes_the_same_steps_as_robfig(
    expression: str, zone: str, offset: int
) -> None:
    schedule = spec(expression)
    after = datetime(2026, 1, 1, tzinfo=load_time_zone(zone)) + timedelta(
        minutes=offset
    )

    for _ in range(2):
        expected = robfig_next(schedule, after)
        assert schedule.next(after) == expected
        if expected is None:
            break
        after = expected


def test_month_and_weekday_names_cover_the_whole_field() -> None:
    assert sorted(MONTH.names.values()) == list(range(1, 13))
    assert sorted(DAY_OF_WEEK.names.values()) == list(range(7))


# --- ParseDuration against a literal port of Go's loop --------------------------

GO_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
LIMIT = 1 << 63


def go_quote(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char < " " or char >= "\x80":
            out.extend(f"\\x{byte:02x}" for byte in char.encode())
        else:
            out.append("\\" + char if char in '"\\' else char)
    return '"' + "".join(out) + '"'


def go_parse_duration(text: str) -> int | str:
    """``time.ParseDuration`` transcribed loop for loop."""
    invalid = f"time: invalid duration {go_quote(text)}"
    rest, total, negative = text, 0, False
    if rest and rest[0] in "+-":
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        return invalid
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            return invalid
        length, value, i = len(rest), 0, 0
        while i < len(rest) and "0" <= rest[i] <= "9":
            if value > LIMIT // 10:
                return invalid
            value = value * 10 + int(rest[i])
            if value > LIMIT:
                return invalid
            i += 1
        rest = rest[i:]
        pre, post, fraction, scale = length != len(rest), False, 0, 1.0
        if rest and rest[0] == ".":
            rest = rest[1:]
            length, i, overflow = len(rest), 0, False
            while i < len(rest) and "0" <= rest[i] <= "9":
                digit = int(rest[i])
                i += 1
                if overflow:
                    continue
                if fraction > (LIMIT - 1) // 10 or fraction * 10 + digit > LIMIT:
                    overflow = True
                    continue
                fraction = fraction * 10 + digit
                scale *= 10
            rest = rest[i:]
            post = length != len(rest)
        if not pre and not post:
            return invalid
        i = 0
        while i < len(rest) and not (rest[i] == "." or "0" <= rest[i] <= "9"):
            i += 1
        if i == 0:
            return f"time: missing unit in duration {go_quote(text)}"
        unit_text, rest = rest[:i], rest[i:]
        if unit_text not in GO_UNITS:
            return (
                f"time: unknown unit {go_quote(unit_text)} in duration {go_quote(text)}"
            )
        unit = GO_UNITS[unit_text]
        if value > LIMIT // unit:
            return invalid
        value *= unit
        if fraction > 0:
            value += int(float(fraction) * (float(unit) / scale))
            if value > LIMIT:
                return invalid
        total = (total + value) % (1 << 64)
        if total > LIMIT:
            return invalid
    if negative:
        return -total
    return invalid if total > LIMIT - 1 else total


DURATION_TEXT = st.one_of(
    st.text(
        alphabet=st.sampled_from(list("0123456789.hmsun+- x\u00b5\u03bc")), max_size=24
    ),
    st.lists(
        st.tuples(
            st.sampled_from(
                ["", "0", "1", "07", "9223372036854775808", "2562047", "."]
            ),
            st.sampled_from(["", ".5", ".", ".000000001", ".99999999999999999999"]),
            st.sampled_from(["h", "m", "s", "ms", "us", "ns", "d", ""]),
        ),
        min_size=1,
        max_size=6,
    ).map(lambda parts: "".join("".join(part) for part in parts)),
)


@settings(max_examples=150, deadline=timedelta(milliseconds=200))
@given(text=DURATION_TEXT)
def test_durations_read_component_by_component_like_go(text: str) -> None:
    try:
        result: int | str = parse_duration(text)
    except ValueError as error:
        result = str(error)

    assert result == go_parse_duration(text)
