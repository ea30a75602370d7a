"""The ``batchguard`` command line: thin commands over the engine and the server."""
