"""The AdmissionReview wire format: parse a request, build a response.

Two error families stay apart (see the exception tree below): a malformed review is
a ``WebhookError`` and becomes an HTTP error; a denied operation is an ordinary
response with ``allowed: false``.

    WebhookError            HTTP 4xx with a JSON body; never reaches the engine
    └── MalformedReview     the body is not an AdmissionReview we can answer
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict, cast

V1 = "admission.k8s.io/v1"
V1BETA1 = "admission.k8s.io/v1beta1"
SUPPORTED_VERSIONS = (V1, V1BETA1)
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")

Operation = Literal["CREATE", "UPDATE", "DELETE", "CONNECT"]

WARNING_MAX_RUNES = 256
WARNINGS_TOTAL_RUNES = 4096
MESSAGE_MAX_CHARS = 16 * 1024


class GroupVersionKind(TypedDict):
    group: str
    version: str
    kind: str


class StatusDict(TypedDict, total=False):
    code: int
    message: str
    reason: str
    status: str


class ResponseDict(TypedDict):
    uid: str
    allowed: bool
    status: NotRequired[StatusDict]
    patch: NotRequired[str]
    patchType: NotRequired[Literal["JSONPatch"]]
    warnings: NotRequired[list[str]]
    auditAnnotations: NotRequired[dict[str, str]]


class ReviewDict(TypedDict):
    apiVersion: str
    kind: Literal["AdmissionReview"]
    response: ResponseDict


class WebhookError(Exception):
    """The request cannot be answered as an admission review."""

    status_code = 400


class MalformedReview(WebhookError):
    """The body is not a well-formed AdmissionReview."""


@dataclass(frozen=True)
class AdmissionRequest:
    """The parts of ``request`` that batchguard uses."""

    api_version: str
    uid: str
    kind: GroupVersionKind
    operation: Operation
    namespace: str | None
    name: str | None
    sub_resource: str | None
    object: Mapping[str, Any] | None
    old_object: Mapping[str, Any] | None
    dry_run: bool
    username: str = ""

    @property
    def object_name(self) -> str:
        """The name to show: the request's, else the object's (or its prefix)."""
        if self.name:
            return self.name
        metadata = (self.object or self.old_object or {}).get("metadata")
        if isinstance(metadata, dict):
            for key in ("name", "generateName"):
                if isinstance(metadata.get(key), str) and metadata[key]:
                    return str(metadata[key])
        return ""

    @property
    def is_batch_workload(self) -> bool:
        return self.kind["group"] == "batch" and self.kind["kind"] in (
            "Job",
            "CronJob",
        )


def _require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedReview(f"{what} must be a JSON object, got {_type(value)}.")
    return value


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _optional_str(request: Mapping[str, Any], key: str) -> str | None:
    value = request.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedReview(f"request.{key} must be a string, got {_type(value)}.")
    return value


def _gvk(value: Any) -> GroupVersionKind:
    gvk = _require_mapping(value, "request.kind")
    for key in ("group", "version", "kind"):
        if not isinstance(gvk.get(key, ""), str):
            raise MalformedReview(f"request.kind.{key} must be a string.")
    return {
        "group": gvk.get("group", ""),
        "version": gvk.get("version", ""),
        "kind": gvk.get("kind", ""),
    }


def _optional_object(request: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = request.get(key)
    if value is None:
        return None
    return _require_mapping(value, f"request.{key}")


def parse_review(body: Any) -> AdmissionRequest:
    """Check the envelope and extract the request; raise MalformedReview if off."""
    review = _require_mapping(body, "The request body")
    api_version = review.get("apiVersion")
    if api_version is None and "uid" in review and "operation" in review:
        raise MalformedReview(
            "The body is a bare AdmissionRequest; send it wrapped in an "
            f"AdmissionReview (apiVersion {V1!r}, kind 'AdmissionReview', request)."
        )
    if api_version not in SUPPORTED_VERSIONS:
        raise MalformedReview(
            f"apiVersion {api_version!r} is not supported; use {V1!r} (or {V1BETA1!r})."
        )
    if review.get("kind") != "AdmissionReview":
        raise MalformedReview(
            f"kind {review.get('kind')!r} is not supported; use 'AdmissionReview'."
        )
    return _parse_request(
        _require_mapping(review.get("request"), "request"), api_version
    )


def _parse_request(request: Mapping[str, Any], api_version: str) -> AdmissionRequest:
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise MalformedReview("request.uid must be a non-empty string.")
    operation = request.get("operation")
    if operation not in OPERATIONS:
        raise MalformedReview(
            f"request.operation {operation!r} is not one of {', '.join(OPERATIONS)}."
        )
    dry_run = request.get("dryRun", False)
    obj = _optional_object(request, "object")
    old_object = _optional_object(request, "oldObject")
    if operation in ("CREATE", "UPDATE") and obj is None:
        raise MalformedReview(f"request.object is required for {operation}.")
    if operation == "UPDATE" and old_object is None:
        raise MalformedReview("request.oldObject is required for UPDATE.")
    return AdmissionRequest(
        api_version=api_version,
        uid=uid,
        kind=_gvk(request.get("kind")),
        operation=cast(Operation, operation),
        namespace=_optional_str(request, "namespace"),
        name=_optional_str(request, "name"),
        sub_resource=_optional_str(request, "subResource"),
        object=obj,
        old_object=old_object,
        dry_run=dry_run is True,
        username=_username(request.get("userInfo")),
    )


def _username(user_info: Any) -> str:
    if not isinstance(user_info, dict):
        return ""
    username = user_info.get("username")
    return username if isinstance(username, str) else ""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean_warning(text: str) -> str:
    """A warning the apiserver will pass on: no control characters, bounded."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text)).strip()
    if len(text) > WARNING_MAX_RUNES:
        text = text[: WARNING_MAX_RUNES - 1] + "…"
    return text


def clean_warnings(texts: Iterable[str]) -> list[str]:
    """Deduplicated, cleaned warnings within the apiserver's total budget."""
    kept: list[str] = []
    total = 0
    for text in texts:
        cleaned = clean_warning(text)
        if not cleaned or cleaned in kept:
            continue
        if total + len(cleaned) > WARNINGS_TOTAL_RUNES:
            break
        kept.append(cleaned)
        total += len(cleaned)
    return kept


@dataclass(frozen=True)
class Verdict:
    """What to answer, before it is put on the wire."""

    allowed: bool = True
    message: str | None = None
    code: int = 403
    reason: str | None = None
    patch: list[dict[str, Any]] | None = None
    warnings: tuple[str, ...] = ()
    audit_annotations: Mapping[str, str] | None = None


def build_response(request_version: str, uid: str, verdict: Verdict) -> ReviewDict:
    """The AdmissionReview answer, in the version the request came in."""
    response: ResponseDict = {"uid": uid, "allowed": verdict.allowed}
    if not verdict.allowed:
        status: StatusDict = {
            "code": verdict.code,
            "status": "Failure",
            "message": _bounded(verdict.message or "denied by batchguard"),
        }
        if verdict.reason:
            status["reason"] = verdict.reason
        response["status"] = status
    if verdict.patch:
        encoded = json.dumps(verdict.patch, separators=(",", ":")).encode()
        response["patch"] = base64.b64encode(encoded).decode("ascii")
        response["patchType"] = "JSONPatch"
    warnings = clean_warnings(verdict.warnings)
    if warnings:
        response["warnings"] = warnings
    if verdict.audit_annotations:
        response["auditAnnotations"] = dict(verdict.audit_annotations)
    return {
        "apiVersion": request_version,
        "kind": "AdmissionReview",
        "response": response,
    }


def _bounded(message: str) -> str:
    if len(message) <= MESSAGE_MAX_CHARS:
        return message
    return message[: MESSAGE_MAX_CHARS - 1] + "…"
