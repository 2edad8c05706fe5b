"""A regional load in the national 4101 shape (issue 16): a zip of setlinfo / diseinfo / oprninfo / icuinfo CSVs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py national --records 1000000

Per record: three diagnoses (one main), one or two procedures (1.5 on average, one flagged main) and, for
one record in ten, an ICU stay — 1,000,000 records give 3,000,000 diagnosis rows and 1,500,000 procedure
rows. The zip is generated first (not timed), then imported through the real path (``batch_store`` +
``job_run``, what an upload or ``manage.py case_import`` does) and timed end to end: unzip and read the
CSVs, check and join the lists, flatten, validate, COPY, commit. Target: ≤ 90 s for 1,000,000 records.
"""

from __future__ import annotations

import argparse
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.intake import WORK, cases_frame, import_timed, world_create

DERIVED = (
    "maindiag_code",
    "otherdiag_codes",
    "main_oprn_oprt_code",
    "other_oprn_oprt_codes",
    "scs_cutd_sum_dura",
)
OTHER_DIAGNOSES = np.array(["I10.x00", "E11.900", "J44.900", "N18.500", "A17.000+G01*"])
PROCEDURES = np.array(["36.0601", "47.0900x001", "81.5100", "17.91100", "17.912A0", "88.5501"])


def national_tables(
    records: int, *, institutions: list[str], seed: int = 5
) -> dict[str, pd.DataFrame]:
    """``records`` valid 4101 records as one frame of text cells per national table (vectorised)."""
    flat = cases_frame(records, institutions=institutions, seed=seed)
    rng = np.random.default_rng(seed)
    setl_ids = flat["setl_id"].to_numpy()
    setl = flat.drop(columns=list(DERIVED)).rename(columns={"psn_cash_pay": "psn_cashpay"})
    order = np.tile(np.arange(3), records)
    diseinfo = pd.DataFrame(
        {
            "setl_id": np.repeat(setl_ids, 3),
            "diag_type": "1",
            "diag_code": np.where(
                order == 0,
                np.repeat(flat["maindiag_code"].to_numpy(), 3),
                OTHER_DIAGNOSES[rng.integers(0, len(OTHER_DIAGNOSES), 3 * records)],
            ),
            "diag_name": "诊断名称",
            "maindiag_flag": np.where(order == 0, "1", "0"),
            "adm_cond_type": "1",
        }
    )
    per_record = np.where(np.arange(records) % 2 == 0, 1, 2)  # 1.5 procedures a record
    owner = np.repeat(np.arange(records), per_record)
    first = np.r_[True, owner[1:] != owner[:-1]]
    oprninfo = pd.DataFrame(
        {
            "setl_id": setl_ids[owner],
            "oprn_oprt_code": PROCEDURES[rng.integers(0, len(PROCEDURES), len(owner))],
            "oprn_oprt_name": "手术操作名称",
            "main_oprn_flag": np.where(first, "1", "0"),
            "oprn_oprt_date": pd.to_datetime(flat["adm_time"].to_numpy()[owner]).strftime(
                "%Y-%m-%d"
            ),
            "anst_way": "01",
            "oper_dr_name": "术者",
            "oper_dr_code": "D0001",
        }
    )
    icu = np.arange(0, records, 10)
    icuinfo = pd.DataFrame(
        {"setl_id": setl_ids[icu], "scs_cutd_ward_type": "1", "scs_cutd_sum_dura": "1/2/30"}
    )
    return {"setlinfo": setl, "diseinfo": diseinfo, "oprninfo": oprninfo, "icuinfo": icuinfo}


def zip_write(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One CSV per national table, deflated (level 1), as a hospital or the platform would export them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for table, frame in tables.items():
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False)
            archive.writestr(f"{table}.csv", buffer.getvalue().encode("utf-8"))


def bench_national(args: argparse.Namespace) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    codes = world_create()
    path = WORK / f"national-{args.records}.zip"
    started = time.perf_counter()
    tables = national_tables(args.records, institutions=codes)
    zip_write(tables, path)
    sizes = {table: len(frame) for table, frame in tables.items()}
    del tables
    print(
        f"generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{table} {rows:,}" for table, rows in sizes.items())
    )
    seconds, batch = import_timed(path)
    print(
        f"4101 zip: {batch.rows_written:,} records ({sizes['diseinfo']:,} diagnoses, {sizes['oprninfo']:,} procedures, "
        f"{sizes['icuinfo']:,} ICU stays) in {seconds:.1f} s ({batch.rows_written / seconds:,.0f} records/s)"
    )
    return {"rows": batch.rows_written, "total": seconds}


NATIONAL_SUBCOMMAND = (
    bench_national,
    "regional load in the national 4101 shape: a zip of setlinfo/diseinfo/oprninfo/icuinfo CSVs",
    [(("--records",), {"type": int, "default": 1_000_000})],
)
