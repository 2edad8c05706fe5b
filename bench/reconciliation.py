"""National reconciliation (issue 18 item 4): import of the national group file plus the comparison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py reconciliation --cases 1000000

Setup (not timed): the demo region, two years of ``--cases`` cases a year (the second year grouped under
the DIP catalog built from the first); then the second year's cases and grouping results moved into its
January and made employee (310) cases, so that one month holds ``--cases`` cases of the reconciled scheme
(as ``bench_report`` does); then ``ANALYZE``. The national files of that January are built from our cases
with the demo's planted differences (``demo.national``; the demo uploaded its own January before the move,
so the bench's upload is a newer one superseding it). Timed: ``national_upload`` of the group file (read,
check, write; CSV, and with ``--xlsx`` the same rows as a workbook, uploaded again) and the reconciliation
job of that month.
"""

from __future__ import annotations

import argparse
import time


def bench_reconciliation(args: argparse.Namespace) -> dict:
    from catalogs.models import Region
    from demo.services import demo_generate

    started = time.perf_counter()
    demo = demo_generate(
        actor="bench", seed=args.seed, years=2, cases_per_year=args.cases, months_settled=False
    )
    year = int(max(demo["cases"]))
    region = Region.objects.get()
    print(
        f"  demo: {demo['cases_total']:,} cases in {time.perf_counter() - started:.1f} s (not timed)",
        flush=True,
    )
    started = time.perf_counter()
    _year_into_january(region, year)
    print(
        f"  {year}'s cases moved into January in {time.perf_counter() - started:.1f} s (not timed)",
        flush=True,
    )
    return reconciliation_measure(region, year, xlsx=args.xlsx)


def reconciliation_measure(region, year: int, *, xlsx: bool = False) -> dict:
    """The timed part, on a database the setup prepared (it can be run again on the same one)."""
    from catalogs.models import Institution
    from demo.national import national_frames
    from jobs.services import job_run
    from reconciliation import selectors, services
    from reconciliation.choices import FileKind
    from settlement.grouping.selectors import catalog_version_in_force

    version = catalog_version_in_force(region=region, kind="DIP", year=year)
    cases = selectors.our_case_frame(
        region=region, year=year, month=1, scheme="310", version=version, kind="DIP"
    )
    codes = dict(Institution.objects.filter(region=region).values_list("id", "code"))
    cases = cases.assign(fixmedins_code=cases["institution_id"].map(codes)).sort_values(
        "setl_id", ignore_index=True
    )
    frames = national_frames(
        cases, sorted(version.groups.values_list("code", flat=True)), f"{year}-01"
    )
    content = frames[FileKind.GROUPS].to_csv(index=False).encode()
    started = time.perf_counter()
    upload = services.national_upload(
        actor="bench",
        region=region,
        year=year,
        month=1,
        kind=FileKind.GROUPS,
        name="groups.csv",
        content=content,
    )
    imported = time.perf_counter() - started
    print(f"  import: {upload.rows:,} rows in {imported:.2f} s", flush=True)
    started = time.perf_counter()
    recon = services.reconciliation_start(
        actor="bench", region=region, year=year, month=1, scheme="310", dispatch=False
    )
    job_run(job_id=recon.job_id)
    recon.refresh_from_db()
    compared = time.perf_counter() - started
    print(
        f"  reconciliation: {recon.status}, {recon.summary.get('cases_ours', 0):,} cases in {compared:.2f} s; "
        f"{ {k: recon.summary.get(k) for k in ('group', 'ours_only', 'national_only', 'qc_national', 'qc_ours')} }",
        flush=True,
    )
    figures = {
        "rows": upload.rows,
        "import": imported,
        "reconcile": compared,
        "total": imported + compared,
    }
    if xlsx:
        from config.spreadsheets.writer import rows_workbook

        frame = frames[FileKind.GROUPS]
        book = rows_workbook(
            [("国家分组结果", list(frame.columns), frame.itertuples(index=False, name=None))]
        )
        started = time.perf_counter()
        again = services.national_upload(
            actor="bench",
            region=region,
            year=year,
            month=1,
            kind=FileKind.GROUPS,
            name="groups.xlsx",
            content=book,
        )
        print(
            f"  import (.xlsx, {len(book) / 1e6:.0f} MB): {again.rows:,} rows in {time.perf_counter() - started:.2f} s "
            "(not in the total)",
            flush=True,
        )
    return figures


def _year_into_january(region, year: int) -> None:
    """The year's cases and grouping results into its January, every case an employee (310) case."""
    from django.db import connection

    from settlement.grouping.models import CaseGroup
    from settlement.models import CaseRecord, SettlementPeriod

    january = SettlementPeriod.objects.get(region=region, year=year, month=1)
    CaseRecord.objects.filter(period__region=region, period__year=year).update(
        period=january, insutype="310"
    )
    CaseGroup.objects.filter(period__region=region, period__year=year).update(period=january)
    if (
        connection.vendor == "postgresql"
    ):  # fresh statistics after the move, as autovacuum would have them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


RECONCILIATION_SUBCOMMAND = (
    bench_reconciliation,
    "national group file import + reconciliation of one demo month holding N cases",
    [
        (("--cases",), {"type": int, "default": 1_000_000}),
        (("--seed",), {"type": int, "default": 20240101}),
        (
            ("--xlsx",),
            {"action": "store_true", "help": "also time the group file uploaded as .xlsx"},
        ),
    ],
)
