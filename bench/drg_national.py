"""The national CHS-DRG 1.1 rules (issue 17 item 5): load, compile, group.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/run.py drg_national --cases 1000000

In the scratch database: ``load`` = ``drg_rule_set_load_national`` (read the shipped files, check, store,
golden cases, submit, publish); ``compile`` = reading the published set back and compiling it (cold), then
``compile_cached`` (the per-process cache every later call hits); ``group`` = ``drg_group`` alone on
``--cases`` cases drawn from the national lists (main diagnoses of the MDCs, procedures of the ADRGs, CCs,
sex, newborn ages and weights; ``--pool N``: from N diagnoses and N procedures, as a region's case mix repeats); ``5000_cold`` / ``5000_warm`` = 5,000 of those cases including reading
and compiling the rules (cold) or with the compiled rules cached (warm).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def national_cases(rules, n: int, seed: int, pool: int = 0) -> pd.DataFrame:
    """Cases drawn from the rule lists: each main diagnosis from an MDC list, half with a procedure of an ADRG;
    ``pool`` > 0 draws them from that many codes only (a region's case mix repeats), 0 from every code."""
    rng = np.random.default_rng(seed)
    diagnoses = rules.mdc_diagnoses["diag_code"].to_numpy(dtype=object)
    procedures = rules.adrg_procedures["proc_code"].to_numpy(dtype=object)
    if pool:
        diagnoses, procedures = rng.choice(diagnoses, size=pool), rng.choice(procedures, size=pool)
    ccs = rules.cc["diag_code"].to_numpy(dtype=object)
    others = np.array(
        [";".join(rng.choice(ccs, size=k)) for k in rng.integers(0, 4, size=5000)], dtype=object
    )
    newborn = rng.random(n) < 0.02
    return pd.DataFrame(
        {
            "maindiag_code": rng.choice(diagnoses, size=n),
            "otherdiag_codes": rng.choice(others, size=n),
            "main_oprn_oprt_code": np.where(
                rng.random(n) < 0.5, rng.choice(procedures, size=n), ""
            ),
            "other_oprn_oprt_codes": "",
            "gend": rng.choice(["1", "2"], size=n),
            "age": np.where(newborn, 0, rng.integers(1, 90, size=n)),
            "nwb_age": np.where(newborn, rng.integers(0, 28, size=n), np.nan),
            "nwb_bir_wt": np.where(newborn, rng.integers(900, 4000, size=n), np.nan),
        }
    )


def bench_drg_national(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model

    from catalogs.drg import grouper as drg_grouper
    from catalogs.drg import selectors
    from catalogs.drg.services import drg_rule_set_load_national
    from catalogs.models import Region

    region = Region.objects.create(code="370800", name="基准统筹区")
    users = get_user_model().objects
    officer, admin = (
        users.create_user(username="bench_officer"),
        users.create_superuser(username="bench_admin"),
    )
    started = time.perf_counter()
    rule_set = drg_rule_set_load_national(officer=officer, admin=admin, region=region, year=2024)
    load = time.perf_counter() - started

    started = time.perf_counter()
    rules = selectors.drg_rules_of(rule_set)
    compile_cold = time.perf_counter() - started
    started = time.perf_counter()
    selectors.drg_rules_of(rule_set)
    compile_cached = time.perf_counter() - started

    cases = national_cases(rules, args.cases, args.seed, args.pool)
    small = cases.iloc[:5000].reset_index(drop=True)
    drg_grouper.drg_group(small, rules)  # warm-up (imports, first-call costs)
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = drg_grouper.drg_group(cases, rules)
        best = min(best, time.perf_counter() - started)
    shares = result["trace"].value_counts(normalize=True)
    print(
        f"  group: {len(cases):,} cases in {best:.2f} s = {len(cases) / best:,.0f} cases/s; "
        + ", ".join(f"{trace} {share:.1%}" for trace, share in shares.items() if share > 0),
        flush=True,
    )

    selectors._COMPILED.clear()
    started = time.perf_counter()
    drg_grouper.drg_group(small, selectors.drg_rules_of(rule_set))
    cold = time.perf_counter() - started
    started = time.perf_counter()
    drg_grouper.drg_group(small, selectors.drg_rules_of(rule_set))
    warm = time.perf_counter() - started
    return {
        "rows": len(cases),
        "load": load,
        "compile": compile_cold,
        "compile_cached": compile_cached,
        "group": best,
        "5000_cold": cold,
        "5000_warm": warm,
        "total": best,
    }


DRG_NATIONAL_SUBCOMMAND = (
    bench_drg_national,
    "the national CHS-DRG 1.1 rules: load on the database, compile (cold / cached), group",
    [
        (("--cases",), {"type": int, "default": 1_000_000}),
        (("--seed",), {"type": int, "default": 17}),
        (("--repeat",), {"type": int, "default": 3}),
        (("--pool",), {"type": int, "default": 0}),
    ],
)
