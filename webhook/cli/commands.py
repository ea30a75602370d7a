"""The registry of sub-commands, sorted by name. Each lives in its own module."""

from __future__ import annotations

import click

from webhook.cli.certs import certs_group
from webhook.cli.policy import policy_group
from webhook.cli.serve import serve

COMMANDS: list[click.Command] = [certs_group, policy_group, serve]
