"""``batchguard schedule``: next runs and warnings, in-process, exact output."""

from __future__ import annotations

import pytest

from webhook.cli.main import run


def test_next_runs_skip_the_dst_gap_and_warn_about_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(
        [
            "schedule",
            "30 2 * * *",
            "--time-zone",
            "America/New_York",
            "--start",
            "2027-03-13T12:00:00-05:00",
            "--count",
            "3",
        ]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "Schedule: 30 2 * * *\n"
        "Time zone: America/New_York\n"
        "Next 3 runs after 2027-03-13T12:00:00-05:00 (local, then UTC):\n"
        "  2027-03-15T02:30:00-04:00  2027-03-15T06:30:00Z\n"
        "  2027-03-16T02:30:00-04:00  2027-03-16T06:30:00Z\n"
        "  2027-03-17T02:30:00-04:00  2027-03-17T06:30:00Z\n"
        "Warnings:\n"
        "  - 02:30 does not exist on 2027-03-14 in America/New_York; Kubernetes will "
        "skip that run\n"
        "    Schedule the job outside the hour the clocks skip, or use a zone without "
        "DST such as Etc/UTC.\n"
        "  - 02:30 does not exist on 2028-03-12 in America/New_York; Kubernetes will "
        "skip that run\n"
        "    Schedule the job outside the hour the clocks skip, or use a zone without "
        "DST such as Etc/UTC.\n"
    )


def test_a_fall_back_hour_shows_both_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "schedule",
            "30 1 * * *",
            "--time-zone",
            "America/New_York",
            "--start",
            "2027-11-06T13:00:00",
            "--count",
            "2",
        ]
    )

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2:5] == [
        "Next 2 runs after 2027-11-06T13:00:00-04:00 (local, then UTC):",
        "  2027-11-07T01:30:00-04:00  2027-11-07T05:30:00Z",
        "  2027-11-07T01:30:00-05:00  2027-11-07T06:30:00Z",
    ]


def test_without_a_time_zone_runs_are_in_utc(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(
        ["schedule", "0 18 * * *", "--start", "2026-12-03T12:00:00Z", "--count", "2"]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "Schedule: 0 18 * * *\n"
        "Time zone: none (the controller's zone, UTC)\n"
        "Next 2 runs after 2026-12-03T12:00:00+00:00 (local, then UTC):\n"
        "  2026-12-03T18:00:00+00:00  2026-12-03T18:00:00Z\n"
        "  2026-12-04T18:00:00+00:00  2026-12-04T18:00:00Z\n"
    )


def test_time_zone_notes_follow_the_schedule_notes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(
        [
            "schedule",
            "0 12 * * *",
            "--time-zone",
            "Etc/GMT+3",
            "--start",
            "2026-12-03T12:00:00Z",
            "--count",
            "1",
        ]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "Schedule: 0 12 * * *\n"
        "Time zone: Etc/GMT+3\n"
        "Next 1 runs after 2026-12-03T12:00:00+00:00 (local, then UTC):\n"
        "  2026-12-03T12:00:00-03:00  2026-12-03T15:00:00Z\n"
        "Warnings:\n"
        "  - Etc/GMT+3 means UTC-3 (POSIX sign is inverted)\n"
        "    Check the offset you meant; a named zone such as Asia/Dubai avoids the "
        "confusion.\n"
    )


def test_a_schedule_that_never_fires_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["schedule", "0 0 30 2 *", "--start", "2026-12-03T12:00:00Z"])

    assert code == 0
    assert capsys.readouterr().out == (
        "Schedule: 0 0 30 2 *\n"
        "Time zone: none (the controller's zone, UTC)\n"
        "Next runs: none (nothing matches within five years)\n"
        "Warnings:\n"
        "  - schedule '0 0 30 2 *' never fires: no time in the next five years "
        "matches it, and Kubernetes looks no further\n"
        "    Check the day-of-month against the months: February has at most 29 "
        "days; April, June, September and November have 30.\n"
    )


INVALID = [
    (
        ["0 3 * * 7"],
        'error: spec.schedule: Invalid value: "0 3 * * 7": end of range (7) above '
        "maximum (6): 7 (Kubernetes numbers the days of the week 0-6; write 0 or SUN "
        "for Sunday.)\n",
    ),
    (
        ["0 0 * * *", "--time-zone", "utc"],
        'error: spec.timeZone: Invalid value: "utc": unknown time zone utc (Zone '
        "names are case-sensitive; did you mean 'UTC'?)\n",
    ),
    (
        ["TZ=UTC 0 0 * * *"],
        'error: spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or '
        "CRON_TZ in schedule, use timeZone field instead (Set spec.timeZone to the "
        "zone and drop the TZ=/CRON_TZ= prefix.)\n",
    ),
]


@pytest.mark.parametrize(
    ("args", "stderr"), INVALID, ids=["sunday-7", "utc", "tz-prefix"]
)
def test_an_invalid_schedule_or_zone_prints_the_apiserver_message(
    args: list[str], stderr: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["schedule", *args])

    captured = capsys.readouterr()
    assert code == 2
    assert (captured.out, captured.err) == ("", stderr)


def test_a_bad_start_time_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["schedule", "0 0 * * *", "--start", "yesterday"])

    assert code == 2
    assert capsys.readouterr().err.endswith(
        "Error: Invalid value for '--start': 'yesterday' is not an ISO 8601 time such "
        "as 2027-03-13T12:00:00Z.\n"
    )


def test_the_time_zone_can_come_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCHGUARD_SCHEDULE_TIME_ZONE", "Asia/Tokyo")

    code = run(
        ["schedule", "0 9 * * *", "--start", "2026-12-03T00:00:00Z", "--count", "1"]
    )

    assert code == 0
    assert capsys.readouterr().out == (
        "Schedule: 0 9 * * *\n"
        "Time zone: Asia/Tokyo\n"
        "Next 1 runs after 2026-12-03T00:00:00+00:00 (local, then UTC):\n"
        "  2026-12-04T09:00:00+09:00  2026-12-04T00:00:00Z\n"
    )
