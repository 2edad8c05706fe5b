"""National reconciliation (issue 18 item 4): import of the national group file plus the comparison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py reconciliation --cases 120000

Setup (not timed): the demo region, two years of ``--cases`` cases a year (the second year grouped under
the DIP catalog built from the first), and the national files of January of the second year built from
our cases with the demo's planted differences (``demo.national``; its automatic upload is what the demo
does, so the bench uploads the group file again: a newer upload superseding the first). Timed:
``national_upload`` of the group CSV (read, check, write) and the reconciliation job of that month.
"""

from __future__ import annotations

import argparse
import time


def bench_reconciliation(args: argparse.Namespace) -> dict:
    from catalogs.models import Institution, Region
    from demo.national import national_frames
    from demo.services import demo_generate
    from jobs.services import job_run
    from reconciliation import selectors, services
    from reconciliation.choices import FileKind
    from settlement.grouping.selectors import catalog_version_in_force

    started = time.perf_counter()
    demo = demo_generate(actor="bench", seed=args.seed, years=2, cases_per_year=args.cases, months_settled=False)
    year = int(max(demo["cases"]))
    region = Region.objects.get()
    print(f"  demo: {demo['cases_total']:,} cases in {time.perf_counter() - started:.1f} s (not timed)", flush=True)
    version = catalog_version_in_force(region=region, kind="DIP", year=year)
    cases = selectors.our_case_frame(region=region, year=year, month=1, scheme="310", version=version, kind="DIP")
    codes = dict(Institution.objects.filter(region=region).values_list("id", "code"))
    cases = cases.assign(fixmedins_code=cases["institution_id"].map(codes)).sort_values("setl_id", ignore_index=True)
    frames = national_frames(cases, sorted(version.groups.values_list("code", flat=True)), f"{year}-01")
    content = frames[FileKind.GROUPS].to_csv(index=False).encode()
    started = time.perf_counter()
    upload = services.national_upload(actor="bench", region=region, year=year, month=1, kind=FileKind.GROUPS, name="groups.csv",
                                      content=content)  # fmt: skip
    imported = time.perf_counter() - started
    print(f"  import: {upload.rows:,} rows in {imported:.2f} s", flush=True)
    started = time.perf_counter()
    recon = services.reconciliation_start(actor="bench", region=region, year=year, month=1, scheme="310", dispatch=False)
    job_run(job_id=recon.job_id)
    recon.refresh_from_db()
    compared = time.perf_counter() - started
    print(f"  reconciliation: {recon.status}, {recon.summary.get('cases_ours', 0):,} cases in {compared:.2f} s; "
          f"{ {k: recon.summary.get(k) for k in ('group', 'ours_only', 'national_only', 'qc_national')} }", flush=True)  # fmt: skip
    return {"rows": upload.rows, "import": imported, "reconcile": compared, "total": imported + compared}


RECONCILIATION_SUBCOMMAND = (
    bench_reconciliation,
    "national group file import + reconciliation of one demo month (N cases a year)",
    [(("--cases",), {"type": int, "default": 120_000}), (("--seed",), {"type": int, "default": 20240101})],
)  # fmt: skip
