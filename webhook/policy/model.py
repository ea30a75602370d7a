"""The policy file model: what a ``BatchPolicy`` document says, as frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

API_VERSION = "batchguard.io/v1alpha1"
KIND = "BatchPolicy"

SelectorOperator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
OwnedJobsMode = Literal["warn", "enforce"]


@dataclass(frozen=True)
class Requirement:
    """One ``matchExpressions`` entry of a label selector."""

    key: str
    operator: SelectorOperator
    values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LabelSelector:
    """A Kubernetes label selector; empty selects everything."""

    match_labels: Mapping[str, str] = field(default_factory=dict)
    match_expressions: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Match:
    """Which objects a policy applies to."""

    kinds: frozenset[str] = frozenset({"Job", "CronJob"})
    namespaces: tuple[str, ...] = ("*",)
    """Namespace globs; an object matches when any glob matches."""
    exclude_namespaces: tuple[str, ...] = ()
    selector: LabelSelector = field(default_factory=LabelSelector)
    """Selects on the object's own labels."""


@dataclass(frozen=True)
class Exemption:
    """Objects exempted from some (or all) rules of one policy."""

    rules: frozenset[str] = frozenset()
    """Rule names; empty means every rule of the policy."""
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    selector: LabelSelector | None = None
    reason: str = ""


@dataclass(frozen=True)
class Policy:
    """One ``BatchPolicy`` document."""

    name: str
    source: str
    """Where it was read from (``file`` or ``file#document``), for messages."""
    rules: Mapping[str, Mapping[str, Any]]
    """Rule name -> the rule's config block, as written."""
    priority: int = 0
    match: Match = field(default_factory=Match)
    exemptions: tuple[Exemption, ...] = ()
    owned_jobs: OwnedJobsMode = "warn"
    """How denials act on Jobs created by a CronJob (see docs/policies.md)."""

    @property
    def precedence(self) -> tuple[int, str]:
        """Sort key: higher priority first, then name, so the order is stable."""
        return (-self.priority, self.name)


@dataclass(frozen=True)
class PolicySet:
    """Loaded policies in precedence order."""

    policies: tuple[Policy, ...] = ()
    fingerprint: str = ""
    """A digest of the files they came from, to tell one load from another."""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.policies, key=lambda policy: policy.precedence))
        object.__setattr__(self, "policies", ordered)

    def by_name(self, name: str) -> Policy | None:
        return next((p for p in self.policies if p.name == name), None)
