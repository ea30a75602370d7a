"""Talking to the Kubernetes API over plain dicts: connecting, reading, paging.

batchguard works on the JSON the apiserver sends (the shape the admission webhook
sees), so the generated client's models are bypassed: every call asks for the raw
response (``_preload_content=False``) and decodes it here. The client still does
what it is good at: kubeconfig and in-cluster credentials, TLS, token refresh.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

logger = logging.getLogger(__name__)

JSONObject = dict[str, Any]

SERVICE_ACCOUNT_NAMESPACE = Path(
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
)
DEFAULT_PAGE_SIZE = 500

__all__ = [
    "ApiException",
    "JSONObject",
    "KubeConfigError",
    "default_namespace",
    "describe_error",
    "list_items",
    "list_pages",
    "load_api_client",
    "read_json",
    "service_account_namespace",
    "status_code",
]


class KubeConfigError(Exception):
    """Neither a kubeconfig nor an in-cluster service account is usable."""


def load_api_client(
    *, kubeconfig: str | None = None, context: str | None = None
) -> client.ApiClient:
    """An API client from ``kubeconfig``/``context``, or from the pod it runs in.

    With neither given, the in-cluster service account is tried first and the
    default kubeconfig (``$KUBECONFIG`` or ``~/.kube/config``) second.
    """
    configuration = client.Configuration()
    if kubeconfig is None and context is None and _load_in_cluster(configuration):
        return client.ApiClient(configuration)
    try:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig,
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError) as error:
        where = repr(kubeconfig) if kubeconfig else "the default kubeconfig"
        raise KubeConfigError(
            f"Cannot load {where}: {error}. Pass --kubeconfig (and --context), "
            "or run inside a pod with a service account."
        ) from None
    return client.ApiClient(configuration)


def _load_in_cluster(configuration: client.Configuration) -> bool:
    try:
        config.load_incluster_config(  # type: ignore[no-untyped-call]
            client_configuration=configuration
        )
    except ConfigException:
        return False
    logger.debug("Using the in-cluster service account.")
    return True


def service_account_namespace(path: Path = SERVICE_ACCOUNT_NAMESPACE) -> str | None:
    """The namespace of the pod this process runs in, when it runs in one."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def default_namespace(
    *, kubeconfig: str | None = None, context: str | None = None
) -> str:
    """The namespace kubectl would use: the context's, the pod's, or ``default``.

    Mirrors :func:`load_api_client`: with neither argument, a pod's own namespace
    comes first.
    """
    if kubeconfig is None and context is None:
        in_pod = service_account_namespace()
        if in_pod:
            return in_pod
    try:
        contexts, active = config.list_kube_config_contexts(  # type: ignore[no-untyped-call]
            config_file=kubeconfig
        )
    except (ConfigException, OSError):
        return "default"
    chosen = next((c for c in contexts if c.get("name") == context), active)
    namespace = _mapping(_mapping(chosen).get("context")).get("namespace")
    return namespace if isinstance(namespace, str) and namespace else "default"


def read_json(response: Any) -> JSONObject:
    """Decode a raw response that must hold one JSON object."""
    try:
        document = json.loads(response.data)
    finally:
        response.release_conn()
    if not isinstance(document, dict):
        raise ValueError(
            f"The apiserver answered {type(document).__name__} where an object "
            "was expected."
        )
    return document


def status_code(error: ApiException) -> int | None:
    """The HTTP status of a failed call (None when no answer came back)."""
    status = error.status
    return status if isinstance(status, int) else None


def describe_error(error: Exception) -> str:
    """A short description of a failed call, without headers or bodies."""
    if isinstance(error, ApiException):
        return f"HTTP {error.status} {error.reason}"
    return str(error) or type(error).__name__


def list_pages(
    list_call: Callable[..., Any], *, limit: int = DEFAULT_PAGE_SIZE, **params: Any
) -> Iterator[JSONObject]:
    """Every page of a list call, following ``metadata.continue``.

    All pages of one list come from one snapshot of the store; an expired
    ``continue`` token is an ``ApiException`` with status 410 for the caller.
    """
    token: str | None = None
    while True:
        page = read_json(
            list_call(limit=limit, _continue=token, _preload_content=False, **params)
        )
        yield page
        token = _mapping(page.get("metadata")).get("continue") or None
        if token is None:
            return


def list_items(
    list_call: Callable[..., Any], *, limit: int = DEFAULT_PAGE_SIZE, **params: Any
) -> tuple[list[JSONObject], str | None]:
    """All items of a paged list, and the resourceVersion of its snapshot.

    The apiserver leaves ``kind`` and ``apiVersion`` off list items; they are put
    back from the list's own, so each item reads like a manifest.
    """
    items: list[JSONObject] = []
    resource_version: str | None = None
    for page in list_pages(list_call, limit=limit, **params):
        items.extend(_typed_items(page))
        resource_version = _mapping(page.get("metadata")).get("resourceVersion")
    return items, resource_version


def _typed_items(page: Mapping[str, Any]) -> Iterator[JSONObject]:
    kind = str(page.get("kind", "")).removesuffix("List")
    api_version = page.get("apiVersion")
    for item in page.get("items") or ():
        if isinstance(item, dict):
            yield {"apiVersion": api_version, "kind": kind, **item}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
