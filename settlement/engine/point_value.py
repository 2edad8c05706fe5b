"""Point value (点值), conversions of other payment methods to points, consortium booking.

- ``point_value``: settlement PV of a category. Total-cost basis (总费用口径, spec §8, Jilin art.31-32):
  ``PV = (fund pool ÷ r_fund) ÷ Σ points`` with ``r_fund = Σ fund_pay_sumamt ÷ Σ medfee_sumamt`` of
  the period's cases; fund basis (基金口径): ``PV = fund pool ÷ Σ points``. Computed exactly
  (fractions), rounded once to 6 decimals.
- ``budget_point_value``: the year-start forecast PV from time-weighted history (1:2:7).
- ``per_diem_points`` / ``capitation_points`` / ``ffs_points``: Jilin art.25, ``amount ÷ base × K``.
- ``book_to_lead`` / ``institution_totals``: members of a tight medical consortium (紧密型医共体)
  book their points to the lead institution (Jilin art.26); totals per booked institution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.engine.fixed import POINTS_PLACES, PV_PLACES, EngineError, quantize, unit_decimal
from settlement.engine.params import Basis

ERR_NO_POINTS = "有效点数合计为零，无法计算点值。"
ERR_NO_FUND = "统筹基金支付或医疗总费用合计为零，无法按总费用口径计算点值。"
ERR_NEGATIVE_POOL = "基金预算不能为负数。"
ERR_WEIGHTS = "历史年度数与权重数不一致。"
ERR_BASE = "全部病例次均费用必须大于零。"
ERR_LEAD_CHAIN = "医共体牵头机构 {code} 自身又属于另一医共体。"


def fund_ratio(fund_total: Decimal, medfee_total: Decimal) -> Fraction:
    """统筹基金报销比例 r_fund = Σ fund paid ÷ Σ total cost, exact."""
    if fund_total <= 0 or medfee_total <= 0:
        raise EngineError(ERR_NO_FUND)
    return Fraction(fund_total) / Fraction(medfee_total)


def point_value(
    pool: Decimal,
    points_total: Decimal,
    *,
    basis: Basis = Basis.TOTAL_COST,
    fund_total: Decimal | None = None,
    medfee_total: Decimal | None = None,
) -> Decimal:
    """结算点值 of one category, half-up to 6 decimals; a pool of 0 gives 0."""
    if pool < 0:
        raise EngineError(ERR_NEGATIVE_POOL)
    if points_total <= 0:
        raise EngineError(ERR_NO_POINTS)
    cost_pool = Fraction(pool)
    if basis == Basis.TOTAL_COST:
        cost_pool /= fund_ratio(Decimal(fund_total or 0), Decimal(medfee_total or 0))
    return quantize(cost_pool / Fraction(points_total), PV_PLACES)


def category_total(
    pool: Decimal,
    *,
    basis: Basis = Basis.TOTAL_COST,
    fund_total: Decimal | None = None,
    medfee_total: Decimal | None = None,
) -> Decimal:
    """The money the institutions' settlement amounts share (结算总额): the pool on the fund basis, the
    pool ÷ r_fund to the fen on the total-cost basis (decision of 2026-12-02, docs/settlement.md §3)."""
    if basis != Basis.TOTAL_COST:
        return Decimal(pool)
    return quantize(
        Fraction(pool) / fund_ratio(Decimal(fund_total or 0), Decimal(medfee_total or 0)), 2
    )


def time_weighted(values: Sequence[Decimal], weights: Sequence[int] = (1, 2, 7)) -> Fraction:
    """Σ wᵢ·vᵢ ÷ Σ wᵢ, oldest year first (DIP 1:2:7; Jining APG 2:8)."""
    if len(values) != len(weights):
        raise EngineError(ERR_WEIGHTS)
    return sum((Fraction(w) * Fraction(v) for v, w in zip(values, weights)), Fraction(0)) / sum(
        weights
    )


def budget_point_value(
    costs: Sequence[Decimal], points: Decimal, weights: Sequence[int] = (1, 2, 7)
) -> Decimal:
    """预算点值 = time-weighted total cost ÷ weighted points (spec §8, E6), 6 decimals."""
    if points <= 0:
        raise EngineError(ERR_NO_POINTS)
    return quantize(time_weighted(costs, weights) / Fraction(points), PV_PLACES)


def _to_points(amount: Fraction, base: Decimal | Fraction, scale: int) -> Decimal:
    if base <= 0:
        raise EngineError(ERR_BASE)
    return quantize(amount / Fraction(base) * scale, POINTS_PLACES)


def per_diem_points(standard: Decimal, days: int, *, base: Decimal, scale: int) -> Decimal:
    """床日: points per day = standard ÷ base × K (4 decimals); stay points = days × points per day."""
    return days * _to_points(Fraction(standard), base, scale)


def capitation_points(per_capita: Decimal, enrolees: int, *, base: Decimal, scale: int) -> Decimal:
    """人头: per-capita standard × enrolees ÷ base × K."""
    return _to_points(Fraction(per_capita) * enrolees, base, scale)


def ffs_points(cost: Decimal, *, base: Decimal | Fraction, scale: int) -> Decimal:
    """项目: actual priced cost ÷ base × K (also the special-case outcome 按项目付费). ``base`` is the
    catalog's all-case mean M exactly as its scores used it, not M rounded to the fen."""
    return _to_points(Fraction(cost), base, scale)


def book_to_lead(institutions: pd.Series, leads: Mapping[str, str] | None = None) -> pd.Series:
    """The institution each case is booked to: the consortium lead for members, else itself."""
    if not leads:
        return institutions
    if chained := sorted(set(leads.values()) & {m for m, lead in leads.items() if m != lead}):
        raise EngineError(ERR_LEAD_CHAIN.format(code=chained[0]))
    codes, uniques = pd.factorize(institutions, use_na_sentinel=False)
    booked = np.array([leads.get(code, code) for code in uniques], dtype=object)
    return pd.Series(booked[codes], index=institutions.index, name=institutions.name)


def institution_totals(
    cases: pd.DataFrame, points: pd.DataFrame, leads: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Per booked institution (sorted by code): cases, points, medfee, fund, psn_part as Decimal.

    ``cases`` needs ``institution``, ``medfee_fen``, ``fund_fen``, ``psn_part_fen``; ``points`` is
    the output of ``case_points`` for the same rows.
    """
    frame = pd.DataFrame(
        {
            "institution": book_to_lead(cases["institution"].astype(str), leads).to_numpy(),
            "points_e4": points["points_e4"].to_numpy(),
            **{
                col: cases[col].to_numpy(dtype=np.int64)
                for col in ("medfee_fen", "fund_fen", "psn_part_fen")
            },
        }
    )
    sums = frame.groupby("institution", sort=True).agg(
        cases=("points_e4", "size"),
        points_e4=("points_e4", "sum"),
        medfee_fen=("medfee_fen", "sum"),
        fund_fen=("fund_fen", "sum"),
        psn_part_fen=("psn_part_fen", "sum"),
    )
    return pd.DataFrame(
        {
            "institution": sums.index.to_numpy(dtype=object),
            "cases": sums["cases"].to_numpy(),
            "points": [unit_decimal(u, POINTS_PLACES) for u in sums["points_e4"]],
            **{
                name: [unit_decimal(u, 2) for u in sums[f"{name}_fen"]]
                for name in ("medfee", "fund", "psn_part")
            },
        }
    )
