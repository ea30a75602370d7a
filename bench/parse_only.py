"""``python -m bench.parse_only DIR``: only parse every manifest, the CLI baseline.

It walks the tree as ``batchguard check`` does and loads each file's documents
with PyYAML's C loader, one file at a time, and does nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

SUFFIXES = (".yaml", ".yml", ".json")


def manifest_files(directory: Path) -> Iterator[Path]:
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from manifest_files(entry)
        elif entry.suffix in SUFFIXES:
            yield entry


def parse(directory: Path) -> int:
    """The number of documents under ``directory``."""
    documents = 0
    for path in manifest_files(directory):
        with path.open("rb") as stream:
            documents += sum(1 for _ in yaml.load_all(stream, Loader=yaml.CSafeLoader))
    return documents


def main() -> None:
    for argument in sys.argv[1:]:
        sys.stdout.write(f"{parse(Path(argument))} documents\n")


if __name__ == "__main__":
    main()
