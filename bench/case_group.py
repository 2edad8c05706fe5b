"""Grouping a settlement year through the real service (issue 5 item 7): read, group, write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py case_group [--cases 1000000]

Setup (not timed): the demo region with ``--cases`` cases for one year (``demo_generate``, which also
compiles budgets and loads the coding dictionaries), a DIP catalog built from that year through
catalogs.services (create, build, submit by the officer, publish by the admin; no golden cases), the demo
DRG rule set published and a DRG catalog built from the same year with it. Timed: ``period_group`` for the
whole year, DIP twice — the first run writes every result, the second replaces them (delete + write) —
and DRG once, with the read / group / write steps.
"""

from __future__ import annotations

import argparse
import time


def _progress(percent: int, message: str) -> None:
    print(f"  [{percent:3d}%] {message}", flush=True)


def _setup(args: argparse.Namespace):
    """The demo year, the procedure dictionary and a published DIP catalog built from the year."""
    from accounts.models import User
    from catalogs import services as catalogs
    from catalogs.choices import CatalogKind
    from catalogs.drg_rule_services import drg_rule_set_seed
    from catalogs.models import Region
    from demo.services import REGION_CODE, demo_generate

    started = time.perf_counter()
    demo = demo_generate(actor="bench", seed=args.seed, years=1, cases_per_year=args.cases, progress=_progress)
    year = int(next(iter(demo["cases"])))
    print(f"  demo year {year}: {demo['cases_total']:,} cases in {time.perf_counter() - started:.1f} s (not timed)", flush=True)
    region = Region.objects.get(code=REGION_CODE)
    officer, admin = User.objects.get(username="officer"), User.objects.get(username="admin")
    started = time.perf_counter()
    version = catalogs.version_create(actor=officer, region=region, year=year, name="基准测试")
    built = catalogs.catalog_build_dip(actor=officer, version=version, years=[year])
    catalogs.version_submit(actor=officer, version=version)
    catalogs.version_publish(actor=admin, version=version)
    print(f"  DIP catalog: {built['groups']:,} groups ({built['core_groups']:,} core, {built['typed_groups']:,} typed) "
          f"built and published in {time.perf_counter() - started:.1f} s (not timed)", flush=True)  # fmt: skip
    started = time.perf_counter()
    drg_rule_set_seed(officer=officer, admin=admin, region=region, year=year)
    version = catalogs.version_create(actor=officer, region=region, year=year, kind=CatalogKind.DRG, name="基准测试")
    built = catalogs.catalog_build_drg(actor=officer, version=version, years=[year])
    catalogs.version_submit(actor=officer, version=version)
    catalogs.version_publish(actor=admin, version=version)
    print(f"  DRG rule set (demo) and catalog: {built['groups']:,} groups ({built['ungroupable']:,} ungroupable cases) "
          f"built and published in {time.perf_counter() - started:.1f} s (not timed)", flush=True)  # fmt: skip
    return region, year


def _timed_group(region, year: int, kind: str) -> tuple[float, dict]:
    from settlement.grouping.services import period_group

    started = time.perf_counter()
    summary = period_group(actor="bench", region=region, year=year, kind=kind)
    return time.perf_counter() - started, summary


def _report(name: str, seconds: float, summary: dict) -> None:
    steps, cases = summary["seconds"], summary["cases"]
    print(f"  {name}: {cases:,} cases; read {steps['read']:.2f} s, group {steps['group']:.2f} s "
          f"({cases / steps['group']:,.0f} cases/s), write {steps['write']:.2f} s; end to end {seconds:.2f} s "
          f"({cases / seconds:,.0f} cases/s); replaced {summary['replaced']:,}; {summary['traces']}", flush=True)  # fmt: skip


def bench_case_group(args: argparse.Namespace) -> dict:
    from catalogs.choices import CatalogKind

    region, year = _setup(args)
    first, summary = _timed_group(region, year, CatalogKind.DIP)
    _report("DIP, first grouping", first, summary)
    again, summary = _timed_group(region, year, CatalogKind.DIP)
    _report("DIP, regrouping (replaces)", again, summary)
    figures = {"rows": summary["cases"], "dip group": summary["seconds"]["group"], "dip first e2e": first, "dip regroup e2e": again}
    seconds, drg = _timed_group(region, year, CatalogKind.DRG)
    _report("DRG, first grouping", seconds, drg)
    figures |= {"drg group": drg["seconds"]["group"], "drg e2e": seconds}
    # rows/s printed by bench/run.py is then DIP end to end (the regrouping, the everyday case).
    return {**figures, "total": again}


CASE_GROUP_SUBCOMMAND = (
    bench_case_group,
    "period_group of a 1M-case demo year: read, DIP/DRG grouping, COPY of the results",
    [(("--cases",), {"type": int, "default": 1_000_000}), (("--seed",), {"type": int, "default": 20240101})],
)  # fmt: skip
