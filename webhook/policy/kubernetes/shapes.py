"""The JSON types of the Job and CronJob fields the Kubernetes checks read.

The apiserver decodes a request into Go structs before it validates anything, so a
string where an integer belongs never reaches validation: the request fails to
decode. ``conform`` plays that part here. It reports every value of the wrong JSON
type as a finding (``Invalid value: "x": must be an integer``) and returns a copy
without those values, so that the checks that follow can trust the types they read.
Fields this module does not declare are kept as they are and never inspected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.field_errors import Shown
from webhook.policy.rules.base import is_int

RULE = "fieldType"

ScalarKind = Literal["integer", "string", "boolean"]


@dataclass(frozen=True)
class Scalar:
    kind: ScalarKind
    bits: int = 32
    """For integers: the width of the Go type (int32 or int64)."""


@dataclass(frozen=True)
class Record:
    """A JSON object whose listed fields have known shapes."""

    fields: Mapping[str, Shape]


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class MapOf:
    """A JSON object used as a map (labels, annotations, node selectors)."""

    value: Shape


Shape = Scalar | Record | ListOf | MapOf

INT32 = Scalar("integer", 32)
INT64 = Scalar("integer", 64)
STRING = Scalar("string")
BOOLEAN = Scalar("boolean")


def child(path: str, key: str) -> str:
    """``spec`` + ``parallelism`` -> ``spec.parallelism`` (a bare key at the root)."""
    return f"{path}.{key}" if path else key


def brief(value: Any) -> Any:
    """A bad value as findings show it: whole objects and lists are elided."""
    if isinstance(value, dict):
        return Shown("{...}")
    if isinstance(value, list):
        return Shown("[...]")
    return value


def conform(value: Any, shape: Shape, *, path: str) -> tuple[Any, list[Finding]]:
    """A copy of ``value`` without wrong-typed values, and a finding for each.

    A wrong-typed field is dropped from its object; a wrong-typed list item becomes
    ``None``. JSON ``null`` means "absent" for a field (as in Go) and the zero
    value for a list item. A wrong-typed root comes back as ``None``.
    """
    problems: list[Finding] = []
    conformed = _conform(value, shape, path, problems)
    return (None if conformed is _WRONG else conformed), problems


class _Wrong:
    """The marker for a value that did not have the expected type."""


_WRONG = _Wrong()


def _conform(value: Any, shape: Shape, path: str, problems: list[Finding]) -> Any:
    if isinstance(shape, Scalar):
        return _scalar(value, shape, path, problems)
    if isinstance(shape, Record):
        return _record(value, shape, path, problems)
    if isinstance(shape, ListOf):
        return _list(value, shape, path, problems)
    return _map(value, shape, path, problems)


def _scalar(value: Any, shape: Scalar, path: str, problems: list[Finding]) -> Any:
    expectation = _scalar_mismatch(value, shape)
    if expectation is None:
        return value
    problems.append(_wrong_type(path, value, expectation))
    return _WRONG


def _scalar_mismatch(value: Any, shape: Scalar) -> str | None:
    if shape.kind == "string":
        return None if isinstance(value, str) else "must be a string"
    if shape.kind == "boolean":
        return None if isinstance(value, bool) else "must be a boolean"
    if not is_int(value):
        return "must be an integer"
    limit = 2 ** (shape.bits - 1)
    if -limit <= value < limit:
        return None
    return f"must fit in a {shape.bits}-bit integer"


def _record(value: Any, shape: Record, path: str, problems: list[Finding]) -> Any:
    if not isinstance(value, dict):
        problems.append(_wrong_type(path, value, "must be an object"))
        return _WRONG
    result = dict(value)
    for key, field_shape in shape.fields.items():
        if key not in value:
            continue
        conformed = _field(value[key], field_shape, child(path, key), problems)
        if conformed is _WRONG:
            del result[key]
        else:
            result[key] = conformed
    return result


def _field(value: Any, shape: Shape, path: str, problems: list[Finding]) -> Any:
    if value is None:
        return _WRONG
    return _conform(value, shape, path, problems)


def _list(value: Any, shape: ListOf, path: str, problems: list[Finding]) -> Any:
    if not isinstance(value, list):
        problems.append(_wrong_type(path, value, "must be a list"))
        return _WRONG
    items = []
    for index, item in enumerate(value):
        conformed = _item(item, shape.item, f"{path}[{index}]", problems)
        items.append(None if conformed is _WRONG else conformed)
    return items


def _item(value: Any, shape: Shape, path: str, problems: list[Finding]) -> Any:
    if value is None:
        return _zero(shape)
    return _conform(value, shape, path, problems)


def _map(value: Any, shape: MapOf, path: str, problems: list[Finding]) -> Any:
    if not isinstance(value, dict):
        problems.append(_wrong_type(path, value, "must be an object"))
        return _WRONG
    result = {}
    for key, item in value.items():
        conformed = _field(item, shape.value, f"{path}[{key}]", problems)
        if conformed is not _WRONG:
            result[key] = conformed
    return result


def _zero(shape: Shape) -> Any:
    """The value Go decodes a JSON ``null`` list item into."""
    if isinstance(shape, Record | MapOf):
        return {}
    if isinstance(shape, ListOf):
        return []
    return {"integer": 0, "string": "", "boolean": False}[shape.kind]


def _wrong_type(path: str, value: Any, expectation: str) -> Finding:
    return field_errors.invalid(
        path,
        brief(value),
        expectation,
        rule=RULE,
        hint="Fix the YAML type of this field; the apiserver cannot decode it.",
    )


CONTAINERS = ListOf(Record({"name": STRING}))

POD_TEMPLATE = Record(
    {
        "metadata": Record({"labels": MapOf(STRING), "annotations": MapOf(STRING)}),
        "spec": Record(
            {
                "restartPolicy": STRING,
                "containers": CONTAINERS,
                "initContainers": CONTAINERS,
            }
        ),
    }
)

LABEL_SELECTOR = Record(
    {
        "matchLabels": MapOf(STRING),
        "matchExpressions": ListOf(
            Record({"key": STRING, "operator": STRING, "values": ListOf(STRING)})
        ),
    }
)

POD_FAILURE_POLICY = Record(
    {
        "rules": ListOf(
            Record(
                {
                    "action": STRING,
                    "onExitCodes": Record(
                        {
                            "containerName": STRING,
                            "operator": STRING,
                            "values": ListOf(INT32),
                        }
                    ),
                    "onPodConditions": ListOf(
                        Record({"type": STRING, "status": STRING})
                    ),
                }
            )
        )
    }
)

SUCCESS_POLICY = Record(
    {"rules": ListOf(Record({"succeededIndexes": STRING, "succeededCount": INT32}))}
)

JOB_SPEC = Record(
    {
        "parallelism": INT32,
        "completions": INT32,
        "activeDeadlineSeconds": INT64,
        "backoffLimit": INT32,
        "backoffLimitPerIndex": INT32,
        "maxFailedIndexes": INT32,
        "ttlSecondsAfterFinished": INT32,
        "completionMode": STRING,
        "managedBy": STRING,
        "podReplacementPolicy": STRING,
        "suspend": BOOLEAN,
        "manualSelector": BOOLEAN,
        "selector": LABEL_SELECTOR,
        "podFailurePolicy": POD_FAILURE_POLICY,
        "successPolicy": SUCCESS_POLICY,
        "template": POD_TEMPLATE,
    }
)

OBJECT_META = Record({"name": STRING, "generateName": STRING})

JOB = Record({"metadata": OBJECT_META, "spec": JOB_SPEC})

JOB_STATUS = Record(
    {
        "startTime": STRING,
        "active": INT32,
        "conditions": ListOf(Record({"type": STRING, "status": STRING})),
    }
)

JOB_WITH_STATUS = Record({**JOB.fields, "status": JOB_STATUS})

CRONJOB_SPEC = Record(
    {
        "startingDeadlineSeconds": INT64,
        "concurrencyPolicy": STRING,
        "suspend": BOOLEAN,
        "successfulJobsHistoryLimit": INT32,
        "failedJobsHistoryLimit": INT32,
        "jobTemplate": Record({"spec": JOB_SPEC}),
    }
)

CRONJOB = Record({"metadata": OBJECT_META, "spec": CRONJOB_SPEC})
