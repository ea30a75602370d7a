"""Read policy files: YAML, checked against the published schema, into a PolicySet.

Errors name the file, the document and the field path. ``PolicyStore`` keeps the
last good set when a reload fails, so a bad edit never takes enforcement away.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from webhook.policy.model import (
    Exemption,
    LabelSelector,
    Match,
    Policy,
    PolicySet,
    Requirement,
)
from webhook.policy.schema import policy_schema

logger = logging.getLogger(__name__)

POLICY_SUFFIXES = (".yaml", ".yml", ".json")


class PolicyLoadError(Exception):
    """A policy file is unreadable, not YAML, or not a valid BatchPolicy."""


def default_policy_dir(*, cwd: Path | None = None) -> Path:
    """Where the CLI looks for policies when none are named.

    ``./policies`` when it exists (the layout of a policy repository), else the
    ``policies/`` directory of the batchguard checkout the package runs from.
    """
    local = (cwd or Path.cwd()) / "policies"
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "policies"


def policy_files(paths: Sequence[Path]) -> list[Path]:
    """The policy files named by ``paths``: files as given, directories flat.

    Directories are read one level deep and entries starting with ``.`` are skipped:
    a ConfigMap mount keeps its real files under ``..data`` and timestamped
    ``..2024_…`` directories, reached through the top-level symlinks.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    entry
                    for entry in path.iterdir()
                    if entry.suffix in POLICY_SUFFIXES
                    and not entry.name.startswith(".")
                    and entry.is_file()
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise PolicyLoadError(f"{path}: no such policy file or directory")
    return files


class _PolicyYAMLLoader(yaml.SafeLoader):
    """Safe YAML with duplicate keys refused and timestamps kept as strings."""


def _construct_mapping(loader: _PolicyYAMLLoader, node: yaml.MappingNode) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a scalar", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_PolicyYAMLLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _timestamp_as_text(loader: _PolicyYAMLLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_PolicyYAMLLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _documents(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    try:
        for index, document in enumerate(yaml.load_all(text, _PolicyYAMLLoader)):
            if document is not None:
                yield index, document
    except yaml.YAMLError as error:
        raise PolicyLoadError(f"{path}: not valid YAML: {error}") from None


def _json_path(error: jsonschema.ValidationError) -> str:
    parts: list[str] = []
    for part in error.absolute_path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts) or "(document)"


def _schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(policy_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    return [f"{_json_path(error)}: {_message(error)}" for error in errors]


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, or the property's description where that says more.

    For ``not``, ``anyOf`` and ``oneOf`` jsonschema prints the whole subschema
    (``0 should not be valid under {'const': 0}``); the description of the
    property is what a policy author can act on.
    """
    if error.validator not in ("not", "anyOf", "oneOf"):
        return error.message
    description = (
        error.schema.get("description") if isinstance(error.schema, dict) else None
    )
    allowed = f"{error.instance!r} is not allowed here"
    return f"{allowed}: {description}" if description else allowed


def _selector(raw: Mapping[str, Any] | None) -> LabelSelector | None:
    if raw is None:
        return None
    return LabelSelector(
        match_labels=dict(raw.get("matchLabels", {})),
        match_expressions=tuple(
            Requirement(e["key"], e["operator"], frozenset(e.get("values", ())))
            for e in raw.get("matchExpressions", ())
        ),
    )


def _match(raw: Mapping[str, Any]) -> Match:
    return Match(
        kinds=frozenset(raw.get("kinds", ("Job", "CronJob"))),
        namespaces=tuple(raw.get("namespaces", ("*",))),
        exclude_namespaces=tuple(raw.get("excludeNamespaces", ())),
        selector=_selector(raw.get("objectSelector")) or LabelSelector(),
    )


def _exemption(raw: Mapping[str, Any]) -> Exemption:
    return Exemption(
        rules=frozenset(raw.get("rules", ())),
        namespaces=tuple(raw.get("namespaces", ())),
        names=tuple(raw.get("names", ())),
        selector=_selector(raw.get("objectSelector")),
        reason=raw["reason"],
    )


def build_policy(document: Mapping[str, Any], *, source: str) -> Policy:
    """A Policy from a document that already passed the schema."""
    spec = document["spec"]
    return Policy(
        name=document["metadata"]["name"],
        source=source,
        rules=spec["rules"],
        priority=spec.get("priority", 0),
        match=_match(spec.get("match", {})),
        exemptions=tuple(_exemption(raw) for raw in spec.get("exemptions", ())),
        owned_jobs=spec.get("cronJobOwnedJobs", "warn"),
    )


def parse_policies(text: str, *, path: Path) -> list[Policy]:
    """Every BatchPolicy in one file's text."""
    policies = []
    for index, document in _documents(path, text):
        source = f"{path}#{index}"
        errors = _schema_errors(document)
        if errors:
            listed = "; ".join(errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise PolicyLoadError(f"{path}: document {index}: {listed}{more}")
        policies.append(build_policy(document, source=source))
    return policies


def load_policies(paths: Sequence[Path]) -> PolicySet:
    """Load and check every policy file under ``paths``; all or nothing."""
    digest = hashlib.sha256()
    policies: list[Policy] = []
    for path in policy_files(paths):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise PolicyLoadError(f"{path}: cannot read: {error.strerror}") from None
        digest.update(str(path).encode() + b"\0" + data + b"\0")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise PolicyLoadError(f"{path}: not UTF-8 text") from None
        policies.extend(parse_policies(text, path=path))
    _refuse_duplicate_names(policies)
    return PolicySet(tuple(policies), fingerprint=digest.hexdigest()[:16])


def _refuse_duplicate_names(policies: list[Policy]) -> None:
    seen: dict[str, str] = {}
    for policy in policies:
        if policy.name in seen:
            raise PolicyLoadError(
                f"{policy.source}: policy name {policy.name!r} is already used by "
                f"{seen[policy.name]}; policy names must be unique"
            )
        seen[policy.name] = policy.source


def _stat_fingerprint(paths: Sequence[Path]) -> str:
    """A cheap digest of what the files look like on disk (names, sizes, times)."""
    digest = hashlib.sha256()
    try:
        for path in policy_files(paths):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    except (OSError, PolicyLoadError) as error:
        digest.update(str(error).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadStatus:
    """What the store knows about its last load attempt."""

    loaded: bool
    error: str | None
    fingerprint: str
    policy_count: int


class PolicyStore:
    """Policies from a directory, reloaded when the files change.

    ``current()`` is cheap: it looks at the files at most once per
    ``check_interval`` seconds, and reloads only when their names, sizes or times
    changed. A failed reload keeps the last good set and reports the error.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        check_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_reload: Callable[[bool], None] | None = None,
    ) -> None:
        self._paths = tuple(paths)
        self._check_interval = check_interval
        self._clock = clock
        self._on_reload = on_reload
        self._lock = threading.Lock()
        self._policies: PolicySet | None = None
        self._error: str | None = None
        self._stat_print = ""
        self._next_check = 0.0
        self._reload()

    def current(self) -> PolicySet | None:
        """The policies in force (None only if no load has ever succeeded)."""
        if self._clock() >= self._next_check:
            with self._lock:
                if self._clock() >= self._next_check:
                    self._maybe_reload()
        return self._policies

    @property
    def status(self) -> LoadStatus:
        policies = self._policies
        return LoadStatus(
            loaded=policies is not None,
            error=self._error,
            fingerprint=policies.fingerprint if policies else "",
            policy_count=len(policies.policies) if policies else 0,
        )

    def _maybe_reload(self) -> None:
        self._next_check = self._clock() + self._check_interval
        if _stat_fingerprint(self._paths) != self._stat_print:
            self._reload()

    def _reload(self) -> None:
        self._stat_print = _stat_fingerprint(self._paths)
        self._next_check = self._clock() + self._check_interval
        try:
            policies = load_policies(self._paths)
        except PolicyLoadError as error:
            self._fail(str(error))
            return
        except Exception as error:
            # NB: a loader bug must not take enforcement away either; keep the set.
            logger.exception("Unexpected error while loading policies")
            self._fail(f"unexpected error while loading policies: {error!r}")
            return
        if self._policies is None or policies.fingerprint != self._policies.fingerprint:
            logger.info(
                "Loaded %d policies (fingerprint %s)",
                len(policies.policies),
                policies.fingerprint,
            )
        self._policies = policies
        self._error = None
        self._notify(True)

    def _fail(self, error: str) -> None:
        self._error = error
        logger.warning(
            "Policy reload failed; keeping the last good policies: %s", error
        )
        self._notify(False)

    def _notify(self, success: bool) -> None:
        if self._on_reload is not None:
            self._on_reload(success)
