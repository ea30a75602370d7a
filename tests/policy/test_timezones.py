"""Time zone names checked as the kube-apiserver checks them, from tzdata only."""

from __future__ import annotations

import pytest

from webhook.policy.timezones import (
    LOCAL_MESSAGE,
    TimeZoneError,
    canonical_name,
    deprecated_aliases,
    load_location,
    load_time_zone,
    posix_sign_note,
    suggestion,
    time_zone_errors,
    zone_names,
)

VALIDATION = [
    ("Asia/Singapore", []),
    ("UTC", []),
    ("Etc/UTC", []),
    ("Etc/GMT+3", []),
    ("US/Eastern", []),
    ("Asia/Calcutta", []),
    ("America/Argentina/ComodRivadavia", []),
    ("", ["timeZone must be nil or non-empty string"]),
    ("Local", [LOCAL_MESSAGE]),
    ("local", [LOCAL_MESSAGE, "unknown time zone local"]),
    ("LOCAL", [LOCAL_MESSAGE, "unknown time zone LOCAL"]),
    ("utc", ["unknown time zone utc"]),
    ("Europe/Berlin ", ["unknown time zone Europe/Berlin "]),
    (" Europe/Berlin", ["unknown time zone  Europe/Berlin"]),
    (" ", ["unknown time zone  "]),
    ("Europe/Berlin\n", ["unknown time zone Europe/Berlin\n"]),
    ("GMT+3", ["unknown time zone GMT+3"]),
    ("../etc/passwd", ["unknown time zone ../etc/passwd"]),
    ("Europe/-Berlin", ["unknown time zone Europe/-Berlin"]),
    ("Europe//Berlin", ["unknown time zone Europe//Berlin"]),
    ("America/ABCDEFGHIJKLMNO", ["unknown time zone America/ABCDEFGHIJKLMNO"]),
    ("Europe/a..b", ["time: invalid location name"]),
    ("Continent/InvalidZone", ["unknown time zone Continent/InvalidZone"]),
    ("posixrules", ["unknown time zone posixrules"]),
]


@pytest.mark.parametrize(
    ("name", "errors"), VALIDATION, ids=[repr(name) for name, _ in VALIDATION]
)
def test_time_zones_are_validated_like_the_apiserver(
    name: str, errors: list[str]
) -> None:
    assert time_zone_errors(name) == errors


def test_the_zone_list_is_the_tzdata_packages() -> None:
    names = zone_names()

    assert {"America/New_York", "Etc/GMT-14", "Factory", "UTC"} <= names
    assert "localtime" not in names


def test_go_load_location_maps_empty_and_utc_to_utc_and_local_to_none() -> None:
    assert str(load_location("")) == "UTC"
    assert str(load_location("UTC")) == "UTC"
    assert load_location("Local") is None


def test_loading_a_refused_zone_raises_the_apiserver_message() -> None:
    with pytest.raises(TimeZoneError, match="^unknown time zone utc$"):
        load_time_zone("utc")
    with pytest.raises(TimeZoneError, match="^timeZone must be an explicit"):
        load_time_zone("Local")


def test_zones_come_from_the_tzdata_package_with_their_names() -> None:
    zone = load_time_zone("Asia/Kolkata")

    assert str(zone) == "Asia/Kolkata"
    assert load_time_zone("Asia/Kolkata") is zone


ALIASES = [
    ("US/Eastern", "America/New_York"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Australia/ACT", "Australia/Sydney"),
    ("Singapore", "Asia/Singapore"),
    ("CET", "Europe/Brussels"),
]


@pytest.mark.parametrize(("alias", "canonical"), ALIASES, ids=[a for a, _ in ALIASES])
def test_deprecated_aliases_name_their_zone(alias: str, canonical: str) -> None:
    assert canonical_name(alias) == canonical


NOT_ALIASES = [
    "America/New_York",
    "UTC",
    "GMT",
    "Etc/Zulu",
    "Asia/Kuala_Lumpur",
    "Europe/Oslo",
]


@pytest.mark.parametrize("name", NOT_ALIASES)
def test_current_names_and_utc_spellings_are_not_deprecated(name: str) -> None:
    assert canonical_name(name) is None


def test_every_alias_points_at_a_zone_in_the_list() -> None:
    aliases = deprecated_aliases()

    assert set(aliases.values()) <= zone_names()
    assert set(aliases) <= zone_names()


SIGNS = [
    ("Etc/GMT+3", "Etc/GMT+3 means UTC-3 (POSIX sign is inverted)"),
    ("Etc/GMT-14", "Etc/GMT-14 means UTC+14 (POSIX sign is inverted)"),
    ("Etc/GMT+0", None),
    ("Etc/GMT", None),
    ("Europe/Berlin", None),
]


@pytest.mark.parametrize(("name", "note"), SIGNS, ids=[n for n, _ in SIGNS])
def test_etc_gmt_zones_explain_their_inverted_sign(name: str, note: str | None) -> None:
    assert posix_sign_note(name) == note


SUGGESTIONS = [
    ("utc", "UTC"),
    ("europe/berlin", "Europe/Berlin"),
    ("UTC", None),
    ("Mars/Base", None),
]


@pytest.mark.parametrize(
    ("name", "close"), SUGGESTIONS, ids=[n for n, _ in SUGGESTIONS]
)
def test_a_wrongly_cased_zone_suggests_the_right_case(
    name: str, close: str | None
) -> None:
    assert suggestion(name) == close
