"""Catalog job kinds: ids in, one service call, summary out."""

from __future__ import annotations

from catalogs.models import CatalogVersion
from catalogs.services import catalog_build_dip
from jobs.registry import job_kind

JOB_BUILD_DIP = "catalog_build_dip"


@job_kind(JOB_BUILD_DIP, "DIP目录测算")
def catalog_build_dip_job(job, progress) -> dict:
    """params: ``version_id``, ``years`` and optional ``params`` (``catalogs.dip.DipConfig`` fields)."""
    version = CatalogVersion.objects.get(pk=job.params["version_id"])
    return catalog_build_dip(actor=job.created_by or f"任务:{job.kind}", version=version, years=job.params["years"],
                             params=job.params.get("params"), progress=progress)  # fmt: skip
