"""Fixtures for the deploy/ manifests, the Dockerfile and their scripts."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate.utils
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

Build = Callable[[Path], list[dict[str, Any]]]


@pytest.fixture(autouse=True, scope="module")
def cached_kubernetes_schemas() -> Iterator[None]:
    """Parse each schema file once: kubernetes-validate re-reads them per object."""
    with pytest.MonkeyPatch.context() as patch:
        cached = functools.cache(kubernetes_validate.utils.schema_contents)
        patch.setattr(kubernetes_validate.utils, "schema_contents", cached)
        yield


def _kustomize_command() -> list[str] | None:
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


@pytest.fixture(scope="session")
def kustomize() -> Build:
    """Render a kustomization with ``kustomize build`` or ``kubectl kustomize``."""
    command = _kustomize_command()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed")

    def build(directory: Path) -> list[dict[str, Any]]:
        result = subprocess.run(
            [*command, str(directory)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]

    return build


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    """A writable copy of deploy/ (without generated certificates)."""
    target = tmp_path / "deploy"
    shutil.copytree(ROOT / "deploy", target, ignore=shutil.ignore_patterns("generated"))
    return target
