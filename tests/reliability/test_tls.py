"""TLS on the real server: protocol versions, and client certificates (mTLS)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from helpers.admission import job, review
from helpers.live_server import LiveServer, live_server
from helpers.tls_client import client_context, handshake, post

from webhook import certs

pytestmark = pytest.mark.server

ROOT = Path(__file__).parents[2]
UID = "6f1c2a47-0c1e-4d8b-a3f5-2b7d9e4c1a60"
# NB: naming TLS 1.0 and 1.1 at all raises a DeprecationWarning in ssl.
OLD_TLS = pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
# OpenSSL's default security level forbids TLS below 1.2 in clients too.
ANY_CIPHER = "DEFAULT:@SECLEVEL=0"


def pinned(ca_file: str, version: ssl.TLSVersion) -> ssl.SSLContext:
    context = client_context(ca_file)
    if version < ssl.TLSVersion.TLSv1_2:
        context.set_ciphers(ANY_CIPHER)
    context.minimum_version = version
    context.maximum_version = version
    return context


def can_speak(version: ssl.TLSVersion) -> bool:
    """Whether this Python and OpenSSL can complete a handshake at ``version``."""
    authority = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost").configure_cert(server_context)
    server_context.set_ciphers(ANY_CIPHER)
    server_context.minimum_version = server_context.maximum_version = version
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    authority.configure_trust(client)
    client.set_ciphers(ANY_CIPHER)
    client.minimum_version = client.maximum_version = version
    with socket.create_server(("127.0.0.1", 0)) as listener:
        accepting = threading.Thread(
            target=_accept_one, args=(listener, server_context), daemon=True
        )
        accepting.start()
        try:
            with socket.create_connection(listener.getsockname(), timeout=5) as raw:
                with client.wrap_socket(raw, server_hostname="localhost"):
                    return True
        except ssl.SSLError:
            return False
        finally:
            accepting.join(timeout=5)


def _accept_one(listener: socket.socket, context: ssl.SSLContext) -> None:
    connection, _ = listener.accept()
    try:
        with context.wrap_socket(connection, server_side=True):
            pass
    except ssl.SSLError:
        connection.close()


@pytest.mark.parametrize(
    ("version", "name"),
    [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")],
    ids=["tls-1.2", "tls-1.3"],
)
def test_tls_1_2_and_1_3_are_accepted(
    server: LiveServer, version: ssl.TLSVersion, name: str
) -> None:
    assert handshake(server.port, context=pinned(server.ca_file, version)) == name


@OLD_TLS
@pytest.mark.parametrize(
    "version",
    [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1],
    ids=["tls-1.0", "tls-1.1"],
)
def test_tls_1_0_and_1_1_are_refused(
    server: LiveServer, version: ssl.TLSVersion
) -> None:
    if not can_speak(version):
        pytest.skip(f"this OpenSSL cannot offer {version.name} even to itself")

    with pytest.raises(ssl.SSLError):
        handshake(server.port, context=pinned(server.ca_file, version))


@pytest.fixture(scope="module")
def client_authority() -> trustme.CA:
    return trustme.CA(organization_name="batchguard clients")


@pytest.fixture(scope="module")
def trusted_client(client_authority: trustme.CA) -> trustme.LeafCert:
    return client_authority.issue_cert("client.example")


@pytest.fixture(scope="module")
def mtls_server(
    tmp_path_factory: pytest.TempPathFactory,
    client_authority: trustme.CA,
    trusted_client: trustme.LeafCert,
) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("mtls")
    client_ca = workdir / "client-ca.crt"
    client_authority.cert_pem.write_to_path(str(client_ca))
    with ExitStack() as stack:
        cert_file = stack.enter_context(trusted_client.cert_chain_pems[0].tempfile())
        key_file = stack.enter_context(trusted_client.private_key_pem.tempfile())
        running = stack.enter_context(
            live_server(
                workdir,
                policy_dirs=[ROOT / "policies"],
                extra_args=["--client-ca-file", str(client_ca)],
                workers=1,
                client_cert=(cert_file, key_file),
            )
        )
        yield running


def mutate(server: LiveServer, context: ssl.SSLContext) -> int:
    body = json.dumps(review(job(), uid=UID)).encode()
    answer = post(server.port, "/mutate", body, context=context, timeout=5)
    assert answer.json()["response"]["uid"] == UID
    return answer.status


def presenting(server: LiveServer, issued: trustme.LeafCert) -> ssl.SSLContext:
    context = client_context(server.ca_file)
    issued.configure_cert(context)
    return context


def server_only_certificate(authority: trustme.CA, directory: Path) -> ssl.SSLContext:
    """A client context presenting a certificate from ``authority`` whose only
    extended key usage is serverAuth."""
    ca_cert = x509.load_pem_x509_certificate(authority.cert_pem.bytes())
    ca_key = serialization.load_pem_private_key(
        authority.private_key_pem.bytes(), password=None
    )
    cert, key = certs.make_serving_certificate(
        ca_cert=ca_cert,
        ca_key=ca_key,  # type: ignore[arg-type]
        names=["client.example"],
    )
    cert_file, key_file = directory / "server-only.crt", directory / "server-only.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context()
    context.load_cert_chain(str(cert_file), str(key_file))
    return context


def test_a_client_certificate_from_the_trusted_ca_gets_answers(
    mtls_server: LiveServer, trusted_client: trustme.LeafCert
) -> None:
    assert mutate(mtls_server, presenting(mtls_server, trusted_client)) == 200


def from_another_ca(server: LiveServer, _: trustme.CA, __: Path) -> ssl.SSLContext:
    return presenting(server, trustme.CA().issue_cert("client.example"))


def without_certificate(server: LiveServer, _: trustme.CA, __: Path) -> ssl.SSLContext:
    return client_context(server.ca_file)


def trusted_but_for_servers_only(
    server: LiveServer, authority: trustme.CA, directory: Path
) -> ssl.SSLContext:
    context = server_only_certificate(authority, directory)
    context.load_verify_locations(server.ca_file)
    return context


@pytest.mark.parametrize(
    ("client", "reason"),
    [
        (from_another_ca, "unable to get local issuer certificate"),
        (without_certificate, "peer did not return a certificate"),
        (trusted_but_for_servers_only, "unsuitable certificate purpose"),
    ],
    ids=["certificate-from-another-ca", "no-certificate", "server-only-eku"],
)
def test_clients_without_a_trusted_client_certificate_fail_the_handshake(
    mtls_server: LiveServer,
    client_authority: trustme.CA,
    tmp_path: Path,
    client: Callable[[LiveServer, trustme.CA, Path], ssl.SSLContext],
    reason: str,
) -> None:
    context = client(mtls_server, client_authority, tmp_path)

    with pytest.raises((ssl.SSLError, ConnectionError)):
        mutate(mtls_server, context)
    assert logged(mtls_server, reason)


def logged(server: LiveServer, text: str, *, within: float = 3.0) -> bool:
    """Whether ``text`` shows up in the server's log within ``within`` seconds."""
    deadline = time.monotonic() + within
    while text not in server.logs():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
