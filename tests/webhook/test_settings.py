"""Settings from BATCHGUARD_* variables: converted, checked, and refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from webhook.cli.main import run
from webhook.settings import SettingsError, settings_from_env


def test_variables_override_the_defaults() -> None:
    settings = settings_from_env(
        {
            "BATCHGUARD_BIND": "0.0.0.0:9443",
            "BATCHGUARD_WORKERS": "4",
            "BATCHGUARD_POLICY_DIR": "/a:/b",
            "BATCHGUARD_REVIEW_ENABLED": "false",
            "BATCHGUARD_CLIENT_CA_FILE": "/etc/ca.crt",
        }
    )

    assert settings.serve.bind == "0.0.0.0:9443"
    assert settings.serve.workers == 4
    assert settings.policies.policy_dir == (Path("/a"), Path("/b"))
    assert settings.server.review_enabled is False
    assert settings.tls.client_ca_file == Path("/etc/ca.crt")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "LOG_LEVEL",
            "verbose",
            "BATCHGUARD_LOG_LEVEL is 'verbose'; it must be one of",
        ),
        ("WORKERS", "0", "BATCHGUARD_WORKERS is 0; it must be from 1 to 64."),
        ("WORKERS", "many", "BATCHGUARD_WORKERS: invalid literal for int()"),
        ("FAILURE_MODE", "bogus", "it must be 'deny' or 'allow'."),
        ("LOG_FORMAT", "xml", "it must be 'text' or 'json'."),
        ("MAX_BODY_BYTES", "-5", "BATCHGUARD_MAX_BODY_BYTES is -5; it must be > 0."),
        ("BIND", "8443", "BATCHGUARD_BIND is '8443'; it must be host:port."),
        ("REVIEW_ENABLED", "maybe", "'maybe' is not a boolean (use true or false)"),
    ],
    ids=[
        "log-level",
        "zero-workers",
        "non-integer",
        "failure-mode",
        "log-format",
        "negative-limit",
        "bind-without-host",
        "boolean",
    ],
)
def test_unusable_values_are_refused_with_the_variable_named(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_env({f"BATCHGUARD_{name}": value})

    assert message in str(raised.value)


def test_serve_reports_a_bad_variable_as_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BATCHGUARD_LOG_LEVEL", "verbose")

    assert run(["serve", "--insecure-http"]) == 2

    err = capsys.readouterr().err
    assert "BATCHGUARD_LOG_LEVEL is 'verbose'" in err
    assert "Traceback" not in err
