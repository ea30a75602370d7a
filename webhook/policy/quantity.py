"""Resource quantities read, compared and written the way Kubernetes does.

``0.7`` and ``700m`` are the same CPU amount, ``1Gi`` and ``1073741824`` the same
memory amount: policy rules compare parsed values, never strings. Parsing follows
the grammar of the apimachinery ``resource.Quantity`` type (sign, digits, one
suffix) and rounds up to a nano unit as it does. The arithmetic is exact
(``Decimal``); importing the kubernetes client for it would cost a second of
start-up in every CLI run. Formatting gives the canonical form the
apiserver would store, so messages show ``700m`` for ``0.7``.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_UP, Context, Decimal, localcontext
from typing import Any

_GRAMMAR = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?"
)
_NANO = Decimal("1e-9")
_LARGEST = Decimal("1e30")
_CONTEXT = Context(prec=64)
_DECIMAL_SUFFIXES = {-3: "n", -2: "u", -1: "m", 0: "", 1: "k", 2: "M", 3: "G"}
_DECIMAL_SUFFIXES |= {4: "T", 5: "P", 6: "E"}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


class QuantityError(ValueError):
    """A value that is not a Kubernetes resource quantity."""


class Format(enum.StrEnum):
    """How a quantity is written; the canonical form keeps the input's family."""

    DECIMAL_SI = "DecimalSI"
    """Powers of 1000 (``500m``, ``2k``, ``128M``) or no suffix."""
    BINARY_SI = "BinarySI"
    """Powers of 1024 (``512Mi``, ``1Gi``)."""
    DECIMAL_EXPONENT = "DecimalExponent"
    """Scientific notation (``129e6``)."""


@functools.total_ordering
@dataclass(frozen=True, eq=False)
class Quantity:
    """A parsed quantity: an exact amount and the notation it was written in.

    Quantities compare and hash by amount only, so ``Quantity.parse("0.7") ==
    Quantity.parse("700m")``. ``str()`` gives the canonical form.
    """

    amount: Decimal
    format: Format = Format.DECIMAL_SI

    @classmethod
    def parse(cls, value: Any) -> Quantity:
        """Parse a quantity string or JSON number; raise `QuantityError` if invalid."""
        text = _as_text(value)
        parsed = _parse_text(text)
        if parsed is None:
            raise QuantityError(f"{value!r} is not a valid quantity.")
        if abs(parsed.amount) >= _LARGEST:
            raise QuantityError(f"{value!r} is too large to be a resource quantity.")
        return parsed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.amount == other.amount

    def __lt__(self, other: Quantity) -> bool:
        return self.amount < other.amount

    def __hash__(self) -> int:
        return hash(self.amount)

    def __str__(self) -> str:
        return format_quantity(self.amount, self.format)


_SUFFIX_EXPONENTS = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9}
_SUFFIX_EXPONENTS |= {"T": 12, "P": 15, "E": 18}


def _multiplier(suffix: str) -> Decimal:
    if suffix.endswith("i"):
        return Decimal(1024) ** (_BINARY_SUFFIXES.index(suffix))
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        exponent = int(suffix[1:])
        if abs(exponent) > 100:
            raise QuantityError(f"exponent {exponent} is out of range.")
        return Decimal(10) ** exponent
    return Decimal(10) ** _SUFFIX_EXPONENTS[suffix]


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Quantity | None:
    """Parse once per distinct text: policies and pods repeat the same few values."""
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        return None
    suffix = match["suffix"] or ""
    try:
        with localcontext(_CONTEXT):
            amount = Decimal(match["number"]) * _multiplier(suffix)
    except QuantityError:
        return None
    return Quantity(_round_to_nano(amount), _format_of(suffix))


def parse_quantity(value: Any) -> Quantity:
    """Shorthand for `Quantity.parse`."""
    return Quantity.parse(value)


def canonical(value: Any) -> str:
    """The canonical text of a quantity (``"0.7"`` -> ``"700m"``)."""
    return str(Quantity.parse(value))


def format_quantity(amount: Decimal, notation: Format = Format.DECIMAL_SI) -> str:
    """Write an amount in the canonical form of the given notation.

    The canonical form has no fraction and the largest suffix that loses nothing.
    Binary notation is used only for whole amounts of at least 1024 in magnitude;
    anything else falls back to decimal, as the apiserver does.
    """
    amount = _round_to_nano(amount)
    if amount == 0:
        return "0"
    with localcontext(_CONTEXT):
        if notation is Format.BINARY_SI and abs(amount) >= 1024 and amount % 1 == 0:
            return _binary_text(int(amount))
        return _decimal_text(amount, exponent=notation is Format.DECIMAL_EXPONENT)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a valid quantity.")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise QuantityError(f"{value!r} is not a valid quantity.")


def _format_of(suffix: str) -> Format:
    if suffix.endswith("i"):
        return Format.BINARY_SI
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return Format.DECIMAL_EXPONENT
    return Format.DECIMAL_SI


def _round_to_nano(amount: Decimal) -> Decimal:
    """Round away from zero to a whole number of nano units, as Kubernetes does."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -9:
        return amount
    if abs(amount) < _NANO:
        return _NANO.copy_sign(amount)
    return amount.quantize(_NANO, rounding=ROUND_UP, context=_CONTEXT)


def _binary_text(amount: int) -> str:
    power = 0
    while power < len(_BINARY_SUFFIXES) - 1 and amount % (1024 ** (power + 1)) == 0:
        power += 1
    return f"{amount // 1024**power}{_BINARY_SUFFIXES[power]}"


def _decimal_text(amount: Decimal, *, exponent: bool) -> str:
    power = -3
    while amount % (Decimal(1000) ** (power + 1)) == 0:
        power += 1
    mantissa = int(amount / Decimal(1000) ** power)
    if exponent or power not in _DECIMAL_SUFFIXES:
        return f"{mantissa}e{3 * power}" if power else str(mantissa)
    return f"{mantissa}{_DECIMAL_SUFFIXES[power]}"
