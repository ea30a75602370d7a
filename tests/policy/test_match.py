"""Which policy owns which rule for an object: matching, precedence, exemptions."""

from __future__ import annotations

from typing import Any

import pytest

from webhook.policy.loader import build_policy
from webhook.policy.match import Subject, bind_rules
from webhook.policy.model import PolicySet


def policy(name: str, *, priority: int = 0, **spec: Any) -> Any:
    document = {
        "metadata": {"name": name},
        "spec": {
            "priority": priority,
            "rules": {"ttlSecondsAfterFinished": {}},
            **spec,
        },
    }
    return build_policy(document, source=f"{name}.yaml#0")


def subject(
    namespace: str = "team-a", name: str = "job", kind: str = "Job", **labels: str
) -> Subject:
    return Subject(kind=kind, namespace=namespace, name=name, labels=labels)


def owner(policies: list[Any], who: Subject) -> str | None:
    bindings, _ = bind_rules(PolicySet(tuple(policies)), who)
    return bindings[0].policy.name if bindings else None


@pytest.mark.parametrize(
    ("match", "who", "applies"),
    [
        ({}, subject(), True),
        ({"kinds": ["CronJob"]}, subject(), False),
        ({"namespaces": ["team-*"]}, subject("team-a"), True),
        ({"namespaces": ["team-*"]}, subject("other"), False),
        ({"excludeNamespaces": ["team-a"]}, subject("team-a"), False),
        (
            {"objectSelector": {"matchLabels": {"tier": "batch"}}},
            subject(tier="batch"),
            True,
        ),
        ({"objectSelector": {"matchLabels": {"tier": "batch"}}}, subject(), False),
        (
            {
                "objectSelector": {
                    "matchExpressions": [{"key": "tier", "operator": "Exists"}]
                }
            },
            subject(tier="x"),
            True,
        ),
        (
            {
                "objectSelector": {
                    "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]
                }
            },
            subject(tier="x"),
            False,
        ),
        (
            {
                "objectSelector": {
                    "matchExpressions": [
                        {"key": "tier", "operator": "In", "values": ["a"]}
                    ]
                }
            },
            subject(),
            False,
        ),
        (
            {
                "objectSelector": {
                    "matchExpressions": [
                        {"key": "tier", "operator": "NotIn", "values": ["a"]}
                    ]
                }
            },
            subject(),
            True,
        ),
    ],
    ids=[
        "empty-match",
        "other-kind",
        "namespace-glob",
        "namespace-glob-miss",
        "excluded-namespace",
        "match-labels",
        "match-labels-miss",
        "exists",
        "does-not-exist",
        "in-without-label",
        "notin-without-label",
    ],
)
def test_match_selects_by_kind_namespace_and_labels(
    match: dict[str, Any], who: Subject, applies: bool
) -> None:
    assert (owner([policy("p", match=match)], who) == "p") is applies


def test_the_highest_priority_policy_owns_a_rule() -> None:
    policies = [policy("low", priority=1), policy("high", priority=5)]

    assert owner(policies, subject()) == "high"


def test_ties_are_broken_by_name() -> None:
    policies = [policy("zeta"), policy("alpha")]

    assert owner(policies, subject()) == "alpha"


def test_an_exemption_passes_the_rule_to_the_next_policy_and_is_reported() -> None:
    exempting = policy(
        "team",
        priority=10,
        exemptions=[{"names": ["legacy-*"], "reason": "sized by hand"}],
    )
    baseline = policy("baseline")

    bindings, exempted = bind_rules(
        PolicySet((exempting, baseline)), subject(name="legacy-report")
    )

    assert [b.policy.name for b in bindings] == ["baseline"]
    assert [(e.policy, e.rule, e.reason) for e in exempted] == [
        ("team", "ttlSecondsAfterFinished", "sized by hand")
    ]


@pytest.mark.parametrize(
    ("exemption", "exempt"),
    [
        ({"namespaces": ["team-*"], "reason": "r"}, True),
        ({"namespaces": ["team-*"], "names": ["other"], "reason": "r"}, False),
        ({"rules": ["resources"], "namespaces": ["*"], "reason": "r"}, False),
        ({"objectSelector": {"matchLabels": {"x": "y"}}, "reason": "r"}, False),
    ],
    ids=["namespace", "all-criteria-must-hold", "other-rule", "selector-miss"],
)
def test_an_exemption_covers_an_object_only_when_every_criterion_holds(
    exemption: dict[str, Any], exempt: bool
) -> None:
    exempting = policy("p", exemptions=[exemption])

    assert (owner([exempting], subject()) is None) is exempt
