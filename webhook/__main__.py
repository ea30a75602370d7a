"""``python -m webhook`` is ``batchguard``."""

from webhook.cli.main import main

main()
