"""The registry of sub-commands: name -> ``module:attribute``, sorted by name.

Commands are imported only when they run (or when help lists them), so
``batchguard check`` does not pay for the kubernetes client that ``tracker``
and ``audit`` need, nor ``serve`` for the engine's rules before it forks.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "audit": "webhook.cli.audit:audit",
    "certs": "webhook.cli.certs:certs_group",
    "check": "webhook.cli.check:check",
    "fix": "webhook.cli.fix:fix",
    "policy": "webhook.cli.policy:policy_group",
    "review": "webhook.cli.review:review_command",
    "schedule": "webhook.cli.schedule:schedule",
    "serve": "webhook.cli.serve:serve",
    "test": "webhook.cli.policy_test:policy_test",
    "tracker": "webhook.cli.tracker:tracker",
    "webhook-config": "webhook.cli.webhook_config:webhook_config_group",
}
