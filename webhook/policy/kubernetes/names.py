"""Name formats as apimachinery checks them: DNS labels and subdomains, qualified
names, domain-prefixed paths, and the name of an object.

Each ``*_errors`` function returns the apiserver's explanations (empty when the
value is valid). Lengths are counted in bytes, as Go's ``len`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import field_errors
from webhook.policy.kubernetes.shapes import child

RULE = "name"

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
QUALIFIED_NAME_MAX_LENGTH = 63

_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FMT = _LABEL_FMT + "(\\." + _LABEL_FMT + ")*"
_QUALIFIED_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"

_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric character"
)
_QUALIFIED_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character"
)
_QUALIFIED_EXAMPLES = ("MyName", "my.name", "123-abc")

_NAME_HINT = (
    "Use lower-case letters, digits, '-' and '.', starting and ending with a "
    "letter or digit, at most 253 characters."
)


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """apimachinery's ``RegexError`` text, examples and all."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def max_length_error(length: int) -> str:
    return f"must be no more than {length} characters"


def byte_length(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def dns1123_label_errors(value: str) -> list[str]:
    errors = []
    if byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_LABEL_MAX_LENGTH))
    if not re.fullmatch(_LABEL_FMT, value):
        if re.fullmatch(_SUBDOMAIN_FMT, value):
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_LABEL_MSG, _LABEL_FMT, "my-name", "123-abc"))
    return errors


def dns1123_subdomain_errors(value: str) -> list[str]:
    errors = []
    if byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not re.fullmatch(_SUBDOMAIN_FMT, value):
        errors.append(regex_error(_SUBDOMAIN_MSG, _SUBDOMAIN_FMT, "example.com"))
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """``IsQualifiedName``: an optional DNS subdomain prefix and ``/``, then a name."""
    parts = value.split("/")
    if len(parts) > 2:
        expected = regex_error(_QUALIFIED_MSG, _QUALIFIED_FMT, *_QUALIFIED_EXAMPLES)
        return [
            f"a valid label key {expected} with an optional DNS subdomain prefix "
            "and '/' (e.g. 'example.com/MyName')"
        ]
    errors = _prefix_errors(parts[0]) if len(parts) == 2 else []
    return errors + _name_part_errors(parts[-1])


def _prefix_errors(prefix: str) -> list[str]:
    if not prefix:
        return ["prefix part must be non-empty"]
    return [f"prefix part {error}" for error in dns1123_subdomain_errors(prefix)]


def _name_part_errors(name: str) -> list[str]:
    errors = []
    if not name:
        errors.append("name part must be non-empty")
    elif byte_length(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append(f"name part {max_length_error(QUALIFIED_NAME_MAX_LENGTH)}")
    if not re.fullmatch(_QUALIFIED_FMT, name):
        expected = regex_error(_QUALIFIED_MSG, _QUALIFIED_FMT, *_QUALIFIED_EXAMPLES)
        errors.append(f"name part {expected}")
    return errors


def domain_prefixed_path_errors(value: str) -> list[tuple[str, str]]:
    """``IsDomainPrefixedPath`` for a non-empty value: ``(bad part, explanation)``."""
    host, slash, path = value.partition("/")
    if not (slash and host and path):
        return [(value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errors = [(host, error) for error in dns1123_subdomain_errors(host)]
    if not re.fullmatch(_HTTP_PATH_FMT, path):
        errors.append((path, regex_error("Invalid path", _HTTP_PATH_FMT)))
    return errors


def mask_trailing_dash(name: str) -> str:
    """What a ``generateName`` prefix is checked as (apimachinery's own quirk)."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def validate_object_name(
    metadata: Mapping[str, Any], *, path: str = "metadata"
) -> Iterator[Finding]:
    """``ValidateObjectMeta`` for the name: a DNS subdomain, or a generateName."""
    generate_name = metadata.get("generateName", "")
    if generate_name:
        for error in dns1123_subdomain_errors(mask_trailing_dash(generate_name)):
            yield _invalid_name(child(path, "generateName"), generate_name, error)
    name = metadata.get("name", "")
    if name:
        for error in dns1123_subdomain_errors(name):
            yield _invalid_name(child(path, "name"), name, error)
    elif not generate_name:
        yield field_errors.required(
            child(path, "name"),
            "name or generateName is required",
            rule=RULE,
            hint="Give the object a metadata.name (or a metadata.generateName).",
        )


def _invalid_name(path: str, value: str, error: str) -> Finding:
    return field_errors.invalid(path, value, error, rule=RULE, hint=_NAME_HINT)
