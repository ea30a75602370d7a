"""What a review reports: findings (violations and notes) and applied mutations."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Enforcement(enum.StrEnum):
    """How a finding acts on admission."""

    DENY = "deny"
    """Refuse the request (``allowed: false``)."""
    WARN = "warn"
    """Admit, and return an admission warning to the client."""
    AUDIT = "audit"
    """Admit silently; record an audit annotation and a metric."""


@dataclass(frozen=True, order=True, slots=True)
class Finding:
    """One thing a rule found about an object.

    ``path`` is a field path in the apiserver's notation, such as
    ``spec.podFailurePolicy.rules[0].action``. ``message`` follows the apiserver's
    wording where the apiserver has one (``Invalid value: 1: requires ...``);
    ``hint`` says how to fix it.
    """

    path: str
    message: str
    rule: str
    enforcement: Enforcement = Enforcement.DENY
    policy: str | None = None
    hint: str | None = None

    def render(self) -> str:
        """The one-line form used in denials, warnings and CLI output."""
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class Applied:
    """A mutation a rule made, for logs, metrics and review output."""

    rule: str
    path: str
    message: str
    policy: str | None = None
