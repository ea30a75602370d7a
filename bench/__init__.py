"""Benchmarks of batchguard that print figures and ratios measured in one run.

Run them with ``make bench`` (``python -m bench``). Every target is a ratio against
a baseline measured in the same run on the same machine, so the verdicts hold on a
laptop as on a CI runner: the webhook against a bare Flask app under the same
gunicorn settings, the CLI against merely parsing the same YAML, and the engine
against itself at growing sizes.
"""
