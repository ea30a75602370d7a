"""Mapping errors to HTTP responses, in one place.

A malformed request gets a 4xx JSON body; nothing here ever shows a traceback. An
unexpected exception in a view is answered 500 by the generic handler, but the
admission views never let one escape: they answer per the failure mode instead.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from webhook.admission import WebhookError
from webhook.server import metrics

logger = logging.getLogger(__name__)


def _json_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message, "status": status}), status


def _endpoint() -> str:
    return (request.endpoint or "unknown").rpartition(".")[2]


def handle_webhook_error(error: WebhookError) -> tuple[Response, int]:
    metrics.BAD_REQUESTS.labels(endpoint=_endpoint()).inc()
    logger.info("Refused a malformed request to %s: %s", request.path, error)
    return _json_error(error.status_code, str(error))


def handle_too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    metrics.BAD_REQUESTS.labels(endpoint=_endpoint()).inc()
    limit = request.max_content_length
    return _json_error(
        400, f"The request body is larger than the limit of {limit} bytes."
    )


def handle_http_error(error: HTTPException) -> tuple[Response, int]:
    return _json_error(error.code or 500, error.description or error.name)


def handle_unexpected(error: Exception) -> tuple[Response, int]:
    logger.exception("Unexpected error while serving %s", request.path)
    return _json_error(500, "Internal error; see the batchguard logs.")


def register(app: Flask) -> None:
    app.register_error_handler(WebhookError, handle_webhook_error)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
