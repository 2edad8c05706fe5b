"""Spreadsheet engines on one large sheet (issue 20 item 4): who should read and write our .xlsx files.

    .venv/bin/python bench/spreadsheets.py [--rows 100000] [--repeat 2] [--writers a,b] [--readers a,b]
    .venv/bin/python bench/run.py spreadsheets [same options]

Standalone (no database, no Django settings; bench/run.py runs it without a scratch database). Generates a case-detail-like sheet (not timed): ``--rows`` rows of 16 columns — ids, institution
codes, ICD-10 / ICD-9-CM-3 codes, dates as text, counts and money as numbers. Every engine works on the
same rows and the same files, each in a fresh child process (so its peak RSS, ``VmHWM``, is its own):

writers (every text cell through ``spreadsheet_safe`` as all our writers do)
  - ``reports``: our hand-written streaming package, ``config.spreadsheets.streamed`` (styles, widths, 合计 row);
  - ``xlsxwriter``: XlsxWriter in ``constant_memory`` mode, plain rows (as ``writer.rows_workbook``);
  - ``xlsxwriter-report``: XlsxWriter in ``constant_memory`` mode doing what ``streamed`` does (header
    style, widths, number formats, 合计 row): the like-for-like comparison;
  - ``openpyxl``: write-only mode.

readers (the first sheet as rows of Python values; each reads both the shared-strings file that Excel
and XlsxWriter's default mode write, and the inline-strings file ``reports`` wrote)
  - ``portal``: what intake reads with, ``config.spreadsheets.reader.sheet_rows`` (python-calamine behind
    the zip and DTD checks, values normalised as the portal reads them);
  - ``calamine``: python-calamine (Rust) alone, ``to_python()``;
  - ``openpyxl``: read-only, ``values_only`` (the small upload readers; minutes on 100,000 rows).

The hand-written intake reader (``settlement/intake/xlsx.py``) measured here before it was replaced, and
the decisions: docs/dependencies.md. An engine whose package is not installed is reported as missing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-spreadsheets"
sys.path.insert(0, str(ROOT))

HEADER = [
    "结算ID",
    "机构编码",
    "人员编号",
    "主要诊断",
    "主要手术",
    "其他诊断",
    "入院时间",
    "出院时间",
    "住院天数",
    "病种",
    "分值",
    "点数",
    "总费用",
    "统筹支付",
    "个人负担",
    "备注",
]
DIAGNOSES = np.array(
    ["I21.000", "J18.900x001", "A17.000+G01*", "K35.800x002", "E11.900", "C34.900"],
    dtype=object,
)
SHEET = "明细"
PROCEDURES = np.array(["", "36.0601", "17.91100", "47.0900x001", "81.5100", ""], dtype=object)


def rows_generated(count: int) -> list[tuple]:
    rng = np.random.default_rng(7)
    ids = np.arange(count)
    days = rng.integers(0, 30, count)
    total = rng.integers(100_000, 10_000_000, count) / 100
    columns = [
        [f"S{i:09d}" for i in ids],
        [f"H37080200{i % 60:03d}" for i in ids],
        [f"P{i // 2:08d}" for i in ids],
        DIAGNOSES[ids % 6].tolist(),
        PROCEDURES[ids % 6].tolist(),
        ["I10.x00;E11.900"] * count,
        [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 08:30" for i in ids],
        [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 16:00" for i in ids],
        days.tolist(),
        [
            f"{d[:3]}-{p or '0'}"
            for d, p in zip(DIAGNOSES[ids % 6], PROCEDURES[ids % 6], strict=True)
        ],
        (rng.integers(1_000, 90_000, count) / 100).tolist(),
        (rng.integers(10_000, 900_000, count) / 10_000).tolist(),
        total.tolist(),
        (total * 0.7).round(2).tolist(),
        (total * 0.3).round(2).tolist(),
        ["=正常" if i % 97 == 0 else "" for i in ids],
    ]
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
    from config.spreadsheets import streamed as workbook

    formats = (
        [workbook.TEXT] * 8
        + [workbook.INTEGER, workbook.TEXT, workbook.SCORE, workbook.POINTS]
        + [workbook.MONEY] * 3
    )
    columns = [
        workbook.Column(h, f) for h, f in zip(HEADER, [*formats, workbook.TEXT], strict=True)
    ]
    stamp = workbook.Stamp(
        "基准", "基准统筹区", "2024年", datetime(2024, 1, 1, tzinfo=UTC), "bench", None
    )
    with path.open("wb") as handle:
        workbook.workbook_write(handle, stamp=stamp, sheets=[workbook.Sheet(SHEET, columns, rows)])


def write_xlsxwriter(rows: list[tuple], path: Path) -> None:
    import xlsxwriter

    from config.spreadsheets.cells import spreadsheet_safe

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [spreadsheet_safe(value) for value in row])
    book.close()


def write_xlsxwriter_report(rows: list[tuple], path: Path) -> None:
    """XlsxWriter doing what ``config.spreadsheets.streamed`` does (like for like): a bold shaded frozen header, a width and
    number format per column, a 合计 row of the money columns summed while the rows stream past."""
    import xlsxwriter

    from config.spreadsheets.cells import spreadsheet_safe

    formats = ["@"] * 8 + ["#,##0", "@", "0.00", "#,##0.0000"] + ["#,##0.00"] * 3 + ["@"]
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(SHEET)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    styles = [book.add_format({"num_format": fmt}) for fmt in formats]
    for column, style in enumerate(styles):
        sheet.set_column(column, column, 14, style)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, HEADER, header)
    totals = [0.0, 0.0, 0.0]
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write(number, column, spreadsheet_safe(value), styles[column])
        totals = [t + v for t, v in zip(totals, row[12:15], strict=True)]
    sheet.write(len(rows) + 1, 0, "合计", header)
    sheet.write_row(len(rows) + 1, 12, [round(t, 2) for t in totals], header)
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


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        return len(book.get_sheet_by_name(SHEET).to_python())


def read_portal(path: Path) -> int:
    """What intake reads with: python-calamine behind the zip and DTD checks, values as the portal reads them."""
    from config.spreadsheets import guard, reader

    guard.zip_check(path, max_uncompressed_mb=2048)
    return len(reader.sheet_rows(path, sheet=SHEET))


WRITERS = {
    "openpyxl": write_openpyxl,
    "reports": write_reports,
    "xlsxwriter": write_xlsxwriter,
    "xlsxwriter-report": write_xlsxwriter_report,
}
READERS = {"openpyxl": read_openpyxl, "calamine": read_calamine, "portal": read_portal}
# Imported before the clock starts (pandas alone takes about a second to import).
MODULES = {
    "openpyxl": "openpyxl",
    "reports": "config.spreadsheets.streamed",
    "xlsxwriter": "xlsxwriter",
    "xlsxwriter-report": "xlsxwriter",
    "calamine": "python_calamine",
    "portal": "config.spreadsheets.reader",
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
    from bench.memory import peak_rss_mb

    return result | {"peak_mb": peak_rss_mb()}


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
        print(f"{label:<40} {result['error']}")
        return
    size = (
        f"{result['bytes'] / 2**20:7.1f} MB file"
        if "bytes" in result
        else f"{result['rows']:>9,} rows"
    )
    print(
        f"{label:<40} {result['seconds']:7.2f} s  {size}  peak {result['peak_mb']:6.0f} MB",
        flush=True,
    )


def measure(rows: int, *, repeat: int = 1, writers=WRITERS, readers=READERS) -> dict:
    """Every writer on ``rows`` rows, then every reader on the same two files (shared strings as Excel
    writes them; inline strings as the report writer wrote them); prints a line per engine and returns
    ``{"write <engine>": seconds, "read <engine> (<file>)": seconds}``."""
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"{rows:,} rows x {len(HEADER)} columns, best of {repeat}")
    figures = {}
    for engine in writers:
        result = best("write", engine, rows, WORK / f"write-{engine}.xlsx", repeat)
        report(f"write {engine}", result)
        figures[f"write {engine}"] = result.get("seconds", float("nan"))
    shared = WORK / "read-shared.xlsx"
    write_shared(rows_generated(rows), shared)
    inline = WORK / "write-reports.xlsx"
    if not inline.exists() or "reports" not in writers:
        write_reports(rows_generated(rows), inline)
    for name, path in {"shared strings": shared, "inline strings": inline}.items():
        for engine in readers:
            result = best("read", engine, rows, path, repeat)
            report(f"read {engine} ({name})", result)
            figures[f"read {engine} ({name})"] = result.get("seconds", float("nan"))
    return figures


def _chosen(value: str, engines: dict) -> dict:
    if value == "none":
        return {}
    names = [name for name in value.split(",") if name] if value else list(engines)
    unknown = set(names) - set(engines)
    if unknown:
        raise SystemExit(
            f"unknown engine(s): {', '.join(sorted(unknown))}; known: {', '.join(engines)}"
        )
    return {name: engines[name] for name in names}


def bench_spreadsheets(args: argparse.Namespace) -> dict:
    """``bench/run.py spreadsheets``: the same measurement from the benchmark runner (no database: every
    engine runs in its own child process on files in var/bench-spreadsheets)."""
    started = time.perf_counter()
    figures = measure(
        args.rows,
        repeat=args.repeat,
        writers=_chosen(args.writers, WRITERS),
        readers=_chosen(args.readers, READERS),
    )
    return {"rows": args.rows, **figures, "total": time.perf_counter() - started}


ARGUMENTS = [
    (("--rows",), {"type": int, "default": 100_000}),
    (("--repeat",), {"type": int, "default": 1}),
    (
        ("--writers",),
        {"default": "", "help": "comma-separated or none, default all: " + ",".join(WRITERS)},
    ),
    (
        ("--readers",),
        {"default": "", "help": "comma-separated or none, default all: " + ",".join(READERS)},
    ),
]
SPREADSHEETS_SUBCOMMAND = (
    bench_spreadsheets,
    "spreadsheet engines: our readers and writers against python-calamine, XlsxWriter and openpyxl",
    ARGUMENTS,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flags, options in ARGUMENTS:
        parser.add_argument(*flags, **options)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        kind, engine, path = args.one.split(":", 2)
        print(json.dumps(one(kind, engine, args.rows, Path(path))))
        return
    measure(
        args.rows,
        repeat=args.repeat,
        writers=_chosen(args.writers, WRITERS),
        readers=_chosen(args.readers, READERS),
    )


if __name__ == "__main__":
    main()
