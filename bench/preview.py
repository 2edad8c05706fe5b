"""Pre-grouping (预分组, issue 17 item 6): one case and batches of 10,000 through POST /api/v1/grouping/preview/.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py preview

Setup (not timed): the demo region, two years of ``--history`` cases ending in 2024 with the last year's
months settled (a published DIP catalog, the DIP parameters and point values), and a DRG catalog version of
2024 holding every DRG the demo's published rule set gives the year's cases (so both methods group). The
cases posted are generated valid 2024 inpatient rows of the demo hospital user's institution
(``bench.intake.cases_frame``).

Timed, through the whole request path in-process (Django test client: middleware, authentication, DRF
parsing and rendering), with the service warm (one request made first: the versions' grouper tables are
then cached in-process):

- ``single``: ``--singles`` requests of one case each; p50 and p95 in milliseconds (target p95 < 50 ms);
- ``batch``: ``--repeat`` requests of ``--batch`` cases each; the best, in cases per second (target ≥ 5,000/s).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

YEAR = 2024


def _drg_catalog(region) -> None:
    """A published DRG version of the year: every DRG the rule set in force gives the year's cases, with
    score 1 and the cases' mean cost. It replaces the demo's (built from the year before, so it lacks the
    DRGs first seen this year), which is retired: one published version per year."""
    import pandas as pd

    from catalogs.choices import CatalogKind, CatalogStatus
    from catalogs.dictionaries.selectors import procedure_types
    from catalogs.drg.grouper import drg_group
    from catalogs.drg.selectors import drg_rule_set_in_force, drg_rules_of
    from catalogs.versions.models import CatalogGroup, CatalogVersion
    from settlement.grouping.selectors import period_case_frame, period_list_for

    periods = period_list_for(region=region, year=YEAR)
    cases = period_case_frame(
        periods=periods,
        kind=CatalogKind.DRG,
        columns=("maindiag_code", "main_oprn_oprt_code", "otherdiag_codes"),
    )
    codes = drg_group(
        cases, drg_rules_of(drg_rule_set_in_force(region=region, year=YEAR)), procedure_types()
    )["drg_code"].astype(str)
    codes = sorted(set(codes) - {""})
    year_versions = CatalogVersion.objects.filter(region=region, kind=CatalogKind.DRG, year=YEAR)
    number = (
        max(year_versions.values_list("version", flat=True), default=0) + 1
    )  # the demo may have one of the year
    year_versions.filter(status=CatalogStatus.PUBLISHED).update(status=CatalogStatus.RETIRED)
    version = CatalogVersion.objects.create(
        region=region,
        kind=CatalogKind.DRG,
        year=YEAR,
        version=number,
        status=CatalogStatus.PUBLISHED,
        name="基准测试DRG目录",
    )
    CatalogGroup.objects.bulk_create(
        CatalogGroup(version=version, code=code, group_type="drg", score=1, mean_cost=10000)
        for code in codes
    )
    print(
        f"  DRG catalog: {len(codes)} groups; {len(pd.unique(cases['maindiag_code']))} distinct diagnoses in the year",
        flush=True,
    )


def _rows(count: int, institution: str, *, seed: int) -> list[dict]:
    from bench.intake import cases_frame

    return cases_frame(count, institutions=[institution], seed=seed).to_dict("records")


def bench_preview(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from catalogs.models import Region
    from demo.services import demo_generate

    started = time.perf_counter()
    demo_generate(
        actor="bench", seed=args.seed, years=2, cases_per_year=args.history, end_year=YEAR
    )
    region = Region.objects.get()
    _drg_catalog(region)
    user = get_user_model().objects.get(username="hospital")
    client = APIClient(HTTP_HOST="localhost")  # an allowed host of the dev settings
    client.force_authenticate(user)
    singles = _rows(args.singles, user.institution.code, seed=1)
    batch = _rows(args.batch, user.institution.code, seed=2)
    print(f"  setup {time.perf_counter() - started:.1f} s (not timed)", flush=True)

    def post(rows: list[dict]) -> tuple[float, float]:
        """(wall, CPU) seconds of one request; the request runs in this thread, so its CPU time is the process's."""
        tick, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/grouping/preview/", {"rows": rows}, format="json")
        seconds = (time.perf_counter() - tick, time.process_time() - cpu)
        assert response.status_code == 200, response.content[:500]
        return seconds

    post(singles[:1])  # warm: the versions' tables are built and cached
    if args.profile:
        _profile(lambda: [post([row]) for row in singles], top=args.profile)
    single_ms = np.array([post([row]) for row in singles]) * 1000
    batch_seconds = np.array([post(batch) for _ in range(args.repeat)]).min(axis=0)
    (p50, cpu50), (p95, cpu95) = (
        np.percentile(single_ms, 50, axis=0),
        np.percentile(single_ms, 95, axis=0),
    )
    print(
        f"  single case: wall p50 {p50:.1f} ms, p95 {p95:.1f} ms (CPU p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms) "
        f"over {len(single_ms)} requests"
    )
    print(
        f"  batch of {len(batch):,}: wall {batch_seconds[0]:.2f} s, {len(batch) / batch_seconds[0]:,.0f} cases/s; "
        f"CPU {batch_seconds[1]:.2f} s, {len(batch) / batch_seconds[1]:,.0f} cases/s (best of {args.repeat})"
    )
    print(
        f"  load average during the run: {os.getloadavg()[0]:.1f} (a figure on a busy machine is wall time shared with others)"
    )
    return {
        "rows": len(batch),
        "batch CPU": float(batch_seconds[1]),
        "total": float(batch_seconds[0]),
    }


def _profile(work, *, top: int) -> None:
    """Run ``work`` once under cProfile (not part of the figures) and print the ``top`` entries by
    internal and by cumulative time: where a single case's CPU goes."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(work)
    stats = pstats.Stats(profiler).strip_dirs()
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(top)


PREVIEW_SUBCOMMAND = (
    bench_preview,
    "pre-grouping: single-case latency (p50/p95) and batch throughput through the API, service warm",
    [
        (("--history",), {"type": int, "default": 20_000}),
        (("--singles",), {"type": int, "default": 200}),
        (("--batch",), {"type": int, "default": 10_000}),
        (("--repeat",), {"type": int, "default": 3}),
        (("--seed",), {"type": int, "default": 20240101}),
        (
            ("--profile",),
            {
                "type": int,
                "default": 0,
                "help": "print this many cProfile entries of the single-case requests",
            },
        ),
    ],
)
