"""The ``metadataDefaults`` rule: labels and annotations added when absent.

Existing keys always win. When the object has no ``labels`` (or ``annotations``)
map at all, the whole map is added in one piece, because a JSON Patch ``add`` into
a missing parent fails and the apiserver answers such a patch with an error.
The optional ``podTemplate`` block does the same for the pod template's metadata,
but only where the template may change: on new Jobs and on CronJobs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from webhook.policy.findings import Enforcement
from webhook.policy.rules.base import Event, JSONObject, Rule, RuleContext, job_specs

MapName = Literal["annotations", "labels"]
MAP_NAMES: tuple[MapName, ...] = ("annotations", "labels")

IMMUTABLE_TEMPLATE = (
    "pod template metadata defaults not applied: "
    "spec.template of an existing Job is immutable"
)


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    yield from _fill_metadata(ctx, owner=ctx.obj, path="metadata", config=ctx.config)

    template_config = ctx.config.get("podTemplate")
    if not isinstance(template_config, Mapping):
        return
    for path, spec in job_specs(ctx.obj, ctx.kind):
        template = spec.get("template")
        if isinstance(template, dict):
            yield from _fill_template(
                ctx, template=template, path=f"{path}.template", config=template_config
            )


def _fill_template(
    ctx: RuleContext, *, template: JSONObject, path: str, config: Mapping[str, Any]
) -> Iterator[Event]:
    metadata_path = f"{path}.metadata"
    if ctx.pod_template_mutable:
        yield from _fill_metadata(
            ctx, owner=template, path=metadata_path, config=config
        )
    elif _missing_entries(template.get("metadata"), config):
        yield ctx.finding(
            metadata_path,
            IMMUTABLE_TEMPLATE,
            check="immutable",
            enforcement=Enforcement.WARN,
        )


def _fill_metadata(
    ctx: RuleContext, *, owner: JSONObject, path: str, config: Mapping[str, Any]
) -> Iterator[Event]:
    """Add the missing keys of both maps to ``owner["metadata"]``."""
    metadata = owner.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return

    events = [
        event
        for map_name in MAP_NAMES
        for event in _fill_map(
            ctx,
            metadata=metadata,
            path=path,
            map_name=map_name,
            defaults=config.get(map_name),
        )
    ]
    if events and owner.get("metadata") is None:
        owner["metadata"] = metadata
    yield from events


def _fill_map(
    ctx: RuleContext,
    *,
    metadata: JSONObject,
    path: str,
    map_name: MapName,
    defaults: Any,
) -> Iterator[Event]:
    current = metadata.get(map_name)
    missing = _missing(current, defaults)
    if not missing:
        return

    if current is None:
        metadata[map_name] = dict(missing)
    else:
        current.update(missing)
    noun = "label" if map_name == "labels" else "annotation"
    for key, value in missing.items():
        yield ctx.applied(
            f"{path}.{map_name}[{key}]", f"Added the {noun} {key!r}: {value!r}."
        )


def _missing(current: Any, defaults: Any) -> dict[str, str]:
    """The default entries whose key ``current`` lacks (none if it is malformed)."""
    if not isinstance(defaults, Mapping) or not (
        current is None or isinstance(current, dict)
    ):
        return {}
    present = current or {}
    return {
        key: value
        for key, value in defaults.items()
        if isinstance(key, str) and isinstance(value, str) and key not in present
    }


def _missing_entries(metadata: Any, config: Mapping[str, Any]) -> bool:
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return False
    return any(
        _missing(metadata.get(map_name), config.get(map_name)) for map_name in MAP_NAMES
    )


# A qualified name with an optional DNS-subdomain prefix: the only keys the
# apiserver accepts for labels and annotations. A key it would refuse must fail the
# policy load, not every Job the policy matches.
_KEYS = {
    "type": "string",
    "maxLength": 317,
    "pattern": (
        r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$"
    ),
}
_LABEL_VALUE = {
    "type": "string",
    "maxLength": 63,
    "pattern": r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
}


def _maps_schema(description: str, *, template: bool) -> dict[str, Any]:
    where = "the pod template" if template else "the Job or CronJob"
    properties: dict[str, Any] = {
        "labels": {
            "type": "object",
            "description": f"Labels added to {where} when the key is absent.",
            "propertyNames": _KEYS,
            "additionalProperties": _LABEL_VALUE,
        },
        "annotations": {
            "type": "object",
            "description": f"Annotations added to {where} when the key is absent.",
            "propertyNames": _KEYS,
            "additionalProperties": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
    }


SCHEMA = _maps_schema(
    "Labels and annotations that every matched object carries; existing values win.",
    template=False,
)
SCHEMA["properties"]["podTemplate"] = _maps_schema(
    "Labels and annotations for the pod template (new Jobs and CronJobs only: "
    "the template of an existing Job is immutable).",
    template=True,
)

METADATA_DEFAULTS = Rule(
    name="metadataDefaults",
    description="Add default labels and annotations, keeping existing values.",
    schema=SCHEMA,
    mutate=_mutate,
    default_enforcement=Enforcement.WARN,
)

RULES: tuple[Rule, ...] = (METADATA_DEFAULTS,)
