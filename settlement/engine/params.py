"""Settlement parameters (结算参数): one frozen dataclass, defaults from the domain spec §18.

Every value is configurable per region × year × category; the defaults are the spec's (and the
issue's) illustrative ones, several of them marked [L]/[K] there — local policy decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

ERR_DEVIATION_ORDER = "偏差判定标准应满足：0 ≤ 低倍率 < 高倍率 ≤ 极端倍率。"


class Kind(StrEnum):
    """Payment method of the case's catalog (付费方式)."""

    DIP = "DIP"
    DRG = "DRG"
    APG = "APG"


class Deviation(StrEnum):
    """偏差类型 of a case."""

    NORMAL = "normal"  # 正常病例
    LOW = "low"  # 费用极低病例
    HIGH = "high"  # 费用极高病例
    EXTREME = "extreme"  # 极端异常病例: expert review (专家评议), paid provisionally as high


class SpecialOutcome(StrEnum):
    """Outcome of an approved special-case review (特例单议结果)."""

    NONE = ""
    FFS = "ffs"  # 按项目付费: points = cost ÷ base × scale
    POINTS = "points"  # 调整分值: the approved points replace the formula


class Basis(StrEnum):
    """Point-value basis (点值口径)."""

    TOTAL_COST = "total_cost"  # 总费用口径: (fund pool ÷ reimbursement ratio) ÷ points
    FUND = "fund"  # 基金口径: fund pool ÷ points


class AdvanceVariant(StrEnum):
    """Monthly advance (月度预付) variants of spec §12."""

    BUDGET_SHARE = "A"  # 按月度预算占比
    ACTUAL = "B"  # 按实际记账统筹金额
    POINTS = "C"  # 按点数 × 预算点值 − 个人负担


@dataclass(frozen=True)
class DeviationRule:
    """Deviation thresholds of one payment method (偏差病例判定标准), ratios of case cost to group mean.

    ``ratio <= low`` is low; ``ratio >= high`` is high, paid ``(ratio − high + 1) × score``;
    ``ratio >= extreme`` is extreme: flagged for review and paid provisionally as high.
    ``high_by_level`` overrides ``high`` per institution level (DRG: 3× at tertiary, 2× elsewhere).
    """

    low: Decimal = Decimal("0.5")
    high: Decimal = Decimal("2")
    extreme: Decimal = Decimal("5")
    high_by_level: Mapping[int, Decimal] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        highs = [self.high, *self.high_by_level.values()]
        if not all(0 <= self.low < high <= self.extreme for high in highs):
            raise ValueError(ERR_DEVIATION_ORDER)

    def high_for(self, level: int) -> Decimal:
        return self.high_by_level.get(level, self.high)


@dataclass(frozen=True)
class SurplusBand:
    """结余留用: when ``ratio < below`` (first band that matches), pay actual + ``share`` × surplus.

    ``cap`` limits the retained share to a fraction of the amount due (quota-era rule: 3 %).
    """

    below: Decimal
    share: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class OverspendSlice:
    """合理超支分担: the fund pays ``share`` of the overspend between the previous slice and ``upto`` × due."""

    upto: Decimal
    share: Decimal


@dataclass(frozen=True)
class SharingRule:
    """Clearing tiers (清算分档). Default: < 70 % actual + 60 % of surplus; 70–100 % due;
    100–110 % due + 50 % of overspend (from the adjustment fund); > 110 % only the 100–110 % slice."""

    surplus: tuple[SurplusBand, ...] = (
        SurplusBand(Decimal("0.70"), Decimal("0.60")),
        SurplusBand(Decimal("1.00"), Decimal("1")),
    )
    overspend: tuple[OverspendSlice, ...] = (OverspendSlice(Decimal("1.10"), Decimal("0.50")),)
    review_below: Decimal = Decimal("0.70")  # flag possible under-service (低标入院/服务不足)


def _default_scales() -> Mapping[Kind, int]:
    return MappingProxyType({Kind.DIP: 1000, Kind.DRG: 100, Kind.APG: 100})


def _default_deviation() -> Mapping[Kind, DeviationRule]:
    return MappingProxyType(
        {
            Kind.DIP: DeviationRule(),
            Kind.DRG: DeviationRule(high_by_level=MappingProxyType({3: Decimal("3")})),
            Kind.APG: DeviationRule(),
        }
    )


@dataclass(frozen=True)
class SettlementParams:
    """All parameters of one settlement computation (region × year × category)."""

    scales: Mapping[Kind, int] = field(default_factory=_default_scales)  # 分值/点数 scale K
    deviation: Mapping[Kind, DeviationRule] = field(default_factory=_default_deviation)
    grassroots_coefficient: Decimal = Decimal("1")  # 基层病种: no level coefficient
    basis: Basis = Basis.TOTAL_COST
    deposit_rate: Decimal = Decimal("0.05")  # 保证金 withheld from monthly advances
    quarterly_deposit_rate: Decimal = Decimal("0.05")  # withheld again at quarterly pre-settlement
    advance_variant: AdvanceVariant = AdvanceVariant.ACTUAL
    sharing: SharingRule = field(default_factory=SharingRule)
    # 偏差比舍入: None compares and multiplies the exact ratio (the policy texts); a bureau whose rule
    # rounds the ratio first sets the places (half-up) used for banding and the deviation factor.
    ratio_places: int | None = None

    def scale(self, kind: str) -> int:
        return self.scales[Kind(kind)]


DEFAULT_PARAMS = SettlementParams()
