"""The job tracker: records each tracked Job's outcome, then releases its finalizer.

The mutating webhook adds the finalizer ``batchguard.io/job-tracking`` and the label
``batchguard.io/tracked: "true"`` to Jobs on CREATE when a policy says the tracker
is deployed. Without that finalizer a Job with a short ``ttlSecondsAfterFinished``
can vanish before anything notes how it ended; with it, the Job stays until this
controller has written an Event, counted the outcome and, optionally, posted it.

Modules, from pure to wired:

- ``decisions``: release, wait or ignore, and the outcome (pure);
- ``patches``, ``records``: the guarded JSON Patch, the Event and the JSON line (pure);
- ``api``: the apiserver calls over dicts;
- ``recording``, ``follow``, ``controller``, ``leader``: the loops;
- ``health``, ``metrics``, ``runner``: the process around them.
"""
