"""Write JSON Patch changes back into YAML text, keeping every untouched byte.

``fix`` must keep comments, quoting, key order and whatever indentation the author
chose. So changes are written as text edits at the positions of the YAML nodes they
touch, never as a re-dump of the document, and the result is read back and compared
with what the patch asked for before anything is written.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpatch
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from webhook.manifests.parse import (
    PLAIN_TAG,
    Builder,
    JSONPath,
    ManifestError,
    compose_documents,
    is_merge_key,
)
from webhook.manifests.reader import format_path
from webhook.manifests.scalars import key_string, resolve_plain, scalar_text


@dataclass(frozen=True)
class Change:
    """A JSON Patch for one object of a file (``item`` set for ``kind: List``)."""

    document: int
    patch: Sequence[Mapping[str, Any]]
    item: int | None = None


def apply_patches(
    text: str, changes: Sequence[Change], *, file: str, json_style: bool = False
) -> str:
    """``text`` with the patches applied as in-place edits of the YAML source.

    Only the nodes that change are rewritten; new values are written in the style
    of their surroundings (block or flow, the file's indentation), or as JSON when
    ``json_style`` is set. Raises ``ManifestError`` when a change cannot be written
    faithfully (through an alias, say); the text is then not to be used.
    """
    if not changes:
        return text
    nodes = list(compose_documents(text, file=file))
    editor = _Editor(text, file=file, json_style=json_style)
    expected: dict[int, Any] = {}
    for document in sorted({change.document for change in changes}):
        node = nodes[document]
        if node is None:
            raise ManifestError(f"document {document} is empty", file=file)
        old = Builder(file=file).value(node, (), 0)
        new = _patched(old, [c for c in changes if c.document == document], file=file)
        editor.start_document(node)
        editor.change(node, old, new, (), _Slot("root"))
        expected[document] = new
    result = editor.result()
    _verify(result, expected, documents=len(nodes), file=file)
    return result


def _patched(old: Any, changes: Sequence[Change], *, file: str) -> Any:
    new = copy.deepcopy(old)
    for change in changes:
        target = new if change.item is None else new["items"][change.item]
        try:
            patched = jsonpatch.JsonPatch(list(change.patch)).apply(target)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            raise ManifestError(
                f"the patch for document {change.document} does not apply: {error}",
                file=file,
            ) from None
        if change.item is None:
            new = patched
        else:
            new["items"][change.item] = patched
    return new


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _verify(
    text: str, expected: Mapping[int, Any], *, documents: int, file: str
) -> None:
    nodes = list(compose_documents(text, file=file))
    if len(nodes) != documents:
        raise ManifestError(
            "the rewritten file has a different document count", file=file
        )
    for index, value in expected.items():
        node = nodes[index]
        actual = None if node is None else Builder(file=file).value(node, (), 0)
        if _canonical(actual) != _canonical(value):
            raise ManifestError(
                f"the changes to document {index} could not be written faithfully; "
                "edit the file by hand",
                file=file,
                line=node.start_mark.line + 1 if node is not None else None,
            )


@dataclass(frozen=True)
class _Slot:
    """Where a node sits: ``key`` (block mapping), ``item``, ``flow`` or ``root``."""

    kind: str
    key: ScalarNode | None = None


@dataclass(frozen=True, order=True)
class _Edit:
    start: int
    end: int
    order: int
    text: str


def _is_inline(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def _key_value(node: Node) -> Any:
    return resolve_plain(node.value) if node.tag == PLAIN_TAG else node.value


class _Editor:
    """Collects text edits for changed nodes; ``result()`` applies them."""

    def __init__(self, text: str, *, file: str, json_style: bool) -> None:
        self.text = text
        self.file = file
        self.json_style = json_style
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[_Edit] = []
        self.shared: set[int] = set()
        self.step = 2
        self.sequence_offset = 2

    def start_document(self, root: Node) -> None:
        self.shared = _shared_nodes(root)
        self.step, self.sequence_offset = _indentation(root)

    def result(self) -> str:
        edits = sorted(self.edits)
        for before, after in zip(edits, edits[1:], strict=False):
            if before.end > after.start:
                raise ManifestError(
                    "two changes overlap in the source; edit the file by hand",
                    file=self.file,
                    line=self.text.count("\n", 0, after.start) + 1,
                )
        parts, position = [], 0
        for edit in edits:
            parts += [self.text[position : edit.start], edit.text]
            position = edit.end
        return "".join([*parts, self.text[position:]])

    def refuse(self, path: JSONPath, node: Node, why: str) -> ManifestError:
        return ManifestError(
            f"cannot write the change at {format_path(path) or 'the top level'} back "
            f"into the file: {why}",
            file=self.file,
            line=node.start_mark.line + 1,
        )

    def _edit(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, len(self.edits), text))

    # What changed, walking the old and new values alongside the nodes.

    def change(
        self, node: Node, old: Any, new: Any, path: JSONPath, slot: _Slot
    ) -> None:
        if _canonical(old) == _canonical(new):
            return
        if id(node) in self.shared:
            raise self.refuse(path, node, "it goes through a YAML anchor or alias")
        both = (old, new)
        if isinstance(node, MappingNode) and all(
            isinstance(v, dict) and v for v in both
        ):
            if self._change_mapping(node, old, new, path):
                return
        elif isinstance(node, SequenceNode) and all(
            isinstance(v, list) and v for v in both
        ):
            if self._change_sequence(node, old, new, path):
                return
        self._replace(node, new, slot)

    def _change_mapping(
        self,
        node: MappingNode,
        old: dict[str, Any],
        new: dict[str, Any],
        path: JSONPath,
    ) -> bool:
        entries = {
            key_string(_key_value(k)): (k, v)
            for k, v in node.value
            if not is_merge_key(k)
        }
        changed = [
            k for k in old if k in new and _canonical(old[k]) != _canonical(new[k])
        ]
        removed = [k for k in old if k not in new]
        has_merge = len(entries) != len(node.value)
        if (has_merge and (changed or removed)) or not set(
            changed + removed
        ) <= entries.keys():
            return False
        if removed and not self._can_remove(node, [entries[k][0] for k in removed]):
            return False
        for key in changed:
            key_node, value_node = entries[key]
            slot = _Slot("flow") if node.flow_style else _Slot("key", key_node)
            self.change(value_node, old[key], new[key], (*path, key), slot)
        kept = [pair for pair in node.value if key_string(_key_value(pair[0])) in new]
        added = [(k, new[k]) for k in new if k not in old]
        if added and not kept:
            return False
        for key in removed:
            self._remove_entry(*entries[key])
        if added:
            self._add_entries(node, added, after=kept[-1])
        return True

    def _change_sequence(
        self, node: SequenceNode, old: list[Any], new: list[Any], path: JSONPath
    ) -> bool:
        same = [_canonical(a) == _canonical(b) for a, b in zip(old, new, strict=False)]
        prefix = same.index(False) if False in same else len(same)
        suffix = 0
        while suffix < min(len(old), len(new)) - prefix and _canonical(
            old[-1 - suffix]
        ) == _canonical(new[-1 - suffix]):
            suffix += 1
        paired = min(len(old), len(new)) - prefix - suffix
        removed = range(prefix + paired, len(old) - suffix)
        inserted = new[prefix + paired : len(new) - suffix]
        if removed and (node.flow_style or not self._can_remove_items(node, removed)):
            return False
        if inserted and not node.flow_style and self._dash(node, 0) is None:
            return False
        slot = _Slot("flow") if node.flow_style else _Slot("item")
        for index in range(prefix, prefix + paired):
            self.change(node.value[index], old[index], new[index], (*path, index), slot)
        for index in removed:
            self._remove_item(node, index)
        if inserted:
            self._insert_items(node, len(old) - suffix, inserted)
        return True

    # Text positions.

    def _line_start(self, position: int) -> int:
        return self.text.rfind("\n", 0, position) + 1

    def _line_end(self, position: int) -> int:
        end = self.text.find("\n", position)
        end = len(self.text) if end < 0 else end
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def _first_on_line(self, position: int) -> bool:
        return not self.text[self._line_start(position) : position].strip()

    def _content_end(self, node: Node) -> int:
        """Where a node's own text ends (before trailing blank and comment lines)."""
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">"):
                body = self.text[node.start_mark.index : node.end_mark.index]
                return node.start_mark.index + len(body.rstrip())
            return int(node.end_mark.index)
        if not isinstance(node, CollectionNode) or node.flow_style or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        ends = [
            self._content_end(n) for n in (last if isinstance(last, tuple) else (last,))
        ]
        if min(ends) >= node.start_mark.index:
            return max(ends)
        return self._trimmed_end(node.end_mark.index)

    def _trimmed_end(self, position: int) -> int:
        while True:
            head = self.text[:position].rstrip()
            line_start = head.rfind("\n") + 1
            if not head[line_start:].lstrip().startswith("#"):
                return len(head)
            position = line_start

    def _entry_end(self, key: Node, value: Node) -> int:
        return max(self._content_end(key), self._content_end(value))

    def _after_colon(self, key: ScalarNode) -> int:
        return self.text.index(":", key.end_mark.index) + 1

    def _dash(self, node: SequenceNode, index: int) -> int | None:
        """The position of the ``-`` of a block sequence item, if first on its line."""
        low = (
            node.start_mark.index
            if index == 0
            else self._content_end(node.value[index - 1])
        )
        dash = self.text.rfind("-", low, node.value[index].start_mark.index)
        return dash if dash >= 0 and self._first_on_line(dash) else None

    def _delete_lines(self, start: int, end: int) -> None:
        """Delete the lines from the one holding ``start`` to the one with ``end``."""
        first, last = self._line_start(start), self._line_end(end)
        newline = self.text.find("\n", last)
        if newline >= 0:
            self._edit(first, newline + 1, "")
        else:
            self._edit(max(self.text.rfind("\n", 0, first), 0), last, "")

    # Edits.

    def _can_remove(self, node: MappingNode, keys: list[Node]) -> bool:
        return not node.flow_style and all(
            self._first_on_line(k.start_mark.index) for k in keys
        )

    def _remove_entry(self, key: Node, value: Node) -> None:
        self._delete_lines(key.start_mark.index, self._entry_end(key, value))

    def _can_remove_items(self, node: SequenceNode, indexes: range) -> bool:
        return all(self._dash(node, index) is not None for index in indexes)

    def _remove_item(self, node: SequenceNode, index: int) -> None:
        dash = self._dash(node, index)
        assert dash is not None
        self._delete_lines(dash, self._content_end(node.value[index]))

    def _add_entries(
        self, node: MappingNode, added: list[tuple[str, Any]], *, after: Any
    ) -> None:
        end = self._entry_end(*after)
        if node.flow_style or self.json_style:
            texts = [
                f"{self._key_text(k, flow=True)}: {self._flow(v)}" for k, v in added
            ]
            self._edit(end, end, ", " + ", ".join(texts))
            return
        column = node.value[0][0].start_mark.column
        lines = [line for k, v in added for line in self._block_entry(k, v, column)]
        position = self._line_end(end)
        self._edit(position, position, self.newline + self.newline.join(lines))

    def _insert_items(self, node: SequenceNode, before: int, items: list[Any]) -> None:
        if node.flow_style or self.json_style:
            texts = [self._flow(item) for item in items]
            if before < len(node.value):
                position = node.value[before].start_mark.index
                self._edit(position, position, "".join(f"{t}, " for t in texts))
            else:
                position = self._content_end(node.value[-1])
                self._edit(position, position, "".join(f", {t}" for t in texts))
            return
        first_dash = self._dash(node, 0)
        assert first_dash is not None
        column = first_dash - self._line_start(first_dash)
        lines = [line for item in items for line in self._block_item(item, column)]
        block = self.newline.join(lines)
        dash = self._dash(node, before) if before < len(node.value) else None
        if dash is not None:
            position = self._line_start(dash)
            self._edit(position, position, block + self.newline)
        else:
            position = self._line_end(self._content_end(node.value[-1]))
            self._edit(position, position, self.newline + block)

    def _replace(self, node: Node, new: Any, slot: _Slot) -> None:
        start, end = node.start_mark.index, self._content_end(node)
        is_block = isinstance(node, MappingNode | SequenceNode) and not node.flow_style
        if slot.kind == "flow" or self.json_style:
            self._edit(start, end, self._flow(new))
        elif _is_inline(new):
            if slot.key is not None and is_block:
                start, text = self._after_colon(slot.key), " " + self._inline(new)
            else:
                text = self._inline(new)
            self._edit(start, end, text)
        elif slot.key is not None:
            offset = self.step if isinstance(new, dict) else self.sequence_offset
            lines = self._block(new, slot.key.start_mark.column + offset)
            self._edit(
                self._after_colon(slot.key),
                end,
                self.newline + self.newline.join(lines),
            )
        else:
            column = node.start_mark.column
            lines = self._block(new, column)
            lines[0] = lines[0][column:]
            self._edit(start, end, self.newline.join(lines))

    # Rendering new values.

    def _block(self, value: Any, indent: int) -> list[str]:
        if isinstance(value, dict):
            return [
                line
                for k, v in value.items()
                for line in self._block_entry(k, v, indent)
            ]
        return [line for item in value for line in self._block_item(item, indent)]

    def _block_entry(self, key: str, value: Any, indent: int) -> list[str]:
        head = f"{' ' * indent}{self._key_text(key, flow=False)}:"
        if _is_inline(value):
            return [f"{head} {self._inline(value)}"]
        offset = self.step if isinstance(value, dict) else self.sequence_offset
        return [head, *self._block(value, indent + offset)]

    def _block_item(self, item: Any, indent: int) -> list[str]:
        pad = " " * indent
        if _is_inline(item):
            return [f"{pad}- {self._inline(item)}"]
        lines = self._block(item, indent + 2)
        lines[0] = f"{pad}- {lines[0][indent + 2 :]}"
        return lines

    def _inline(self, value: Any) -> str:
        if isinstance(value, dict | list):
            return "{}" if isinstance(value, dict) else "[]"
        return scalar_text(value, flow=False)

    def _flow(self, value: Any) -> str:
        if self.json_style:
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, dict):
            entries = (
                f"{self._key_text(k, flow=True)}: {self._flow(v)}"
                for k, v in value.items()
            )
            return "{" + ", ".join(entries) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self._flow(item) for item in value) + "]"
        return scalar_text(value, flow=True)

    def _key_text(self, key: str, *, flow: bool) -> str:
        if self.json_style:
            return json.dumps(key, ensure_ascii=False)
        return scalar_text(key, flow=flow)


def _shared_nodes(root: Node) -> set[int]:
    """Ids of nodes reached more than once (through aliases), and their insides."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, inside_shared = stack.pop()
        identity = id(node)
        again = identity in seen
        if again or inside_shared:
            shared.add(identity)
        if again and not inside_shared:
            continue
        seen.add(identity)
        for child in _children(node):
            stack.append((child, inside_shared or again))
    return shared


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _indentation(root: Node) -> tuple[int, int]:
    """The file's indentation step for mappings, and for sequences under a key."""
    step: int | None = None
    offset: int | None = None
    stack = [root]
    visited: set[int] = set()
    while stack and (step is None or offset is None):
        node = stack.pop()
        if id(node) in visited or not isinstance(node, MappingNode | SequenceNode):
            continue
        visited.add(id(node))
        pairs = node.value if isinstance(node, MappingNode) else []
        for key, value in pairs:
            if getattr(value, "flow_style", True) or not isinstance(value, Node):
                continue
            if isinstance(value, MappingNode) and step is None:
                step = value.start_mark.column - key.start_mark.column or None
            if isinstance(value, SequenceNode) and offset is None:
                offset = value.start_mark.column - key.start_mark.column
        stack.extend(reversed(_children(node)))
    return step or 2, 2 if offset is None else offset
