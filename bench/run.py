"""Benchmarks runnable from the README; each prints rows, seconds, rows/s and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py demo --cases 1000000

A benchmark never touches the database DATABASE_URL names: it works in a scratch database beside it
(PostgreSQL: ``<name>_bench`` on the same server, dropped and created afresh; SQLite: ``var/bench.sqlite3``),
migrates it, then measures (``pages --existing`` alone measures the database DATABASE_URL names, migrated). Add a benchmark as a subcommand: a function ``bench_<name>(args) -> dict``
and its arguments in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.case_group import CASE_GROUP_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.dictionaries import DICTIONARIES_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.drg_national import DRG_NATIONAL_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.grouping import GROUPING_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.intake import INTAKE_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.memory import peak_rss_mb  # noqa: E402  (needs ROOT on the path)
from bench.national import NATIONAL_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.pages import PAGES_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.preview import PREVIEW_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.reconciliation import RECONCILIATION_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.settlement_run import SETTLEMENT_RUN_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.spreadsheets import SPREADSHEETS_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)
from bench.startup import STARTUP_SUBCOMMAND  # noqa: E402  (needs ROOT on the path)


def scratch_database(url: str) -> str:
    """Create an empty scratch database next to ``url`` and return its URL."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = ROOT / "var" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ["", "-wal", "-shm"]:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = parts.path.lstrip("/") + "_bench"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def django_setup(url: str) -> float:
    """Point Django at the scratch database and migrate it; returns the seconds migrate took."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - started


def bench_demo(args: argparse.Namespace) -> dict:
    """The demo generator: ``--cases`` per year for ``--years`` years, through the real service (one transaction)."""
    from demo.services import demo_generate

    def progress(percent: int, message: str) -> None:
        print(f"  [{percent:3d}%] {message}", flush=True)

    started = time.perf_counter()
    summary = demo_generate(
        actor="bench",
        seed=args.seed,
        years=args.years,
        cases_per_year=args.cases,
        progress=progress,
    )
    total = time.perf_counter() - started  # includes the commit, where PostgreSQL flushes the load
    seconds = summary["seconds"]
    other = total - seconds["generate"] - seconds["load"]
    return {
        "rows": summary["cases_total"],
        "generate": seconds["generate"],
        "load": seconds["load"],
        "setup+commit": other,
        "total": total,
    }


def bench_report(args: argparse.Namespace) -> dict:
    """The monthly report pack: the demo region's last year of ``--cases`` cases placed in March, then the
    month's pack (the bureau's workbook with every case, and one per institution) generated in a fresh
    process, as a worker would, whose peak RSS (``VmHWM``) is the memory figure."""
    import json
    import subprocess

    from django.db import connection

    from demo.services import demo_generate
    from settlement.grouping.models import CaseGroup
    from settlement.models import CaseRecord, SettlementPeriod

    demo_generate(actor="bench", seed=args.seed, years=2, cases_per_year=args.cases, end_year=2024)
    march = SettlementPeriod.objects.get(year=2024, month=3)
    CaseGroup.objects.filter(period__year=2024).update(period=march)
    CaseRecord.objects.filter(period__year=2024).update(period=march)
    if (
        connection.vendor == "postgresql"
    ):  # fresh statistics after the move, as autovacuum would have them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    child = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.run import report_measure; report_measure()"
    done = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"report process peak memory {figures.pop('peak_mb'):,.0f} MB (case-detail rows of the bureau workbook: {figures['rows']:,})"
    )
    return figures


def report_measure() -> None:
    """In the child process of ``bench_report``: generate March 2024's pack; print seconds per step and peak RSS as JSON."""
    import json

    import django

    django.setup()
    from catalogs.models import Region
    from reports.choices import CASE_SHEET
    from reports.models import ReportFile
    from reports.services import report_pack_generate

    marks = [("start", time.perf_counter())]
    progress = lambda percent, message: marks.append((message, time.perf_counter()))  # noqa: E731
    report_pack_generate(
        actor="bench", region=Region.objects.get(), year=2024, month=3, progress=progress
    )
    at = dict(reversed(marks))  # the first time each message was reported
    first_institution = next(t for message, t in marks if message.startswith("生成机构月度报表"))
    end = time.perf_counter()
    print(
        json.dumps(
            {
                "rows": ReportFile.objects.get(institution=None).sheets[CASE_SHEET],
                "read": at["生成统筹区月度报表"] - at["start"],
                "bureau workbook": first_institution - at["生成统筹区月度报表"],
                "institution workbooks": at["保存报表文件"] - first_institution,
                "store": end - at["保存报表文件"],
                "total": end - at["start"],
                "peak_mb": peak_rss_mb(),
            }
        )
    )


SUBCOMMANDS = {
    "demo": (
        bench_demo,
        "demo generation: N cases a year into a fresh database",
        [
            (("--cases",), {"type": int, "default": 1_000_000}),
            (("--years",), {"type": int, "default": 1}),
            (("--seed",), {"type": int, "default": 20240101}),
        ],
    ),
}
SUBCOMMANDS["intake"] = INTAKE_SUBCOMMAND
SUBCOMMANDS["national"] = NATIONAL_SUBCOMMAND
SUBCOMMANDS["grouping"] = GROUPING_SUBCOMMAND
SUBCOMMANDS["drg_national"] = DRG_NATIONAL_SUBCOMMAND
SUBCOMMANDS["case_group"] = CASE_GROUP_SUBCOMMAND
SUBCOMMANDS["dictionaries"] = DICTIONARIES_SUBCOMMAND
SUBCOMMANDS["settlement_run"] = SETTLEMENT_RUN_SUBCOMMAND
SUBCOMMANDS["preview"] = PREVIEW_SUBCOMMAND
SUBCOMMANDS["reconciliation"] = RECONCILIATION_SUBCOMMAND
SUBCOMMANDS["spreadsheets"] = SPREADSHEETS_SUBCOMMAND
SUBCOMMANDS["startup"] = STARTUP_SUBCOMMAND
NO_DATABASE = {
    "startup",
    "spreadsheets",
}  # measured in child processes; no scratch database, no migrate
SUBCOMMANDS["pages"] = PAGES_SUBCOMMAND
SUBCOMMANDS["report"] = (
    bench_report,
    "monthly report pack of a month with N cases (workbooks of the bureau and every institution)",
    [
        (("--cases",), {"type": int, "default": 100_000}),
        (("--seed",), {"type": int, "default": 20240101}),
    ],
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="benchmark", required=True)
    for name, (_, help_text, arguments) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        for flags, options in arguments:
            command.add_argument(*flags, **options)
    args = parser.parse_args()
    if args.benchmark in NO_DATABASE:
        for label, value in SUBCOMMANDS[args.benchmark][0](args).items():
            print(
                f"{label:<16} {value:.2f}" if isinstance(value, float) else f"{label:<16} {value}"
            )
        return
    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'portal.sqlite3'}")
    scratch = url if getattr(args, "existing", False) else scratch_database(url)
    migrate_seconds = django_setup(scratch)
    from django.db import connection

    print(
        f"benchmark {args.benchmark} on {connection.vendor} ({connection.settings_dict['NAME']}); migrate {migrate_seconds:.1f} s"
    )
    figures = SUBCOMMANDS[args.benchmark][0](args)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    lines = [("rows", f"{figures['rows']:,}")]
    lines += [
        (f"{key} s", f"{figures[key]:.2f}") for key in figures if key not in {"rows", "total"}
    ]
    lines += [
        ("total s", f"{figures['total']:.2f}"),
        ("rows/s", f"{figures['rows'] / figures['total']:,.0f}"),
        ("peak memory", f"{peak_mb:,.0f} MB"),
    ]
    for label, value in lines:
        print(f"{label:<16} {value}")


if __name__ == "__main__":
    main()
