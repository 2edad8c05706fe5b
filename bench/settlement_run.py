"""Annual settlement of a 1M-case, 500-institution year through the real run service (issue 6 item 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py settlement_run [--cases 1000000]

Setup (not timed): the demo year with ``--cases`` cases; every case made an employee (310) inpatient case
and spread over ``--institutions`` institutions (the demo has 60: 440 more are created beside them and the
cases dealt round-robin), so that one run reads the whole year; a DIP catalog built from the year and
published; the carve-outs' year-end actuals recorded (the annual run needs the reserve remainder).

Timed, in a fresh child process (so its peak memory is the run's own, not the setup's):

- ``run``: ``run_execute`` of the annual run — read the cases, group, compute points, PV and amounts,
  COPY a million case rows and 500 institution rows, supersede, audit, commit;
- ``floor``: the same reads and writes with no computation — the same selector reads the cases, and the
  case rows the run produced are written again by the same COPY (in a transaction rolled back);
- the ratio run ÷ floor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(args: argparse.Namespace):
    from budgets.choices import LineKind
    from budgets.selectors import budget_in_force
    from budgets.services import budget_yearend_record

    region_id = _widened_demo_year(args)
    region, year = _catalog_published(region_id)
    budget = budget_in_force(year=year, scheme="310", region_id=region.pk)
    actuals = {line.code: line.amount for line in budget.lines.filter(kind=LineKind.CARVE_OUT)}
    budget_yearend_record(actor=_user("officer"), budget=budget, actuals=actuals)
    _vacuum_analyze()
    return region, year


def _vacuum_analyze() -> None:
    """As autovacuum would after the mass update: fresh statistics (the planner then scans the year's
    cases sequentially instead of through the period index) and no dead row versions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def _widened_demo_year(args: argparse.Namespace) -> int:
    """The demo year, every case an employee inpatient, dealt round-robin over ``--institutions`` institutions."""
    from django.db import connection, transaction

    from catalogs.models import Institution, Region
    from demo.services import REGION_CODE, demo_generate
    from settlement.models import CaseRecord

    started = time.perf_counter()
    demo = demo_generate(actor="bench", seed=args.seed, years=1, cases_per_year=args.cases)
    region = Region.objects.get(code=REGION_CODE)
    existing = list(Institution.objects.filter(region=region).order_by("code"))
    extra = [
        Institution(
            region=region,
            code=f"H{REGION_CODE[:4]}99{n:05d}",
            name=f"基准测试医院{n}",
            level=existing[n % len(existing)].level,
            type=existing[n % len(existing)].type,
        )
        for n in range(args.institutions - len(existing))
    ]
    with transaction.atomic():
        Institution.objects.bulk_create(extra)
        ids = list(
            Institution.objects.filter(region=region).order_by("pk").values_list("pk", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {CaseRecord._meta.db_table} SET insutype = '310', med_type = '21', "
                f"institution_id = (%s::bigint[])[(id %% {len(ids)}) + 1]",
                [ids],
            )
    print(
        f"  demo year: {demo['cases_total']:,} cases at {len(ids)} institutions, all 310 inpatients "
        f"({time.perf_counter() - started:.1f} s, not timed)",
        flush=True,
    )
    return region.pk


def _catalog_published(region_id: int):
    from catalogs.models import Region
    from catalogs.versions import build as version_build
    from catalogs.versions import services as catalogs

    region = Region.objects.get(pk=region_id)
    year = region.periods.order_by("-year").values_list("year", flat=True).first()
    started = time.perf_counter()
    version = catalogs.version_create(
        actor=_user("officer"), region=region, year=year, name="基准测试"
    )
    built = version_build.catalog_build_dip(actor=_user("officer"), version=version, years=[year])
    catalogs.version_submit(actor=_user("officer"), version=version)
    catalogs.version_publish(actor=_user("admin"), version=version)
    print(
        f"  DIP catalog: {built['groups']:,} groups, published ({time.perf_counter() - started:.1f} s, not timed)",
        flush=True,
    )
    return region, year


def bench_settlement_run(args: argparse.Namespace) -> dict:
    region, year = _setup(args)
    child = subprocess.run(
        [sys.executable, __file__, "--region", str(region.pk), "--year", str(year)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )
    sys.stdout.write(child.stdout)
    if child.returncode != 0:
        raise SystemExit(f"the timed run failed:\n{child.stderr}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"  run {figures['run']:.2f} s, floor {figures['floor']:.2f} s, ratio {figures['run'] / figures['floor']:.2f}; "
        f"peak memory of the run's process {figures['peak_mb']:,.0f} MB",
        flush=True,
    )
    return {
        "rows": figures["cases"],
        "floor": figures["floor"],
        "ratio": figures["run"] / figures["floor"],
        "child peak MB": figures["peak_mb"],
        "total": figures["run"],
    }


def _timed(region_id: int, year: int) -> dict:
    """In the child process: the annual run, then the floor; prints one JSON line."""
    from django.db import transaction

    from bench.memory import peak_rss_mb
    from catalogs.models import Region
    from settlement.grouping import domain as grouping_domain
    from settlement.grouping.selectors import catalog_version_in_force, grouping_catalog
    from settlement.runs import selectors
    from settlement.runs.bulk import run_cases_copy
    from settlement.runs.models import RunCase
    from settlement.runs.services import run_execute, run_start

    region = Region.objects.get(pk=region_id)
    run = run_start(
        actor=_user("officer"),
        region=region,
        year=year,
        scheme="310",
        category="DIP",
        run_type="annual",
        dispatch=False,
    )
    started = time.perf_counter()
    summary = run_execute(
        run_id=run.pk, progress=lambda p, m: print(f"  [{p:3d}%] {m}", flush=True)
    )
    run_seconds = time.perf_counter() - started
    peak = peak_rss_mb()  # the run's peak, before the floor's setup
    rows = _run_rows_frame(RunCase, run.pk)
    started = time.perf_counter()
    with transaction.atomic():
        catalog = grouping_catalog(catalog_version_in_force(region=region, kind="DIP", year=year))
        periods = selectors.periods_of(region=region, year=year, months=range(1, 13))
        cases = selectors.run_case_frame(
            periods=periods, kind="DIP", scheme="310", columns=grouping_domain.case_columns(catalog)
        )
        run_cases_copy(rows, run_id=run.pk)
        transaction.set_rollback(True)
    floor = time.perf_counter() - started
    assert len(cases) == summary["cases"] == len(rows)
    return {
        "cases": summary["cases"],
        "institutions": summary["institutions"],
        "run": run_seconds,
        "floor": floor,
        "peak_mb": peak,
        "point_value": str(selectors.run_get(run.pk).point_value),
    }


def _run_rows_frame(RunCase, run_id: int):
    """The stored case rows of the run back in the writer's columns (outside the timings)."""
    import numpy as np
    import pandas as pd

    names = [
        "case_id",
        "institution_id",
        "booked_id",
        "group_code",
        "trace",
        "score",
        "mean",
        "ratio",
        "deviation",
        "factor",
        "aux_coef",
        "inst_coef",
        "points",
        "special",
        "needs_review",
        "amount",
    ]
    frame = pd.DataFrame.from_records(
        list(RunCase.objects.filter(run_id=run_id).values_list(*names)), columns=names
    )
    for name, places in {
        "score": 4,
        "mean": 2,
        "ratio": 4,
        "factor": 4,
        "aux_coef": 4,
        "inst_coef": 4,
        "points": 4,
        "amount": 2,
    }.items():
        suffix = "_e4" if places == 4 else "_fen"
        frame[name + suffix] = np.array(
            [int(value.scaleb(places)) for value in frame.pop(name)], dtype=np.int64
        )
    return frame


SETTLEMENT_RUN_SUBCOMMAND = (
    bench_settlement_run,
    "annual settlement run of a 1M-case, 500-institution year (read, compute, write) and its floor",
    [
        (("--cases",), {"type": int, "default": 1_000_000}),
        (("--institutions",), {"type": int, "default": 500}),
        (("--seed",), {"type": int, "default": 20240101}),
    ],
)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("--region", type=int, required=True)
    parser.add_argument("--year", type=int, required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    print(json.dumps(_timed(options.region, options.year), default=str))
