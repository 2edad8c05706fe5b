"""Job kinds used only by the tests, to exercise the runner itself.

Imported by the job tests and by the real Celery worker of tests/jobs/test_celery.py
(``celery worker -I tests.jobs.kinds``), so both sides know the same kinds.
"""

from __future__ import annotations

from jobs.registry import Progress, job_kind
from jobs.services import JobRefused, job_start

ERR_TEST_FAILURE = "测试任务失败：参数无效"


@job_kind("test_steps", "测试任务（分步）")
def steps_run(job, progress: Progress) -> dict:
    """Counts to ``params["steps"]``, reporting progress after each step; sums the step numbers."""
    steps = int(job.params.get("steps", 4))
    for step in range(1, steps + 1):
        progress(step * 100 // steps, f"第 {step}/{steps} 步")
    return {"steps": steps, "total": steps * (steps + 1) // 2, "说明": "完成"}


@job_kind("test_fail", "测试任务（失败）")
def fail_run(job, progress: Progress) -> dict:
    progress(30, "即将失败")
    raise ValueError(ERR_TEST_FAILURE)


@job_kind("test_restart_self", "测试任务（运行中重复提交）")
def restart_self_run(job, progress: Progress) -> dict:
    """While running, tries to start a job with its own key: the answer goes into the summary."""
    try:
        duplicate = job_start(actor=None, kind="test_steps", key=job.idempotency_key)
    except JobRefused as refused:
        return {"refused": str(refused)}
    return {"started": duplicate.pk}


@job_kind("test_progress_in_transaction", "测试任务（事务内报告进度）")
def progress_in_transaction_run(job, progress: Progress) -> dict:
    """Reports 40% inside its own open transaction and returns what another session sees meanwhile."""
    from django.db import transaction

    with transaction.atomic():
        progress(40, "事务内")
        seen = progress_seen_by_another_session(job)
    return {"seen": seen}


def progress_seen_by_another_session(job) -> list:
    """The job row's progress as a brand-new PostgreSQL session (not Django's) reads it."""
    import psycopg
    from django.db import connection

    conf = connection.settings_dict
    with psycopg.connect(
        dbname=conf["NAME"],
        user=conf["USER"],
        host=conf["HOST"],
        port=conf["PORT"] or 5432,
        password=conf["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        row = other.execute(
            f"SELECT progress, progress_message FROM {job._meta.db_table} WHERE id = %s", [job.pk]
        ).fetchone()
    return list(row)
