"""A job kind for the worker-kill test: the real ``run_execute``, held still once its case rows are written.

Imported by tests/settlement/runs/test_worker.py and by its real Celery worker (``-I``), so both know it.
The pause happens at most once per marker file: the retry after the kill runs straight through.
"""

from __future__ import annotations

import time
from pathlib import Path

from jobs.registry import Progress, job_kind
from settlement.runs.services import run_execute

PAUSE_AT = 85  # "正在写入机构结果": the case rows are COPYed, the transaction is not committed
PAUSE_SECONDS = 120


@job_kind("test_settlement_run_paused", "测试：可中断的结算运行")
def settlement_run_paused(job, progress: Progress) -> dict:
    marker = Path(job.params["marker"])

    def report(percent: int, message: str = "") -> None:
        progress(percent, message)
        if percent >= PAUSE_AT and not marker.exists():
            marker.write_text(str(job.pk))
            time.sleep(PAUSE_SECONDS)

    return run_execute(run_id=job.params["run_id"], progress=report)
