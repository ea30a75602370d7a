"""The JSON Patch that removes batchguard's finalizer, as a compare-and-swap.

The ``test`` operations make the apiserver refuse the patch (422, or 409 when the
object moved under it) unless the Job is exactly the version the tracker decided
on and the finalizer is still at the index it removes. A plain ``remove`` by index
could otherwise take away someone else's finalizer after the list changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Patch = list[dict[str, Any]]


class NoFinalizer(LookupError):
    """The Job does not carry the finalizer the patch was asked to remove."""


def release_patch(job: Mapping[str, Any], *, finalizer: str) -> Patch:
    """Remove ``finalizer`` from ``job``, only if nothing changed since it was read."""
    metadata = job.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    finalizers = metadata.get("finalizers")
    if not isinstance(finalizers, list) or finalizer not in finalizers:
        raise NoFinalizer(f"The Job does not carry the finalizer {finalizer!r}.")
    path = f"/metadata/finalizers/{finalizers.index(finalizer)}"
    return [
        {
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": metadata.get("resourceVersion"),
        },
        {"op": "test", "path": path, "value": finalizer},
        {"op": "remove", "path": path},
    ]
