"""Targets and their verdicts, and the table printed at the end of a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import click

Comparison = Literal["at least", "at most"]


def say(line: str = "") -> None:
    """One line of the report on standard output, flushed at once."""
    click.echo(line)


def heading(title: str) -> None:
    say()
    say(f"== {title} ==")


@dataclass(frozen=True)
class Target:
    """A measured figure and the bound it must stay within."""

    name: str
    measured: float
    comparison: Comparison
    bound: float
    unit: str = ""

    @property
    def met(self) -> bool:
        if self.comparison == "at least":
            return self.measured >= self.bound
        return self.measured <= self.bound

    @property
    def verdict(self) -> str:
        return "PASS" if self.met else "MISS"

    def line(self) -> str:
        sign = ">=" if self.comparison == "at least" else "<="
        figure = f"{self.measured:.2f}{self.unit}"
        bound = f"{sign} {self.bound:g}{self.unit}"
        return f"{self.name:<58} {figure:>10} {bound:>12}  {self.verdict}"


def table(targets: Iterable[Target]) -> list[str]:
    """The results table: one line per target, then a count of those met."""
    rows = list(targets)
    lines = [f"{'target':<58} {'measured':>10} {'bound':>12}  verdict"]
    lines.extend(target.line() for target in rows)
    met = sum(target.met for target in rows)
    lines.append(f"{met} of {len(rows)} targets met.")
    return lines
