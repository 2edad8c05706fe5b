"""Micro benchmark of the pure settlement engine (settlement/engine/): no database, no Django settings.

    .venv/bin/python bench/settlement_engine.py --cases 1000000 --institutions 500

Generates a synthetic region (not timed): DIP/DRG cases with group scores, same-level and group
mean costs, institution coefficients, grassroots groups, a few consortium members and approved
special cases. Then times each step of an annual settlement: case points, totals per booked
institution, point value and amounts, clearing, and the result hash. Prints seconds per step,
cases/s and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settlement.engine import result_hash  # noqa: E402
from settlement.engine.amounts import annual_settlement  # noqa: E402
from settlement.engine.clearing import clear_year  # noqa: E402
from settlement.engine.point_value import institution_totals  # noqa: E402
from settlement.engine.points import case_points  # noqa: E402

GROUPS = 6_000


def region_cases(cases: int, institutions: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """A synthetic year of cases in the engine's fixed-point columns, and the consortium leads."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"H{i:04d}" for i in range(institutions)], dtype=object)
    inst = rng.integers(0, institutions, cases)
    level = (inst % 3 + 1).astype(np.int64)
    group = rng.integers(0, GROUPS, cases)
    group_mean = rng.integers(200_000, 5_000_000, GROUPS)  # fen
    level_mean = group_mean[group] * (level + 8) // 10
    medfee = (level_mean * rng.lognormal(0, 0.45, cases)).astype(np.int64)
    fund = medfee * rng.integers(55, 80, cases) // 100
    special = rng.random(cases)
    frame = pd.DataFrame(
        {
            "institution": codes[inst],
            "kind": np.where(group % 4 == 0, "DRG", "DIP"),
            "level": level,
            "score_e4": np.where(group % 4 == 0, group_mean[group] // 100, group_mean[group] // 10),
            "aux_coef_e4": np.where(group % 7 == 0, 11_500, 10_000),
            "inst_coef_e4": (9_000 + (inst % 50) * 100).astype(np.int64),
            "grassroots": group % 10 == 1,
            "mean_fen": group_mean[group],
            "mean_level_fen": np.where(group % 5 == 0, 0, level_mean),
            "medfee_fen": medfee,
            "fund_fen": fund,
            "psn_part_fen": medfee - fund,
            "special_outcome": np.where(
                special < 0.001, "ffs", np.where(special < 0.0015, "points", "")
            ),
            "special_points_e4": np.where(special < 0.0015, 20_000_000, 0),
        }
    )
    leads = {codes[i]: codes[i - i % 10] for i in range(institutions - 50, institutions) if i % 10}
    return frame, leads


def timed(step: str, timings: dict[str, float], fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[step] = time.perf_counter() - start
    return result


def bench(cases: int, institutions: int, seed: int) -> dict:
    frame, leads = region_cases(cases, institutions, seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    points = timed("points", timings, case_points, frame, base_mean=Decimal("10000.00"))
    totals = timed("totals", timings, institution_totals, frame, points, leads)
    pool = (sum(totals["fund"], Decimal(0)) * Decimal("0.97")).quantize(Decimal("0.01"))
    settled = timed(
        "annual", timings, annual_settlement, totals, pool=pool, reserve_share=Decimal("1000000.00")
    )
    due = settled.institutions.assign(
        actual=settled.institutions["fund"],
        deposit=settled.institutions["fund"] * Decimal("0.05"),
        assessment_score=Decimal(95),
        paid_before=settled.institutions["fund"] * Decimal("0.95"),
    )
    clearing = timed("clearing", timings, clear_year, due, adjustment_fund=Decimal("5000000.00"))
    digest = timed("hash", timings, result_hash, points)
    timings["total"] = time.perf_counter() - start
    return {
        "timings": timings,
        "pv": settled.point_value,
        "institutions": len(clearing.institutions),
        "hash": digest,
        "deviations": points["deviation"].value_counts().to_dict(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--institutions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = bench(args.cases, args.institutions, args.seed)
    timings = result["timings"]
    for step, seconds in timings.items():
        print(f"{step + ' s':<12}{seconds:10.3f}")
    print(f"{'cases':<12}{args.cases:>10,}")
    print(f"{'cases/s':<12}{args.cases / timings['total']:>10,.0f}")
    print(
        f"{'peak memory':<12}{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>7,.0f} MB"
    )
    print(
        f"point value {result['pv']}  institutions {result['institutions']}  deviations {result['deviations']}"
    )
    print(f"result hash {result['hash']}")


if __name__ == "__main__":
    main()
