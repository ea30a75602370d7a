"""The calls the tracker makes to the apiserver, over plain dicts.

One small class so that the rest of the tracker reads as decisions and steps, and
so that tests can point the real client at a local server that replays recorded
apiserver answers.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kubernetes import client

from webhook.kube import (
    ApiException,
    JSONObject,
    list_items,
    read_json,
    status_code,
)

logger = logging.getLogger(__name__)

JSON = "application/json"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
WATCH_READ_SLACK = 30.0
"""Seconds a watch may stay silent beyond its own ``timeoutSeconds``."""


class WatchExpired(Exception):
    """The watch's resourceVersion is too old (410 Gone): list again."""


class ClusterApi:
    """Jobs, Events and Leases, as dicts in and dicts out."""

    def __init__(self, api_client: client.ApiClient) -> None:
        # NB: typed as Any on purpose: with _preload_content=False the generated
        # methods return raw responses, not the models their signatures promise.
        self._batch: Any = client.BatchV1Api(api_client)
        self._core: Any = client.CoreV1Api(api_client)
        self._coordination: Any = client.CoordinationV1Api(api_client)
        self._watch_lock = threading.Lock()
        self._watch_response: Any = None
        self._timeout = (CONNECT_TIMEOUT, READ_TIMEOUT)

    # Jobs

    def list_jobs(
        self, *, namespace: str | None, label_selector: str, limit: int
    ) -> tuple[list[JSONObject], str | None]:
        """Every matching Job, and the resourceVersion to watch from."""
        if namespace is None:
            return list_items(
                self._batch.list_job_for_all_namespaces,
                limit=limit,
                label_selector=label_selector,
                _request_timeout=self._timeout,
            )
        return list_items(
            self._batch.list_namespaced_job,
            namespace=namespace,
            limit=limit,
            label_selector=label_selector,
            _request_timeout=self._timeout,
        )

    def watch_jobs(
        self,
        *,
        namespace: str | None,
        label_selector: str,
        resource_version: str,
        timeout_seconds: int,
        stop: threading.Event | None = None,
    ) -> Iterator[JSONObject]:
        """Watch events from ``resource_version`` until the server ends the watch.

        An ``ERROR`` event with code 410, or a 410 answer, raises
        :class:`WatchExpired`; other ``ERROR`` events raise ``ApiException``. A
        watch opened after ``stop`` was set (and :meth:`interrupt_watch` called)
        yields nothing.
        """
        params: dict[str, Any] = {
            "label_selector": label_selector,
            "resource_version": resource_version,
            "allow_watch_bookmarks": True,
            "timeout_seconds": timeout_seconds,
            "watch": True,
            "_preload_content": False,
            "_request_timeout": (CONNECT_TIMEOUT, timeout_seconds + WATCH_READ_SLACK),
        }
        try:
            if namespace is None:
                response = self._batch.list_job_for_all_namespaces(**params)
            else:
                response = self._batch.list_namespaced_job(namespace, **params)
        except ApiException as error:
            if status_code(error) == 410:
                raise WatchExpired(str(error.reason)) from None
            raise
        with self._watch_lock:
            self._watch_response = response
            stopped = stop is not None and stop.is_set()
        try:
            if not stopped:
                yield from _checked(_json_lines(response))
        finally:
            with self._watch_lock:
                self._watch_response = None
            # NB: a watch left before its end holds unread bytes; its connection
            # must be closed, not handed back to the pool for the next request.
            response.close()
            response.release_conn()

    def interrupt_watch(self) -> None:
        """Unblock a watch read from another thread (on shutdown)."""
        with self._watch_lock:
            response = self._watch_response
        if response is None:
            return
        try:
            response.shutdown()
        except (OSError, RuntimeError, ValueError):
            logger.debug("The watch connection was already closed.")

    def read_job(self, namespace: str, name: str) -> JSONObject | None:
        return _absent_as_none(
            lambda: self._batch.read_namespaced_job(
                name,
                namespace,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )

    def patch_job(
        self, namespace: str, name: str, patch: list[JSONObject]
    ) -> JSONObject:
        """Apply a JSON Patch (the client sends a list as json-patch+json)."""
        return read_json(
            self._batch.patch_namespaced_job(
                name,
                namespace,
                patch,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )

    # Events

    def read_event(self, namespace: str, name: str) -> JSONObject | None:
        return _absent_as_none(
            lambda: self._core.read_namespaced_event(
                name,
                namespace,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )

    def create_event(self, namespace: str, body: JSONObject) -> bool:
        """Create an Event; False when one of that name already exists."""
        try:
            read_json(
                self._core.create_namespaced_event(
                    namespace,
                    body,
                    _headers={"Content-Type": JSON},
                    _preload_content=False,
                    _request_timeout=self._timeout,
                )
            )
        except ApiException as error:
            if status_code(error) == 409:
                return False
            raise
        return True

    # Leases

    def read_lease(self, namespace: str, name: str) -> JSONObject | None:
        return _absent_as_none(
            lambda: self._coordination.read_namespaced_lease(
                name,
                namespace,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )

    def create_lease(self, namespace: str, body: JSONObject) -> JSONObject | None:
        """Create a Lease; None when another candidate created it first."""
        return _conflict_as_none(
            lambda: self._coordination.create_namespaced_lease(
                namespace,
                body,
                _headers={"Content-Type": JSON},
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )

    def replace_lease(
        self, namespace: str, name: str, body: JSONObject
    ) -> JSONObject | None:
        """Replace a Lease at its resourceVersion; None when it moved meanwhile."""
        return _conflict_as_none(
            lambda: self._coordination.replace_namespaced_lease(
                name,
                namespace,
                body,
                _headers={"Content-Type": JSON},
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        )


def _absent_as_none(call: Callable[[], Any]) -> JSONObject | None:
    try:
        return read_json(call())
    except ApiException as error:
        if status_code(error) == 404:
            return None
        raise


def _conflict_as_none(call: Callable[[], Any]) -> JSONObject | None:
    try:
        return read_json(call())
    except ApiException as error:
        if status_code(error) == 409:
            return None
        raise


def _json_lines(response: Any) -> Iterator[JSONObject]:
    """The watch stream's events: one JSON object per line, in chunks as they come."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=True):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)
    if pending.strip():
        yield json.loads(pending)


def _checked(events: Iterator[JSONObject]) -> Iterator[JSONObject]:
    for event in events:
        if event.get("type") != "ERROR":
            yield event
            continue
        status = event.get("object")
        status = status if isinstance(status, dict) else {}
        if status.get("code") == 410:
            raise WatchExpired(str(status.get("message", "")))
        raise ApiException(
            status=status.get("code"),
            reason=f"{status.get('reason')}: {status.get('message')}",
        )
