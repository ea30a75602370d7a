"""Kubernetes OpenAPI schema validation (kubernetes-validate's schemas), cached.

``kubernetes_validate.validate`` reads the large definitions file on every call;
the suite validates hundreds of objects, so the validators are built once per
kind and reused.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

KUBERNETES_VERSION = "1.33"


@functools.cache
def _validator(kind: str, api_version: str, version: str) -> jsonschema.Validator:
    schema_dir = f"v{version}.0-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = schema_contents(
        f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json",
        version,
    )
    definitions = schema_contents(
        f"kubernetes-json-schema/{schema_dir}/_definitions.json", version
    )
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(definitions) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_error(obj: dict[str, Any], version: str = KUBERNETES_VERSION) -> str | None:
    """The first schema error of ``obj`` (strict: unknown fields count), or None."""
    validator = _validator(obj["kind"], obj["apiVersion"], version)
    error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
    if error is None:
        return None
    path = ".".join(str(part) for part in error.absolute_path)
    return f"{path}: {error.message}"
