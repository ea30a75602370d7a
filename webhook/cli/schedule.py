"""``batchguard schedule``: the next runs of a schedule, as Kubernetes would run them.

The schedule and zone are checked as the apiserver checks a new CronJob (so a
``TZ=`` prefix is refused), the runs come from the robfig/cron reimplementation
(DST gaps skipped, fall-back hours run twice), and the warnings are those of the
``scheduleHygiene`` and ``timeZoneHygiene`` rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import click

from webhook.cli.main import EXIT_OK, EXIT_USAGE
from webhook.policy.cron import Schedule, next_runs, parse_schedule
from webhook.policy.kubernetes.schedule import validate_schedule
from webhook.policy.rules.schedule import Note, schedule_notes
from webhook.policy.rules.time_zone import time_zone_notes
from webhook.policy.timezones import load_time_zone

# Runs are searched five years ahead and checked for 28; Python dates end in 9999.
_LAST_YEAR = 9000


@click.command("schedule")
@click.argument("expression", metavar="EXPR")
@click.option(
    "--time-zone",
    "time_zone",
    metavar="TZ",
    help="The CronJob's spec.timeZone (default: none, the controller's UTC).",
)
@click.option(
    "--count",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="How many runs to show.",
)
@click.option(
    "--start",
    metavar="ISO",
    help=(
        "Show the runs after this time (default: now). A time without an offset "
        "is read in --time-zone."
    ),
)
def schedule(
    expression: str, time_zone: str | None, count: int, start: str | None
) -> int:
    """Show the next runs of a CronJob schedule EXPR and what is odd about it."""
    spec = {"schedule": expression, "timeZone": time_zone}
    problems = list(validate_schedule(spec, old_spec=None))
    if problems:
        for problem in problems:
            click.echo(f"error: {problem.render()}", err=True)
        return EXIT_USAGE

    zone = load_time_zone(time_zone) if time_zone is not None else None
    begin = _start(start, zone)
    parsed = parse_schedule(expression)
    _echo_runs(parsed, expression=expression, zone=zone, begin=begin, count=count)
    notes = schedule_notes(parsed, time_zone=zone, now=begin)
    _echo_notes(notes + (time_zone_notes(time_zone) if time_zone else []))
    return EXIT_OK


def _start(text: str | None, zone: tzinfo | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 time such as 2027-03-13T12:00:00Z.",
            param_hint="'--start'",
        ) from None
    if not 1970 <= moment.year <= _LAST_YEAR:
        raise click.BadParameter(
            f"{text!r} is outside the years 1970 to {_LAST_YEAR}.",
            param_hint="'--start'",
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=zone or UTC)


def _echo_runs(
    parsed: Schedule,
    *,
    expression: str,
    zone: tzinfo | None,
    begin: datetime,
    count: int,
) -> None:
    click.echo(f"Schedule: {expression}")
    shown = str(zone) if zone is not None else "none (the controller's zone, UTC)"
    click.echo(f"Time zone: {shown}")
    runs = next_runs(parsed, time_zone=zone, start=begin, count=count)
    if not runs:
        click.echo("Next runs: none (nothing matches within five years)")
        return
    click.echo(f"Next {len(runs)} runs after {begin.isoformat()} (local, then UTC):")
    for run in runs:
        click.echo(f"  {run.isoformat()}  {run.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")


def _echo_notes(notes: list[Note]) -> None:
    if not notes:
        return
    click.echo("Warnings:")
    for note in notes:
        click.echo(f"  - {note.message}")
        if note.hint:
            click.echo(f"    {note.hint}")
