"""Time zone names as the kube-apiserver checks them, answered from the tzdata package.

The apiserver validates ``spec.timeZone`` with ``validateTimeZone`` (an empty value,
a per-part character rule, ``Local`` in any case) and then ``time.LoadLocation``,
which must find the name in the IANA database. Here that database is the ``tzdata``
PyPI package, read directly, so the answer never depends on the host's
``/usr/share/zoneinfo`` and lookups are case-sensitive everywhere (``utc`` is not a
zone, even on a case-insensitive file system).

The same data gives the deprecated aliases (``US/Eastern`` -> ``America/New_York``)
and the ``Etc/GMT±N`` zones, whose POSIX sign is the opposite of what most people
expect.

Exceptions::

    ValueError
     └── TimeZoneError      Go's LoadLocation message as str()
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo

EMPTY_MESSAGE = "timeZone must be nil or non-empty string"
LOCAL_MESSAGE = (
    "timeZone must be an explicit time zone as defined in "
    "https://www.iana.org/time-zones"
)
INVALID_NAME_MESSAGE = "time: invalid location name"

# The apiserver's validTimeZoneCharacters, applied to each "/"-separated part.
_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")
_ETC_GMT = re.compile(r"Etc/GMT([+-])([0-9]{1,2})")
# Links to these are spellings of UTC and GMT, not deprecated names.
_UTC_TARGETS = frozenset({"Etc/UTC", "Etc/GMT"})


class TimeZoneError(ValueError):
    """A name Go's ``time.LoadLocation`` would refuse; ``str()`` is Go's message."""


@cache
def zone_names() -> frozenset[str]:
    """Every name ``time.LoadLocation`` finds: the tzdata package's zone list."""
    text = importlib.resources.files("tzdata").joinpath("zones").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)


@cache
def _zone(key: str) -> ZoneInfo:
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*key.split("/"))
    with resource.open("rb") as data:
        return ZoneInfo.from_file(data, key=key)


def load_location(name: str) -> ZoneInfo | None:
    """Go's ``time.LoadLocation`` over the tzdata package.

    ``""`` and ``"UTC"`` are UTC; ``"Local"`` is the process's local zone, which
    is returned as ``None`` (Go's ``time.Local``: "the zone of the time given").
    Raises `TimeZoneError` with Go's message for anything else that is not a zone.
    """
    if name in ("", "UTC"):
        return _zone("UTC")
    if name == "Local":
        return None
    if ".." in name or name[0] in "/\\":
        raise TimeZoneError(INVALID_NAME_MESSAGE)
    if name not in zone_names():
        raise TimeZoneError(f"unknown time zone {name}")
    return _zone(name)


def load_time_zone(name: str) -> ZoneInfo:
    """The zone for a ``spec.timeZone`` that passed `time_zone_errors`.

    Raises `TimeZoneError` for a name the apiserver would refuse.
    """
    errors = time_zone_errors(name)
    if errors:
        raise TimeZoneError(errors[-1])
    zone = load_location(name)
    if zone is None:
        raise TimeZoneError(LOCAL_MESSAGE)
    return zone


def time_zone_errors(name: str) -> list[str]:
    """The apiserver's ``validateTimeZone`` messages for a non-null ``timeZone``.

    An empty list means the value is valid. ``local`` gets two messages, as it does
    from the apiserver (it is ``Local`` in another case, and not a zone either).
    """
    if name == "":
        return [EMPTY_MESSAGE]
    if not all(_valid_part(part) for part in name.split("/")):
        return [f"unknown time zone {name}"]

    errors = []
    if name.lower() == "local":
        errors.append(LOCAL_MESSAGE)
    try:
        load_location(name)
    except TimeZoneError as error:
        errors.append(str(error))
    return errors


def _valid_part(part: str) -> bool:
    return (
        part not in (".", "..")
        and not part.startswith("-")
        and _PART.fullmatch(part) is not None
    )


def suggestion(name: str) -> str | None:
    """The zone whose name differs from ``name`` only in case, if there is one."""
    folded = name.casefold()
    matches = sorted(zone for zone in zone_names() if zone.casefold() == folded)
    return matches[0] if matches and matches[0] != name else None


@cache
def deprecated_aliases() -> Mapping[str, str]:
    """Deprecated zone name -> the zone it links to, from the tzdata package.

    The package's ``tzdata.zi`` lists every link (``L America/New_York
    US/Eastern``) but not which source file it came from, so "deprecated" is
    decided from data: a link is deprecated unless a country uses it in
    ``zone.tab`` or ``zone1970.tab`` (``Europe/Oslo`` and ``Asia/Kuala_Lumpur``
    are links that are still the right name for their country) or it is a
    spelling of UTC or GMT (``UTC``, ``GMT``, ``Etc/Zulu``).
    """
    files = importlib.resources.files("tzdata.zoneinfo")
    in_use = _tab_zones(files.joinpath("zone.tab").read_text("utf-8"))
    in_use |= _tab_zones(files.joinpath("zone1970.tab").read_text("utf-8"))
    aliases = {}
    for line in files.joinpath("tzdata.zi").read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            target, alias = parts[1], parts[2]
            if alias not in in_use and target not in _UTC_TARGETS:
                aliases[alias] = target
    return aliases


def _tab_zones(text: str) -> set[str]:
    rows = (line.split("\t") for line in text.splitlines() if line[:1] != "#")
    return {row[2] for row in rows if len(row) >= 3}


def canonical_name(name: str) -> str | None:
    """The current name for a deprecated alias, or None if ``name`` is not one."""
    return deprecated_aliases().get(name)


def posix_sign_note(name: str) -> str | None:
    """Explain an ``Etc/GMT±N`` zone, whose sign is the reverse of the UTC offset."""
    match = _ETC_GMT.fullmatch(name)
    if match is None or int(match[2]) == 0:
        return None
    offset_sign = "-" if match[1] == "+" else "+"
    return f"{name} means UTC{offset_sign}{int(match[2])} (POSIX sign is inverted)"
