"""Which policies apply to an object, and which policy owns each rule for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from webhook.policy.model import Exemption, LabelSelector, Match, Policy, PolicySet


@dataclass(frozen=True)
class Subject:
    """The facts about an object that matching looks at."""

    kind: str
    namespace: str
    name: str
    labels: Mapping[str, str]

    @classmethod
    def of(cls, obj: Mapping[str, Any], *, kind: str, namespace: str | None) -> Subject:
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        labels = metadata.get("labels")
        name = metadata.get("name") or metadata.get("generateName") or ""
        return cls(
            kind=kind,
            namespace=namespace or str(metadata.get("namespace") or ""),
            name=str(name),
            labels={
                str(key): str(value)
                for key, value in (labels.items() if isinstance(labels, dict) else ())
            },
        )


@dataclass(frozen=True)
class RuleBinding:
    """A rule name bound to the policy that owns it for one object."""

    rule: str
    policy: Policy
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Exempted:
    """A rule a policy did not apply to an object because of an exemption."""

    rule: str
    policy: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"policy": self.policy, "rule": self.rule, "reason": self.reason}


def any_glob(value: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(value, glob) for glob in globs)


def selector_matches(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    if any(labels.get(key) != value for key, value in selector.match_labels.items()):
        return False
    for requirement in selector.match_expressions:
        present = requirement.key in labels
        value = labels.get(requirement.key)
        if requirement.operator == "Exists" and not present:
            return False
        if requirement.operator == "DoesNotExist" and present:
            return False
        if requirement.operator == "In" and value not in requirement.values:
            return False
        if requirement.operator == "NotIn" and present and value in requirement.values:
            return False
    return True


def match_applies(match: Match, subject: Subject) -> bool:
    if subject.kind not in match.kinds:
        return False
    if not any_glob(subject.namespace, match.namespaces):
        return False
    if any_glob(subject.namespace, match.exclude_namespaces):
        return False
    return selector_matches(match.selector, subject.labels)


def exemption_covers(exemption: Exemption, rule: str, subject: Subject) -> bool:
    """An exemption covers an object when every criterion it states holds."""
    if exemption.rules and rule not in exemption.rules:
        return False
    if exemption.namespaces and not any_glob(subject.namespace, exemption.namespaces):
        return False
    if exemption.names and not any_glob(subject.name, exemption.names):
        return False
    if exemption.selector is not None:
        return selector_matches(exemption.selector, subject.labels)
    return True


def _exemption_for(policy: Policy, rule: str, subject: Subject) -> Exemption | None:
    return next(
        (e for e in policy.exemptions if exemption_covers(e, rule, subject)), None
    )


def matching_policies(policies: PolicySet, subject: Subject) -> Iterator[Policy]:
    return (p for p in policies.policies if match_applies(p.match, subject))


def bind_rules(
    policies: PolicySet, subject: Subject
) -> tuple[list[RuleBinding], list[Exempted]]:
    """Pick, for every rule name, the policy that owns it for this object.

    Policies are visited in precedence order (priority, then name). The first
    matching policy that configures a rule owns it; a policy whose exemption covers
    the object is passed over for that rule, and the exemption is reported.
    """
    bindings: dict[str, RuleBinding] = {}
    exempted: list[Exempted] = []
    for policy in matching_policies(policies, subject):
        for rule, config in policy.rules.items():
            if rule in bindings:
                continue
            exemption = _exemption_for(policy, rule, subject)
            if exemption is not None:
                exempted.append(Exempted(rule, policy.name, exemption.reason))
                continue
            bindings[rule] = RuleBinding(rule, policy, config)
    return sorted(bindings.values(), key=lambda b: b.rule), exempted
