"""Background jobs of the contests app (closing a round, exports, erasure).

Handlers register with `danvan.core.jobs.job_handler`."""
