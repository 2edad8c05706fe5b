"""Settlement job kinds: ids in, one service call, summary out."""

from __future__ import annotations

from jobs.registry import job_kind
from settlement.intake.services import JOB_KIND, import_batch_run


@job_kind(JOB_KIND, "结算清单导入")
def case_import(job, progress) -> dict:
    return import_batch_run(batch_id=job.params["batch_id"], progress=progress)


@job_kind("case_group", "结算清单分组")  # settlement.grouping.services.JOB_KIND
def case_group(job, progress) -> dict:
    """params: ``region_id``, ``year``, optional ``month``, ``scheme``, ``kind`` (default DIP)."""
    from catalogs.models import Region
    from settlement.grouping.services import period_group

    params = job.params
    return period_group(
        actor=job.created_by or f"任务:{job.kind}",
        region=Region.objects.get(pk=params["region_id"]),
        year=params["year"],
        month=params.get("month"),
        scheme=params.get("scheme") or None,
        kind=params.get("kind", "DIP"),
        progress=progress,
    )


def settlement_run_failed(job, reason: str) -> None:
    from settlement.runs.services import run_fail_with_job

    run_fail_with_job(job=job, reason=reason)


@job_kind(
    "settlement_run", "结算运行", on_fail=settlement_run_failed
)  # settlement.runs.services.JOB_KIND
def settlement_run(job, progress) -> dict:
    """params: ``run_id`` (the run queued by ``run_start``)."""
    from settlement.runs.services import run_execute

    return run_execute(run_id=job.params["run_id"], progress=progress)


@job_kind("settlement_simulate", "结算模拟测算")  # settlement.runs.simulation.JOB_KIND
def settlement_simulate(job, progress) -> dict:
    """params: ``run_id`` and the scenario (``Scenario.as_params``)."""
    from settlement.runs.models import SettlementRun
    from settlement.runs.simulation import Scenario, run_simulate

    return run_simulate(
        run=SettlementRun.objects.get(pk=job.params["run_id"]),
        scenario=Scenario.from_params(job.params["scenario"]),
        progress=progress,
    )
