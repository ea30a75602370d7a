"""Read Kubernetes manifests the way kubectl and the apiserver read them.

Kubernetes reads YAML with go-yaml v2 (through ``sigs.k8s.io/yaml``), whose YAML 1.1
scalar rules differ from PyYAML's: ``y`` and ``n`` are booleans, ``08`` is the
number 8, ``0o17`` is 15, ``1:30`` stays a string, timestamps stay strings. This
package parses with libyaml (PyYAML's C parser when present) and resolves scalars
with go-yaml's rules, so that ``batchguard check`` sees what the cluster will see.

It keeps, for every object, the line of every field path, and reports what
Kubernetes would trip over before any policy runs: duplicate keys, unquoted
scalars that are not strings where strings are required, and CronJobs at a
``batch`` version that is no longer served. ``apply_patches`` writes changes back
into the text without disturbing anything else.

Modules: ``scalars`` (go-yaml scalar rules), ``parse`` (nodes to values, limits),
``reader`` (files to ``Manifest`` objects), ``writer`` (patches back into text).

Limits (each exceeded limit is a ``ManifestError``):

* a file may hold at most ``MAX_FILE_BYTES`` (32 MiB);
* a Job, CronJob or List document may span at most ``MAX_DOCUMENT_CHARS``
  (3 MiB, the apiserver's request limit) and ``MAX_NODES`` values after alias
  expansion, and nest at most ``MAX_DEPTH`` levels;
* aliases may account for at most the share of values go-yaml allows (99 % up to
  400,000 values, tapering to 10 % at 4,000,000), so a "billion laughs" document
  fails after about a thousand values.

Exceptions::

    ManifestError          input that cannot be read; str() names file and line
"""

from webhook.manifests.parse import (
    MAX_DEPTH,
    MAX_DOCUMENT_CHARS,
    MAX_FILE_BYTES,
    MAX_NODES,
    JSONPath,
    ManifestError,
    compose_documents,
    decode,
    encode,
)
from webhook.manifests.reader import (
    MANIFEST_SUFFIXES,
    REVIEWED_KINDS,
    RULE_PREFIX,
    STDIN,
    STDIN_NAME,
    LineMap,
    Location,
    Manifest,
    find_files,
    format_path,
    load_documents,
    read_bytes,
    read_file,
    read_text,
)
from webhook.manifests.scalars import json_value, key_string, resolve_plain
from webhook.manifests.writer import Change, apply_patches

__all__ = [
    "MANIFEST_SUFFIXES",
    "MAX_DEPTH",
    "MAX_DOCUMENT_CHARS",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "REVIEWED_KINDS",
    "RULE_PREFIX",
    "STDIN",
    "STDIN_NAME",
    "Change",
    "JSONPath",
    "LineMap",
    "Location",
    "Manifest",
    "ManifestError",
    "apply_patches",
    "compose_documents",
    "decode",
    "encode",
    "find_files",
    "format_path",
    "json_value",
    "key_string",
    "load_documents",
    "read_bytes",
    "read_file",
    "read_text",
    "resolve_plain",
]
