"""The demo generation as a background job: job params in → ``demo_generate`` → summary out."""

from __future__ import annotations

from demo.services import demo_generate
from jobs.registry import job_kind

PARAMS = ("seed", "years", "cases_per_year", "end_year", "if_empty")


@job_kind("demo_generate", "生成演示统筹区")
def demo_generate_job(job, progress) -> dict:
    params = {key: job.params[key] for key in PARAMS if key in job.params}
    return demo_generate(actor=job.created_by or f"任务:{job.kind}", progress=progress, **params)
