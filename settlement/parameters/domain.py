"""The parameter schema (结算参数项) — pure: what a parameter set holds, its defaults, its validation,
and its translation into the engine's ``SettlementParams``.

A parameter set is stored flat (``{key: text}``), so that a form, an Excel sheet and the audit trail
all show the same list of labelled values. ``FIELDS`` is that list, in display order; the defaults
are those of ``settlement.engine.params`` (spec §18), per payment method where they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from settlement.engine.params import (
    DEFAULT_PARAMS,
    AdvanceVariant,
    Basis,
    DeviationRule,
    Kind,
    OverspendSlice,
    SettlementParams,
    SharingRule,
    SurplusBand,
)

DECIMAL, INTEGER, CHOICE = "decimal", "integer", "choice"
TERTIARY = 3
RATIO_EXACT = "exact"

CONFIRM_DAYS = 5  # the statement answer window (结算单确认期限) when a parameter set names none

ERR_REQUIRED = "必填。"
ERR_NUMBER = "应为数字。"
ERR_INTEGER = "应为整数。"
ERR_RANGE = "应在 {low} 到 {high} 之间。"
ERR_CHOICE = "可选值：{choices}。"
ERR_UNKNOWN_KEY = "不是结算参数项。"


@dataclass(frozen=True)
class ParamField:
    key: str
    label: str
    kind: str
    low: Decimal | None = None
    high: Decimal | None = None
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    help: str = ""


_RATE = {"low": Decimal(0), "high": Decimal(1)}
FIELDS: tuple[ParamField, ...] = (
    ParamField(
        "scale",
        "分值/点数标尺 K",
        INTEGER,
        Decimal(1),
        Decimal(100000),
        help="DIP 1000，DRG/APG 100",
    ),
    ParamField(
        "low_ratio",
        "费用极低判定倍率",
        DECIMAL,
        Decimal(0),
        Decimal(1),
        help="偏差比 ≤ 此值为费用极低病例，点数 = 偏差比 × 分值",
    ),
    ParamField(
        "high_ratio",
        "费用极高判定倍率",
        DECIMAL,
        Decimal(1),
        Decimal(20),
        help="偏差比 ≥ 此值为费用极高病例，点数 = (偏差比 − 倍率 + 1) × 分值",
    ),
    ParamField(
        "high_ratio_tertiary",
        "三级医院费用极高倍率",
        DECIMAL,
        Decimal(1),
        Decimal(20),
        optional=True,
        help="留空则与上一项相同；DRG 默认 3",
    ),
    ParamField(
        "extreme_ratio",
        "极端异常判定倍率",
        DECIMAL,
        Decimal(1),
        Decimal(50),
        help="偏差比 ≥ 此值转专家评议，暂按费用极高病例支付",
    ),
    ParamField(
        "ratio_rounding",
        "偏差比舍入",
        CHOICE,
        choices=(
            (RATIO_EXACT, "不舍入，按精确偏差比判定与计算"),
            ("4", "先四舍五入保留4位小数"),
            ("2", "先四舍五入保留2位小数"),
        ),
        help="政策按精确偏差比与判定倍率比较；仅当本地规则明文规定先舍入时选择舍入",
    ),
    ParamField(
        "grassroots_coefficient",
        "基层病种机构系数",
        DECIMAL,
        Decimal("0.5"),
        Decimal(2),
        help="基层病种不区分医院等级，默认 1",
    ),
    ParamField(
        "basis",
        "点值口径",
        CHOICE,
        choices=((Basis.TOTAL_COST.value, "总费用口径"), (Basis.FUND.value, "基金口径")),
    ),
    ParamField("deposit_rate", "月度预付保证金比例", DECIMAL, **_RATE),
    ParamField("quarterly_deposit_rate", "季度预结算保证金比例", DECIMAL, **_RATE),
    ParamField(
        "advance_variant",
        "月度预付方式",
        CHOICE,
        choices=(
            (AdvanceVariant.BUDGET_SHARE.value, "按月度预算占比"),
            (AdvanceVariant.ACTUAL.value, "按实际记账统筹金额"),
            (AdvanceVariant.POINTS.value, "按点数×预算点值−个人负担"),
        ),
    ),
    ParamField(
        "surplus_below",
        "结余留用分档线",
        DECIMAL,
        **_RATE,
        help="实际记账 ÷ 应付金额 低于此值：按实际 + 结余 × 留用比例",
    ),
    ParamField("surplus_share", "结余留用比例", DECIMAL, **_RATE),
    ParamField(
        "overspend_upto",
        "合理超支分担上限",
        DECIMAL,
        Decimal(1),
        Decimal(2),
        help="超支在此倍数以内按分担比例由调节金支付",
    ),
    ParamField("overspend_share", "合理超支分担比例", DECIMAL, **_RATE),
    ParamField(
        "confirm_days",
        "结算单确认期限（工作日）",
        INTEGER,
        Decimal(1),
        Decimal(60),
        optional=True,
        help=f"结算单公示后医疗机构确认或提出异议的工作日数（周一至周五，除节假日）；留空按 {CONFIRM_DAYS} 个工作日",
    ),
)
BY_KEY = MappingProxyType({field.key: field for field in FIELDS})


def choice_label(key: str, value: str) -> str:
    """The label of a choice parameter's value, as the form and the run's frozen inputs show it."""
    return dict(BY_KEY[key].choices).get(value, value)


def defaults(kind: str) -> dict[str, str]:
    """The default values of a parameter set for a payment method, as text."""
    kind = Kind(kind)
    rule = DEFAULT_PARAMS.deviation[kind]
    sharing = DEFAULT_PARAMS.sharing
    tertiary = rule.high_by_level.get(TERTIARY)
    return {
        "scale": str(DEFAULT_PARAMS.scales[kind]),
        "low_ratio": str(rule.low),
        "high_ratio": str(rule.high),
        "high_ratio_tertiary": str(tertiary) if tertiary is not None else "",
        "extreme_ratio": str(rule.extreme),
        "ratio_rounding": _rounding_text(DEFAULT_PARAMS.ratio_places),
        "grassroots_coefficient": str(DEFAULT_PARAMS.grassroots_coefficient),
        "basis": DEFAULT_PARAMS.basis.value,
        "deposit_rate": str(DEFAULT_PARAMS.deposit_rate),
        "quarterly_deposit_rate": str(DEFAULT_PARAMS.quarterly_deposit_rate),
        "advance_variant": DEFAULT_PARAMS.advance_variant.value,
        "surplus_below": str(sharing.surplus[0].below),
        "surplus_share": str(sharing.surplus[0].share),
        "overspend_upto": str(sharing.overspend[0].upto),
        "overspend_share": str(sharing.overspend[0].share),
        "confirm_days": str(CONFIRM_DAYS),
    }


def _rounding_text(places: int | None) -> str:
    return RATIO_EXACT if places is None else str(places)


def _rounding_places(text: str) -> int | None:
    return None if text == RATIO_EXACT else int(text)


def _parse(field: ParamField, text: str) -> tuple[Decimal | str | None, str]:
    text = (text or "").strip()
    if not text:
        return None, "" if field.optional else ERR_REQUIRED
    if field.kind == CHOICE:
        allowed = [value for value, _ in field.choices]
        return (
            (text, "")
            if text in allowed
            else (
                None,
                ERR_CHOICE.format(choices="、".join(f"{v} {label}" for v, label in field.choices)),
            )
        )
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None, ERR_NUMBER
    if not number.is_finite():
        return None, ERR_NUMBER
    if field.kind == INTEGER and number != number.to_integral_value():
        return None, ERR_INTEGER
    if (field.low is not None and number < field.low) or (
        field.high is not None and number > field.high
    ):
        return None, ERR_RANGE.format(low=field.low, high=field.high)
    return (number if field.kind == DECIMAL else number.to_integral_value()), ""


def validate(values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Normalised values (canonical text) and errors by key, in Chinese. Cross-field rules included:
    low < high ≤ extreme (both highs), surplus band below 1."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {key: ERR_UNKNOWN_KEY for key in values if key not in BY_KEY}
    parsed: dict[str, Decimal | str | None] = {}
    for field in FIELDS:
        value, error = _parse(field, values.get(field.key, ""))
        if error:
            errors[field.key] = error
        parsed[field.key] = value
        cleaned[field.key] = (
            "" if value is None else (str(value) if not isinstance(value, str) else value)
        )
    if not errors:
        highs = [parsed["high_ratio"]] + (
            [parsed["high_ratio_tertiary"]] if parsed["high_ratio_tertiary"] is not None else []
        )
        if not all(parsed["low_ratio"] < high <= parsed["extreme_ratio"] for high in highs):
            errors["high_ratio"] = (
                "应满足：费用极低倍率 < 费用极高倍率（含三级医院） ≤ 极端异常倍率。"
            )
        if parsed["surplus_below"] >= 1:
            errors["surplus_below"] = "结余留用分档线应小于 1。"
    return cleaned, errors


def to_engine(values: Mapping[str, str], kind: str) -> SettlementParams:
    """The engine's parameters for a validated set of one payment method (the other methods keep defaults)."""
    cleaned, errors = validate(values)
    if errors:
        raise ValueError(errors)
    kind = Kind(kind)
    number = lambda key: Decimal(cleaned[key])  # noqa: E731
    tertiary = cleaned["high_ratio_tertiary"]
    rule = DeviationRule(
        low=number("low_ratio"),
        high=number("high_ratio"),
        extreme=number("extreme_ratio"),
        high_by_level=MappingProxyType({TERTIARY: Decimal(tertiary)} if tertiary else {}),
    )
    sharing = SharingRule(
        surplus=(
            SurplusBand(number("surplus_below"), number("surplus_share")),
            SurplusBand(Decimal("1.00"), Decimal(1)),
        ),
        overspend=(OverspendSlice(number("overspend_upto"), number("overspend_share")),),
    )
    return SettlementParams(
        scales=MappingProxyType({**DEFAULT_PARAMS.scales, kind: int(cleaned["scale"])}),
        deviation=MappingProxyType({**DEFAULT_PARAMS.deviation, kind: rule}),
        grassroots_coefficient=number("grassroots_coefficient"),
        basis=Basis(cleaned["basis"]),
        deposit_rate=number("deposit_rate"),
        quarterly_deposit_rate=number("quarterly_deposit_rate"),
        advance_variant=AdvanceVariant(cleaned["advance_variant"]),
        sharing=sharing,
        ratio_places=_rounding_places(cleaned["ratio_rounding"]),
    )


def confirm_days(values: Mapping[str, str]) -> int:
    """The statement answer window of a parameter set, in working days (结算单确认期限)."""
    text = (values.get("confirm_days") or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else CONFIRM_DAYS


def differences(
    before: Mapping[str, str], after: Mapping[str, str]
) -> list[tuple[ParamField, str, str]]:
    """The fields whose value differs between two sets, in display order."""
    return [
        (field, before.get(field.key, ""), after.get(field.key, ""))
        for field in FIELDS
        if before.get(field.key, "") != after.get(field.key, "")
    ]
