"""Settlement job kinds: ids in, one service call, summary out."""

from __future__ import annotations

from jobs.registry import job_kind
from settlement.intake.services import JOB_KIND, import_batch_run


@job_kind(JOB_KIND, "结算清单导入")
def case_import(job, progress) -> dict:
    return import_batch_run(batch_id=job.params["batch_id"], progress=progress)
