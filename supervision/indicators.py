"""Supervision indicators (监管指标) per institution × month — pure: a pandas frame of cases in, a frame out.

Input, one row per case (money as int64 **fen**, so sums are exact):

    institution, year, month            who and which settlement month
    med_type                            "14" = outpatient chronic/special (门诊慢特病); anything else is a stay
    psn_no, adm_time, dscg_time         the patient and the stay (datetimes; NaT for outpatient rows)
    act_ipt_days, dscg_way              length of stay; 1 医嘱离院, 2 医嘱转院, 3 转社区/乡镇卫生院, 4 非医嘱离院, 5 死亡
    days_rinp_flag_31                   "2" = a planned readmission (计划再入院): never counted as a readmission
    medfee, psn_part, fulamt_ownpay, fee_exam, fee_drug, fee_material      fen

Output, one row per (institution, year, month), the indicators of ``INDICATORS``. Counts are ints, money
is ``Decimal`` to the fen (half-up), shares and rates are ``Decimal`` to 4 places (half-up) — computed
from the integer sums, never from floats. Stay indicators are over stays only; an institution-month
with no stays has ``None`` there, not zero.

A readmission (再入院) is a stay of the same patient at the same institution admitted within
``readmission_days`` (default 15) of an earlier discharge, not flagged planned; it counts against the
month of the earlier discharge (the stay that was "followed by" a readmission).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from config.lazy import numpy as np
from config.lazy import pandas as pd

FEN = Decimal("0.01")
RATE = Decimal("0.0001")
ROUNDING = ROUND_HALF_UP
OUTPATIENT_MED_TYPE = "14"
TRANSFER_WAYS = ("2", "3")
DEATH_WAY = "5"
PLANNED_READMISSION = "2"
KEYS = ["institution", "year", "month"]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: str  # count | money | rate | days


INDICATORS = [
    Indicator("cases", "结算人次", "count"),
    Indicator("stays", "住院人次", "count"),
    Indicator("cost_per_case", "次均费用（元）", "money"),
    Indicator("cost_per_stay", "住院次均费用（元）", "money"),
    Indicator("avg_stay", "平均住院日", "days"),
    Indicator("readmission_rate", "15日内再入院率", "rate"),
    Indicator("transfer_out_rate", "转院率", "rate"),
    Indicator("deaths", "死亡人数", "count"),
    Indicator("personal_share", "个人负担比例", "rate"),
    Indicator("self_pay_share", "全自费比例", "rate"),
    Indicator("exam_share", "检查费占比", "rate"),
    Indicator("drug_share", "药品费占比", "rate"),
    Indicator("material_share", "耗材费占比", "rate"),
    Indicator("cases_growth", "人次同比增长率", "rate"),
    Indicator("cost_growth", "费用同比增长率", "rate"),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def _ratio(numerator: int, denominator: int, unit: Decimal = RATE) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(int(numerator)) / Decimal(int(denominator))).quantize(unit, rounding=ROUNDING)


def _fen_mean(total_fen: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(int(total_fen)) / Decimal(int(count)) / 100).quantize(FEN, rounding=ROUNDING)


def readmissions(cases: pd.DataFrame, *, days: int = 15) -> pd.Series:
    """For each stay, whether the same patient was readmitted to the same institution within ``days`` of
    its discharge by a stay not flagged planned. Indexed like ``cases``; False for outpatient rows."""
    stays = cases[cases["med_type"] != OUTPATIENT_MED_TYPE]
    followed = pd.Series(False, index=cases.index)
    if stays.empty:
        return followed
    ordered = stays.sort_values(["institution", "psn_no", "adm_time", "dscg_time"], kind="stable")
    same = (ordered["institution"].shift(-1) == ordered["institution"]) & (
        ordered["psn_no"].shift(-1) == ordered["psn_no"]
    )
    gap = ordered["adm_time"].shift(-1) - ordered["dscg_time"]
    unplanned = ordered["days_rinp_flag_31"].shift(-1) != PLANNED_READMISSION
    hit = same & unplanned & (gap >= pd.Timedelta(0)) & (gap <= pd.Timedelta(days=days))
    followed.loc[ordered.index] = hit.fillna(False).astype(bool).to_numpy()
    return followed


def indicators_by_month(cases: pd.DataFrame, *, readmission_days: int = 15) -> pd.DataFrame:
    """The indicators of every (institution, year, month) present in ``cases``, with year-on-year growth
    against the same month a year earlier when that month is present too."""
    frame = cases.copy()
    stay = (frame["med_type"] != OUTPATIENT_MED_TYPE).to_numpy()
    frame["stay"] = stay
    frame["stay_days"] = np.where(stay, frame["act_ipt_days"].fillna(0).astype("int64"), 0)
    frame["transfer"] = stay & frame["dscg_way"].isin(TRANSFER_WAYS).to_numpy()
    frame["death"] = stay & (frame["dscg_way"] == DEATH_WAY).to_numpy()
    frame["readmitted"] = readmissions(frame, days=readmission_days).to_numpy()
    frame["stay_fee"] = np.where(stay, frame["medfee"], 0)
    sums = frame.groupby(KEYS, sort=True).agg(
        cases=("medfee", "size"),
        stays=("stay", "sum"),
        medfee=("medfee", "sum"),
        stay_fee=("stay_fee", "sum"),
        stay_days=("stay_days", "sum"),
        transfers=("transfer", "sum"),
        deaths=("death", "sum"),
        readmitted=("readmitted", "sum"),
        psn_part=("psn_part", "sum"),
        self_pay=("fulamt_ownpay", "sum"),
        exam=("fee_exam", "sum"),
        drug=("fee_drug", "sum"),
        material=("fee_material", "sum"),
    )
    previous = {(i, y + 1, m): (row.cases, row.medfee) for (i, y, m), row in sums.iterrows()}
    rows = []
    for (institution, year, month), s in sums.iterrows():
        last = previous.get((institution, year, month))
        rows.append(
            {
                "institution": institution,
                "year": int(year),
                "month": int(month),
                "cases": int(s.cases),
                "stays": int(s.stays),
                "cost_per_case": _fen_mean(s.medfee, s.cases),
                "cost_per_stay": _fen_mean(s.stay_fee, s.stays),
                "avg_stay": _ratio(s.stay_days, s.stays, Decimal("0.01")),
                "readmission_rate": _ratio(s.readmitted, s.stays),
                "transfer_out_rate": _ratio(s.transfers, s.stays),
                "deaths": int(s.deaths),
                "personal_share": _ratio(s.psn_part, s.medfee),
                "self_pay_share": _ratio(s.self_pay, s.medfee),
                "exam_share": _ratio(s.exam, s.medfee),
                "drug_share": _ratio(s.drug, s.medfee),
                "material_share": _ratio(s.material, s.medfee),
                "cases_growth": _ratio(s.cases - last[0], last[0]) if last else None,
                "cost_growth": _ratio(s.medfee - last[1], last[1]) if last else None,
            }
        )
    return pd.DataFrame(rows, columns=KEYS + [indicator.code for indicator in INDICATORS])


def regional_benchmarks(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per (year, month) and indicator: the region's median and 90th percentile over the institutions
    that have a value (linear interpolation between order statistics, as Excel's PERCENTILE.INC), as
    ``Decimal`` with the indicator's precision."""
    rows = []
    for (year, month), month_rows in indicators.groupby(["year", "month"], sort=True):
        for indicator in INDICATORS:
            values = sorted(
                v for v in month_rows[indicator.code] if v is not None and not pd.isna(v)
            )
            if not values:
                continue
            unit = {"money": FEN, "days": Decimal("0.01"), "rate": RATE, "count": Decimal("0.01")}[
                indicator.kind
            ]
            rows.append(
                {
                    "year": int(year),
                    "month": int(month),
                    "indicator": indicator.code,
                    "median": _percentile(values, Decimal("0.5")).quantize(unit, rounding=ROUNDING),
                    "p90": _percentile(values, Decimal("0.9")).quantize(unit, rounding=ROUNDING),
                }
            )
    return pd.DataFrame(rows, columns=["year", "month", "indicator", "median", "p90"])


def _percentile(ordered: list, q: Decimal) -> Decimal:
    """PERCENTILE.INC over an ascending list, exactly in Decimal."""
    values = [Decimal(v) if not isinstance(v, Decimal) else v for v in ordered]
    position = (len(values) - 1) * q
    lower = int(position)
    fraction = position - lower
    if lower + 1 >= len(values):
        return values[-1]
    return values[lower] + (values[lower + 1] - values[lower]) * fraction
