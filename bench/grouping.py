"""Grouping benchmarks (issue 5): the DIP grouper and the CHS-DRG grouper on a generated demo year, in memory.

    DATABASE_URL=sqlite:///var/h_bench.sqlite3 .venv/bin/python bench/run.py grouping --cases 1000000

The year is generated with demo.domain (not timed), a DIP group table is derived from it with
``dip_groups_from_cases`` (combinations with >= 15 cases are core groups, the rest fall to comprehensive
groups per category x treatment type; not timed; ``--core-min`` raises the threshold so that more cases
take the fallback), then ``dip_group`` and ``drg_group`` (demo rule set in
catalogs/data/drg/) are timed on the whole frame, inpatient and outpatient rows alike; each figure is the
best of ``--repeat`` runs, and ``total`` is DIP + DRG.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from catalogs.dip.grouper import (
    COMPREHENSIVE,
    TREATMENT_TYPES,
    codes_factorized,
    procedure_treatment,
)

COLUMNS = [
    "institution_code",
    "med_type",
    "age",
    "maindiag_code",
    "otherdiag_codes",
    "main_oprn_oprt_code",
    "medfee_sumamt",
]


def dip_groups_from_cases(
    cases: pd.DataFrame, procedure_types, *, min_cases: int = 15
) -> pd.DataFrame:
    """A DIP group table (catalogs.dip.grouper contract) from one year of cases: core when a (main diagnosis, main
    procedure) combination has >= ``min_cases`` cases, otherwise a comprehensive group per category x treatment type."""
    combos = (
        cases.groupby(["maindiag_code", "main_oprn_oprt_code"], observed=True)
        .size()
        .rename("n")
        .reset_index()
    )
    combos = combos[combos["maindiag_code"].astype(str).str.strip() != ""]
    core = combos[combos["n"] >= min_cases]
    rest = combos[combos["n"] < min_cases]
    proc_pos, procs = codes_factorized(rest["main_oprn_oprt_code"])
    treatment = procedure_treatment(procs, procedure_types)[proc_pos]
    rest = rest.assign(diag_code=rest["maindiag_code"].astype(str).str[:3], treatment=treatment)
    rest = rest[rest["treatment"] >= 0].drop_duplicates(["diag_code", "treatment"])
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "code": [f"D{n:05d}" for n in range(len(core))],
                    "diag_code": core["maindiag_code"].to_numpy(),
                    "proc_code": core["main_oprn_oprt_code"].to_numpy(),
                    "group_type": "core",
                    "treatment_type": "",
                }
            ),
            pd.DataFrame(
                {
                    "code": [f"Z{n:05d}" for n in range(len(rest))],
                    "diag_code": rest["diag_code"].to_numpy(),
                    "proc_code": "",
                    "group_type": COMPREHENSIVE,
                    "treatment_type": [TREATMENT_TYPES[t] for t in rest["treatment"]],
                }
            ),
        ],
        ignore_index=True,
    )


def bench_grouping(args: argparse.Namespace) -> dict:
    from catalogs.dip.grouper import dip_group
    from catalogs.drg.grouper import drg_group, drg_rules_load
    from demo.domain import DATA_DIR, institutions_frame, year_chunks

    started = time.perf_counter()
    institutions = institutions_frame(region_code="371900", city="泗河市")
    chunks = year_chunks(seed=args.seed, year=2024, n_cases=args.cases, institutions=institutions)
    cases = pd.concat([chunk[COLUMNS] for chunk in chunks], ignore_index=True)
    procedure_types = pd.read_csv(DATA_DIR / "procedures.csv", dtype=str).set_index("code")[
        "treatment_type"
    ]
    groups = dip_groups_from_cases(cases, procedure_types, min_cases=args.core_min)
    rules = drg_rules_load()
    prepared = time.perf_counter() - started
    print(
        f"  generated {len(cases):,} cases and {len(groups):,} DIP groups "
        f"({(groups['group_type'] == 'core').sum():,} core) in {prepared:.1f} s (not timed)",
        flush=True,
    )

    dip_seconds, dip_result = _best_of(
        args.repeat, lambda: dip_group(cases, groups, procedure_types)
    )
    drg_seconds, drg_result = _best_of(
        args.repeat, lambda: drg_group(cases, rules, procedure_types)
    )
    for name, seconds, result in [
        ("DIP", dip_seconds, dip_result),
        ("DRG", drg_seconds, drg_result),
    ]:
        shares = result["trace"].value_counts(normalize=True)
        print(
            f"  {name}: {len(cases):,} cases in {seconds:.2f} s = {len(cases) / seconds:,.0f} cases/s; "
            + ", ".join(f"{trace} {share:.1%}" for trace, share in shares.items() if share > 0),
            flush=True,
        )
    # rows/s printed by bench/run.py is then the rate of grouping each case with both groupers.
    return {
        "rows": len(cases),
        "dip": dip_seconds,
        "drg": drg_seconds,
        "total": dip_seconds + drg_seconds,
    }


def _best_of(repeat: int, run) -> tuple[float, pd.DataFrame]:
    """The fastest of ``repeat`` runs, and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


GROUPING_SUBCOMMAND = (
    bench_grouping,
    "DIP and DRG grouping of a generated demo year, in memory",
    [
        (("--cases",), {"type": int, "default": 1_000_000}),
        (("--seed",), {"type": int, "default": 20240101}),
        (("--repeat",), {"type": int, "default": 3}),
        (("--core-min",), {"type": int, "default": 15}),
    ],
)
