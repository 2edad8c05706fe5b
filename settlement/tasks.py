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
    return period_group(actor=job.created_by or f"任务:{job.kind}", region=Region.objects.get(pk=params["region_id"]),
                        year=params["year"], month=params.get("month"), scheme=params.get("scheme") or None,
                        kind=params.get("kind", "DIP"), progress=progress)  # fmt: skip
