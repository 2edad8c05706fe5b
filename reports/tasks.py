"""Report jobs and the monthly schedule: ids in, one service call, summary out."""

from __future__ import annotations

from catalogs.models import Region
from jobs.registry import job_kind
from reports import services


@job_kind(services.JOB_KIND, "生成月度报表")
def report_pack_generate(job, progress) -> dict:
    """params: ``region_id``, ``year``, ``month``."""
    params = job.params
    return services.report_pack_generate(
        actor=job.created_by or f"任务:{job.kind}",
        region=Region.objects.get(pk=params["region_id"]),
        year=int(params["year"]),
        month=int(params["month"]),
        job_id=job.pk,
        progress=progress,
    )
