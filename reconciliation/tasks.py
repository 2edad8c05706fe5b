"""Reconciliation job kind: ids in, one service call, summary out."""

from __future__ import annotations

from jobs.registry import job_kind


def reconciliation_failed(job, reason: str) -> None:
    from reconciliation.services import reconciliation_fail

    reconciliation_fail(reconciliation_id=job.params["reconciliation_id"], reason=reason)


@job_kind(
    "reconciliation_run", "国家平台对账", on_fail=reconciliation_failed
)  # reconciliation.services.JOB_KIND
def reconciliation_run(job, progress) -> dict:
    """params: ``reconciliation_id`` (queued by ``reconciliation_start``)."""
    from reconciliation.services import reconciliation_execute

    return reconciliation_execute(
        reconciliation_id=job.params["reconciliation_id"], progress=progress
    )
