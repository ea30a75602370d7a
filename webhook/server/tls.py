"""TLS for the server: a cached SSLContext that follows the files on disk.

gunicorn asks for an SSLContext on every accepted connection. ``ReloadingContext``
answers with a cached one and rebuilds it only when the certificate or key bytes
change. A pair caught mid-rotation (key and certificate not matching, a file half
written) does not load; the last good context keeps serving and the next
connection tries again. Key material is hashed, never kept or logged.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TLSFiles:
    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None


def _digest(files: TLSFiles) -> str:
    digest = hashlib.sha256()
    for path in (files.cert_file, files.key_file, files.client_ca_file):
        if path is not None:
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def build_context(files: TLSFiles) -> ssl.SSLContext:
    """A server context: TLS 1.2 or newer, optional client verification."""
    context = ssl.create_default_context(purpose=ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=files.cert_file, keyfile=files.key_file)
    if files.client_ca_file is not None:
        context.load_verify_locations(cafile=files.client_ca_file)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


class ReloadingContext:
    """The current SSLContext for a set of files, rebuilt when they change."""

    def __init__(self, files: TLSFiles) -> None:
        self._files = files
        self._lock = threading.Lock()
        self._digest = ""
        self._failed_digest = ""
        self._context: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        with self._lock:
            try:
                digest = _digest(self._files)
            except OSError as error:
                return self._keep(f"cannot read the TLS files: {error.strerror}")
            if digest == self._digest and self._context is not None:
                return self._context
            if digest == self._failed_digest and self._context is not None:
                return self._context
            try:
                context = build_context(self._files)
            except (OSError, ssl.SSLError, ValueError) as error:
                self._failed_digest = digest
                return self._keep(f"the TLS files do not load: {error}")
            if self._context is not None:
                logger.info("Serving certificate %s reloaded", self._files.cert_file)
            self._context, self._digest = context, digest
            return context

    def _keep(self, why: str) -> ssl.SSLContext:
        if self._context is None:
            raise ssl.SSLError(f"No usable serving certificate: {why}")
        logger.warning("Keeping the previous serving certificate: %s", why)
        return self._context


class CertificateWatch:
    """Facts about the serving certificate for readiness and metrics."""

    def __init__(self, cert_file: Path) -> None:
        self._cert_file = cert_file

    def not_after(self) -> datetime | None:
        """Expiry of the first certificate in the file, or None if unreadable."""
        try:
            certificate = x509.load_pem_x509_certificate(self._cert_file.read_bytes())
        except (OSError, ValueError):
            return None
        return certificate.not_valid_after_utc
