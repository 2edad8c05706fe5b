"""What a catalog build from history takes and gives: its parameters (``HistoryConfig``, ``DipConfig``),
its results (``DipCatalog``, ``GroupResult``, ``SubtypeResult``), its Chinese errors (``DipError``) and
the quanta and rounding every result is stated in. Shared by the DIP, DRG and APG builds. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from catalogs.choices import ScoreMethod, TreatmentType

DEFAULT_WEIGHTS: dict[int, tuple[int, ...]] = {1: (1,), 2: (2, 8), 3: (1, 2, 7)}


ERR_COLUMNS = "病例数据缺少列：{columns}。"


ERR_NO_YEARS = "请至少选择一个测算年度。"


ERR_WEIGHTS = "年度权重个数（{weights}）与测算年度数（{years}）不一致。"


ERR_NO_DEFAULT_WEIGHTS = "{years}个测算年度没有默认权重，请指定年度权重。"


ERR_NEGATIVE_WEIGHT = "年度权重必须为非负数且合计大于零。"


ERR_NO_CASES = "所选年度没有可用于测算的病例。"


ERR_BENCHMARK = "基准病种 {code} 不在本次测算的病种中。"


ERR_FIXED = "标准定额法需要设置大于零的标准定额（元）。"


ERR_SCORE_METHOD = "未知的分值计算方法：{method}。"


class DipError(ValueError):
    """A catalog that cannot be built from these inputs; ``message`` is for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HistoryConfig:
    """The parameters every catalog build from history shares: look-back years, their weights (default
    1:2:7, 2:8 or 1 by the number of years) and the scale K. Stored with the version as build parameters."""

    years: tuple[int, ...] = ()
    weights: tuple[int, ...] = ()
    scale: Decimal = Decimal("1000")

    def year_weights(self) -> dict[int, int]:
        if not self.years:
            raise DipError(ERR_NO_YEARS)
        weights = self.weights or DEFAULT_WEIGHTS.get(len(self.years))
        if weights is None:
            raise DipError(ERR_NO_DEFAULT_WEIGHTS.format(years=len(self.years)))
        if len(weights) != len(self.years):
            raise DipError(ERR_WEIGHTS.format(weights=len(weights), years=len(self.years)))
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise DipError(ERR_NEGATIVE_WEIGHT)
        return dict(zip(sorted(self.years), weights, strict=True))

    def to_params(self) -> dict:
        """JSON-ready (Decimals as text) — what a catalog version stores as its build parameters."""
        return {
            key: (
                str(value)
                if isinstance(value, Decimal)
                else list(value)
                if isinstance(value, tuple)
                else value
            )
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_params(cls, params: Mapping):
        types = {f.name: str(f.type) for f in fields(cls)}
        values = {}
        for key, value in params.items():
            if key not in types:
                continue
            if isinstance(value, list | tuple):
                value = (
                    tuple(str(v).strip() for v in value)
                    if "str" in types[key]
                    else tuple(int(v) for v in value)
                )
            elif "Decimal" in types[key] and value is not None:
                value = Decimal(str(value))
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class DipConfig(HistoryConfig):
    """测算参数 (spec §18). ``tcm_codes`` and ``day_surgery_codes`` are the region's lists of 中医优势病种
    and 日间手术 (``special_flags``)."""

    core_threshold: int = 15
    score_method: str = ScoreMethod.AVERAGE
    benchmark_code: str = ""
    fixed_amount: Decimal | None = None
    aux_min_group_cases: int = 15
    aux_min_subtype_cases: int = 5
    aux_min_cv_reduction: Decimal = Decimal("0.20")
    aux_cv_gate: Decimal = Decimal("0.70")
    grassroots_min_share: Decimal = Decimal("0.50")
    grassroots_max_cv: Decimal = Decimal("0.70")
    unmapped_procedure_type: str = TreatmentType.THERAPEUTIC
    tcm_codes: tuple[str, ...] = ()
    day_surgery_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubtypeResult:
    """辅助分型 — one subtype of a core group and its coefficient (subtype mean / group mean)."""

    dimension: str
    key: str
    cases: int
    mean_cost: Decimal
    coefficient: Decimal


@dataclass(frozen=True)
class GroupResult:
    """One DIP group (病种) of the catalog."""

    code: str
    group_type: str
    diag_code: str
    proc_code: str
    treatment_type: str
    score: Decimal
    case_counts: dict[int, int]
    mean_cost: Decimal
    cv: Decimal
    level_means: dict[str, Decimal]
    grassroots_share: Decimal
    is_grassroots: bool
    subtypes: tuple[SubtypeResult, ...] = ()
    is_tcm: bool = False
    is_day_surgery: bool = False
    name: str = ""


@dataclass(frozen=True)
class DipCatalog:
    groups: tuple[GroupResult, ...]
    base: (
        Fraction  # M, yuan, exact: the scores' divisor and the fee-for-service points' (按项目付费)
    )
    weights: dict[int, int]
    unmapped_procedures: tuple[str, ...] = ()
    cases: int = 0

    @property
    def base_mean(self) -> Decimal:
        """M to the fen, for reading only (全部病例次均费用 shown on the catalog)."""
        return quantize(self.base, FEN)

    def by_code(self) -> dict[str, GroupResult]:
        return {group.code: group for group in self.groups}


SCORE_QUANTUM = Decimal("0.0001")


COEFFICIENT_QUANTUM = Decimal("0.0001")


CV_QUANTUM = Decimal("0.0001")


FEN = Decimal("0.01")


#: The one rounding rule of catalog results: half-up (四舍五入).
ROUNDING = ROUND_HALF_UP


def quantize(value: Fraction | Decimal | int, quantum: Decimal) -> Decimal:
    """Round an exact value half-up (四舍五入) to ``quantum`` — the one rounding of a result."""
    steps = Fraction(value) / Fraction(quantum)
    sign = -1 if steps < 0 else 1
    whole = math.floor(abs(steps) + Fraction(1, 2))
    return (Decimal(sign * whole) * quantum).quantize(quantum)
