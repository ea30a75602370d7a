"""``POST /review``: what admission would do to a manifest, without a cluster."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from webhook.admission import WebhookError
from webhook.review import ManifestError, review_documents, to_json
from webhook.server.body import read_body
from webhook.server.services import current_services

logger = logging.getLogger(__name__)

blueprint = Blueprint("review", __name__)

OPERATIONS = ("CREATE", "UPDATE")
TEXT_TYPES = {
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "text/plain",
}


class Unauthorized(WebhookError):
    status_code = 401


def _check_token(token_file: Path | None) -> None:
    if token_file is None:
        return
    try:
        expected = token_file.read_text().strip()
    except OSError:
        logger.error("Cannot read the review token file %s", token_file)
        raise Unauthorized(
            "The review endpoint cannot check tokens right now."
        ) from None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthorized(
            "A valid 'Authorization: Bearer <token>' header is required."
        )


def _operation() -> str:
    operation = request.args.get("operation", "CREATE").upper()
    if operation not in OPERATIONS:
        raise WebhookError(
            f"operation {operation!r} is not supported; use CREATE or UPDATE."
        )
    return operation


def _text() -> str:
    if request.mimetype not in TEXT_TYPES:
        raise WebhookError(
            f"Content-Type {request.content_type or '(none)'!r} is not supported; "
            "send YAML (application/yaml) or JSON (application/json)."
        )
    raw = read_body(request)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookError("The request body is not UTF-8 text.") from None


@blueprint.post("/review")
def review() -> Response:
    services = current_services()
    settings = services.settings.server
    if not settings.review_enabled:
        raise NotFound("The review endpoint is disabled on this server.")
    _check_token(settings.review_token_file)
    operation = _operation()
    text = _text()
    policies = services.policies.current()
    if policies is None:
        raise WebhookError("No policies are loaded; see /readyz.")
    try:
        reviews = review_documents(
            text,
            namespace=request.args.get("namespace") or None,
            operation=operation,
            policies=policies,
        )
    except ManifestError as error:
        raise WebhookError(f"The manifest cannot be read: {error}") from None
    return jsonify(to_json(reviews))
