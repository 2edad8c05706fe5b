"""Case intake benchmarks (issue 3): a regional CSV, a hospital .xlsx, and django-import-export for comparison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py intake \
        --csv-rows 1000000 --xlsx-rows 100000 --compare-rows 50000

Each file is generated first (not timed), then imported through the real path — ``batch_store`` +
``job_run``, exactly what an upload or ``manage.py case_import`` does — and timed end to end
(read, validate, lock checks, COPY, issues, audit). The comparison imports the same 50,000-row
file with a default django-import-export ``ModelResource`` into the same table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-intake"
INSTITUTIONS = 50
DIAGNOSES = np.array(
    ["I21.000", "J18.900x001", "I63.900", "K35.800x002", "E11.900", "C34.900", "N18.500", "S72.000"]
)
OPERATIONS = np.array(["", "", "36.0601", "47.0900x001", "81.5100", ""])


def cases_frame(rows: int, *, institutions: list[str], seed: int = 3) -> pd.DataFrame:
    """``rows`` valid inpatient rows of 2024 as text cells keyed by field code (vectorised)."""
    from settlement.bulkload import fen_to_text

    rng = np.random.default_rng(seed)
    ids = np.arange(rows)
    # Admission before 10:00 and discharge 1-10 hours later in the day: the day count stays exact.
    adm = (
        pd.Timestamp("2024-01-01")
        + pd.to_timedelta(rng.integers(0, 330, rows), unit="D")
        + pd.to_timedelta(rng.integers(0, 10 * 60, rows), unit="min")
    )
    los = rng.integers(0, 20, rows)
    dscg = (
        adm
        + pd.to_timedelta(los, unit="D")
        + pd.to_timedelta(rng.integers(60, 10 * 60, rows), unit="min")
    )
    setl = dscg + pd.to_timedelta(rng.integers(30, 300, rows), unit="min")
    total = rng.integers(100_000, 10_000_000, rows)
    fund = total * 7 // 10
    parts = total[:, None] * np.array([40, 15, 20, 15]) // 100
    money = lambda fen: fen_to_text(pd.Series(fen))  # noqa: E731
    text = {
        "setl_id": np.char.add("S", ids.astype(str)),
        "mdtrt_id": np.char.add("M", ids.astype(str)),
        "psn_no": np.char.add("P", rng.integers(0, rows // 2 + 1, rows).astype(str)),
        "fixmedins_code": np.array(institutions)[ids % len(institutions)],
        "insutype": np.where(ids % 3 == 0, "390", "310"),
        "med_type": "21",
        "gend": np.where(ids % 2 == 0, "1", "9"),
        "age": rng.integers(1, 95, rows).astype(str),
        "nwb_age": "",
        "adm_time": adm.strftime("%Y-%m-%d %H:%M"),
        "dscg_time": dscg.strftime("%Y-%m-%d %H:%M"),
        "act_ipt_days": los.astype(str),
        "dscg_way": "1",
        "maindiag_code": DIAGNOSES[ids % len(DIAGNOSES)],
        "otherdiag_codes": "I10.x00;E11.900",
        "main_oprn_oprt_code": OPERATIONS[ids % len(OPERATIONS)],
        "other_oprn_oprt_codes": "",
        "opsp_dise_code": "",
        "scs_cutd_sum_dura": "",
        "vent_used_dura": "",
        "days_rinp_flag_31": "1",
        "medfee_sumamt": money(total),
        "fund_pay_sumamt": money(fund),
        "hifp_pay": money(fund),
        "psn_part_amt": money(total - fund),
        "fulamt_ownpay_amt": "",
        "acct_pay": "",
        "psn_cash_pay": "",
        "fee_drug": money(parts[:, 0]),
        "fee_material": money(parts[:, 1]),
        "fee_exam": money(parts[:, 2]),
        "fee_treatment": money(parts[:, 3]),
        "fee_other": money(total - parts.sum(axis=1)),
        "setl_time": setl.strftime("%Y-%m-%d %H:%M"),
    }
    return pd.DataFrame(
        {
            code: (value if not isinstance(value, str) else np.full(rows, value))
            for code, value in text.items()
        }
    )


def world_create() -> list[str]:
    from catalogs.models import Institution, Region

    region, _ = Region.objects.get_or_create(code="370800", defaults={"name": "基准测试统筹区"})
    codes = [f"H3708020{n:04d}" for n in range(1, INSTITUTIONS + 1)]
    Institution.objects.bulk_create(
        [
            Institution(region=region, code=code, name=f"基准医院{n}", level="2", type="general")
            for n, code in enumerate(codes)
        ],
        ignore_conflicts=True,
    )
    return codes


def import_timed(path: Path, *, institution=None) -> tuple[float, object]:
    """Upload (store + sha256) and run the import job; returns (seconds, batch)."""
    from django.core.files import File

    from jobs.services import job_run
    from settlement.intake import services
    from settlement.intake.models import ImportBatch

    started = time.perf_counter()
    with path.open("rb") as handle:
        batch = services.batch_store(
            actor="bench",
            institution=institution,
            upload=File(handle, name=path.name),
            dispatch=False,
        )
    job_run(
        job_id=batch.job_id,
        on_progress=lambda percent, message="": print(
            f"  [{percent:3d}%] {time.perf_counter() - started:6.1f} s  {message}", flush=True
        ),
    )
    seconds = time.perf_counter() - started
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status != "succeeded":
        raise SystemExit(f"import failed: {batch.status} {batch.message}")
    return seconds, batch


def hospital_client(institution):
    """A test client logged in as the bench's hospital user of ``institution``, and that user."""
    from django.test import Client

    from accounts.choices import Role
    from accounts.models import User
    from accounts.services import user_create

    user = User.objects.filter(username="bench-hospital").first() or user_create(
        actor=None,
        username="bench-hospital",
        password="bench-hospital-2024",
        role=Role.HOSPITAL,
        display_name="基准医院用户",
        institution=institution,
    )
    client = Client()
    client.force_login(user)
    return client, user


def api_timed(frame: pd.DataFrame, *, institution) -> tuple[float, int, dict]:
    """``POST /api/v1/cases/batches/`` of the frame's rows as one JSON batch by the hospital user (the body is
    encoded first, not timed); returns (seconds, body bytes, the 201 answer)."""
    from django.test import override_settings

    client, _ = hospital_client(institution)
    body = json.dumps({"rows": frame.to_dict("records")}, ensure_ascii=False).encode()
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/cases/batches/", body, content_type="application/json")
        seconds = time.perf_counter() - started
        # The request runs in this thread: the process's CPU time is the request's (the database server's is not in it).
        print(
            f"  API batch CPU time in this process: {time.process_time() - cpu:.2f} s", flush=True
        )
    if response.status_code != 201:
        raise SystemExit(f"the API answered {response.status_code}: {response.content[:500]!r}")
    return seconds, len(body), response.json()


def upload_timed(path: Path, *, institution) -> tuple[dict, object]:
    """A hospital user uploads ``path`` through the real upload page, the job runs in the portal's
    in-process worker thread (``JOBS_BACKEND=thread``), and the batch page is read while it runs.
    Returns the seconds of: the upload POST answering, the batch page answering, the whole import."""
    from django.test import override_settings
    from django.urls import reverse

    from settlement.intake.models import ImportBatch

    client, user = hospital_client(institution)
    with override_settings(JOBS_BACKEND="thread", ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        with path.open("rb") as handle:
            response = client.post(reverse("settlement:batch_upload"), {"file": handle})
        answered = time.perf_counter() - started
        if response.status_code != 302:
            raise SystemExit(
                f"upload page answered {response.status_code}: {response.content[:500]!r}"
            )
        batch = ImportBatch.objects.filter(uploaded_by=user).latest("pk")
        page_started = time.perf_counter()
        page = client.get(response["Location"])
        page_seconds = time.perf_counter() - page_started
        if page.status_code != 200 or b'data-testid="job-progress"' not in page.content:
            raise SystemExit("the batch page did not show the job's progress")
        while batch.status in ("queued", "running"):
            time.sleep(0.1)
            batch.refresh_from_db()
        total = time.perf_counter() - started
    if batch.status != "succeeded":
        raise SystemExit(f"import failed: {batch.status} {batch.message}")
    return {"upload_page": answered, "batch_page": page_seconds, "total": total}, batch


def xlsx_write(frame: pd.DataFrame, path: Path) -> None:
    from config.spreadsheets.writer import rows_workbook
    from settlement.intake import columns, files

    header = [columns.BY_CODE[code].header for code in frame.columns]
    path.write_bytes(
        rows_workbook([(files.DATA_SHEET, header, frame.itertuples(index=False, name=None))])
    )


def import_export_timed(path: Path) -> float:
    """django-import-export, default ModelResource options, on the same CSV into the same table."""
    import tablib
    from import_export import fields, resources, widgets

    from catalogs.models import Institution
    from settlement.models import CaseRecord, SettlementPeriod

    class CaseResource(resources.ModelResource):
        institution = fields.Field(
            attribute="institution",
            column_name="fixmedins_code",
            widget=widgets.ForeignKeyWidget(Institution, "code"),
        )

        class Meta:
            model = CaseRecord

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    stamps = pd.to_datetime(frame["setl_time"])
    region = Institution.objects.get(code=frame["fixmedins_code"].iloc[0]).region
    periods = {(p.year, p.month): p.pk for p in SettlementPeriod.objects.filter(region=region)}
    frame["period"] = [
        periods[(year, month)] for year, month in zip(stamps.dt.year, stamps.dt.month)
    ]
    frame["setl_id"] = "IE" + frame["setl_id"]  # a second copy of the same cases, beside ours
    frame.insert(0, "id", "")
    dataset = tablib.Dataset(*frame.itertuples(index=False, name=None), headers=list(frame.columns))
    started = time.perf_counter()
    result = CaseResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit(f"django-import-export reported errors: {result.totals}")
    return seconds


def bench_intake(args: argparse.Namespace) -> dict:
    from catalogs.models import Institution

    WORK.mkdir(parents=True, exist_ok=True)
    codes = world_create()
    figures: dict = {"rows": 0, "total": 0.0}
    if args.csv_rows:
        path = WORK / f"regional-{args.csv_rows}.csv"
        cases_frame(args.csv_rows, institutions=codes, seed=1).to_csv(path, index=False)
        seconds, batch = import_timed(path)
        print(
            f"regional CSV: {batch.rows_written:,} rows in {seconds:.1f} s ({batch.rows_written / seconds:,.0f} rows/s)"
        )
        figures.update(
            rows=figures["rows"] + batch.rows_written, csv=seconds, total=figures["total"] + seconds
        )
    if args.xlsx_rows:
        path = WORK / f"hospital-{args.xlsx_rows}.xlsx"
        frame = cases_frame(args.xlsx_rows, institutions=[codes[1]], seed=2)
        frame["setl_id"] = "X" + frame["setl_id"]
        xlsx_write(frame, path)
        timings, batch = upload_timed(path, institution=Institution.objects.get(code=codes[1]))
        seconds = timings["total"]
        print(
            f"hospital xlsx through the upload page: {batch.rows_written:,} rows in {seconds:.1f} s "
            f"({batch.rows_written / seconds:,.0f} rows/s); the upload page answered in {timings['upload_page']:.2f} s, "
            f"the batch page with the job's progress in {timings['batch_page']:.2f} s"
        )
        figures.update(
            rows=figures["rows"] + batch.rows_written,
            xlsx=seconds,
            xlsx_upload_page=timings["upload_page"],
            xlsx_batch_page=timings["batch_page"],
            total=figures["total"] + seconds,
        )
    if args.api_rows:
        frame = cases_frame(args.api_rows, institutions=[codes[3]], seed=5)
        frame["setl_id"] = "A" + frame["setl_id"]
        seconds, size, answer = api_timed(frame, institution=Institution.objects.get(code=codes[3]))
        print(
            f"API batch: {answer['rows_written']:,} records ({size / 2**20:.1f} MB of JSON) in {seconds:.2f} s "
            f"({answer['rows_written'] / seconds:,.0f} records/s)"
        )
        figures.update(
            rows=figures["rows"] + answer["rows_written"],
            api=seconds,
            total=figures["total"] + seconds,
        )
    if args.compare_rows:
        path = WORK / f"compare-{args.compare_rows}.csv"
        frame = cases_frame(args.compare_rows, institutions=[codes[2]], seed=4)
        frame["setl_id"] = "C" + frame["setl_id"]
        frame.to_csv(path, index=False)
        ours, batch = import_timed(path)
        theirs = import_export_timed(path)
        ratio = theirs / ours
        print(
            f"comparison on {args.compare_rows:,} rows: ours {ours:.1f} s ({args.compare_rows / ours:,.0f} rows/s), "
            f"django-import-export {theirs:.1f} s ({args.compare_rows / theirs:,.0f} rows/s): {ratio:.1f}x faster"
        )
        figures.update(
            rows=figures["rows"] + batch.rows_written,
            compare_ours=ours,
            compare_import_export=theirs,
            total=figures["total"] + ours,
        )
    return figures


INTAKE_SUBCOMMAND = (
    bench_intake,
    "case intake: regional CSV, hospital xlsx, and django-import-export on the same file",
    [
        (("--csv-rows",), {"type": int, "default": 1_000_000}),
        (("--xlsx-rows",), {"type": int, "default": 100_000}),
        (("--compare-rows",), {"type": int, "default": 50_000}),
        (("--api-rows",), {"type": int, "default": 10_000}),
    ],
)
