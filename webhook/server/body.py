"""Reading a JSON request body within bounds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from webhook.admission import MalformedReview


def _content_type_is_json(request: Request) -> bool:
    return request.mimetype == "application/json"


def read_json(request: Request, *, max_depth: int) -> Any:
    """The parsed body, or MalformedReview with a reason a client can act on."""
    if not _content_type_is_json(request):
        raise MalformedReview(
            f"Content-Type {request.content_type or '(none)'!r} is not supported; "
            "send application/json."
        )
    raw = read_body(request)
    if not raw:
        raise MalformedReview("The request body is empty; send an AdmissionReview.")
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise MalformedReview(
            f"The JSON body is nested more than {max_depth} levels deep."
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedReview(f"The request body is not valid JSON: {error}") from None
    if nesting_depth(body, limit=max_depth) > max_depth:
        raise MalformedReview(
            f"The JSON body is nested more than {max_depth} levels deep."
        )
    return body


def read_body(request: Request) -> bytes:
    """The raw body, refused when it is over the limit however it was sent.

    A body with a Content-Length over the limit is refused before it is read. A
    chunked body has no length; Werkzeug would cut it at the limit without a
    word, so it is read from the raw input one byte past the limit instead.
    """
    limit = request.max_content_length
    if limit is None or request.content_length is not None:
        return request.get_data(cache=False)
    data: bytes = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge()
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def nesting_depth(value: Any, *, limit: int) -> int:
    """Depth of nested containers, counted up to ``limit + 1`` (iteratively)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
