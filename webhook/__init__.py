"""batchguard: admission control and policy checks for Kubernetes Jobs and CronJobs."""

__version__ = "0.1.0"
