"""Flask-style fixtures for the webhook's HTTP behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webhook.server.app import create_app
from webhook.settings import PolicySettings, ServerSettings, ServeSettings, Settings

TTL_POLICIES = Path(__file__).parents[1] / "data" / "policies" / "ttl"


def make_settings(**server: Any) -> Settings:
    return Settings(
        policies=PolicySettings(policy_dir=(TTL_POLICIES,)),
        server=ServerSettings(**server),
        serve=ServeSettings(insecure_http=True),
    )


@pytest.fixture
def app() -> Flask:
    return create_app(make_settings())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_client() -> Any:
    """A test client for an app built with the given ServerSettings fields."""

    def build(**server: Any) -> FlaskClient:
        return create_app(make_settings(**server)).test_client()

    return build
