"""Annual assessment scoring (年度考核评分) — pure: a scheme's items and the year's supervision results in,
points per institution and item out. No ORM; Decimal throughout, each item's points rounded half-up to 0.01.

An item (考核项目) is worth ``weight`` points of 100 and is scored by its kind:

    metric     指标项   per month: full marks when the indicator ≤ the regional median, 0 at or above the
                        regional P90, linear in between; the item scores weight × the mean of its months
    deduction  扣分项   weight − per_finding × confirmed findings of the year (of ``rule``, or any), at least 0
    quality    数据质量 weight × the mean monthly data-quality score ÷ 100
    manual     人工评分 entered by the bureau (现场考核 …), between 0 and weight

Without data (no stored indicator month, no quality score) a computed item scores full marks: the
scheme penalises excess, and an institution with nothing to measure has shown none. The total is the
sum of the rounded items, so a breakdown always adds up to its total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from supervision import indicators

POINTS = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

METRIC, DEDUCTION, QUALITY, MANUAL = "metric", "deduction", "quality", "manual"
KINDS = {
    METRIC: "指标项（中位数满分，P90零分）",
    DEDUCTION: "扣分项（按确认违规扣分）",
    QUALITY: "数据质量",
    MANUAL: "人工评分",
}

ERR_WEIGHT_SUM = "各考核项目分值合计应为100分（当前{total}分）。"
ERR_WEIGHT_RANGE = "考核项目“{name}”的分值应大于0且不超过100。"
ERR_CODE_DUPLICATE = "考核项目编码“{code}”重复。"
ERR_NO_ITEMS = "考核方案至少需要一个考核项目。"
ERR_INDICATOR = "指标项“{name}”须选择一个监管指标。"
ERR_PER_FINDING = "扣分项“{name}”须填写大于0的每条扣分。"
ERR_KIND = "考核项目“{name}”的评分方式无效。"
ERR_MANUAL_RANGE = "人工评分应在0到{weight}分之间。"
NO_DATA = "无数据，按满分计"


@dataclass(frozen=True)
class Item:
    """考核项目 — one line of a scheme."""

    code: str
    name: str
    kind: str
    weight: Decimal
    indicator: str = ""  # metric: an ``supervision.indicators`` code
    per_finding: Decimal = ZERO  # deduction: points off per confirmed finding (每条扣分)
    rule: str = ""  # deduction: only findings of this rule; "" counts every rule

    def to_json(self) -> dict:
        return {**asdict(self), "weight": str(self.weight), "per_finding": str(self.per_finding)}

    @classmethod
    def from_json(cls, data: Mapping) -> Item:
        return cls(
            **{
                **data,
                "weight": Decimal(data["weight"]),
                "per_finding": Decimal(data.get("per_finding") or 0),
            }
        )


@dataclass(frozen=True)
class Month:
    """One stored indicator month of an institution: its value and the region's median and P90 that month."""

    value: Decimal
    median: Decimal | None
    p90: Decimal | None


@dataclass(frozen=True)
class ItemScore:
    institution: int
    code: str
    points: Decimal | None  # None: a manual item not entered yet
    basis: str


def points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A number as people write it: ``Decimal("10.00")`` → ``10``, ``Decimal("2.50")`` → ``2.5``."""
    return f"{value.normalize():f}"


def scheme_errors(items: Sequence[Item]) -> list[str]:
    """Why a scheme cannot be used, or an empty list: weights of 0–100 summing to 100, unique codes,
    each metric item with an indicator and each deduction item with its points per finding."""
    if not items:
        return [ERR_NO_ITEMS]
    errors = []
    codes = [item.code for item in items]
    errors += [
        ERR_CODE_DUPLICATE.format(code=code)
        for code in sorted({c for c in codes if codes.count(c) > 1})
    ]
    for item in items:
        if item.kind not in KINDS:
            errors.append(ERR_KIND.format(name=item.name))
        if not ZERO < item.weight <= HUNDRED:
            errors.append(ERR_WEIGHT_RANGE.format(name=item.name))
        if item.kind == METRIC and item.indicator not in indicators.BY_CODE:
            errors.append(ERR_INDICATOR.format(name=item.name))
        if item.kind == DEDUCTION and item.per_finding <= ZERO:
            errors.append(ERR_PER_FINDING.format(name=item.name))
    total = sum((item.weight for item in items), ZERO)
    if total != HUNDRED:
        errors.append(ERR_WEIGHT_SUM.format(total=plain(total)))
    return errors


def metric_fraction(month: Month) -> Decimal:
    """The share of an item's marks one month earns: 1 at or below the median, 0 at or above P90, linear between."""
    if month.median is None or month.value <= month.median:
        return Decimal(1)
    if month.p90 is None or month.p90 <= month.median or month.value >= month.p90:
        return ZERO
    return (month.p90 - month.value) / (month.p90 - month.median)


def metric_points(months: Sequence[Month], weight: Decimal) -> tuple[Decimal, str]:
    if not months:
        return points(weight), NO_DATA
    share = sum((metric_fraction(month) for month in months), ZERO) / len(months)
    above = sum(1 for month in months if month.median is not None and month.value > month.median)
    return points(
        weight * share
    ), f"{len(months)}个月平均得分率{points(share * HUNDRED)}%，{above}个月高于全区中位数"


def deduction_points(findings: int, per_finding: Decimal, weight: Decimal) -> tuple[Decimal, str]:
    return points(
        max(ZERO, weight - per_finding * findings)
    ), f"确认违规{findings}条，每条扣{plain(per_finding)}分"


def quality_points(scores: Sequence[Decimal], weight: Decimal) -> tuple[Decimal, str]:
    if not scores:
        return points(weight), NO_DATA
    mean = sum(scores, ZERO) / len(scores)
    return points(weight * mean / HUNDRED), f"{len(scores)}个月数据质量平均{points(mean)}分"


def manual_points(value: Decimal, weight: Decimal) -> Decimal:
    """An entered manual score, checked against the item's weight."""
    if not ZERO <= value <= weight:
        raise ValueError(ERR_MANUAL_RANGE.format(weight=plain(weight)))
    return points(value)


def score_institutions(
    items: Sequence[Item],
    institutions: Iterable[int],
    *,
    metrics: Iterable[tuple[int, str, Month]],
    findings: Iterable[tuple[int, str, int]],
    quality: Iterable[tuple[int, Decimal]],
    manual: Mapping[tuple[int, str], Decimal] | None = None,
) -> list[ItemScore]:
    """Every item of every institution. ``metrics``: (institution, indicator, Month) per stored month;
    ``findings``: (institution, rule, confirmed count); ``quality``: (institution, monthly score);
    ``manual``: points already entered, by (institution, item code) — kept, others stay None."""
    by_metric: dict[tuple[int, str], list[Month]] = defaultdict(list)
    for institution, code, month in metrics:
        by_metric[(institution, code)].append(month)
    by_rule: dict[tuple[int, str], int] = defaultdict(int)
    for institution, rule, count in findings:
        by_rule[(institution, rule)] += count
        by_rule[(institution, "")] += count
    by_quality: dict[int, list[Decimal]] = defaultdict(list)
    for institution, score in quality:
        by_quality[institution].append(score)
    manual = manual or {}
    scores = []
    for institution in institutions:
        for item in items:
            if item.kind == MANUAL:
                entered = manual.get((institution, item.code))
                scores.append(
                    ItemScore(
                        institution,
                        item.code,
                        entered,
                        "人工评分" if entered is not None else "待录入",
                    )
                )
                continue
            if item.kind == METRIC:
                earned, basis = metric_points(by_metric[(institution, item.indicator)], item.weight)
            elif item.kind == DEDUCTION:
                earned, basis = deduction_points(
                    by_rule[(institution, item.rule)], item.per_finding, item.weight
                )
            else:
                earned, basis = quality_points(by_quality[institution], item.weight)
            scores.append(ItemScore(institution, item.code, earned, basis))
    return scores


def total(item_points: Iterable[Decimal | None]) -> Decimal:
    """考核总分: the sum of the rounded item points (a missing manual item counts 0)."""
    return points(sum((p for p in item_points if p is not None), ZERO))


DEFAULT_SCHEME = [
    Item("COST", "住院次均费用控制", METRIC, Decimal(20), indicator="cost_per_stay"),
    Item("STAY", "平均住院日控制", METRIC, Decimal(15), indicator="avg_stay"),
    Item("READMIT", "15日内再入院率", METRIC, Decimal(10), indicator="readmission_rate"),
    Item("SELFPAY", "全自费比例控制", METRIC, Decimal(10), indicator="self_pay_share"),
    Item("VIOLATION", "违规行为（确认的监管发现）", DEDUCTION, Decimal(20), per_finding=Decimal(5)),
    Item("QUALITY", "结算清单数据质量", QUALITY, Decimal(15)),
    Item("ONSITE", "医保管理与协议履行（现场考核）", MANUAL, Decimal(10)),
]
