"""Engine benchmarks: reviews per second, and how the cost grows with size.

Everything runs in this process through ``webhook.policy.engine.review``. The
growth tables give, for each size, the cost of one review, the cost per unit
(total divided by the size) and the marginal cost of each unit added since the
previous size. Two ratios judge linearity: the cost per unit at the largest size
over the smallest (at most 1 when growth is no worse than linear, since the fixed
part is shared), and the marginal cost per unit over the upper half of the sizes
over that of the lower half (near 1 when every unit costs the same wherever it is
added; it is not judged for rules, which are different rules of different cost).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench import workloads
from bench.results import Target, heading, say
from bench.timing import cpu_seconds_per_call
from webhook.policy.engine import review
from webhook.policy.loader import load_policies, parse_policies
from webhook.policy.model import Policy, PolicySet

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POLICIES = ROOT / "policies"

CONTAINER_SIZES = (1, 2, 4, 8, 16)
# NB: beyond 8 because one more matching policy costs about 1 % of a review, too
# little to tell a line from a curve over 1 to 8 alone.
POLICY_SIZES = (1, 2, 4, 8, 16, 32, 64)
RULE_SIZES = (1, 2, 4, 8)
JOB_REVIEW_BUDGET_MS = 1.0
MARGINAL_RATIO_BOUND = 1.5

# Rules that act on a plain Job, each with a working config, cheapest concerns last.
JOB_RULES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("resources", {"defaults": {"requests": {"cpu": "100m", "memory": "128Mi"}}}),
    ("ttlSecondsAfterFinished", {"default": 86400, "maximum": 604800}),
    ("backoffLimit", {"maximum": 20}),
    ("podFailurePolicySemantics", {}),
    ("activeDeadlineSeconds", {"default": 21600, "maximum": 86400}),
    ("metadataDefaults", {"labels": {"cost-center": "batch"}}),
    ("parallelism", {"maximum": 200}),
    ("completions", {"maximum": 1000}),
)


@dataclass(frozen=True)
class Growth:
    """The cost of one review at each size of one dimension."""

    dimension: str
    unit: str
    sizes: tuple[int, ...]
    seconds: tuple[float, ...]

    def per_unit(self) -> list[float]:
        return [
            cost / size for size, cost in zip(self.sizes, self.seconds, strict=True)
        ]

    def marginal(self) -> list[float | None]:
        steps: list[float | None] = [None]
        for index in range(1, len(self.sizes)):
            added = self.sizes[index] - self.sizes[index - 1]
            steps.append((self.seconds[index] - self.seconds[index - 1]) / added)
        return steps

    @property
    def per_unit_ratio(self) -> float:
        per_unit = self.per_unit()
        return per_unit[-1] / per_unit[0]

    def slope(self, first: int, last: int) -> float:
        """Marginal seconds per unit between two of the sizes (by index)."""
        added = self.sizes[last] - self.sizes[first]
        return (self.seconds[last] - self.seconds[first]) / added

    @property
    def middle(self) -> int:
        return len(self.sizes) // 2

    @property
    def marginal_ratio(self) -> float:
        """Marginal cost in the upper half of the sizes over the lower half."""
        lower = self.slope(0, self.middle)
        upper = self.slope(self.middle, len(self.sizes) - 1)
        return upper / lower if lower > 0 else float("inf")


def _us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:,.1f}"


def growth_lines(growth: Growth) -> list[str]:
    lines = [
        f"{growth.dimension:>10} {'us/review':>12} {'us per ' + growth.unit:>18} "
        f"{'marginal us':>12}"
    ]
    rows = zip(
        growth.sizes, growth.seconds, growth.per_unit(), growth.marginal(), strict=True
    )
    for size, cost, per_unit, marginal in rows:
        lines.append(
            f"{size:>10} {_us(cost):>12} {_us(per_unit):>18} {_us(marginal):>12}"
        )
    sizes = growth.sizes
    middle = sizes[growth.middle]
    lower = growth.slope(0, growth.middle)
    upper = growth.slope(growth.middle, len(sizes) - 1)
    lines.append(
        f"linearity: cost per {growth.unit} at {sizes[-1]} vs {sizes[0]}: "
        f"{growth.per_unit_ratio:.2f}; marginal us per {growth.unit} "
        f"{sizes[0]}-{middle}: {lower * 1e6:,.1f}, {middle}-{sizes[-1]}: "
        f"{upper * 1e6:,.1f} (ratio {growth.marginal_ratio:.2f})"
    )
    return lines


def default_policies() -> PolicySet:
    return load_policies([DEFAULT_POLICIES])


def _job_policy(policies: PolicySet) -> Policy:
    found = policies.by_name("batch-baseline")
    if found is None:
        raise LookupError(
            f"The default policies in {str(DEFAULT_POLICIES)!r} have no "
            "'batch-baseline' policy to copy; the policy benchmark needs it."
        )
    return found


def copies_of(policy: Policy, count: int) -> PolicySet:
    """``count`` policies that all match, each with the same rules."""
    return PolicySet(
        tuple(
            dataclasses.replace(policy, name=f"{policy.name}-{index}", priority=index)
            for index in range(count)
        )
    )


def with_rules(count: int) -> PolicySet:
    """One policy configuring the first ``count`` of ``JOB_RULES``."""
    document = {
        "apiVersion": "batchguard.io/v1alpha1",
        "kind": "BatchPolicy",
        "metadata": {"name": f"rules-{count}"},
        "spec": {
            "match": {"kinds": ["Job"]},
            "rules": {
                name: {**config, "enforcement": "warn"}
                for name, config in JOB_RULES[:count]
            },
        },
    }
    text = yaml.safe_dump(document)
    return PolicySet(tuple(parse_policies(text, path=Path(f"rules-{count}.yaml"))))


Case = tuple[dict[str, Any], PolicySet]


def review_costs(cases: Sequence[Case], *, budget: float) -> list[float]:
    """CPU seconds of one review of each (object, policies) case."""
    calls = [
        functools.partial(review, obj, policies=policies, namespace=workloads.NAMESPACE)
        for obj, policies in cases
    ]
    return cpu_seconds_per_call(calls, budget=budget)


def measure_growth(
    dimension: str,
    unit: str,
    sizes: Sequence[int],
    case: Callable[[int], Case],
    *,
    budget: float,
) -> Growth:
    costs = review_costs([case(size) for size in sizes], budget=budget)
    return Growth(dimension, unit, tuple(sizes), tuple(costs))


def _typical(budget: float, policies: PolicySet) -> list[Target]:
    kinds = {"Job": workloads.job(), "CronJob": workloads.cronjob()}
    costs = review_costs([(obj, policies) for obj in kinds.values()], budget=budget)
    targets = []
    for kind, cost in zip(kinds, costs, strict=True):
        say(
            f"typical {kind:<8} {cost * 1e3:8.3f} ms/review  "
            f"{1 / cost:10,.0f} reviews/s (CPU time)"
        )
        targets.append(
            Target(
                f"engine: typical {kind} review (ms)",
                cost * 1e3,
                "at most",
                JOB_REVIEW_BUDGET_MS,
            )
        )
    return targets


def _growths(budget: float, policies: PolicySet) -> list[Growth]:
    baseline = _job_policy(policies)
    return [
        measure_growth(
            "containers",
            "container",
            CONTAINER_SIZES,
            lambda n: (workloads.job(containers=n), policies),
            budget=budget,
        ),
        measure_growth(
            "policies",
            "policy",
            POLICY_SIZES,
            lambda n: (workloads.job(), copies_of(baseline, n)),
            budget=budget,
        ),
        measure_growth(
            "rules",
            "rule",
            RULE_SIZES,
            lambda n: (workloads.job(), with_rules(n)),
            budget=budget,
        ),
    ]


def growth_targets(growth: Growth) -> list[Target]:
    per_unit = Target(
        f"engine: cost per {growth.unit}, {growth.sizes[-1]} vs {growth.sizes[0]}",
        growth.per_unit_ratio,
        "at most",
        1.0,
    )
    if growth.dimension == "rules":
        # NB: each added rule is a different rule with its own cost, so only the
        # per-unit ratio speaks to linearity here.
        return [per_unit]
    marginal = Target(
        f"engine: marginal cost per {growth.unit}, upper vs lower half",
        growth.marginal_ratio,
        "at most",
        MARGINAL_RATIO_BOUND,
    )
    return [per_unit, marginal]


def run(*, quick: bool) -> list[Target]:
    """Measure and print the engine figures; return the targets they judge."""
    budget = 0.5 if quick else 4.0
    policies = default_policies()
    heading("Engine: webhook.policy.engine.review with the default policies")
    targets = _typical(budget, policies)
    for growth in _growths(budget, policies):
        say()
        for line in growth_lines(growth):
            say(line)
        targets.extend(growth_targets(growth))
    return targets
