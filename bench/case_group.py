"""Grouping a settlement year through the real service (issue 5 item 7): read, group, write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py case_group [--cases 1000000]

Setup (not timed): the demo region with ``--cases`` cases for one year (``demo_generate``, which also
compiles budgets and loads the coding dictionaries), a DIP catalog built from that year through
catalogs.versions.services (create, build, submit by the officer, publish by the admin; no golden cases), the demo
DRG rule set published and a DRG catalog built from the same year with it. Timed: ``period_group`` for the
whole year, DIP twice — the first run writes every result, the second replaces them (delete + write) —
and DRG once, with the read / group / write steps.

``--national``: DRG only (no DIP catalog, no DIP runs), with the national CHS-DRG 1.1 rule set
(``drg_rule_set_load_national``) instead of the demo one, timed twice (first grouping, regrouping). Before
the DRG catalog is built, the year's main diagnoses, main procedures and other diagnoses are redrawn from
the national lists (bench/drg_national.py ``national_cases``, ``--pool`` codes; sex, age and newborn fields
stay the demo's) with one ``UPDATE`` (not timed).

``--repeat N``: the regrouping N times (best of N reported). ``--existing``: no setup; the database
DATABASE_URL names already holds the demo region with a published DRG catalog (a scratch database an
earlier ``--national`` run left, say ``portal_bench``), and its year is regrouped (DRG) ``--repeat`` times.
Each run also prints the CPU seconds of this process and of its PostgreSQL backend (read from
``/proc`` when the server runs on this host; parallel workers not included) beside the wall time.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def _progress(percent: int, message: str) -> None:
    print(f"  [{percent:3d}%] {message}", flush=True)


def _setup(args: argparse.Namespace):
    """The demo year, the procedure dictionary and a published DIP catalog built from the year."""
    from accounts.models import User
    from catalogs.models import Region
    from catalogs.versions import build as version_build
    from catalogs.versions import services as catalogs
    from demo.services import REGION_CODE, demo_generate

    started = time.perf_counter()
    demo = demo_generate(
        actor="bench", seed=args.seed, years=1, cases_per_year=args.cases, progress=_progress
    )
    year = int(next(iter(demo["cases"])))
    print(
        f"  demo year {year}: {demo['cases_total']:,} cases in {time.perf_counter() - started:.1f} s (not timed)",
        flush=True,
    )
    region = Region.objects.get(code=REGION_CODE)
    officer, admin = User.objects.get(username="officer"), User.objects.get(username="admin")
    if args.national:  # the DRG side only
        return _drg_setup(args, region, year, officer, admin)
    started = time.perf_counter()
    version = catalogs.version_create(actor=officer, region=region, year=year, name="基准测试")
    built = version_build.catalog_build_dip(actor=officer, version=version, years=[year])
    catalogs.version_submit(actor=officer, version=version)
    catalogs.version_publish(actor=admin, version=version)
    print(
        f"  DIP catalog: {built['groups']:,} groups ({built['core_groups']:,} core, {built['typed_groups']:,} typed) "
        f"built and published in {time.perf_counter() - started:.1f} s (not timed)",
        flush=True,
    )
    return _drg_setup(args, region, year, officer, admin)


def _drg_setup(args: argparse.Namespace, region, year: int, officer, admin):
    """The DRG rule set (demo, or ``--national``) published and a DRG catalog built from the year with it."""
    from catalogs.choices import CatalogKind
    from catalogs.drg.services import drg_rule_set_load_national, drg_rule_set_seed
    from catalogs.versions import build as version_build
    from catalogs.versions import services as catalogs

    started = time.perf_counter()
    if args.national:
        rule_set = drg_rule_set_load_national(
            officer=officer, admin=admin, region=region, year=year
        )
        _national_codes(region, year, rule_set, args)
        print(
            f"  national rule set loaded and the year's codes redrawn from its lists in {time.perf_counter() - started:.1f} s "
            "(not timed)",
            flush=True,
        )
        started = time.perf_counter()
    else:
        drg_rule_set_seed(officer=officer, admin=admin, region=region, year=year)
    version = catalogs.version_create(
        actor=officer, region=region, year=year, kind=CatalogKind.DRG, name="基准测试"
    )
    built = version_build.catalog_build_drg(actor=officer, version=version, years=[year])
    catalogs.version_submit(actor=officer, version=version)
    catalogs.version_publish(actor=admin, version=version)
    print(
        f"  DRG rule set ({'national' if args.national else 'demo'}) and catalog: {built['groups']:,} groups ({built['ungroupable']:,} ungroupable cases) "
        f"built and published in {time.perf_counter() - started:.1f} s (not timed)",
        flush=True,
    )
    return region, year


def _national_codes(region, year: int, rule_set, args: argparse.Namespace) -> None:
    """The year's code columns redrawn from the national lists, one UPDATE joined to a COPY-loaded table."""
    from django.db import connection

    from bench.drg_national import national_cases
    from catalogs.drg import selectors
    from settlement.models import CaseRecord

    ids = list(
        CaseRecord.objects.filter(period__region=region, period__year=year)
        .order_by("id")
        .values_list("id", flat=True)
    )
    codes = national_cases(selectors.drg_rules_of(rule_set), len(ids), args.seed, args.pool)
    columns = ["maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"]
    table = CaseRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE national_codes (id bigint PRIMARY KEY, {', '.join(f'{c} text' for c in columns)})"
        )
        with cursor.cursor.copy(
            f"COPY national_codes (id, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in zip(ids, *(codes[column].tolist() for column in columns)):
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} c SET {', '.join(f'{name} = n.{name}' for name in columns)} FROM national_codes n WHERE c.id = n.id"
        )
        cursor.execute("DROP TABLE national_codes")
        cursor.execute(f"ANALYZE {table}")


def _backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far; NaN when the server
    is not on this host (or not PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return float("nan")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:  # fields 14 and 15 of /proc/<pid>/stat, counted after the ")" closing the command name
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_group(region, year: int, kind: str) -> tuple[float, dict]:
    """``period_group`` of the whole year, timed; the summary also carries ``cpu``: seconds of this
    process and of its database backend during the call."""
    from settlement.grouping.services import period_group

    backend, cpu = _backend_cpu(), time.process_time()
    started = time.perf_counter()
    summary = period_group(actor="bench", region=region, year=year, kind=kind)
    seconds = time.perf_counter() - started
    cpu = {"process": time.process_time() - cpu, "backend": _backend_cpu() - backend}
    return seconds, {**summary, "cpu": cpu}


def _report(name: str, seconds: float, summary: dict) -> None:
    steps, cases, cpu = summary["seconds"], summary["cases"], summary["cpu"]
    print(
        f"  {name}: {cases:,} cases; read {steps['read']:.2f} s, group {steps['group']:.2f} s "
        f"({cases / steps['group']:,.0f} cases/s), write {steps['write']:.2f} s; end to end {seconds:.2f} s "
        f"({cases / seconds:,.0f} cases/s); CPU {cpu['process']:.2f} s here + {cpu['backend']:.2f} s "
        f"in PostgreSQL; load average {os.getloadavg()[0]:.1f}; replaced {summary['replaced']:,}; "
        f"{summary['traces']}",
        flush=True,
    )


def _regroupings(region, year: int, kind: str, args: argparse.Namespace) -> dict:
    """``--repeat`` regroupings of the year; the figures of the fastest."""
    runs = []
    for number in range(1, args.repeat + 1):
        seconds, summary = _timed_group(region, year, kind)
        _report(f"{kind}, regrouping {number}/{args.repeat} (replaces)", seconds, summary)
        runs.append((seconds, summary))
    seconds, summary = min(runs, key=lambda run: run[0])
    return {
        "rows": summary["cases"],
        "regroup read": summary["seconds"]["read"],
        "regroup group": summary["seconds"]["group"],
        "regroup write": summary["seconds"]["write"],
        "regroup CPU here": summary["cpu"]["process"],
        "regroup CPU PostgreSQL": summary["cpu"]["backend"],
        "total": seconds,
    }


def _existing() -> tuple:
    """The demo region of the database DATABASE_URL names and its latest year with a DRG catalog in force."""
    from catalogs.choices import CatalogKind, CatalogStatus
    from catalogs.models import Region
    from catalogs.versions.models import CatalogVersion
    from demo.services import REGION_CODE

    region = Region.objects.get(code=REGION_CODE)
    version = (
        CatalogVersion.objects.filter(
            region=region, kind=CatalogKind.DRG, status=CatalogStatus.PUBLISHED
        )
        .order_by("-year")
        .first()
    )
    if version is None:
        raise SystemExit("--existing: no published DRG catalog in this database")
    return region, version.year


def bench_case_group(args: argparse.Namespace) -> dict:
    from catalogs.choices import CatalogKind

    if args.existing:  # rows/s printed by bench/run.py is then the fastest DRG regrouping
        return _regroupings(*_existing(), CatalogKind.DRG, args)
    region, year = _setup(args)
    if args.national:  # rows/s printed by bench/run.py is then the fastest DRG regrouping
        seconds, drg = _timed_group(region, year, CatalogKind.DRG)
        _report("DRG (national rules), first grouping", seconds, drg)
        return {"drg first e2e": seconds} | _regroupings(region, year, CatalogKind.DRG, args)
    first, summary = _timed_group(region, year, CatalogKind.DIP)
    _report("DIP, first grouping", first, summary)
    again, summary = _timed_group(region, year, CatalogKind.DIP)
    _report("DIP, regrouping (replaces)", again, summary)
    figures = {
        "rows": summary["cases"],
        "dip group": summary["seconds"]["group"],
        "dip first e2e": first,
        "dip regroup e2e": again,
    }
    seconds, drg = _timed_group(region, year, CatalogKind.DRG)
    _report("DRG, first grouping", seconds, drg)
    figures |= {"drg group": drg["seconds"]["group"], "drg e2e": seconds}
    # rows/s printed by bench/run.py is then DIP end to end (the regrouping, the everyday case).
    return {**figures, "total": again}


CASE_GROUP_SUBCOMMAND = (
    bench_case_group,
    "period_group of a 1M-case demo year: read, DIP/DRG grouping, COPY of the results",
    [
        (("--cases",), {"type": int, "default": 1_000_000}),
        (("--seed",), {"type": int, "default": 20240101}),
        (("--national",), {"action": "store_true"}),
        (("--pool",), {"type": int, "default": 3000}),
        (("--repeat",), {"type": int, "default": 1}),
        (("--existing",), {"action": "store_true"}),
    ],
)
