"""The apiserver's schedule/timeZone checks and the CronJob schedule policy rules."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import jsonpatch
import jsonschema
import pytest

from webhook.policy.cron import next_runs, parse_schedule
from webhook.policy.findings import Applied, Enforcement, Finding
from webhook.policy.kubernetes.schedule import validate_schedule
from webhook.policy.rules import RULES
from webhook.policy.rules.base import Rule, RuleContext
from webhook.policy.rules.cronjob_policy import CONCURRENCY_POLICY, STARTING_DEADLINE
from webhook.policy.rules.schedule import format_seconds, schedule_rules, shortest_gap
from webhook.policy.rules.time_zone import TIME_ZONE, TIME_ZONE_HYGIENE

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SCHEDULE, SCHEDULE_HYGIENE = schedule_rules(clock=lambda: NOW)


def cronjob(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "example-report", "namespace": "example-ns"},
        "spec": {
            "schedule": "0 18 * * *",
            "concurrencyPolicy": "Allow",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never"}}}},
            **spec,
        },
    }


def context(
    rule: Rule,
    obj: dict[str, Any],
    config: dict[str, Any],
    *,
    operation: str = "CREATE",
    old: dict[str, Any] | None = None,
) -> RuleContext:
    return RuleContext(
        obj=obj,
        kind="CronJob",
        operation=operation,  # type: ignore[arg-type]
        config=config,
        policy="team-defaults",
        rule=rule.name,
        old=old,
        namespace="example-ns",
        default_enforcement=rule.default_enforcement,
    )


def findings(rule: Rule, obj: dict[str, Any], config: dict[str, Any]) -> list[Finding]:
    assert rule.validate is not None
    return list(rule.validate(context(rule, obj, config)))


def messages(rule: Rule, obj: dict[str, Any], config: dict[str, Any]) -> list[str]:
    return [finding.message for finding in findings(rule, obj, config)]


def mutate(
    rule: Rule,
    obj: dict[str, Any],
    config: dict[str, Any],
    *,
    operation: str = "CREATE",
) -> tuple[list[dict[str, Any]], list[Applied | Finding]]:
    """The JSON Patch the mutation makes, checked to apply, and what it reported."""
    assert rule.mutate is not None
    working = copy.deepcopy(obj)
    events = list(rule.mutate(context(rule, working, config, operation=operation)))
    patch = jsonpatch.make_patch(obj, working).patch
    assert jsonpatch.apply_patch(obj, patch) == working
    return patch, events


def apiserver(
    spec: dict[str, Any], old_spec: dict[str, Any] | None = None
) -> list[str]:
    return [
        f"{f.path}: {f.message}" for f in validate_schedule(spec, old_spec=old_spec)
    ]


# --- the apiserver's checks -----------------------------------------------------

CREATE = [
    ("* * * * ?", None, []),
    ("@hourly", None, []),
    ("0 * * * *", "America/New_York", []),
    (
        "error",
        None,
        [
            'spec.schedule: Invalid value: "error": expected exactly 5 fields, '
            "found 1: [error]"
        ],
    ),
    ("", None, ["spec.schedule: Required value"]),
    (
        "0 3 * * 7",
        None,
        [
            'spec.schedule: Invalid value: "0 3 * * 7": end of range (7) above '
            "maximum (6): 7"
        ],
    ),
    (
        "0 * * * *",
        "",
        ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
    ),
    (
        "0 * * * *",
        "LOCAL",
        [
            'spec.timeZone: Invalid value: "LOCAL": timeZone must be an explicit time '
            "zone as defined in https://www.iana.org/time-zones",
            'spec.timeZone: Invalid value: "LOCAL": unknown time zone LOCAL',
        ],
    ),
    (
        "0 * * * *",
        "Continent/InvalidZone",
        [
            'spec.timeZone: Invalid value: "Continent/InvalidZone": unknown time zone '
            "Continent/InvalidZone"
        ],
    ),
    (
        "TZ=UTC 0 * * * *",
        None,
        [
            'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or '
            "CRON_TZ in schedule, use timeZone field instead"
        ],
    ),
    (
        "TZ=UTC",
        None,
        [
            'spec.schedule: Invalid value: "TZ=UTC": a TZ= or CRON_TZ= prefix must be '
            "followed by a space and the schedule: TZ=UTC",
            'spec.schedule: Invalid value: "TZ=UTC": cannot use TZ or CRON_TZ in '
            "schedule, use timeZone field instead",
        ],
    ),
    (
        "0 0 * * 8",
        "utc",
        [
            'spec.schedule: Invalid value: "0 0 * * 8": end of range (8) above '
            "maximum (6): 8",
            'spec.timeZone: Invalid value: "utc": unknown time zone utc',
        ],
    ),
]


@pytest.mark.parametrize(
    ("schedule", "time_zone", "expected"),
    CREATE,
    ids=[f"{s!r}-{tz!r}" for s, tz, _ in CREATE],
)
def test_create_is_checked_as_the_apiserver_checks_it(
    schedule: str, time_zone: str | None, expected: list[str]
) -> None:
    assert apiserver({"schedule": schedule, "timeZone": time_zone}) == expected


TZ_UPDATES = [
    ("TZ=UTC 0 * * * *", None, "TZ=UTC 0 * * * *", None, []),
    ("TZ=UTC 0 * * * *", None, "0 * * * *", None, []),
    ("TZ=UTC 0 * * * *", None, "TZ=Europe/Paris 5 * * * *", None, []),
    (
        "TZ=UTC 0 * * * *",
        None,
        "TZ=UTC 0 * * * *",
        "UTC",
        [
            'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both '
            "timeZone field and TZ or CRON_TZ in schedule"
        ],
    ),
    (
        "0 * * * *",
        None,
        "TZ=UTC 0 * * * *",
        None,
        [
            'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or '
            "CRON_TZ in schedule, use timeZone field instead"
        ],
    ),
]


@pytest.mark.parametrize(
    ("old_schedule", "old_zone", "schedule", "zone", "expected"),
    TZ_UPDATES,
    ids=["unchanged", "tz-removed", "tz-changed", "tz-and-zone", "tz-added"],
)
def test_a_tz_prefix_is_tolerated_only_when_the_old_schedule_had_one(
    old_schedule, old_zone, schedule, zone, expected
) -> None:
    old = {"schedule": old_schedule, "timeZone": old_zone}

    assert apiserver({"schedule": schedule, "timeZone": zone}, old) == expected


ZONE_UPDATES = [
    (None, None, []),
    (None, "America/New_York", []),
    (
        None,
        "broken",
        ['spec.timeZone: Invalid value: "broken": unknown time zone broken'],
    ),
    (
        "America/New_York",
        "broken",
        ['spec.timeZone: Invalid value: "broken": unknown time zone broken'],
    ),
    ("broken", "broken", []),
    (
        "broken",
        "still broken",
        [
            'spec.timeZone: Invalid value: "still broken": unknown time zone still '
            "broken"
        ],
    ),
    ("broken", "America/New_York", []),
]


@pytest.mark.parametrize(
    ("old_zone", "zone", "expected"),
    ZONE_UPDATES,
    ids=[f"{old!r}->{new!r}" for old, new, _ in ZONE_UPDATES],
)
def test_an_update_checks_the_time_zone_only_when_it_changes(
    old_zone, zone, expected
) -> None:
    old = {"schedule": "0 * * * *", "timeZone": old_zone}

    assert apiserver({"schedule": "0 * * * *", "timeZone": zone}, old) == expected


def test_wrong_json_types_are_reported_as_undecodable() -> None:
    found = list(validate_schedule({"schedule": 5, "timeZone": ["UTC"]}, old_spec=None))

    assert [f.render() for f in found] == [
        "spec.schedule: Invalid value: 5: must be a string (Fix the YAML type of "
        "this field; the apiserver cannot decode it.)",
        "spec.timeZone: Invalid value: [...]: must be a string (Fix the YAML type of "
        "this field; the apiserver cannot decode it.)",
    ]
    assert {f.rule for f in found} == {"kubernetes.fieldType"}


HINTS = [
    (
        {"schedule": "0 22-2 * * *"},
        "Ranges cannot wrap around; write '0 22-23,0-2 * * *' instead.",
    ),
    (
        {"schedule": "0 0 * * *", "timeZone": "utc"},
        "Zone names are case-sensitive; did you mean 'UTC'?",
    ),
    (
        {"schedule": "0 0 * * *", "timeZone": "Local"},
        "Name the zone explicitly, such as Etc/UTC or Europe/Berlin.",
    ),
    (
        {"schedule": "TZ=UTC 0 * * * *"},
        "Set spec.timeZone to the zone and drop the TZ=/CRON_TZ= prefix.",
    ),
]


@pytest.mark.parametrize(("spec", "hint"), HINTS, ids=["wrap", "case", "local", "tz"])
def test_apiserver_findings_say_how_to_fix_them(
    spec: dict[str, Any], hint: str
) -> None:
    found = list(validate_schedule(spec, old_spec=None))

    assert [f.hint for f in found] == [hint]
    assert found[0].enforcement is Enforcement.DENY


# --- schedule: minimumInterval --------------------------------------------------

INTERVALS = [
    (
        "* * * * *",
        "5m",
        "schedule '* * * * *' runs at 2026-12-03 00:00 and again at 2026-12-03 00:01, "
        "1m apart; this policy requires at least 5m between runs.",
    ),
    (
        "0 1,23 * * *",
        "3h",
        "schedule '0 1,23 * * *' runs at 2026-12-03 23:00 and again at 2026-12-04 "
        "01:00, 2h apart; this policy requires at least 3h between runs.",
    ),
    (
        "@every 30s",
        60,
        "schedule '@every 30s' runs at 2026-12-03 00:00 and again at 2026-12-03 "
        "00:00:30, 30s apart; this policy requires at least 1m between runs.",
    ),
    ("*/5 * * * *", "5m", None),
    ("0 0 * * *", 86400, None),
    ("0 3 * * 7", "1h", None),
    ("0 0 31 2 *", "1h", None),
]


@pytest.mark.parametrize(
    ("schedule", "minimum", "message"), INTERVALS, ids=[s for s, _, _ in INTERVALS]
)
def test_minimum_interval_names_the_two_closest_runs(
    schedule, minimum, message
) -> None:
    found = findings(SCHEDULE, cronjob(schedule=schedule), {"minimumInterval": minimum})

    assert [f.message for f in found] == ([message] if message else [])
    assert all(
        f.path == "spec.schedule" and f.rule == "schedule.minimumInterval"
        for f in found
    )


GAP_SCHEDULES = [
    "*/7 * * * *",
    "0 0 1 * *",
    "0 0 29 2 *",
    "30 9 * * 1-5",
    "0 0 */2 * 3",
    "5 4,20 * * SUN",
]


@pytest.mark.parametrize("schedule", GAP_SCHEDULES)
def test_the_shortest_gap_is_the_shortest_between_actual_runs(schedule: str) -> None:
    parsed = parse_schedule(schedule)
    runs = next_runs(parsed, start=datetime(2027, 1, 1, tzinfo=UTC), count=400)
    brute = min((b - a).total_seconds() for a, b in zip(runs, runs[1:], strict=False))

    gap = shortest_gap(parsed, start=datetime(2027, 1, 1).date())

    assert gap is not None
    assert gap.seconds == brute


def test_durations_are_shown_go_style() -> None:
    assert [format_seconds(s) for s in (0, 30, 300, 5400, 172800)] == [
        "0s",
        "30s",
        "5m",
        "1h30m",
        "48h",
    ]


# --- scheduleHygiene ------------------------------------------------------------

HYGIENE = [
    ("0 18 * * *", {}, []),
    (
        "0 0 1 * */1",
        {},
        [("spec.schedule", "starStep", "day-of-week '*/1' is equivalent to '*'")],
    ),
    (
        "0 0 */2 * 3",
        {},
        [
            (
                "spec.schedule",
                "daysOr",
                "schedule restricts both day-of-month and day-of-week; Kubernetes runs "
                "the job when EITHER matches (OR)",
            )
        ],
    ),
    (
        "*/61 * * * *",
        {},
        [
            (
                "spec.schedule",
                "largeStep",
                "step 61 exceeds minute range; equivalent to '0'",
            )
        ],
    ),
    (
        "0 9-17/10 * * *",
        {},
        [
            (
                "spec.schedule",
                "largeStep",
                "step 10 exceeds the range '9-17'; equivalent to '9'",
            )
        ],
    ),
    (
        "0,,5 * * * *",
        {},
        [
            (
                "spec.schedule",
                "emptyElement",
                "minute '0,,5' has an empty list element; Kubernetes ignores it",
            )
        ],
    ),
    (
        "0 0 31 2 *",
        {},
        [
            (
                "spec.schedule",
                "neverFires",
                "schedule '0 0 31 2 *' never fires: no time in the next five years "
                "matches it, and Kubernetes looks no further",
            )
        ],
    ),
    (
        "0 0 29 2 *",
        {},
        [
            (
                "spec.schedule",
                "leapDayOnly",
                "schedule '0 0 29 2 *' fires only on February 29, once every four "
                "years",
            )
        ],
    ),
    (
        "@every 1500ms",
        {},
        [
            (
                "spec.schedule",
                "every",
                "'@every' is a non-standard descriptor; runs every 1500ms counted from "
                "the CronJob's last scheduled time, not at fixed clock times",
            ),
            (
                "spec.schedule",
                "everyRounded",
                "'@every 1500ms' is rounded down to whole seconds and up to at least "
                "one second: it runs every 1s",
            ),
        ],
    ),
    (
        "0 18 * * *",
        {"startingDeadlineSeconds": 5},
        [
            (
                "spec.startingDeadlineSeconds",
                "startingDeadline",
                "startingDeadlineSeconds 5 is under 10 seconds; the CronJob controller "
                "checks every 10 seconds, so a run may never start",
            )
        ],
    ),
    (
        "30 2 * * 0",
        {"timeZone": "Europe/Berlin"},
        [
            (
                "spec.schedule",
                "dstSkipped",
                "02:30 does not exist on 2027-03-28 in Europe/Berlin; Kubernetes will "
                "skip that run",
            ),
            (
                "spec.schedule",
                "dstDoubled",
                "02:30 in Europe/Berlin runs twice on 2027-10-31 (DST fall-back)",
            ),
        ],
    ),
    (
        "*/20 2 * * *",
        {"timeZone": "America/New_York"},
        [
            (
                "spec.schedule",
                "dstSkipped",
                "02:00, 02:20, 02:40 do not exist on 2027-03-14 in America/New_York; "
                "Kubernetes will skip those runs",
            ),
        ],
    ),
    ("0 * * * *", {"timeZone": "America/New_York"}, []),
    ("0 22-2 * * *", {}, []),
]


@pytest.mark.parametrize(
    ("schedule", "spec", "expected"),
    HYGIENE,
    ids=[f"{s}-{sorted(spec)}" for s, spec, _ in HYGIENE],  # type: ignore[call-overload]
)
def test_schedule_hygiene_warns_about_surprising_schedules(
    schedule, spec, expected
) -> None:
    found = findings(SCHEDULE_HYGIENE, cronjob(schedule=schedule, **spec), {})

    assert [(f.path, f.rule.split(".")[1], f.message) for f in found] == expected
    assert all(f.enforcement is Enforcement.WARN for f in found)


def test_schedule_hygiene_checks_can_be_ignored_and_enforced() -> None:
    obj = cronjob(schedule="0 0 */2 * */1", startingDeadlineSeconds=0)
    config = {"ignore": ["daysOr"], "enforcement": "deny"}

    found = findings(SCHEDULE_HYGIENE, obj, config)

    assert [(f.rule, f.enforcement) for f in found] == [
        ("scheduleHygiene.starStep", Enforcement.DENY),
        ("scheduleHygiene.startingDeadline", Enforcement.DENY),
    ]
    assert found[0].hint == "Write '*'."


def test_a_tz_prefix_is_the_zone_hygiene_looks_at() -> None:
    obj = cronjob(schedule="CRON_TZ=America/New_York 30 2 * * *")

    assert messages(SCHEDULE_HYGIENE, obj, {}) == [
        "02:30 does not exist on 2027-03-14 in America/New_York; Kubernetes will skip "
        "that run"
    ]


# --- timeZone and timeZoneHygiene -----------------------------------------------


def test_a_default_time_zone_is_added_when_absent() -> None:
    patch, events = mutate(TIME_ZONE, cronjob(), {"default": "Etc/UTC"})

    assert patch == [{"op": "add", "path": "/spec/timeZone", "value": "Etc/UTC"}]
    assert [(e.path, e.message) for e in events] == [
        ("spec.timeZone", "Set timeZone to the policy default 'Etc/UTC'.")
    ]


def test_a_default_time_zone_is_added_on_update_too() -> None:
    patch, _ = mutate(TIME_ZONE, cronjob(), {"default": "Etc/UTC"}, operation="UPDATE")

    assert patch == [{"op": "add", "path": "/spec/timeZone", "value": "Etc/UTC"}]


@pytest.mark.parametrize(
    "spec",
    [{"timeZone": "Europe/Berlin"}, {"schedule": "TZ=Europe/Berlin 0 3 * * *"}],
    ids=["zone-set", "tz-prefix"],
)
def test_a_default_time_zone_leaves_a_chosen_zone_alone(spec: dict[str, Any]) -> None:
    patch, events = mutate(TIME_ZONE, cronjob(**spec), {"default": "Etc/UTC"})

    assert (patch, events) == ([], [])


def test_an_invalid_default_time_zone_is_reported_not_applied() -> None:
    patch, events = mutate(TIME_ZONE, cronjob(), {"default": "utc"})

    assert patch == []
    assert [(e.message, e.enforcement) for e in events] == [  # type: ignore[union-attr]
        (
            "The policy default timeZone 'utc' was not applied: unknown time zone utc.",
            Enforcement.WARN,
        )
    ]


TIME_ZONE_CHECKS = [
    (
        {},
        {"required": True},
        [
            "timeZone is required by this policy and is not set; the CronJob would "
            "run on the controller's clock (usually UTC)."
        ],
    ),
    ({"timeZone": "Europe/Berlin"}, {"required": True, "allowed": ["Europe/*"]}, []),
    (
        {"timeZone": "America/New_York"},
        {"allowed": ["Europe/*", "Etc/UTC"]},
        [
            "timeZone 'America/New_York' is not allowed by this policy; allowed: "
            "Europe/*, Etc/UTC."
        ],
    ),
    (
        {"timeZone": "europe/berlin"},
        {"allowed": ["Europe/*"]},
        ["timeZone 'europe/berlin' is not allowed by this policy; allowed: Europe/*."],
    ),
    ({}, {"allowed": ["Europe/*"]}, []),
]


@pytest.mark.parametrize(
    ("spec", "config", "expected"),
    TIME_ZONE_CHECKS,
    ids=["required", "allowed", "not-allowed", "case-sensitive", "absent"],
)
def test_time_zone_requirements(spec, config, expected) -> None:
    assert messages(TIME_ZONE, cronjob(**spec), config) == expected


ZONE_HYGIENE = [
    ("US/Eastern", ["'US/Eastern' is a deprecated alias; use America/New_York"]),
    ("Asia/Calcutta", ["'Asia/Calcutta' is a deprecated alias; use Asia/Kolkata"]),
    ("Etc/GMT+3", ["Etc/GMT+3 means UTC-3 (POSIX sign is inverted)"]),
    ("Europe/Berlin", []),
    ("utc", []),
]


@pytest.mark.parametrize(
    ("zone", "expected"), ZONE_HYGIENE, ids=[z for z, _ in ZONE_HYGIENE]
)
def test_time_zone_hygiene_warns_about_misleading_names(
    zone: str, expected: list[str]
) -> None:
    found = findings(TIME_ZONE_HYGIENE, cronjob(timeZone=zone), {})

    assert [f.message for f in found] == expected
    assert all(f.enforcement is Enforcement.WARN for f in found)


# --- concurrencyPolicy and startingDeadlineSeconds ------------------------------

CONCURRENCY_DEFAULTS = [
    (
        {"concurrencyPolicy": "Allow"},
        [{"op": "replace", "path": "/spec/concurrencyPolicy", "value": "Forbid"}],
        "Replaced concurrencyPolicy 'Allow' (the apiserver's default, which an "
        "explicit 'Allow' cannot be told from) with the policy default 'Forbid'.",
    ),
    (
        {"concurrencyPolicy": None},
        [{"op": "replace", "path": "/spec/concurrencyPolicy", "value": "Forbid"}],
        "Set concurrencyPolicy to the policy default 'Forbid'.",
    ),
    ({"concurrencyPolicy": "Replace"}, [], None),
    ({"concurrencyPolicy": "Forbid"}, [], None),
]


@pytest.mark.parametrize(
    ("spec", "expected_patch", "message"),
    CONCURRENCY_DEFAULTS,
    ids=["apiserver-default", "absent", "replace-kept", "already"],
)
def test_a_concurrency_default_replaces_only_the_apiserver_default(
    spec, expected_patch, message
) -> None:
    patch, events = mutate(CONCURRENCY_POLICY, cronjob(**spec), {"default": "Forbid"})

    assert patch == expected_patch
    assert [e.message for e in events] == ([message] if message else [])


def test_a_concurrency_default_adds_the_field_to_a_raw_manifest() -> None:
    obj = cronjob()
    del obj["spec"]["concurrencyPolicy"]

    patch, _ = mutate(CONCURRENCY_POLICY, obj, {"default": "Replace"})

    assert patch == [
        {"op": "add", "path": "/spec/concurrencyPolicy", "value": "Replace"}
    ]


def test_allowed_concurrency_policies_count_an_omitted_field_as_allow() -> None:
    obj = cronjob()
    del obj["spec"]["concurrencyPolicy"]

    found = findings(CONCURRENCY_POLICY, obj, {"allowed": ["Forbid", "Replace"]})

    assert [(f.path, f.message, f.hint) for f in found] == [
        (
            "spec.concurrencyPolicy",
            "concurrencyPolicy 'Allow' (the default when omitted) is not allowed by "
            "this policy; allowed: Forbid, Replace.",
            "Set spec.concurrencyPolicy to Forbid or Replace.",
        )
    ]
    assert (
        findings(
            CONCURRENCY_POLICY,
            cronjob(concurrencyPolicy="Forbid"),
            {"allowed": ["Forbid"]},
        )
        == []
    )


def test_a_starting_deadline_default_applies_only_when_absent() -> None:
    added, events = mutate(STARTING_DEADLINE, cronjob(), {"default": 300})
    kept, _ = mutate(
        STARTING_DEADLINE, cronjob(startingDeadlineSeconds=0), {"default": 300}
    )

    assert added == [
        {"op": "add", "path": "/spec/startingDeadlineSeconds", "value": 300}
    ]
    assert [e.message for e in events] == [
        "Set startingDeadlineSeconds to the policy default 300."
    ]
    assert kept == []


def test_a_starting_deadline_below_the_minimum_is_reported() -> None:
    config = {"minimum": 60}

    assert messages(STARTING_DEADLINE, cronjob(startingDeadlineSeconds=30), config) == [
        "startingDeadlineSeconds 30 is below the policy minimum 60: a run that cannot "
        "start within 30 seconds of its time is skipped."
    ]
    assert messages(STARTING_DEADLINE, cronjob(), config) == []


# --- registry and schemas -------------------------------------------------------

RULE_NAMES = [
    "concurrencyPolicy",
    "schedule",
    "scheduleHygiene",
    "startingDeadlineSeconds",
    "timeZone",
    "timeZoneHygiene",
]


@pytest.mark.parametrize("name", RULE_NAMES)
def test_the_rules_are_registered_for_cronjobs_only(name: str) -> None:
    assert RULES[name].kinds == frozenset({"CronJob"})


DEFAULT_ENFORCEMENT = [
    ("concurrencyPolicy", Enforcement.DENY),
    ("schedule", Enforcement.DENY),
    ("scheduleHygiene", Enforcement.WARN),
    ("startingDeadlineSeconds", Enforcement.DENY),
    ("timeZone", Enforcement.DENY),
    ("timeZoneHygiene", Enforcement.WARN),
]


@pytest.mark.parametrize(
    ("name", "enforcement"),
    DEFAULT_ENFORCEMENT,
    ids=[n for n, _ in DEFAULT_ENFORCEMENT],
)
def test_the_rules_enforce_by_default_as_documented(
    name: str, enforcement: Enforcement
) -> None:
    assert RULES[name].default_enforcement is enforcement


CONFIGS = [
    ("schedule", {"minimumInterval": "1h30m"}, True),
    ("schedule", {"minimumInterval": 300}, True),
    ("schedule", {"minimumInterval": "5 minutes"}, False),
    ("schedule", {"minimumInterval": "1d"}, False),
    ("scheduleHygiene", {"ignore": ["dstSkipped", "every"]}, True),
    ("scheduleHygiene", {"ignore": ["nope"]}, False),
    (
        "timeZone",
        {"default": "Etc/UTC", "required": True, "allowed": ["Europe/*"]},
        True,
    ),
    ("timeZone", {"allowed": []}, False),
    ("timeZoneHygiene", {}, True),
    (
        "concurrencyPolicy",
        {"default": "Forbid", "allowed": ["Forbid", "Replace"]},
        True,
    ),
    ("concurrencyPolicy", {"default": "forbid"}, False),
    ("startingDeadlineSeconds", {"default": 200, "minimum": 10}, True),
    ("startingDeadlineSeconds", {"minimum": -1}, False),
]


@pytest.mark.parametrize(
    ("name", "config", "valid"),
    CONFIGS,
    ids=[f"{name}-{index}" for index, (name, _, _) in enumerate(CONFIGS)],
)
def test_rule_schemas_accept_only_meaningful_configs(
    name: str, config: dict[str, Any], valid: bool
) -> None:
    schema = RULES[name].schema
    jsonschema.Draft202012Validator.check_schema(schema)

    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(config))

    assert (not errors) is valid
