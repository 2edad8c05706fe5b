"""Catalog job kinds: ids in, one service call, summary out."""

from __future__ import annotations

from collections.abc import Callable

from catalogs.choices import CatalogKind
from catalogs.versions.build import catalog_build_apg, catalog_build_dip, catalog_build_drg
from catalogs.versions.models import CatalogVersion
from jobs.registry import job_kind

JOB_BUILD_DIP = "catalog_build_dip"
JOB_BUILD_DRG = "catalog_build_drg"
JOB_BUILD_APG = "catalog_build_apg"
BUILD_JOBS = {
    CatalogKind.DIP: JOB_BUILD_DIP,
    CatalogKind.DRG: JOB_BUILD_DRG,
    CatalogKind.APG: JOB_BUILD_APG,
}


def _build_job(build: Callable[..., dict]) -> Callable:
    def handler(job, progress) -> dict:
        """params: ``version_id``, ``years`` and optional ``params`` (the build's configuration fields)."""
        version = CatalogVersion.objects.get(pk=job.params["version_id"])
        return build(
            actor=job.created_by or f"任务:{job.kind}",
            version=version,
            years=job.params["years"],
            params=job.params.get("params"),
            progress=progress,
        )

    return handler


catalog_build_dip_job = job_kind(JOB_BUILD_DIP, "DIP目录测算")(_build_job(catalog_build_dip))
catalog_build_drg_job = job_kind(JOB_BUILD_DRG, "DRG目录测算")(_build_job(catalog_build_drg))
catalog_build_apg_job = job_kind(JOB_BUILD_APG, "APG目录测算")(_build_job(catalog_build_apg))
