"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask

from webhook.policy.loader import PolicyStore
from webhook.server import errors, metrics, review_route, routes
from webhook.server.services import Services, install
from webhook.server.tls import CertificateWatch
from webhook.settings import Settings, settings_from_env

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the webhook app; gunicorn calls this once per worker."""
    settings = settings or settings_from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    store = PolicyStore(
        settings.policies.policy_dir,
        check_interval=settings.policies.reload_interval,
        on_reload=metrics.record_policy_load,
    )
    certificate = (
        None
        if settings.serve.insecure_http
        else CertificateWatch(settings.tls.cert_file)
    )
    install(app, Services(settings, store, certificate))
    app.register_blueprint(routes.blueprint)
    app.register_blueprint(review_route.blueprint)
    errors.register(app)
    return app
