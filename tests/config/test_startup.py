"""Start-up stays light (issue 20 item 8): settings, models, admin, job kinds, URL conf and every view
load without pandas, NumPy, pyarrow, openpyxl or XlsxWriter, which take seconds to import and which most
requests never touch. They are imported where they are used (``config/lazy.py``). Nor do they load
Celery (only a worker and the dispatcher need it: each app's Celery tasks are in its celery_tasks.py)
or drf-spectacular's schema generator (the schema pages build it on first request, config/api_docs.py).
Checked in a fresh process, since this test process has imported them all long ago."""

import json
import os
import subprocess
import sys
from pathlib import Path

from config.lazy import LazyModule

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [
    "pandas",
    "numpy",
    "pyarrow",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "hypothesis",
    "celery",
    "kombu",
    "drf_spectacular.generators",
    "drf_spectacular.views",
]

# What every process does before its first line of work: django.setup() (models, admin autodiscovery,
# the job kinds of every app's tasks.py), then the URL conf with every view module it includes.
STARTUP = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted(sys.modules)))
"""


def startup_modules() -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", STARTUP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    names = json.loads(done.stdout.strip().splitlines()[-1])
    return set(names) | {name.split(".")[0] for name in names}


def test_start_up_imports_no_heavy_library():
    loaded = startup_modules()
    assert "django" in loaded and "settlement" in loaded  # the child really loaded the project
    assert sorted(loaded & set(HEAVY)) == [], (
        "find the importer with: python -X importtime manage.py check"
    )


def test_a_lazy_module_imports_on_first_use_and_keeps_what_it_read():
    module = LazyModule("json")
    assert "dumps" not in vars(module)
    assert module.dumps([1]) == "[1]"
    assert vars(module)["dumps"] is json.dumps
