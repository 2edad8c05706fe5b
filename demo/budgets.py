"""The demo region's annual budgets, sized from its own case data — pure: Decimals in, budget inputs out.

For each year and scheme the demo compiles the budget a bureau would have compiled, so that the
point-method pools are in the order of the cases settlement will divide them over:

- categories: 门诊慢特病 APG = that year's chronic-outpatient fund payments (med_type 14), rounded to
  万元; 住院 DIP/DRG takes the remainder of the pool (its target is ``INPATIENT_COVER`` of the
  inpatient fund payments, so the point value comes out a little below 1, as it usually does);
- carve-outs, per scheme: general outpatient and critical-illness insurance per capita over the
  enrolment, off-site/manual and other payment methods forecast from a base proportional to the pool;
- income = (pool + carve-outs) / (1 − reserve rate), rounded up to 万元, so that the reserve is the
  default 10 % and the DIP remainder lands on its target within rounding;
- phasing: by the previous year's monthly fund payments when the demo has that year, else equal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from budgets.choices import LineMethod, PhasingMethod
from budgets.domain import DEFAULT_RESERVE_RATE, LineInput

TEN_THOUSAND = Decimal("10000")
INPATIENT_COVER = Decimal("0.97")
#: Per scheme: inpatient fund spend per enrolee (yuan/year), general outpatient and critical-illness per capita.
SCHEME_PARAMETERS = {
    "310": {
        "spend_per_enrolee": Decimal("1100"),
        "gp_per_capita": Decimal("100.00"),
        "ci_per_capita": Decimal("60.00"),
    },
    "390": {
        "spend_per_enrolee": Decimal("450"),
        "gp_per_capita": Decimal("80.00"),
        "ci_per_capita": Decimal("65.00"),
    },
}
OFFSITE_BASE_SHARE, OFFSITE_GROWTH = Decimal("0.08"), Decimal("0.05")
OTHER_BASE_SHARE, OTHER_GROWTH = Decimal("0.05"), Decimal("0.03")


@dataclass(frozen=True)
class DemoBudget:
    income: LineInput
    carve_outs: tuple[LineInput, ...]
    categories: tuple[LineInput, ...]
    phasing_method: str
    phasing_weights: tuple[Decimal, ...]


def _wan(amount: Decimal, rounding=ROUND_HALF_UP) -> Decimal:
    """Round to 万元 (10,000 yuan), as budgets are compiled."""
    return (
        (amount / TEN_THOUSAND).quantize(Decimal(1), rounding=rounding) * TEN_THOUSAND
    ).quantize(Decimal("0.01"))


def demo_budget(
    *,
    scheme: str,
    inpatient_fund: Decimal,
    chronic_fund: Decimal,
    last_year_months: Sequence[Decimal] = (),
) -> DemoBudget:
    """The budget inputs of one scheme-year from its fund payments (inpatient and chronic outpatient)."""
    params = SCHEME_PARAMETERS[scheme]
    apg = _wan(chronic_fund)
    dip_target = _wan(inpatient_fund * INPATIENT_COVER)
    pool = apg + dip_target
    enrolees = (
        int(
            (inpatient_fund / params["spend_per_enrolee"]).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
        or 1
    )
    carve_outs = (
        LineInput(
            "GP",
            "普通门诊统筹",
            method=LineMethod.PER_CAPITA,
            per_capita=params["gp_per_capita"],
            count=enrolees,
        ),
        LineInput(
            "OFFSITE",
            "异地联网结算和零星报销",
            method=LineMethod.GROWTH,
            base=_wan(pool * OFFSITE_BASE_SHARE),
            rate=OFFSITE_GROWTH,
        ),
        LineInput(
            "OTHER",
            "其他付费方式（透析、单病种、床日）",
            method=LineMethod.GROWTH,
            base=_wan(pool * OTHER_BASE_SHARE),
            rate=OTHER_GROWTH,
        ),
        LineInput(
            "CI",
            "大病保险",
            method=LineMethod.PER_CAPITA,
            per_capita=params["ci_per_capita"],
            count=enrolees,
        ),
    )
    carved = params["gp_per_capita"] * enrolees + params["ci_per_capita"] * enrolees
    carved += pool * (
        OFFSITE_BASE_SHARE * (1 + OFFSITE_GROWTH) + OTHER_BASE_SHARE * (1 + OTHER_GROWTH)
    )
    income = _wan((pool + carved) / (1 - DEFAULT_RESERVE_RATE), rounding=ROUND_CEILING)
    categories = (
        LineInput("APG", "门诊慢特病（APG）", method=LineMethod.AMOUNT, amount=apg),
        LineInput("DIP", "住院（DIP/DRG）", method=LineMethod.REMAINDER),
    )
    weights = (
        tuple(last_year_months) if len(last_year_months) == 12 and sum(last_year_months) > 0 else ()
    )
    return DemoBudget(
        income=LineInput(
            "INCOME", "统筹基金收入（不含利息）", method=LineMethod.AMOUNT, amount=income
        ),
        carve_outs=carve_outs,
        categories=categories,
        phasing_method=PhasingMethod.PATTERN if weights else PhasingMethod.EQUAL,
        phasing_weights=weights,
    )


def fund_by_scheme_year(rows: Sequence[Mapping]) -> dict[tuple[int, str], dict]:
    """Fold ``(year, month, insutype, med_type, fund)`` aggregates into, per (year, scheme): the inpatient
    and chronic fund payments and the twelve monthly totals."""
    folded: dict[tuple[int, str], dict] = {}
    for row in rows:
        entry = folded.setdefault(
            (row["year"], row["insutype"]),
            {
                "inpatient": Decimal("0.00"),
                "chronic": Decimal("0.00"),
                "months": [Decimal("0.00")] * 12,
            },
        )
        fund = row["fund"] or Decimal("0.00")
        entry["chronic" if row["med_type"] == "14" else "inpatient"] += fund
        entry["months"][row["month"] - 1] += fund
    return folded
