"""Spreadsheet engines on one large sheet (issue 20 item 4): who should read and write our .xlsx files.

    .venv/bin/python bench/spreadsheets.py --rows 200000 [--repeat 2]

Standalone (no database, no Django settings). Generates a case-detail-like sheet (not timed): ``--rows``
rows of 16 columns — ids, institution codes, ICD-10 / ICD-9-CM-3 codes, dates as text, counts and money
as numbers. Then, each in a fresh child process (so its peak RSS, ``ru_maxrss``, is its own):

writers (the same rows, every text cell through ``spreadsheet_safe`` as all our writers do)
  - ``openpyxl``: write-only mode, as ``config.spreadsheets.writer.rows_workbook``;
  - ``reports``: the hand-written streaming package of ``reports.workbook`` (styles, widths, 合计 row);
  - ``xlsxwriter``: XlsxWriter in ``constant_memory`` mode (streams rows to a temporary file).

readers (the first sheet as rows of Python values; each reads both the shared-strings file that Excel
and XlsxWriter's default mode write, and the inline-strings file of our streaming writer)
  - ``openpyxl``: read-only, ``values_only`` (as every upload reader but intake's);
  - ``intake``: the hand parser of ``settlement.intake.xlsx`` (C expat + regex, numpy assembly);
  - ``calamine``: python-calamine (Rust), ``to_python()``.

An engine whose package is not installed is reported as missing. Figures and the decision:
docs/dependencies.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-spreadsheets"
sys.path.insert(0, str(ROOT))

HEADER = ["结算ID", "机构编码", "人员编号", "主要诊断", "主要手术", "其他诊断", "入院时间", "出院时间",
          "住院天数", "病种", "分值", "点数", "总费用", "统筹支付", "个人负担", "备注"]  # fmt: skip
DIAGNOSES = np.array(
    ["I21.000", "J18.900x001", "A17.000+G01*", "K35.800x002", "E11.900", "C34.900"],
    dtype=object,
)
SHEET = "明细"
PROCEDURES = np.array(
    ["", "36.0601", "17.91100", "47.0900x001", "81.5100", ""], dtype=object
)


def rows_generated(count: int) -> list[tuple]:
    rng = np.random.default_rng(7)
    ids = np.arange(count)
    days = rng.integers(0, 30, count)
    total = rng.integers(100_000, 10_000_000, count) / 100
    columns = [
        [f"S{i:09d}" for i in ids], [f"H37080200{i % 60:03d}" for i in ids], [f"P{i // 2:08d}" for i in ids],
        DIAGNOSES[ids % 6].tolist(), PROCEDURES[ids % 6].tolist(), ["I10.x00;E11.900"] * count,
        [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 08:30" for i in ids], [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 16:00" for i in ids],
        days.tolist(), [f"{d[:3]}-{p or '0'}" for d, p in zip(DIAGNOSES[ids % 6], PROCEDURES[ids % 6], strict=True)],
        (rng.integers(1_000, 90_000, count) / 100).tolist(), (rng.integers(10_000, 900_000, count) / 10_000).tolist(),
        total.tolist(), (total * 0.7).round(2).tolist(), (total * 0.3).round(2).tolist(), ["=正常" if i % 97 == 0 else "" for i in ids],
    ]  # fmt: skip
    return list(zip(*columns, strict=True))


# --- writers --------------------------------------------------------------------------------------


def write_openpyxl(rows: list[tuple], path: Path) -> None:
    from openpyxl import Workbook

    from config.spreadsheets.cells import spreadsheet_safe

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(HEADER)
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
    book.save(path)


def write_reports(rows: list[tuple], path: Path) -> None:
    from reports import workbook

    formats = (
        [workbook.TEXT] * 8
        + [workbook.INTEGER, workbook.TEXT, workbook.SCORE, workbook.POINTS]
        + [workbook.MONEY] * 3
    )
    columns = [
        workbook.Column(h, f)
        for h, f in zip(HEADER, [*formats, workbook.TEXT], strict=True)
    ]
    stamp = workbook.Stamp(
        "基准", "基准统筹区", "2024年", datetime(2024, 1, 1, tzinfo=UTC), "bench", None
    )
    with path.open("wb") as handle:
        workbook.workbook_write(
            handle, stamp=stamp, sheets=[workbook.Sheet(SHEET, columns, rows)]
        )


def write_xlsxwriter(rows: list[tuple], path: Path) -> None:
    import xlsxwriter

    from config.spreadsheets.cells import spreadsheet_safe

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})  # fmt: skip
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [spreadsheet_safe(value) for value in row])
    book.close()


def write_shared(rows: list[tuple], path: Path) -> None:
    """The reading input as Excel writes it: a shared-strings table (XlsxWriter's default mode)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    book.close()


# --- readers --------------------------------------------------------------------------------------


def read_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book[SHEET].iter_rows(values_only=True))
    book.close()
    return count


def read_intake(path: Path) -> int:
    from settlement.intake import xlsx

    return len(xlsx.sheet_rows(path, sheet=SHEET))


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        return len(book.get_sheet_by_name(SHEET).to_python())


WRITERS = {
    "openpyxl": write_openpyxl,
    "reports": write_reports,
    "xlsxwriter": write_xlsxwriter,
}
READERS = {"openpyxl": read_openpyxl, "intake": read_intake, "calamine": read_calamine}
# Imported before the clock starts (pandas alone takes about a second to import).
MODULES = {
    "openpyxl": "openpyxl",
    "reports": "reports.workbook",
    "xlsxwriter": "xlsxwriter",
    "intake": "settlement.intake.xlsx",
    "calamine": "python_calamine",
}


def one(kind: str, engine: str, rows: int, path: Path) -> dict:
    """Run one measurement in this process (the child)."""
    importlib.import_module(MODULES[engine])
    importlib.import_module("config.spreadsheets.cells")
    if kind == "write":
        data = rows_generated(rows)
        started = time.perf_counter()
        WRITERS[engine](data, path)
        result = {
            "seconds": time.perf_counter() - started,
            "bytes": path.stat().st_size,
        }
    else:
        started = time.perf_counter()
        count = READERS[engine](path)
        result = {"seconds": time.perf_counter() - started, "rows": count}
    return result | {
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    }


def child(kind: str, engine: str, rows: int, path: Path) -> dict:
    argv = [
        sys.executable,
        __file__,
        "--one",
        f"{kind}:{engine}:{path}",
        "--rows",
        str(rows),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        tail = done.stderr.strip().splitlines()[-1:] or ["failed"]
        return {"error": tail[0]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(kind: str, engine: str, rows: int, path: Path, repeat: int) -> dict:
    runs = [child(kind, engine, rows, path) for _ in range(repeat)]
    good = [run for run in runs if "error" not in run]
    return min(good, key=lambda run: run["seconds"]) if good else runs[0]


def report(label: str, result: dict) -> None:
    if "error" in result:
        print(f"{label:<34} {result['error']}")
        return
    size = (
        f"{result['bytes'] / 2**20:7.1f} MB file"
        if "bytes" in result
        else f"{result['rows']:>9,} rows"
    )
    print(
        f"{label:<34} {result['seconds']:7.2f} s  {size}  peak {result['peak_mb']:6.0f} MB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        kind, engine, path = args.one.split(":", 2)
        print(json.dumps(one(kind, engine, args.rows, Path(path))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"{args.rows:,} rows x {len(HEADER)} columns, best of {args.repeat}")
    for engine in WRITERS:
        report(
            f"write {engine}",
            best(
                "write", engine, args.rows, WORK / f"write-{engine}.xlsx", args.repeat
            ),
        )
    shared = WORK / "read-shared.xlsx"
    write_shared(rows_generated(args.rows), shared)
    inputs = {"shared strings": shared, "inline strings": WORK / "write-reports.xlsx"}
    for name, path in inputs.items():
        for engine in READERS:
            report(
                f"read {engine} ({name})",
                best("read", engine, args.rows, path, args.repeat),
            )


if __name__ == "__main__":
    main()
