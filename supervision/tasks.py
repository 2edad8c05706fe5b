"""Supervision job kinds: ids in, one service call, summary out."""

from __future__ import annotations

from catalogs.models import Region
from jobs.registry import job_kind
from supervision import services


def _args(job) -> dict:
    region = Region.objects.get(pk=job.params["region_id"])
    return {
        "actor": job.created_by or f"任务:{job.kind}",
        "region": region,
        "year": int(job.params["year"]),
    }


@job_kind("supervision_detect", "违规筛查")
def supervision_detect(job, progress) -> dict:
    progress(10, "读取结算清单并运行筛查规则")
    month = job.params.get("month")
    return services.findings_detect(**_args(job), month=int(month) if month else None)


@job_kind("indicators_compute", "计算监管指标")
def indicators_compute(job, progress) -> dict:
    progress(10, "计算监管指标")
    summary = services.indicators_compute(**_args(job))
    progress(70, "计算数据质量评分")
    return {**summary, "data_quality": services.data_quality_compute(**_args(job))}
