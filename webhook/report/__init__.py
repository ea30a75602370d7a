"""Report formats for ``batchguard check``: text, JSON, SARIF and JUnit.

A formatter takes a ``Report`` and returns the document as text; ``FORMATTERS``
maps each ``--format`` name to its class.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from webhook.report.json_format import JsonFormatter
from webhook.report.junit import JunitFormatter
from webhook.report.model import InputError, Located, ObjectRef, ObjectResult, Report
from webhook.report.sarif import SarifFormatter
from webhook.report.text import TextFormatter


class Formatter(Protocol):
    def __init__(self, *, color: bool = False) -> None: ...

    def render(self, report: Report) -> str: ...

    def chunks(self, report: Report) -> Iterator[str]:
        """The same document in pieces, for writing without a whole copy."""
        ...


FORMATTERS: dict[str, type[Formatter]] = {
    "json": JsonFormatter,
    "junit": JunitFormatter,
    "sarif": SarifFormatter,
    "text": TextFormatter,
}
DEFAULT_FORMAT = "text"

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATTERS",
    "Formatter",
    "InputError",
    "Located",
    "ObjectRef",
    "ObjectResult",
    "Report",
]
