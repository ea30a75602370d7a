"""Failure cases BR-07 to BR-17 (reference/failure-cases.md, section B), exactly.

Each case reviews "the base CronJob" with one field changed: the apiserver's
checks give the denials, the scheduleHygiene and timeZoneHygiene rules the
warnings, and the robfig/cron reimplementation the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from webhook.policy import kubernetes
from webhook.policy.cron import next_runs, parse_schedule
from webhook.policy.rules.base import RuleContext
from webhook.policy.rules.schedule import schedule_rules
from webhook.policy.rules.time_zone import TIME_ZONE_HYGIENE
from webhook.policy.timezones import load_time_zone

PROBE_START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
NEW_YORK = load_time_zone("America/New_York")


def base_cronjob(schedule: str, time_zone: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "schedule": schedule,
        "jobTemplate": {
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {"name": "main", "image": "registry.example/report:1.0"}
                        ],
                    }
                }
            }
        },
    }
    if time_zone is not None:
        spec["timeZone"] = time_zone
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "example-report", "namespace": "example-ns"},
        "spec": spec,
    }


@dataclass(frozen=True)
class Verdict:
    denials: list[str]
    warnings: list[str]

    @property
    def allowed(self) -> bool:
        return not self.denials


def review(
    schedule: str, time_zone: str | None = None, *, now: datetime = PROBE_START
) -> Verdict:
    obj = base_cronjob(schedule, time_zone)
    denials = [
        f"{finding.path}: {finding.message}"
        for finding in kubernetes.validate(obj, kind="CronJob", operation="CREATE")
    ]
    hygiene = schedule_rules(clock=lambda: now)[1]
    warnings: list[str] = []
    for rule in (hygiene, TIME_ZONE_HYGIENE):
        ctx = RuleContext(
            obj=obj,
            kind="CronJob",
            operation="CREATE",
            config={},
            policy="defaults",
            rule=rule.name,
            default_enforcement=rule.default_enforcement,
        )
        assert rule.validate is not None
        warnings.extend(finding.message for finding in rule.validate(ctx))
    return Verdict(denials, warnings)


def runs(schedule: str, start: datetime, count: int, zone: Any = None) -> list[str]:
    found = next_runs(
        parse_schedule(schedule), time_zone=zone, start=start, count=count
    )
    return [run.isoformat() for run in found]


# --- BR-07: */1 versus */2 in a day field ---------------------------------------


def test_br07_a_star_step_one_day_of_week_keeps_the_and() -> None:
    verdict = review("0 0 1 * */1")

    assert verdict == Verdict([], ["day-of-week '*/1' is equivalent to '*'"])
    assert runs("0 0 1 * */1", PROBE_START, 3) == [
        "2027-01-01T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00",
        "2027-03-01T00:00:00+00:00",
    ]


def test_br07_b_restricted_day_fields_are_ored() -> None:
    verdict = review("0 0 */2 * 3")

    assert verdict == Verdict(
        [],
        [
            "schedule restricts both day-of-month and day-of-week; Kubernetes runs "
            "the job when EITHER matches (OR)"
        ],
    )
    assert runs("0 0 */2 * 3", datetime(2026, 12, 1, tzinfo=UTC), 10) == [
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


# --- BR-08: 7 for Sunday --------------------------------------------------------

SUNDAY_SEVEN = [
    (
        "0 3 * * 7",
        'spec.schedule: Invalid value: "0 3 * * 7": end of range (7) above maximum '
        "(6): 7",
    ),
    (
        "0 3 * * 5-7",
        'spec.schedule: Invalid value: "0 3 * * 5-7": end of range (7) above maximum '
        "(6): 5-7",
    ),
    (
        "0 0 * * 8",
        'spec.schedule: Invalid value: "0 0 * * 8": end of range (8) above maximum '
        "(6): 8",
    ),
]


@pytest.mark.parametrize(
    ("schedule", "denial"), SUNDAY_SEVEN, ids=[s for s, _ in SUNDAY_SEVEN]
)
def test_br08_seven_for_sunday_is_denied(schedule: str, denial: str) -> None:
    assert review(schedule) == Verdict([denial], [])


def test_br08_the_denial_suggests_zero_or_sun() -> None:
    obj = base_cronjob("0 3 * * 7")
    (finding,) = kubernetes.validate(obj, kind="CronJob", operation="CREATE")

    assert finding.hint == (
        "Kubernetes numbers the days of the week 0-6; write 0 or SUN for Sunday."
    )


# --- BR-10: @every --------------------------------------------------------------

EVERY_WARNING = (
    "'@every' is a non-standard descriptor; runs every {} counted from the "
    "CronJob's last scheduled time, not at fixed clock times"
)


def test_br10_every_48h_is_allowed_with_a_warning() -> None:
    assert review("@every 48h") == Verdict([], [EVERY_WARNING.format("48h")])
    assert runs("@every 48h", PROBE_START, 3) == [
        "2026-12-05T12:00:00+00:00",
        "2026-12-07T12:00:00+00:00",
        "2026-12-09T12:00:00+00:00",
    ]


def test_br10_every_90m_is_allowed_with_the_same_warning() -> None:
    assert review("@every 90m") == Verdict([], [EVERY_WARNING.format("90m")])


def test_br10_daily_is_allowed_silently() -> None:
    assert review("@daily") == Verdict([], [])


def test_br10_reboot_is_denied() -> None:
    assert review("@reboot") == Verdict(
        ['spec.schedule: Invalid value: "@reboot": unrecognized descriptor: @reboot'],
        [],
    )


# --- BR-11: six and seven fields ------------------------------------------------

EXTRA_FIELDS = [
    ("0 0 10 * * ?", "expected exactly 5 fields, found 6: [0 0 10 * * ?]"),
    ("*/15 * * * * *", "expected exactly 5 fields, found 6: [*/15 * * * * *]"),
    ("0 0 * * * 2030", "expected exactly 5 fields, found 6: [0 0 * * * 2030]"),
]


@pytest.mark.parametrize(
    ("schedule", "detail"), EXTRA_FIELDS, ids=[s for s, _ in EXTRA_FIELDS]
)
def test_br11_seconds_and_year_fields_are_denied(schedule: str, detail: str) -> None:
    assert review(schedule) == Verdict(
        [f'spec.schedule: Invalid value: "{schedule}": {detail}'], []
    )


# --- BR-13: timeZone values -----------------------------------------------------

LOCAL = (
    "timeZone must be an explicit time zone as defined in "
    "https://www.iana.org/time-zones"
)
TIME_ZONES = [
    ("Asia/Singapore", [], []),
    (
        "",
        ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
        [],
    ),
    ("Local", [f'spec.timeZone: Invalid value: "Local": {LOCAL}'], []),
    (
        "local",
        [
            f'spec.timeZone: Invalid value: "local": {LOCAL}',
            'spec.timeZone: Invalid value: "local": unknown time zone local',
        ],
        [],
    ),
    ("utc", ['spec.timeZone: Invalid value: "utc": unknown time zone utc'], []),
    (
        "Europe/Berlin ",
        [
            'spec.timeZone: Invalid value: "Europe/Berlin ": unknown time zone '
            "Europe/Berlin "
        ],
        [],
    ),
    ("GMT+3", ['spec.timeZone: Invalid value: "GMT+3": unknown time zone GMT+3'], []),
    ("Etc/GMT+3", [], ["Etc/GMT+3 means UTC-3 (POSIX sign is inverted)"]),
    (
        "US/Eastern",
        [],
        [
            # 02:00 is in the 2027 spring-forward gap of US/Eastern (America/New_York).
            "02:00 does not exist on 2027-03-14 in US/Eastern; Kubernetes will skip "
            "that run",
            "'US/Eastern' is a deprecated alias; use America/New_York",
        ],
    ),
    ("Asia/Calcutta", [], ["'Asia/Calcutta' is a deprecated alias; use Asia/Kolkata"]),
    (
        "../etc/passwd",
        [
            'spec.timeZone: Invalid value: "../etc/passwd": unknown time zone '
            "../etc/passwd"
        ],
        [],
    ),
]


@pytest.mark.parametrize(
    ("time_zone", "denials", "warnings"),
    TIME_ZONES,
    ids=[repr(z) for z, _, _ in TIME_ZONES],
)
def test_br13_time_zones(
    time_zone: str, denials: list[str], warnings: list[str]
) -> None:
    assert review("0 2 * * *", time_zone) == Verdict(denials, warnings)


# --- BR-14: DST gap and overlap -------------------------------------------------


def test_br14_a_run_in_the_spring_forward_gap_is_skipped() -> None:
    start = datetime.fromisoformat("2027-03-13T12:00:00-05:00")

    assert runs("30 2 * * *", start, 2, NEW_YORK) == [
        "2027-03-15T02:30:00-04:00",
        "2027-03-16T02:30:00-04:00",
    ]
    assert review("30 2 * * *", "America/New_York", now=start) == Verdict(
        [],
        [
            "02:30 does not exist on 2027-03-14 in America/New_York; Kubernetes will "
            "skip that run",
            "02:30 does not exist on 2028-03-12 in America/New_York; Kubernetes will "
            "skip that run",
        ],
    )


def test_br14_a_run_in_the_fall_back_hour_runs_twice() -> None:
    start = datetime.fromisoformat("2027-11-06T13:00:00-04:00")

    assert runs("30 1 * * *", start, 2, NEW_YORK) == [
        "2027-11-07T01:30:00-04:00",
        "2027-11-07T01:30:00-05:00",
    ]
    assert review("30 1 * * *", "America/New_York", now=start) == Verdict(
        [],
        [
            "01:30 in America/New_York runs twice on 2027-11-07 (DST fall-back)",
            "01:30 in America/New_York runs twice on 2028-11-05 (DST fall-back)",
        ],
    )


def test_br14_hourly_runs_cross_the_gap_without_a_warning() -> None:
    start = datetime.fromisoformat("2027-03-14T00:30:00-05:00")

    assert runs("0 * * * *", start, 2, NEW_YORK) == [
        "2027-03-14T01:00:00-05:00",
        "2027-03-14T03:00:00-04:00",
    ]
    assert review("0 * * * *", "America/New_York", now=start) == Verdict([], [])


# --- BR-16: reversed ranges -----------------------------------------------------


def test_br16_a_reversed_hour_range_is_denied_with_the_split_range_suggested() -> None:
    (finding,) = kubernetes.validate(
        base_cronjob("0 22-2 * * *"), kind="CronJob", operation="CREATE"
    )

    assert finding.render() == (
        'spec.schedule: Invalid value: "0 22-2 * * *": beginning of range (22) '
        "beyond end of range (2): 22-2 (Ranges cannot wrap around; write "
        "'0 22-23,0-2 * * *' instead.)"
    )


def test_br16_a_reversed_minute_range_is_denied() -> None:
    assert review("5-3 * * * *") == Verdict(
        [
            'spec.schedule: Invalid value: "5-3 * * * *": beginning of range (5) '
            "beyond end of range (3): 5-3"
        ],
        [],
    )


# --- BR-17: step edge cases -----------------------------------------------------


@pytest.mark.timeout(10)
def test_br17_a_zero_step_is_denied_without_hanging() -> None:
    verdict = review("*/0 * * * *")

    assert verdict == Verdict(
        [
            'spec.schedule: Invalid value: "*/0 * * * *": step of range should be a '
            "positive number: */0"
        ],
        [],
    )


def test_br17_a_step_wider_than_the_field_fires_once_an_hour() -> None:
    assert review("*/61 * * * *") == Verdict(
        [], ["step 61 exceeds minute range; equivalent to '0'"]
    )
    assert runs("*/61 * * * *", PROBE_START, 2) == [
        "2026-12-03T13:00:00+00:00",
        "2026-12-03T14:00:00+00:00",
    ]


def test_br17_an_empty_list_element_is_ignored() -> None:
    assert review("0,,5 * * * *") == Verdict(
        [], ["minute '0,,5' has an empty list element; Kubernetes ignores it"]
    )
    assert runs("0,,5 * * * *", PROBE_START, 3) == [
        "2026-12-03T12:05:00+00:00",
        "2026-12-03T13:00:00+00:00",
        "2026-12-03T13:05:00+00:00",
    ]


def test_br17_a_range_without_an_end_is_denied() -> None:
    assert review("0 0 10-/2 * *") == Verdict(
        [
            'spec.schedule: Invalid value: "0 0 10-/2 * *": failed to parse int from '
            ': strconv.Atoi: parsing "": invalid syntax'
        ],
        [],
    )
