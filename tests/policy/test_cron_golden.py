"""Every line of the robfig/cron golden file: validity, error texts and next runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from webhook.policy.cron import ScheduleError, next_runs, parse_schedule
from webhook.policy.kubernetes.schedule import schedule_errors
from webhook.policy.timezones import load_time_zone, time_zone_errors

GOLDEN = Path(__file__).parent.parent / "data" / "cron" / "kubernetes-cron-golden.jsonl"
LINES = [json.loads(line) for line in GOLDEN.read_text().splitlines()]


def expected_errors(line: dict[str, Any]) -> list[str]:
    """The details the apiserver reports, in its order (see data/cron/SOURCES.md)."""
    schedule = line["schedule"]
    old = schedule if "TZ" in schedule else None
    details = [
        detail
        for detail, _ in schedule_errors(
            schedule, time_zone_set="timeZone" in line, old_schedule=old
        )
    ]
    if "timeZone" in line:
        details.extend(time_zone_errors(line["timeZone"]))
    return details


def runs(line: dict[str, Any]) -> list[str]:
    zone = load_time_zone(line["timeZone"]) if "timeZone" in line else None
    start = datetime.fromisoformat(line["start"])
    found = next_runs(
        parse_schedule(line["schedule"]), time_zone=zone, start=start, count=line["n"]
    )
    return [run.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for run in found]


def test_the_golden_file_has_every_line() -> None:
    assert len(LINES) == 1141


@pytest.mark.parametrize(
    "line", LINES, ids=[f"line{number}" for number in range(1, len(LINES) + 1)]
)
def test_schedule_matches_robfig(line: dict[str, Any]) -> None:
    errors = expected_errors(line)

    assert errors == line.get("errors", [])
    assert (not errors) is line["valid"]
    if line["valid"]:
        assert runs(line) == line.get("next", [])


def test_an_empty_schedule_is_robfigs_empty_spec_string() -> None:
    with pytest.raises(ScheduleError, match="^empty spec string$"):
        parse_schedule("")
