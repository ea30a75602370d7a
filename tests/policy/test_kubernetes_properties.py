"""Properties of the Kubernetes checks over generated objects.

The objects follow the shapes the checks read (``shapes.JOB`` and
``shapes.CRONJOB``) but any field may hold any JSON value instead, so that both
well-typed and wrong-typed objects come up.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webhook.policy.findings import Enforcement
from webhook.policy.kubernetes import shapes, validate
from webhook.policy.kubernetes.shapes import ListOf, MapOf, Record, Scalar, Shape
from webhook.policy.rules.base import Operation

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
ANY_JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

INTERESTING_TEXT = st.sampled_from(
    [
        "",
        "Indexed",
        "NonIndexed",
        "Never",
        "OnFailure",
        "Always",
        "In",
        "NotIn",
        "FailIndex",
        "FailJob",
        "Ignore",
        "Count",
        "Failed",
        "True",
        "main",
        "0-2,4",
        "1-2-3",
        "example.com/queue",
        "DisruptionTarget",
    ]
) | st.text(max_size=10)


def shaped(shape: Shape) -> st.SearchStrategy[Any]:
    """Values of ``shape``, or now and then any JSON value at all."""
    return st.deferred(lambda: _shaped(shape)) | ANY_JSON


def _shaped(shape: Shape) -> st.SearchStrategy[Any]:
    if isinstance(shape, Scalar):
        if shape.kind == "integer":
            return st.integers(min_value=-3, max_value=200_001)
        return INTERESTING_TEXT if shape.kind == "string" else st.booleans()
    if isinstance(shape, Record):
        return st.fixed_dictionaries(
            {}, optional={key: shaped(field) for key, field in shape.fields.items()}
        )
    if isinstance(shape, ListOf):
        return st.lists(shaped(shape.item), max_size=4)
    assert isinstance(shape, MapOf)
    return st.dictionaries(st.text(max_size=6), shaped(shape.value), max_size=3)


JOBS = shaped(shapes.JOB_WITH_STATUS)
CRONJOBS = shaped(
    Record(
        {
            **shapes.CRONJOB.fields,
            "spec": Record({**shapes.CRONJOB_SPEC.fields, "schedule": shapes.STRING}),
        }
    )
)
OPERATIONS = st.sampled_from(["CREATE", "UPDATE"])

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(obj=JOBS, old=JOBS, operation=OPERATIONS)
def test_checking_any_job_never_raises_and_only_denies(
    obj: Any, old: Any, operation: Operation
) -> None:
    for finding in validate(obj, kind="Job", operation=operation, old=old):
        assert finding.enforcement == Enforcement.DENY
        assert finding.rule.startswith("kubernetes.")


@SETTINGS
@given(obj=CRONJOBS, old=CRONJOBS, operation=OPERATIONS)
def test_checking_any_cronjob_never_raises_and_only_denies(
    obj: Any, old: Any, operation: Operation
) -> None:
    for finding in validate(obj, kind="CronJob", operation=operation, old=old):
        assert finding.enforcement == Enforcement.DENY
        assert finding.rule.startswith("kubernetes.")


@settings(SETTINGS, max_examples=50)
@given(obj=JOBS)
def test_checking_leaves_the_object_unchanged(obj: Any) -> None:
    before = repr(obj)

    list(validate(obj, kind="Job", operation="CREATE"))

    assert repr(obj) == before
