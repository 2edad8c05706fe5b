"""A province run on two real Celery worker processes over Redis, against the test PostgreSQL database.

Three regions' monthly runs fan out to two workers. One region's worker is killed mid-write (its run held at
its institution rows, nothing committed): the other worker completes the other regions, the killed run's
lease lapses and it fails with nothing partial, and that region alone is rerun to completion.
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from catalogs.models import Region
from demo.services import demo_generate
from jobs.choices import JobStatus
from jobs.models import Job
from settlement.province import selectors, services
from settlement.province.choices import ProvinceStatus
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunInstitution
from tests.jobs.test_celery import Worker
from tests.jobs.test_celery import celery_worker as celery_worker  # noqa: F401  (the fixture)
from tests.settlement.province.conftest import SCOPE, YEAR, province_generate
from tests.settlement.runs.killing import (
    assert_failed_and_nothing_partial,
    institution_rows_held,
    kill,
)
from tests.settlement.runs.test_worker import short_lease as short_lease  # noqa: F401
from tests.settlement.runs.test_worker import worker_start

WRITING = 85  # a run's progress once its case rows are written (killing.WRITING)
PATIENCE = (
    600  # seconds: a fresh worker imports pandas on its first run, on a machine that may be loaded
)


def _wait(condition, workers: list[Worker], what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    logs = "\n".join(worker.output() for worker in workers)
    pytest.fail(f"{what}: not so after {PATIENCE} s; worker logs:\n{logs}")


def _province(officer, pk: int):
    return selectors.province_run_get_for_user(officer, pk)


def _writing_job() -> Job | None:
    """The first region's job that reached its institution rows (held there by the test's lock)."""
    return (
        Job.objects.filter(kind="settlement_run", status=JobStatus.RUNNING, progress__gte=WRITING)
        .order_by("pk")
        .first()
    )


@pytest.mark.celery
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_a_province_a_killed_region_fails_alone_and_reruns_alone(
    short_lease, celery_worker, tmp_path
):
    province = province_generate(cases_per_year=400)
    demo_generate(
        actor="测试",
        years=2,
        cases_per_year=400,
        end_year=YEAR,
        months_settled=False,
        seed=11,
        region_code="371100",
        region_name="日照市",
        user_prefix="c_",
    )
    regions = list(Region.objects.order_by("code"))
    second = worker_start(celery_worker, tmp_path)
    workers = {celery_worker.process.pid: celery_worker, second.process.pid: second}
    try:
        with institution_rows_held():
            started = services.province_run_start(
                actor=province.officer,
                regions=regions,
                year=YEAR,
                run_type="monthly",
                number=2,
                **SCOPE,
            )  # three jobs to the broker, at commit
            job = _wait(_writing_job, list(workers.values()), "a run at its institution rows")
            victim = workers.pop(int(job.lease_owner.rsplit(":", 1)[1]))
            kill(victim.process)
        survivor = next(iter(workers.values()))

        def parts():
            return {p.region.code: p for p in _province(province.officer, started.pk).visible}

        killed = next(p for p in parts().values() if p.run.job_id == job.pk)
        others = [code for code in parts() if code != killed.region.code]
        _wait(
            lambda: all(parts()[c].run.status == RunStatus.COMPLETED for c in others),
            [survivor],
            "the other regions completed on the surviving worker",
        )
        # Running until its lease lapses and a sweep fails it: never completed, whatever the timing.
        assert parts()[killed.region.code].run.status in (RunStatus.RUNNING, RunStatus.FAILED)
        owners = Job.objects.filter(pk__in=[p.run.job_id for p in parts().values()])
        assert len(set(owners.values_list("lease_owner", flat=True))) == 2  # both workers took work

        expiry = Job.objects.get(pk=job.pk).lease_expires_at  # none once a sweep failed it
        if expiry is not None:
            time.sleep(max(0.0, (expiry - timezone.now()).total_seconds()) + 0.5)
        rerun = services.province_part_rerun(actor=province.officer, part=killed)
        assert_failed_and_nothing_partial(killed.run)  # failed by the sweep the rerun began with
        summary = selectors.province_summary_of(_province(province.officer, started.pk))
        assert summary.status == ProvinceStatus.RUNNING and summary.states["completed"] == 2

        _wait(
            lambda: parts()[killed.region.code].run.status == RunStatus.COMPLETED,
            [survivor],
            "the rerun region completed",
        )
        final = _province(province.officer, started.pk)
        summary = selectors.province_summary_of(final)
        assert summary.status == ProvinceStatus.COMPLETED and summary.parts == 3
        runs = [part.run for part in final.visible]
        assert summary.total == sum(run.total for run in runs) > 0
        assert rerun.attempts == 2 and all(
            RunInstitution.objects.filter(run=run).count() > 0 for run in runs
        )
    finally:
        if second.process.poll() is None:  # the fixture stops its own worker
            second.process.terminate()
            second.process.wait(timeout=20)
