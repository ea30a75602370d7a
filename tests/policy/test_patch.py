"""The JSON Patch from an object to its mutated copy: exact ops that always apply."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webhook.policy.patch import escape, make_patch

CASES = [
    ({"a": 1}, {"a": 1}, []),
    ({"a": 1}, {"a": 2}, [{"op": "replace", "path": "/a", "value": 2}]),
    ({}, {"a": {"b": 1}}, [{"op": "add", "path": "/a", "value": {"b": 1}}]),
    (
        {"metadata": {"annotations": {"keep": "yes"}}},
        {"metadata": {"annotations": {"keep": "yes", "example.com/owner": "b"}}},
        [
            {
                "op": "add",
                "path": "/metadata/annotations/example.com~1owner",
                "value": "b",
            }
        ],
    ),
    (
        {"metadata": {}},
        {"metadata": {"labels": {"example.com/cost~center": "x"}}},
        [
            {
                "op": "add",
                "path": "/metadata/labels",
                "value": {"example.com/cost~center": "x"},
            }
        ],
    ),
    (
        {"metadata": {"finalizers": ["a"]}},
        {"metadata": {"finalizers": ["a", "b"]}},
        [{"op": "add", "path": "/metadata/finalizers/1", "value": "b"}],
    ),
    (
        {"c": [{"n": 1}, {"n": 2}]},
        {"c": [{"n": 1}, {"n": 2, "r": {}}]},
        [{"op": "add", "path": "/c/1/r", "value": {}}],
    ),
    ({"c": [1, 2, 3]}, {"c": [3]}, [{"op": "replace", "path": "/c", "value": [3]}]),
    ({"a": 1, "b": 2}, {"a": 1}, [{"op": "remove", "path": "/b"}]),
    ({"a": 1}, {"a": True}, [{"op": "replace", "path": "/a", "value": True}]),
    ({"a": "1"}, {"a": 1}, [{"op": "replace", "path": "/a", "value": 1}]),
    ({"a": {"x": 1}}, {"a": [1]}, [{"op": "replace", "path": "/a", "value": [1]}]),
]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    CASES,
    ids=[
        "equal",
        "scalar",
        "missing-parent-added-whole",
        "key-under-existing-map-escaped",
        "map-keys-not-escaped-inside-values",
        "append-to-list",
        "nested-in-list",
        "shortened-list-replaced",
        "removed-key",
        "int-to-bool",
        "string-to-int",
        "map-to-list",
    ],
)
def test_the_patch_has_exactly_the_expected_operations_and_applies(
    before: dict[str, Any], after: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    original = copy.deepcopy(before)

    patch = make_patch(before, after)

    assert patch == expected
    assert jsonpatch.apply_patch(before, patch) == after
    assert before == original


@pytest.mark.parametrize(
    ("segment", "escaped"),
    [("plain", "plain"), ("a/b", "a~1b"), ("a~b", "a~0b"), ("~/", "~0~1"), (3, "3")],
)
def test_segments_escape_tilde_before_slash(segment: str | int, escaped: str) -> None:
    assert escape(segment) == escaped


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab/~", max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text("ab/~", max_size=3), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(before=JSON, after=JSON)
def test_any_patch_turns_the_original_into_the_copy(before: Any, after: Any) -> None:
    patch = make_patch({"root": before}, {"root": after})

    assert jsonpatch.apply_patch({"root": before}, patch) == {"root": after}
