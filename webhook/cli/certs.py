"""``batchguard certs``: a CA and a serving certificate for the webhook."""

from __future__ import annotations

from pathlib import Path

import click

from webhook import certs
from webhook.cli.main import EXIT_USAGE
from webhook.policy.kubernetes.names import dns1123_label_errors


class CannotWrite(click.ClickException):
    exit_code = EXIT_USAGE


@click.group(name="certs")
def certs_group() -> None:
    """Create the certificates the webhook serves with."""


@certs_group.command()
@click.option("--service", required=True, help="Name of the webhook's Service.")
@click.option("--namespace", required=True, help="Namespace of that Service.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("certs"),
    show_default=True,
    help="Directory for ca.crt, ca.key, tls.crt and tls.key.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=certs.SERVING_DAYS,
    show_default=True,
)
@click.option("--force", is_flag=True, help="Replace existing files.")
def generate(service: str, namespace: str, out: Path, days: int, force: bool) -> int:
    """Write a new CA and a serving certificate; print the caBundle.

    The serving certificate names the Service's DNS names, localhost and
    127.0.0.1. Private keys are written with mode 0600.
    """
    for option, value in (("--service", service), ("--namespace", namespace)):
        errors = dns1123_label_errors(value)
        if errors:
            raise click.BadParameter(f"{value!r}: {errors[0]}", param_hint=option)
    files = certs.CertificateFiles.in_dir(out)
    if files.exist() and not force:
        raise click.UsageError(
            f"{files.cert} already exists; pass --force to replace it."
        )
    names = [*certs.service_dns_names(service, namespace), *certs.dev_names()]
    try:
        certs.generate(out, names=names, days=days)
    except OSError as error:
        raise CannotWrite(
            f"Cannot write the certificates to {str(out)!r}: {error.strerror}."
        ) from None
    click.echo(
        f"Wrote {files.ca_cert}, {files.ca_key}, {files.cert}, {files.key}", err=True
    )
    click.echo("caBundle (paste into the webhook configurations):", err=True)
    click.echo(certs.ca_bundle(files))
    return 0
