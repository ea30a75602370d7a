"""Scalars as Kubernetes reads them (go-yaml v2), and written so it reads them back."""

from __future__ import annotations

import json
import math
import re
import struct
from typing import Any, Final

import yaml
from yaml.nodes import ScalarNode

_WORDS: Final[dict[str, Any]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
NUMERIC_START: Final = frozenset("+-0123456789")
_RESOLVED_START: Final = frozenset("yYnNtTfFoO~.") | NUMERIC_START
_GO_INT: Final = re.compile(
    r"(?P<sign>[-+]?)(?:0[xX](?P<hex>[0-9a-fA-F]+)|0[oO](?P<oct>[0-7]+)"
    r"|0[bB](?P<bin>[01]+)|(?P<zero>0[0-7]*)|(?P<dec>[1-9][0-9]*))"
)
_GO_FLOAT: Final = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
)
_GO_DOT_FLOAT: Final = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")
TIMESTAMP_START: Final = re.compile(r"[0-9]{4}-")
SEXAGESIMAL: Final = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_INT64: Final = range(-(2**63), 2**63)
_UINT64: Final = range(0, 2**64)


def resolve_plain(text: str) -> Any:
    """The value of an unquoted, untagged scalar as go-yaml v2 reads it.

    Returns ``str``, ``bool``, ``None``, ``int`` or ``float``; timestamps stay
    strings (go-yaml keeps them as text when decoding into untyped values).
    """
    if not text:
        return None
    first = text[0]
    if first not in _RESOLVED_START:
        return text
    if text in _WORDS:
        return _WORDS[text]
    if first == ".":
        return float(text) if _GO_DOT_FLOAT.fullmatch(text) else text
    if first not in NUMERIC_START or TIMESTAMP_START.match(text):
        return text
    return _resolve_number(text)


def _resolve_number(text: str) -> Any:
    plain = text.replace("_", "")
    match = _GO_INT.fullmatch(plain)
    signed = bool(match and match["sign"])
    value = _int_value(match) if match else None
    if value is not None and (value in _INT64 or (not signed and value in _UINT64)):
        return value
    if _GO_FLOAT.fullmatch(plain) and math.isfinite(number := float(plain)):
        return number
    # NB: go-yaml falls back to a big integer only when the unsigned parse overflowed.
    if value is not None and not signed:
        return value
    return text


def _int_value(match: re.Match[str]) -> int:
    sign = -1 if match["sign"] == "-" else 1
    for group, base in (("hex", 16), ("oct", 8), ("bin", 2), ("dec", 10)):
        if match[group]:
            return sign * int(match[group], base)
    return sign * int(match["zero"], 8)


def json_value(value: Any) -> Any:
    """A resolved scalar as the apiserver receives it after the JSON round trip."""
    if type(value) is float and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def key_string(value: Any) -> str | None:
    """A resolved mapping key as ``sigs.k8s.io/yaml`` turns it into a JSON key."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float32_text(value)
    return None


def _go_float32_text(value: float) -> str:
    """Go's ``FormatFloat(v, 'g', -1, 32)``, with YAML's spelling of infinities."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isnan(single):
        return ".nan"
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    for digits in range(1, 10):
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    exponent = int(text.partition("e")[2])
    if exponent < -4 or exponent >= 6:
        return text
    return f"{single:.{max(digits - exponent - 1, 0)}f}"


def json_text(value: Any) -> str:
    """A scalar as JSON writes it (``true``, ``8``, ``1.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


# Writing scalars back.

_PLAIN_TEXT: Final = re.compile(
    r"[A-Za-z0-9_./$()=+@%:~-]+(?: [A-Za-z0-9_./$()=+@%:~-]+)*"
)
_YAML_UNPRINTABLE: Final = re.compile(
    "[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)


def scalar_text(value: Any, *, flow: bool) -> str:
    """A scalar written so that go-yaml and YAML 1.1 tools read back the same value."""
    if not isinstance(value, str):
        if isinstance(value, float):
            return repr(value)
        return json_text(value)
    if _plain_is_safe(value, flow=flow):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _plain_is_safe(text: str, *, flow: bool) -> bool:
    if not _PLAIN_TEXT.fullmatch(text) or resolve_plain(text) != text:
        return False
    if text[0] in "-?:" and text[1:2] in ("", " ") or text[0] in "@%~":
        return False
    if ": " in text or text.endswith(":") or (flow and ":" in text):
        return False
    pyyaml_tag = _PYYAML_RESOLVER.resolve(  # type: ignore[no-untyped-call]
        ScalarNode, text, (True, False)
    )
    return bool(pyyaml_tag == "tag:yaml.org,2002:str")


_PYYAML_RESOLVER: Final = yaml.resolver.Resolver()
