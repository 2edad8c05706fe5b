"""Pages at regional scale (issue 21 item 0): p50/p95 server time and queries of every large list page,
API list and dashboard, for the demo officer and the demo hospital user (and the audit trail, for the
demo admin).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py pages --cases 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_demo .venv/bin/python bench/run.py pages --existing

Setup (not timed): ``demo_generate --years 2 --cases-per-year N`` (default 1,000,000: two million cases)
in the scratch database, then ``VACUUM ANALYZE`` (as autovacuum would after the load); with ``--existing`` the database DATABASE_URL names is used as
it is (migrated; seeded only when it holds no case). Deep pages start at a cursor built from the key of
the case about 90 % down the list (looked up by OFFSET once, outside the timing).

Timed, through the whole request path in-process (Django test client: middleware, sessions,
authentication, templates or DRF rendering), each URL requested once to warm, then ``--repeat`` times:
p50 and p95 in milliseconds, and the queries of one request (target: p95 < 300 ms, queries bounded).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

TARGET_P95_MS = 300


def _deep_cursor(user, *, fraction: float = 0.9) -> str:
    """A cursor starting ``fraction`` of the way down the user's case list (a page a user could reach)."""
    from config.keyset import cursor_encode
    from settlement import selectors

    cases = selectors.case_list_for_user(user)
    ordering = selectors.case_list_ordering(user)
    total = cases.count()
    key = cases.order_by(*ordering).values_list(*ordering)[int(total * fraction)]
    return cursor_encode(list(key), backwards=False)


def _statement_urls(user) -> list[str]:
    """The statement with the most cases in the newest run the user may see: first page and 90 % down."""
    from django.db.models import Count

    from config.keyset import cursor_encode
    from settlement.runs import selectors as run_selectors
    from settlement.runs.models import RunCase

    runs = RunCase.objects.for_user(user).order_by("-run_id").values_list("run_id", flat=True)
    run_id = runs.first()
    if run_id is None:
        return []
    booked = (
        RunCase.objects.for_user(user)
        .filter(run_id=run_id)
        .values("booked_id", "booked__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    url = f"/settlement/runs/{run_id}/institutions/{booked['booked__code']}/"
    cases = run_selectors.run_case_list_for_user(
        user, run=run_selectors.run_get(run_id), institution_id=booked["booked_id"]
    )
    key = cases.values_list("case_id", flat=True)[int(booked["n"] * 0.9)]
    return [url, f"{url}?cursor={cursor_encode([key], backwards=False)}"]


def _audit_urls() -> list[str]:
    """The audit trail (bureau admin): first page and a page 90 % down."""
    from audit.models import AuditEvent
    from audit.selectors import EVENT_ORDERING
    from config.keyset import cursor_encode

    events = AuditEvent.objects.order_by(*EVENT_ORDERING)
    total = events.count()
    key = events.values_list("created_at", "id")[int(total * 0.9)]
    return ["/audit/", f"/audit/?cursor={cursor_encode(list(key), backwards=False)}"]


def _urls(user) -> list[str]:
    from settlement.models import CaseRecord

    if user.is_bureau_admin:
        return _audit_urls()
    deep = _deep_cursor(user)
    urls = [
        "/",
        "/settlement/cases/",
        f"/settlement/cases/?cursor={deep}",
        "/settlement/cases/?year=2025&month=6",
        "/api/v1/cases/",
        f"/api/v1/cases/?cursor={deep}",
        "/api/v1/cases/?year=2025&month=6",
        "/settlement/cases/?q=I21",
        "/supervision/dashboard/",
        *_statement_urls(user),
    ]
    if user.is_bureau:
        urls.append("/settlement/periods/")
        code = (
            CaseRecord.objects.order_by("institution_id")
            .values_list("institution__code", flat=True)
            .first()
        )
        setl_id = CaseRecord.objects.order_by("-id").values_list("setl_id", flat=True).first()
        urls += [
            f"/settlement/cases/?institution={code}",
            f"/api/v1/cases/?fixmedins_code={code}",
            f"/settlement/cases/?q={setl_id}",
        ]
    return urls


def _measure(client, url: str, repeat: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log keeps 9,000 queries: past that, a capture would count none
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code  # warm, and the query count
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "status": status,
        "queries": len(queries),
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
    }


def bench_pages(args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from demo.services import demo_generate
    from settlement.models import CaseRecord

    started = time.perf_counter()
    if not (args.existing and CaseRecord.objects.exists()):
        demo_generate(actor="bench", seed=args.seed, years=2, cases_per_year=args.cases)
    if (
        connection.vendor == "postgresql"
    ):  # what autovacuum does after a load: statistics, visibility map
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    rows = CaseRecord.objects.count()
    print(f"setup (not timed) {time.perf_counter() - started:.0f} s; {rows:,} cases")
    worst, slow = 0.0, []
    measured = time.perf_counter()
    for username in ["officer", "hospital", "admin"]:
        user = User.objects.get(username=username)
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        print(f"\n{username}: {'url':<62} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for url in _urls(user):
            figures = _measure(client, url, args.repeat)
            shown = url if len(url) <= 62 else url[:59] + "..."
            print(
                f"{'':>{len(username) + 1}} {shown:<62} {figures['status']:>6} {figures['queries']:>7} "
                f"{figures['p50']:>8.1f} {figures['p95']:>8.1f}"
            )
            worst = max(worst, figures["p95"])
            if figures["p95"] >= TARGET_P95_MS or figures["status"] != 200:
                slow.append(f"{username} {url}")
    print(
        f"\nworst p95 {worst:.1f} ms; over {TARGET_P95_MS} ms or not 200: {', '.join(slow) or 'none'}\n"
    )
    return {"rows": rows, "total": time.perf_counter() - measured}


PAGES_SUBCOMMAND = (
    bench_pages,
    "list pages, API lists and dashboards on the 2-year demo: p50/p95 ms and queries, officer and hospital",
    [
        (
            ("--cases",),
            {"type": int, "default": 1_000_000, "help": "cases per year of the demo (2 years)"},
        ),
        (("--repeat",), {"type": int, "default": 20}),
        (("--seed",), {"type": int, "default": 20240101}),
        (
            ("--existing",),
            {
                "action": "store_true",
                "help": "measure the database DATABASE_URL names, not a scratch copy",
            },
        ),
    ],
)
