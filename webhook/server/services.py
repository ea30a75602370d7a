"""What the views need, built once per process by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from webhook.policy.loader import PolicyStore
from webhook.server.tls import CertificateWatch
from webhook.settings import Settings

EXTENSION = "batchguard"


@dataclass
class Services:
    settings: Settings
    policies: PolicyStore
    certificate: CertificateWatch | None


def install(app: Flask, services: Services) -> None:
    app.extensions[EXTENSION] = services


def current_services() -> Services:
    """The services of the app handling the current request."""
    services: Services = current_app.extensions[EXTENSION]
    return services
