"""Start-up (issue 20 item 8): ``manage.py check`` in a fresh process, the median of ``--runs``.

    .venv/bin/python bench/run.py startup --runs 5

Each run starts ``python manage.py check`` as a subprocess (the cost every management command, web
worker and Celery worker pays before its first line of work: settings, models, admin, job kinds, URL
conf and views) and takes its wall time; the figure is the median, with the fastest and slowest and the
CPU seconds (user + system) of the median run, which vary less with the machine's load than wall time.
Needs no database: nothing connects. Target: median ≤ 2 s (docs/architecture.md, "Start-up").
Which heavy library a start-up imports, and through which module: ``python -X importtime manage.py
check``; ``tests/config/test_startup.py`` fails if pandas, NumPy, pyarrow, openpyxl or XlsxWriter is one.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def _check_once() -> tuple[float, float]:
    """Wall and CPU seconds of one ``manage.py check`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_startup(args: argparse.Namespace) -> dict:
    runs = sorted(_check_once() for _ in range(args.runs))
    wall, cpu = runs[len(runs) // 2]
    return {
        "runs": args.runs,
        "median s": statistics.median(w for w, _ in runs),
        "fastest s": runs[0][0],
        "slowest s": runs[-1][0],
        "cpu of median s": cpu,
        "load average": os.getloadavg()[0],
        "target s": TARGET_SECONDS,
        "within target": wall <= TARGET_SECONDS,
    }


STARTUP_SUBCOMMAND = (
    bench_startup,
    "start-up: manage.py check in a fresh process, median of N runs (no database)",
    [(("--runs",), {"type": int, "default": 5})],
)
