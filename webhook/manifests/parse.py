"""Parse YAML with libyaml and build JSON values with go-yaml v2's rules."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from webhook.manifests.scalars import (
    NUMERIC_START,
    SEXAGESIMAL,
    TIMESTAMP_START,
    json_value,
    key_string,
    resolve_plain,
)

MAX_FILE_BYTES: Final = 32 * 1024 * 1024
MAX_DOCUMENT_CHARS: Final = 3 * 1024 * 1024
MAX_NODES: Final = 500_000
MAX_DEPTH: Final = 200

JSONPath = tuple[str | int, ...]


class ManifestError(Exception):
    """Input that cannot be read as Kubernetes manifests."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


PLAIN_TAG: Final = "!batchguard/plain"
STR_TAG: Final = "tag:yaml.org,2002:str"
_MAP_TAG: Final = "tag:yaml.org,2002:map"
_SEQ_TAG: Final = "tag:yaml.org,2002:seq"
_TEXT_TAGS: Final = frozenset({STR_TAG, "tag:yaml.org,2002:binary", "!"})
_TYPED_TAGS: Final[dict[str, tuple[type, ...]]] = {
    "tag:yaml.org,2002:int": (int,),
    "tag:yaml.org,2002:float": (float, int),
    "tag:yaml.org,2002:bool": (bool,),
    "tag:yaml.org,2002:null": (type(None),),
    "tag:yaml.org,2002:timestamp": (str,),
}


class _Resolver(yaml.resolver.BaseResolver):
    """Tag nodes by style only; values are resolved with go-yaml's rules later."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else STR_TAG
        return _MAP_TAG if kind is MappingNode else _SEQ_TAG


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _Composer(CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


def compose_documents(text: str, *, file: str) -> Iterator[Node | None]:
    """Yield the node tree of each YAML document in ``text``, lazily.

    An empty document yields None. Syntax errors become ``ManifestError``.
    """
    composer = _Composer(text)
    try:
        while _check_node(composer, text, file=file):
            yield _get_node(composer, text, file=file)
    finally:
        composer.dispose()


def _check_node(composer: Any, text: str, *, file: str) -> bool:
    try:
        return bool(composer.check_node())
    except yaml.YAMLError as error:
        raise _syntax_error(error, text, file=file) from None


def _get_node(composer: Any, text: str, *, file: str) -> Node | None:
    try:
        node: Node = composer.get_node()
    except yaml.YAMLError as error:
        raise _syntax_error(error, text, file=file) from None
    if isinstance(node, ScalarNode) and node.tag == PLAIN_TAG and not node.value:
        return None
    return node


def _syntax_error(error: yaml.YAMLError, text: str, *, file: str) -> ManifestError:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        message = error.problem or "invalid YAML"
        if error.context:
            context_line = error.context_mark.line + 1 if error.context_mark else None
            at = f" at line {context_line}" if context_line else ""
            message = f"{message} ({error.context}{at})"
        return ManifestError(
            f"not valid YAML: {message}", file=file, line=error.problem_mark.line + 1
        )
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        character = error.character
        if isinstance(character, int):
            character = chr(character)
        return ManifestError(
            f"not valid YAML: character {character!r} is not allowed",
            file=file,
            line=line,
        )
    return ManifestError(f"not valid YAML: {error}", file=file)


def _encoding(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return "utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8"


def decode(data: bytes, *, file: str) -> str:
    """Text of a manifest file: UTF-8 (with or without BOM) or BOM-marked UTF-16."""
    if len(data) > MAX_FILE_BYTES:
        raise ManifestError(
            f"the file is larger than {MAX_FILE_BYTES} bytes, the limit",
            file=file,
        )
    encoding = _encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ManifestError(
            f"not {encoding.removesuffix('-sig').upper()} text "
            f"(byte {data[error.start]:#04x} cannot be decoded)",
            file=file,
            line=line,
        ) from None


def encode(text: str, *, like: bytes) -> bytes:
    """``text`` in the encoding, byte-order mark included, of the bytes ``like``."""
    return text.encode(_encoding(like))


@dataclass(frozen=True)
class Duplicate:
    """A mapping key that appears twice in one mapping."""

    parent: JSONPath
    key: str
    first_line: int
    second_line: int


def _allowed_alias_ratio(count: int) -> float:
    low, high = 400_000, 4_000_000
    if count <= low:
        return 0.99
    if count >= high:
        return 0.10
    return 0.99 - 0.89 * (count - low) / (high - low)


class Builder:
    """Turns one document's node tree into JSON values, noting lines on the way."""

    def __init__(self, *, file: str) -> None:
        self.file = file
        self.lines: dict[JSONPath, int] = {}
        self.duplicates: list[Duplicate] = []
        self.unquoted: dict[JSONPath, str] = {}
        """Source text of unquoted scalars that Kubernetes does not read as strings."""
        self.sexagesimal: dict[JSONPath, str] = {}
        """Source text of unquoted strings that YAML 1.1 tools read as numbers."""
        self._built: set[int] = set()
        self._active: set[int] = set()
        self._count = 0
        self._aliased = 0
        self._alias_depth = 0

    def fail(self, message: str, node: Node) -> ManifestError:
        return ManifestError(message, file=self.file, line=node.start_mark.line + 1)

    def value(self, node: Node, path: JSONPath, depth: int) -> Any:
        self._count += 1
        if self._alias_depth:
            self._aliased += 1
            self._check_expansion(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if depth > MAX_DEPTH:
            raise self.fail(f"the document nests deeper than {MAX_DEPTH} levels", node)
        if self._count > MAX_NODES:
            raise self.fail(f"the document holds more than {MAX_NODES} values", node)
        return self._collection(node, path, depth)

    def _check_expansion(self, node: Node) -> None:
        if (
            self._aliased > 100
            and self._count > 1000
            and self._aliased / self._count > _allowed_alias_ratio(self._count)
        ):
            raise self.fail(
                "the document expands aliases excessively "
                f"({self._aliased} of {self._count} values come from aliases)",
                node,
            )

    def _collection(self, node: Node, path: JSONPath, depth: int) -> Any:
        identity = id(node)
        if identity in self._active:
            raise self.fail("an alias refers to a node that contains it", node)
        aliased = identity in self._built
        self._built.add(identity)
        self._active.add(identity)
        self._alias_depth += aliased
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth + 1)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path, depth + 1)
            raise self.fail(f"unexpected YAML node {type(node).__name__}", node)
        finally:
            self._alias_depth -= aliased
            self._active.discard(identity)

    def _sequence(self, node: SequenceNode, path: JSONPath, depth: int) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.lines[child] = item.start_mark.line + 1
            items.append(self.value(item, child, depth))
        return items

    def _mapping(self, node: MappingNode, path: JSONPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        explicit: dict[str, int] = {}
        for key_node, value_node in node.value:
            if is_merge_key(key_node):
                self._merge(value_node, result, path, depth)
                continue
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in explicit:
                self.duplicates.append(Duplicate(path, key, explicit[key], line))
            explicit.setdefault(key, line)
            child = (*path, key)
            self.lines[child] = line
            result[key] = self.value(value_node, child, depth)
        return result

    def _merge(
        self, node: Node, result: dict[str, Any], path: JSONPath, depth: int
    ) -> None:
        """Apply ``<<``: earlier sources win over later ones, as in go-yaml v2."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                raise self.fail(
                    "a merge key (<<) needs a mapping or a list of mappings", source
                )
            result.update(self.value(source, path, depth))

    def _key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise self.fail("a mapping key must be a scalar, not a collection", node)
        raw = resolve_plain(node.value) if node.tag == PLAIN_TAG else node.value
        key = key_string(raw)
        if key is None:
            raise self.fail(
                f"the mapping key {node.value!r} is null; Kubernetes cannot read it",
                node,
            )
        return key

    def _scalar(self, node: ScalarNode, path: JSONPath) -> Any:
        text: str = node.value
        if node.tag == PLAIN_TAG:
            value = resolve_plain(text)
            if type(value) is str:
                if text[0] in NUMERIC_START and SEXAGESIMAL.fullmatch(text):
                    self.sexagesimal[path] = text
                return value
            if value is not None:
                self.unquoted[path] = text
            return self._finite(value, node)
        if node.tag in _TEXT_TAGS or node.tag not in _TYPED_TAGS:
            return text
        return self._tagged(node)

    def _tagged(self, node: ScalarNode) -> Any:
        value = resolve_plain(node.value)
        if node.tag.endswith(":timestamp"):
            value = node.value if TIMESTAMP_START.match(node.value) else None
        if type(value) not in _TYPED_TAGS[node.tag]:
            short = "!!" + node.tag.rpartition(":")[2]
            raise self.fail(f"cannot read {node.value!r} as {short}", node)
        return self._finite(
            float(value) if node.tag.endswith(":float") else value, node
        )

    def _finite(self, value: Any, node: Node) -> Any:
        if type(value) is float and not math.isfinite(value):
            raise self.fail(
                f"the value {node.value!r} has no JSON form; Kubernetes cannot read it",
                node,
            )
        return json_value(value)


def is_merge_key(node: Node) -> bool:
    return (
        isinstance(node, ScalarNode)
        and node.value == "<<"
        and node.tag in (PLAIN_TAG, "tag:yaml.org,2002:merge")
    )
