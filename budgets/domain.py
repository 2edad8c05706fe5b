"""Annual budget computations (总额预算测算) — pure: Decimals and dataclasses in and out, no ORM.

The derivation follows Zibo (淄政办发〔2021〕11号 二.(一)) and Jilin (吉医保规〔2023〕5号 art. 9–14):

    fund income (excl. interest, 不含利息)
      − risk reserve (风险备用金, default 10 %)
      − carve-outs (单列支出: general outpatient, chronic outpatient, off-site & manual, other methods, …)
      = point-method pool (点数法预算), split into categories (细分类别, Jilin art. 12)

Every amount is quantized once, to the fen, with ``ROUNDING``; splits of an amount into parts use
``allocate_largest_remainder`` so the parts always sum exactly to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from budgets.choices import LineKind, LineMethod, PhasingMethod
from config import money

FEN = Decimal("0.01")
#: The one rounding rule of the budget: half-up to the fen (四舍五入到分).
ROUNDING = ROUND_HALF_UP
DEFAULT_RESERVE_RATE = Decimal("0.10")
DEFAULT_SETTLEMENT_SHARE = Decimal("0.70")
MONTHS = 12

INCOME_CODE, RESERVE_CODE, POOL_CODE = "INCOME", "RESERVE", "POOL"
INCOME_NAME, RESERVE_NAME, POOL_NAME = "统筹基金收入（不含利息）", "风险备用金", "点数法总额预算"

ERR_OVERDRAWN = "「{name}」（{code}）使点数法预算为负：透支 {excess} 元。"
ERR_CATEGORY_OVERDRAWN = "细分类别「{name}」（{code}）超出点数法预算：透支 {excess} 元。"
ERR_CATEGORIES_UNBALANCED = "细分类别合计 {total} 元与点数法预算 {pool} 元不一致（差额 {diff} 元）；请调整金额或设置一个“余额”类别。"
ERR_NO_CATEGORY = "至少需要一个细分类别（如住院DIP）。"
ERR_MISSING_INPUT = "「{name}」（{code}）缺少测算所需的{field}。"
ERR_NEGATIVE_INPUT = "「{name}」（{code}）的{field}不能为负数。"
ERR_METHOD = "「{name}」（{code}）不能使用测算方法“{method}”。"
ERR_SHARES_OVER_ONE = "细分类别比例合计 {total} 超过 100%。"
ERR_TWO_REMAINDERS = "只能有一个“余额”类别。"
ERR_DUPLICATE_CODE = "编码 {code} 重复。"
ERR_RATE = "比例应在 0 到 1 之间。"
ERR_WEIGHTS, ERR_NOT_FEN = money.ERR_WEIGHTS, money.ERR_NOT_FEN
ERR_MONTHS = "分月数据必须为 12 个月。"
ERR_ENTERED_SUM = "「{name}」逐月录入合计 {total} 元与类别预算 {pool} 元不一致（差额 {diff} 元）。"

_FIELD_NAMES = {
    "amount": "金额",
    "base": "上年实际",
    "rate": "比例/增长率",
    "per_capita": "人均标准",
    "count": "人数",
}


class BudgetError(ValueError):
    """A budget that cannot be derived; ``line_code`` names the offending line when there is one."""

    def __init__(self, message: str, *, line_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line_code = line_code


def to_fen(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUNDING)


def fmt(value: Decimal) -> str:
    return f"{to_fen(value):,.2f}"


def allocate_largest_remainder(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` (to the fen) in proportion to ``weights``, parts summing exactly to ``total``
    (``config.money.allocate_largest_remainder``; its refusal as a ``BudgetError``)."""
    try:
        return money.allocate_largest_remainder(total, weights)
    except money.AllocationError as error:
        raise BudgetError(str(error)) from None


# --------------------------------------------------------------------------- derivation


@dataclass(frozen=True)
class LineInput:
    """One entered line: its amount is entered, or forecast from last year / per capita, or a share of the pool."""

    code: str
    name: str
    method: str = LineMethod.AMOUNT
    amount: Decimal | None = None
    base: Decimal | None = None  # 上年实际
    rate: Decimal | None = None  # growth rate (GROWTH) or share of the pool (SHARE)
    per_capita: Decimal | None = None  # 人均标准
    count: int | None = None  # 人数 (参保/签约)


@dataclass(frozen=True)
class BudgetInput:
    income: LineInput
    carve_outs: tuple[LineInput, ...] = ()
    categories: tuple[LineInput, ...] = ()
    reserve_rate: Decimal = DEFAULT_RESERVE_RATE


@dataclass(frozen=True)
class DerivedLine:
    kind: str
    code: str
    name: str
    amount: Decimal
    source: LineInput | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Derivation:
    lines: tuple[DerivedLine, ...]

    def of_kind(self, kind: str) -> list[DerivedLine]:
        return [line for line in self.lines if line.kind == kind]

    def amount(self, kind: str) -> Decimal:
        return sum((line.amount for line in self.of_kind(kind)), Decimal("0.00"))

    @property
    def income(self) -> Decimal:
        return self.amount(LineKind.INCOME)

    @property
    def reserve(self) -> Decimal:
        return self.amount(LineKind.RESERVE)

    @property
    def pool(self) -> Decimal:
        return self.amount(LineKind.POOL)


def _required(line: LineInput, *names: str) -> list[Decimal]:
    values = []
    for name in names:
        value = getattr(line, name)
        if value is None:
            raise BudgetError(
                ERR_MISSING_INPUT.format(name=line.name, code=line.code, field=_FIELD_NAMES[name]),
                line_code=line.code,
            )
        if value < 0:
            raise BudgetError(
                ERR_NEGATIVE_INPUT.format(name=line.name, code=line.code, field=_FIELD_NAMES[name]),
                line_code=line.code,
            )
        values.append(Decimal(value))
    return values


def forecast_amount(line: LineInput) -> Decimal:
    """An income or carve-out amount: entered, last year's actual × (1 + growth), or per capita × people."""
    if line.method == LineMethod.AMOUNT:
        return to_fen(*_required(line, "amount"))
    if line.method == LineMethod.GROWTH:
        (base,) = _required(line, "base")
        if line.rate is None:
            raise BudgetError(
                ERR_MISSING_INPUT.format(
                    name=line.name, code=line.code, field=_FIELD_NAMES["rate"]
                ),
                line_code=line.code,
            )
        return to_fen(max(base * (1 + Decimal(line.rate)), Decimal(0)))
    if line.method == LineMethod.PER_CAPITA:
        per_capita, count = _required(line, "per_capita", "count")
        return to_fen(per_capita * count)
    raise BudgetError(
        ERR_METHOD.format(name=line.name, code=line.code, method=line.method), line_code=line.code
    )


def _check_codes(inp: BudgetInput) -> None:
    seen = {INCOME_CODE, RESERVE_CODE, POOL_CODE}
    for line in (*inp.carve_outs, *inp.categories):
        if line.code in seen:
            raise BudgetError(ERR_DUPLICATE_CODE.format(code=line.code), line_code=line.code)
        seen.add(line.code)


def split_pool(pool: Decimal, categories: Sequence[LineInput]) -> list[DerivedLine]:
    """Split the point-method pool into categories (细分类别) by amount, by share, and one optional remainder."""
    if not categories:
        raise BudgetError(ERR_NO_CATEGORY)
    remainders = [c for c in categories if c.method == LineMethod.REMAINDER]
    if len(remainders) > 1:
        raise BudgetError(ERR_TWO_REMAINDERS, line_code=remainders[1].code)
    shares = {c.code: _share(c) for c in categories if c.method == LineMethod.SHARE}
    if sum(shares.values(), Decimal(0)) > 1:
        raise BudgetError(ERR_SHARES_OVER_ONE.format(total=sum(shares.values())))
    share_amounts = dict(
        zip(
            shares,
            allocate_largest_remainder(
                pool, [*shares.values(), 1 - sum(shares.values(), Decimal(0))]
            ),
        )
    )
    amounts, assigned = {}, Decimal("0.00")
    for cat in categories:
        if cat.method == LineMethod.REMAINDER:
            continue
        if cat.method not in (LineMethod.AMOUNT, LineMethod.SHARE):
            raise BudgetError(
                ERR_METHOD.format(name=cat.name, code=cat.code, method=cat.method),
                line_code=cat.code,
            )
        amounts[cat.code] = (
            share_amounts[cat.code]
            if cat.method == LineMethod.SHARE
            else to_fen(*_required(cat, "amount"))
        )
        assigned += amounts[cat.code]
        if assigned > pool:
            raise BudgetError(
                ERR_CATEGORY_OVERDRAWN.format(
                    name=cat.name, code=cat.code, excess=fmt(assigned - pool)
                ),
                line_code=cat.code,
            )
    if remainders:
        amounts[remainders[0].code] = pool - assigned
    elif assigned != pool:
        raise BudgetError(
            ERR_CATEGORIES_UNBALANCED.format(
                total=fmt(assigned), pool=fmt(pool), diff=fmt(pool - assigned)
            )
        )
    return [DerivedLine(LineKind.CATEGORY, c.code, c.name, amounts[c.code], c) for c in categories]


def _share(cat: LineInput) -> Decimal:
    (share,) = _required(cat, "rate")
    if share > 1:
        raise BudgetError(ERR_RATE, line_code=cat.code)
    return share


def derive_budget(inp: BudgetInput) -> Derivation:
    """Income → reserve → carve-outs → point-method pool → categories. Refuses any negative balance."""
    if not Decimal(0) <= inp.reserve_rate <= 1:
        raise BudgetError(ERR_RATE, line_code=RESERVE_CODE)
    _check_codes(inp)
    income = forecast_amount(inp.income)
    reserve = to_fen(income * inp.reserve_rate)
    lines = [
        DerivedLine(
            LineKind.INCOME, INCOME_CODE, inp.income.name or INCOME_NAME, income, inp.income
        ),
        DerivedLine(LineKind.RESERVE, RESERVE_CODE, RESERVE_NAME, reserve),
    ]
    balance = income - reserve
    for carve_out in inp.carve_outs:
        amount = forecast_amount(carve_out)
        balance -= amount
        if balance < 0:
            message = ERR_OVERDRAWN.format(
                name=carve_out.name, code=carve_out.code, excess=fmt(-balance)
            )
            raise BudgetError(message, line_code=carve_out.code)
        lines.append(
            DerivedLine(LineKind.CARVE_OUT, carve_out.code, carve_out.name, amount, carve_out)
        )
    lines.append(DerivedLine(LineKind.POOL, POOL_CODE, POOL_NAME, balance))
    lines.extend(split_pool(balance, inp.categories))
    return Derivation(tuple(lines))


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the waterfall chart: an invisible ``base`` with ``amount`` stacked on it."""

    kind: str
    name: str
    base: Decimal
    amount: Decimal


def waterfall(derivation: Derivation) -> list[WaterfallStep]:
    """Bars for income → reserve → carve-outs → pool → categories (each category stacked inside the pool)."""
    steps, level = [], Decimal("0.00")
    for line in derivation.lines:
        if line.kind == LineKind.INCOME:
            level = line.amount
            steps.append(WaterfallStep(line.kind, line.name, Decimal("0.00"), line.amount))
        elif line.kind in (LineKind.RESERVE, LineKind.CARVE_OUT):
            level -= line.amount
            steps.append(WaterfallStep(line.kind, line.name, level, line.amount))
        elif line.kind == LineKind.POOL:
            steps.append(WaterfallStep(line.kind, line.name, Decimal("0.00"), line.amount))
        else:
            level -= line.amount
            steps.append(WaterfallStep(line.kind, line.name, level, line.amount))
    return steps


# --------------------------------------------------------------------------- phasing


def phase_months(
    total: Decimal,
    method: str,
    *,
    weights: Sequence[Decimal] | None = None,
    entered: Sequence[Decimal] | None = None,
    name: str = "",
) -> list[Decimal]:
    """Twelve monthly amounts (分月预算) summing exactly to ``total``: equal, by a pattern, or as entered."""
    if method == PhasingMethod.EQUAL:
        return allocate_largest_remainder(total, [1] * MONTHS)
    values = weights if method == PhasingMethod.PATTERN else entered
    if values is None or len(values) != MONTHS:
        raise BudgetError(ERR_MONTHS)
    if method == PhasingMethod.PATTERN:
        return allocate_largest_remainder(total, values)
    months = [to_fen(value) for value in values]
    if any(month < 0 for month in months):
        raise BudgetError(ERR_NEGATIVE_INPUT.format(name=name, code="", field="分月金额"))
    if sum(months) != total:
        raise BudgetError(
            ERR_ENTERED_SUM.format(
                name=name, total=fmt(sum(months)), pool=fmt(total), diff=fmt(total - sum(months))
            )
        )
    return months


def quarters(months: Sequence[Decimal]) -> list[Decimal]:
    """Four quarterly amounts (分季预算) from twelve monthly ones."""
    if len(months) != MONTHS:
        raise BudgetError(ERR_MONTHS)
    return [sum(months[q * 3 : q * 3 + 3], Decimal("0.00")) for q in range(4)]


# --------------------------------------------------------------------------- year end


@dataclass(frozen=True)
class YearEndLine:
    """A carve-out line at year end: its budget and what it actually cost (实际支出)."""

    code: str
    name: str
    budget: Decimal
    actual: Decimal

    @property
    def overspend(self) -> Decimal:
        return max(self.actual - self.budget, Decimal("0.00"))


@dataclass(frozen=True)
class ReserveStatement:
    """年终风险备用金清算表 (Zibo 二.(一)7)."""

    reserve: Decimal
    lines: tuple[YearEndLine, ...]
    overspend: Decimal  # carve-outs' overspend, line by line
    cover: Decimal  # paid from the reserve
    shortfall: Decimal  # overspend the reserve could not cover
    remaining: Decimal
    settlement_share: Decimal
    to_settlement: Decimal  # 纳入DIP年度结算
    adjustment_fund: Decimal  # 调节金
    pool: Decimal
    settlement_total: Decimal  # DIP 年度结算总额


def reserve_statement(
    *,
    reserve: Decimal,
    pool: Decimal,
    lines: Sequence[YearEndLine],
    settlement_share: Decimal = DEFAULT_SETTLEMENT_SHARE,
) -> ReserveStatement:
    """The reserve covers each carve-out's overspend; the rest goes share → settlement total, rest → 调节金.

    Each line is topped up on its own (an underspent line does not finance another one).
    """
    if not Decimal(0) <= settlement_share <= 1:
        raise BudgetError(ERR_RATE)
    overspend = sum((line.overspend for line in lines), Decimal("0.00"))
    cover = min(overspend, reserve)
    remaining = reserve - cover
    to_settlement = to_fen(remaining * settlement_share)
    return ReserveStatement(
        reserve=reserve,
        lines=tuple(lines),
        overspend=overspend,
        cover=cover,
        shortfall=overspend - cover,
        remaining=remaining,
        settlement_share=settlement_share,
        to_settlement=to_settlement,
        adjustment_fund=remaining - to_settlement,
        pool=pool,
        settlement_total=pool + to_settlement,
    )


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class LineDiff:
    kind: str
    code: str
    name: str
    before: Decimal | None
    after: Decimal | None

    @property
    def kind_label(self) -> str:
        return LineKind(self.kind).label

    @property
    def delta(self) -> Decimal:
        return (self.after or Decimal("0.00")) - (self.before or Decimal("0.00"))

    @property
    def changed(self) -> bool:
        return self.before != self.after


def line_differences(before: Sequence[DerivedLine], after: Sequence[DerivedLine]) -> list[LineDiff]:
    """Line-by-line comparison of two versions, matched on (kind, code); lines only in one side show None."""
    old = {(line.kind, line.code): line for line in before}
    new = {(line.kind, line.code): line for line in after}
    keys = list(new) + [key for key in old if key not in new]
    order = list(LineKind.values)
    keys.sort(key=lambda key: order.index(key[0]))
    return [
        LineDiff(
            kind,
            code,
            (new.get((kind, code)) or old[(kind, code)]).name,
            old[(kind, code)].amount if (kind, code) in old else None,
            new[(kind, code)].amount if (kind, code) in new else None,
        )
        for kind, code in keys
    ]
