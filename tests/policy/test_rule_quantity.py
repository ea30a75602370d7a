"""Resource quantities: parsed as Kubernetes parses them, written in canonical form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from webhook.policy.quantity import (
    Format,
    Quantity,
    QuantityError,
    canonical,
    format_quantity,
)


@pytest.mark.parametrize(
    ("text", "amount", "canonical_text"),
    [
        ("0.7", Decimal("0.7"), "700m"),
        ("700m", Decimal("0.7"), "700m"),
        ("1Gi", Decimal(1073741824), "1Gi"),
        ("128974848", Decimal(128974848), "128974848"),
        ("129e6", Decimal(129000000), "129e6"),
        ("123Mi", Decimal(128974848), "123Mi"),
        ("1.5Gi", Decimal(1610612736), "1536Mi"),
        ("0.5Gi", Decimal(536870912), "512Mi"),
        ("0.9Gi", Decimal("966367641.6"), "966367641600m"),
        ("1000000", Decimal(1000000), "1M"),
        ("1E", Decimal(10**18), "1E"),
        ("1E3", Decimal(1000), "1e3"),
        (".5", Decimal("0.5"), "500m"),
        ("1.", Decimal(1), "1"),
        ("+2", Decimal(2), "2"),
        ("0", Decimal(0), "0"),
        ("1.5n", Decimal("2e-9"), "2n"),
        ("0.30000000000000004", Decimal("0.300000001"), "300000001n"),
        ("1e-12", Decimal("1e-9"), "1e-9"),
    ],
    ids=[
        "decimal-fraction",
        "milli",
        "binary",
        "plain-bytes",
        "exponent",
        "binary-mebi",
        "binary-fraction-becomes-smaller-suffix",
        "half-gibi",
        "binary-fraction-not-whole-falls-back-to-decimal",
        "large-plain-number-gets-suffix",
        "exa-suffix-not-exponent",
        "capital-e-with-digits-is-exponent",
        "leading-dot",
        "trailing-dot",
        "plus-sign",
        "zero",
        "nano-fraction-rounds-up",
        "float-noise-rounds-up-to-nano",
        "below-one-nano-rounds-up-to-one-nano",
    ],
)
def test_quantities_parse_to_exact_amounts_and_canonical_text(
    text: str, amount: Decimal, canonical_text: str
) -> None:
    quantity = Quantity.parse(text)

    assert quantity.amount == amount
    assert str(quantity) == canonical_text


@pytest.mark.parametrize(
    ("left", "right"),
    [("0.7", "700m"), ("1Gi", "1073741824"), ("123Mi", "128974848"), ("1k", "1e3")],
    ids=["cpu", "gibi", "mebi", "kilo-vs-exponent"],
)
def test_equal_amounts_compare_equal_whatever_their_notation(
    left: str, right: str
) -> None:
    assert Quantity.parse(left) == Quantity.parse(right)
    assert hash(Quantity.parse(left)) == hash(Quantity.parse(right))


def test_quantities_order_by_amount() -> None:
    values = ["1Gi", "129e6", "500m", "123Mi", "1G"]

    ordered = sorted(Quantity.parse(value) for value in values)

    assert [str(q) for q in ordered] == ["500m", "123Mi", "129e6", "1G", "1Gi"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(2, "2"), (0.5, "500m"), (1e16, "10e15"), (128974848, "128974848")],
    ids=["int", "float", "large-float", "int-bytes"],
)
def test_json_numbers_are_quantities(value: float, text: str) -> None:
    assert canonical(value) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "'' is not a valid quantity."),
        ("abc", "'abc' is not a valid quantity."),
        (" 1", "' 1' is not a valid quantity."),
        ("1 ", "'1 ' is not a valid quantity."),
        ("1.2.3", "'1.2.3' is not a valid quantity."),
        ("NaN", "'NaN' is not a valid quantity."),
        ("Infinity", "'Infinity' is not a valid quantity."),
        ("1_000", "'1_000' is not a valid quantity."),
        ("1e", "'1e' is not a valid quantity."),
        ("1mi", "'1mi' is not a valid quantity."),
        ("1K", "'1K' is not a valid quantity."),
        ("1KiB", "'1KiB' is not a valid quantity."),
        ("--1", "'--1' is not a valid quantity."),
        (".", "'.' is not a valid quantity."),
        ("1e30", "'1e30' is too large to be a resource quantity."),
        (None, "None is not a valid quantity."),
        (True, "True is not a valid quantity."),
        (float("nan"), "nan is not a valid quantity."),
        ([1], "[1] is not a valid quantity."),
    ],
    ids=[
        "empty",
        "word",
        "leading-space",
        "trailing-space",
        "two-dots",
        "nan-text",
        "infinity-text",
        "underscore",
        "exponent-without-digits",
        "lowercase-binary-suffix",
        "capital-k",
        "unit-after-suffix",
        "double-sign",
        "lone-dot",
        "too-large",
        "null",
        "boolean",
        "nan-float",
        "list",
    ],
)
def test_bad_quantities_raise_a_quantity_error_naming_the_value(
    value: object, message: str
) -> None:
    with pytest.raises(QuantityError) as error:
        Quantity.parse(value)

    assert str(error.value) == message


def test_quantity_error_is_a_value_error() -> None:
    assert issubclass(QuantityError, ValueError)


@pytest.mark.parametrize(
    ("amount", "notation", "text"),
    [
        (Decimal(0), Format.BINARY_SI, "0"),
        (Decimal(512), Format.BINARY_SI, "512"),
        (Decimal(1536), Format.BINARY_SI, "1536"),
        (Decimal(2048), Format.BINARY_SI, "2Ki"),
        (Decimal("1.5"), Format.DECIMAL_SI, "1500m"),
        (Decimal(-2000), Format.DECIMAL_SI, "-2k"),
        (Decimal(10**21), Format.DECIMAL_SI, "1e21"),
        (Decimal(1200), Format.DECIMAL_EXPONENT, "1200"),
        (Decimal(1000), Format.DECIMAL_EXPONENT, "1e3"),
    ],
    ids=[
        "zero",
        "binary-below-1024-is-decimal",
        "binary-not-a-multiple-of-1024-keeps-bytes",
        "binary-kibi",
        "fraction-becomes-milli",
        "negative",
        "beyond-exa-uses-an-exponent",
        "exponent-not-a-multiple-of-three",
        "exponent",
    ],
)
def test_format_quantity_writes_the_canonical_form(
    amount: Decimal, notation: Format, text: str
) -> None:
    assert format_quantity(amount, notation) == text
