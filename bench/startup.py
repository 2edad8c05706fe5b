"""Start-up (issue 20 item 8): ``manage.py check`` in a fresh process, the median of ``--runs``.

    .venv/bin/python bench/run.py startup --runs 5
    .venv/bin/python bench/run.py startup --runs 5 --production

``--production`` times the environment a web process or worker runs in (``uv sync --no-dev``, built
once into .tools/prod-venv): the development environment adds the test tools, and Django REST
framework imports some of them when they are there (requests, Pygments), a few hundred milliseconds
that no deployed process pays.

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


PRODUCTION_VENV = ROOT / ".tools" / "prod-venv"


def _production_python() -> str:
    """The interpreter of an environment built from uv.lock without the dev dependencies."""
    subprocess.run(
        [
            ROOT / ".tools" / "bin" / "uv",
            "sync",
            "--frozen",
            "--no-dev",
            "--python",
            sys.executable,
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "UV_PROJECT_ENVIRONMENT": str(PRODUCTION_VENV),
            "UV_PYTHON_DOWNLOADS": "never",
        },
    )
    return str(PRODUCTION_VENV / "bin" / "python")


def _check_once(python: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``manage.py check`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [python, "manage.py", "check"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_startup(args: argparse.Namespace) -> dict:
    python = _production_python() if args.production else sys.executable
    runs = sorted(_check_once(python) for _ in range(args.runs))
    wall, cpu = runs[len(runs) // 2]
    return {
        "environment": "production (--no-dev)" if args.production else "development (.venv)",
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
    [
        (("--runs",), {"type": int, "default": 5}),
        (("--production",), {"action": "store_true"}),
    ],
)
