"""Hypothesis strategies for plausible Jobs, CronJobs and AdmissionReviews.

Objects look like what the apiserver sends, but any field may hold a value of
the wrong type (``junk``) and any optional field may be missing, so a test sees
both ordinary objects and the malformed ones a buggy client could send.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)

JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def junk(draw: st.DrawFn, plausible: st.SearchStrategy[Any]) -> Any:
    """Usually a plausible value; one time in five any JSON value at all."""
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        return draw(JSON)
    return draw(plausible)


NAMES = st.sampled_from(
    ["etl", "nightly-report", "a" * 64, "", "Bad_Name", "x.y", "-lead"]
) | st.text(max_size=10)
COUNTS = st.integers(min_value=-3, max_value=2**31 + 3)
QUANTITIES = st.sampled_from(
    ["100m", "1", "0.5", "512Mi", "1Gi", "1e3", "-1", "bogus", "0", "10Ei"]
) | st.integers(min_value=-10, max_value=10**12)
SCHEDULES = st.sampled_from(
    [
        "0 3 * * *",
        "*/5 * * * *",
        "0 0 29 2 *",
        "@every 1h",
        "@hourly",
        "TZ=Europe/Berlin 0 3 * * *",
        "61 * * * *",
        "* * * * * *",
        "",
    ]
) | st.text(max_size=20)
TIME_ZONES = st.sampled_from(["Etc/UTC", "Europe/Berlin", "Local", "Mars/Base", ""])


def _dict(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {key: junk(value) for key, value in required.items()},
        optional={key: junk(value) for key, value in optional.items()},
    )


RESOURCE_LIST = st.dictionaries(
    st.sampled_from(["cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"]),
    QUANTITIES,
    max_size=3,
)
CONTAINER = _dict(
    {"name": NAMES, "image": st.sampled_from(["app:1", "", "registry/x@sha256:0"])},
    {
        "resources": _dict({}, {"requests": RESOURCE_LIST, "limits": RESOURCE_LIST}),
        "command": st.lists(st.text(max_size=8), max_size=3),
        "restartPolicy": st.sampled_from(["Always", "Never"]),
    },
)
POD_FAILURE_RULE = _dict(
    {"action": st.sampled_from(["FailJob", "Ignore", "Count", "FailIndex", "Bad"])},
    {
        "onExitCodes": _dict(
            {
                "operator": st.sampled_from(["In", "NotIn", "Equals"]),
                "values": st.lists(st.integers(-1, 300), max_size=4),
            },
            {"containerName": NAMES},
        ),
        "onPodConditions": st.lists(
            _dict({"type": st.sampled_from(["DisruptionTarget", "Ready"])}, {}),
            max_size=2,
        ),
    },
)
POD_SPEC = _dict(
    {
        "restartPolicy": st.sampled_from(["Never", "OnFailure", "Always", ""]),
        "containers": st.lists(CONTAINER, max_size=2),
    },
    {"initContainers": st.lists(CONTAINER, max_size=1)},
)
TEMPLATE = _dict({"spec": POD_SPEC}, {"metadata": _dict({}, {"labels": JSON})})
JOB_SPEC = _dict(
    {"template": TEMPLATE},
    {
        "backoffLimit": COUNTS,
        "backoffLimitPerIndex": COUNTS,
        "maxFailedIndexes": COUNTS,
        "completions": COUNTS,
        "parallelism": COUNTS,
        "activeDeadlineSeconds": COUNTS,
        "ttlSecondsAfterFinished": COUNTS,
        "suspend": st.booleans(),
        "completionMode": st.sampled_from(["NonIndexed", "Indexed", "Other"]),
        "podReplacementPolicy": st.sampled_from(["TerminatingOrFailed", "Failed"]),
        "podFailurePolicy": _dict(
            {"rules": st.lists(POD_FAILURE_RULE, max_size=2)}, {}
        ),
        "selector": _dict({}, {"matchLabels": JSON}),
        "manualSelector": st.booleans(),
    },
)
METADATA = _dict(
    {"name": NAMES},
    {
        "namespace": NAMES,
        "labels": st.dictionaries(st.text(max_size=8), st.text(max_size=8)),
        "annotations": JSON,
        "finalizers": st.lists(st.sampled_from(["batchguard.io/job-tracking", "x"])),
        "ownerReferences": st.lists(
            _dict(
                {"kind": st.sampled_from(["CronJob", "Workflow"]), "name": NAMES},
                {"controller": st.booleans(), "apiVersion": st.just("batch/v1")},
            ),
            max_size=2,
        ),
    },
)
JOBS = _dict(
    {
        "apiVersion": st.sampled_from(["batch/v1", "batch/v1beta1", "v1"]),
        "kind": st.just("Job"),
        "metadata": METADATA,
        "spec": JOB_SPEC,
    },
    {"status": JSON},
)
CRONJOB_SPEC = _dict(
    {"schedule": SCHEDULES, "jobTemplate": _dict({"spec": JOB_SPEC}, {})},
    {
        "timeZone": TIME_ZONES,
        "concurrencyPolicy": st.sampled_from(["Allow", "Forbid", "Replace", "Never"]),
        "startingDeadlineSeconds": COUNTS,
        "successfulJobsHistoryLimit": COUNTS,
        "failedJobsHistoryLimit": COUNTS,
        "suspend": st.booleans(),
    },
)
CRONJOBS = _dict(
    {
        "apiVersion": st.sampled_from(["batch/v1", "batch/v1beta1"]),
        "kind": st.just("CronJob"),
        "metadata": METADATA,
        "spec": CRONJOB_SPEC,
    },
    {},
)
WORKLOADS = JOBS | CRONJOBS
# Mostly the operations batchguard reviews, sometimes those it lets through.
OPERATIONS = st.sampled_from(
    ["CREATE", "CREATE", "UPDATE", "UPDATE", "DELETE", "CONNECT"]
)


@st.composite
def admission_reviews(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed AdmissionReview envelope around a generated object.

    The envelope's optional fields may be junk; a wholly junk envelope is the
    business of tests that post arbitrary JSON.
    """
    obj = draw(junk(WORKLOADS))
    kind = obj.get("kind") if isinstance(obj, dict) else None
    kind = kind if isinstance(kind, str) else "Job"
    request = {
        "uid": draw(st.uuids()).hex,
        "kind": {
            "group": draw(st.sampled_from(["batch", "batch", "batch", "", "apps"])),
            "version": "v1",
            "kind": draw(st.sampled_from([kind, kind, "Job", "CronJob", "Pod"])),
        },
        "operation": draw(OPERATIONS),
        "object": obj,
    }
    request.update(
        draw(
            _dict(
                {},
                {
                    "namespace": NAMES,
                    "name": NAMES,
                    "subResource": st.sampled_from(["", "", "status"]),
                    "oldObject": WORKLOADS,
                    "dryRun": st.booleans(),
                },
            )
        )
    )
    version = draw(st.sampled_from(["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]))
    return {"apiVersion": version, "kind": "AdmissionReview", "request": request}
