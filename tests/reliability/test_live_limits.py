"""Hostile bodies against the real server: too large, too deep, alias bombs.

Each is refused with a 400 well inside the apiserver's webhook timeout (10 s at
most; we allow 2 s), and ``batchguard check`` refuses an alias bomb with exit 2.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.admission import job, review
from helpers.live_server import LiveServer
from helpers.tls_client import (
    Answer,
    client_context,
    post,
    post_headers_only,
    post_streaming,
)

pytestmark = pytest.mark.server

QUICKLY = 2.0
LIMIT = 4 * 1024 * 1024
OVER_LIMIT = LIMIT + 1024 * 1024
TOO_LARGE = f"The request body is larger than the limit of {LIMIT} bytes."
ROOT = Path(__file__).parents[2]


def chunks_of_json(size: int) -> Iterator[bytes]:
    """A JSON object of about ``size`` bytes, in 64 KiB pieces."""
    yield b'{"padding": "'
    piece = b"x" * 65536
    for _ in range(size // len(piece)):
        yield piece
    yield b'"}'


def nested_arrays(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def review_with_nesting(depth: int) -> bytes:
    obj = job()
    value: object = "bottom"
    for _ in range(depth):
        value = {"deeper": value}
    obj["metadata"]["annotations"] = value
    return json.dumps(review(obj)).encode()


def refused(answer: Answer) -> str:
    """The error message of a 400 answer, checking it came quickly."""
    assert answer.status == 400, answer.body[:300]
    assert answer.seconds < QUICKLY
    message: str = answer.json()["error"]
    return message


def test_a_body_announced_over_the_limit_is_refused_before_it_is_sent(
    server: LiveServer,
) -> None:
    answer = post_headers_only(
        server.port,
        "/mutate",
        length=OVER_LIMIT,
        context=client_context(server.ca_file),
    )

    assert refused(answer) == TOO_LARGE


def test_a_client_streaming_a_huge_body_gets_the_refusal_before_it_is_done(
    server: LiveServer,
) -> None:
    huge = 64 * 1024 * 1024

    answer, sent = post_streaming(
        server.port,
        "/mutate",
        length=huge,
        piece=b" " * 65536,
        context=client_context(server.ca_file),
    )

    assert refused(answer) == TOO_LARGE
    assert sent < huge


def test_a_chunked_body_over_the_limit_is_refused_quickly(server: LiveServer) -> None:
    answer = post(
        server.port,
        "/mutate",
        chunks_of_json(OVER_LIMIT),
        context=client_context(server.ca_file),
    )

    assert refused(answer) == TOO_LARGE


@pytest.mark.parametrize(
    "body",
    [nested_arrays(100_000), review_with_nesting(150)],
    ids=["arrays-nested-100000-deep", "review-whose-object-nests-150-deep"],
)
def test_deeply_nested_json_is_refused_quickly(server: LiveServer, body: bytes) -> None:
    answer = post(server.port, "/mutate", body, context=client_context(server.ca_file))

    assert refused(answer) == "The JSON body is nested more than 100 levels deep."


def alias_bomb(*, inside_a_job: bool) -> str:
    """Nine levels of nine aliases each: 387 million strings once expanded."""
    levels = "abcdefghi"
    indent = "    " if inside_a_job else ""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, current in zip(levels, levels[1:], strict=False):
        aliases = ",".join([f"*{previous}"] * 9)
        lines.append(f"{indent}{current}: &{current} [{aliases}]")
    if not inside_a_job:
        return "\n".join(lines) + "\n"
    head = ["apiVersion: batch/v1", "kind: Job", "metadata:", "  name: laughs"]
    tail = [
        "spec:",
        "  template:",
        "    spec:",
        "      restartPolicy: Never",
        "      containers: [{name: main, image: app:1}]",
    ]
    return "\n".join([*head, "  annotations:", *lines, *tail]) + "\n"


def test_review_refuses_an_alias_bomb_in_a_job_quickly(server: LiveServer) -> None:
    answer = post(
        server.port,
        "/review",
        alias_bomb(inside_a_job=True).encode(),
        context=client_context(server.ca_file),
        content_type="application/yaml",
    )

    assert refused(answer) == (
        "The manifest cannot be read: <request>:6: the document expands aliases "
        "excessively (4060 of 4101 values come from aliases)"
    )


def test_review_skips_an_alias_bomb_that_is_no_object_without_expanding_it(
    server: LiveServer,
) -> None:
    answer = post(
        server.port,
        "/review",
        alias_bomb(inside_a_job=False).encode(),
        context=client_context(server.ca_file),
        content_type="application/yaml",
    )

    assert (answer.status, answer.json()) == (200, {"allowed": True, "objects": []})
    assert answer.seconds < QUICKLY


def _at_most_two_gib_of_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_check_refuses_an_alias_bomb_with_exit_2_and_names_the_file(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(alias_bomb(inside_a_job=True))
    started = time.perf_counter()

    finished = subprocess.run(
        [sys.executable, "-m", "webhook", "check", str(bomb), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_at_most_two_gib_of_memory,
        cwd=ROOT,
        check=False,
    )

    # Interpreter start-up included: an expansion would take minutes, not seconds.
    assert time.perf_counter() - started < 10
    assert finished.returncode == 2
    assert str(bomb) in finished.stdout
    assert (
        "line 6: the document expands aliases excessively "
        "(4060 of 4101 values come from aliases)"
    ) in finished.stdout
