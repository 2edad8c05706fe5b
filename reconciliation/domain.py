"""National reconciliation (国家平台对账), pure: the three files' column contracts and row checks, and the
comparison of the national results with ours — frames in, frames out, no ORM.

Frames:

- national groups: ``setl_id``, ``institution_id``, ``group_code``, ``group_name``, ``group_kind``;
- our cases: ``setl_id``, ``case_id``, ``institution_id``, ``group_code`` ("" = ungroupable), ``trace``, ``kind``;
- national QC: ``setl_id``, ``institution_id``, ``rule_code``, ``level``, ``message``;
- our QC flags: ``setl_id``, ``institution_id``, ``rule_code``, ``message`` (a case our check rejects);
- bookings: ``institution_id``, ``fund_paid`` (Decimal), ``case_count``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from catalogs.workbooks import Column, Sheet, SheetErrors
from config.lazy import pandas as pd
from reconciliation.choices import CaseType, DiffKind, Divergence, FileKind, GroupKind, QcLevel

ZERO = Decimal("0.00")
MONTH = re.compile(r"(\d{4})-?(\d{1,2})")
SETL_ID = re.compile(r"[0-9A-Za-z_-]{1,30}")
INSTITUTION_CODE = re.compile(r"[0-9A-Za-z]{1,20}")

MSG_NUMBER = "“{value}”不是有效的数值。"
MSG_MONTH = "结算月份“{value}”与上传的对账月份 {year}年{month}月 不符。"
MSG_UNKNOWN_INSTITUTION = "定点医药机构“{value}”不在本统筹区的机构名录中。"
MSG_UNKNOWN_CASE = "结算ID“{value}”在本月的结算清单和国家分组结果中都不存在。"
MSG_OTHER_INSTITUTION = "结算ID“{value}”在本地属于另一家机构（{code}）。"


def _column(field: str, header: str, *aliases: str, **options) -> tuple[Column, tuple[str, ...]]:
    return Column(field, header, **options), aliases


def _choice(field: str, header: str, choices, extra: tuple[tuple[str, str], ...], *aliases: str, **options):
    return _column(field, header, *aliases, kind="choice", choices=tuple(choices), aliases=extra, **options)


SETL = _column("setl_id", "结算ID", "setl_id", kind="code", pattern=SETL_ID, example="S0001", length=30)
FIXMEDINS = _column("fixmedins_code", "定点医药机构编号", "fixmedins_code", "机构编码", kind="code", pattern=INSTITUTION_CODE,
                    example="H37080200001")  # fmt: skip
SETL_MONTH = _column("setl_month", "结算月份", "setl_month", "setl_ym", kind="code", pattern=MONTH, example="2024-03", length=7)

# Each contract: the columns (field, Chinese header) and the further header names accepted for them
# (the national interface's field names first). docs/reconciliation.md shows them as tables.
CONTRACTS: dict[str, tuple[Sheet, dict[str, tuple[str, ...]]]] = {}


def _contract(kind: str, title: str, key: str, *columns) -> None:
    sheet = Sheet(table=kind, title=title, key=key, columns=tuple(column for column, _ in columns))
    CONTRACTS[kind] = (sheet, {column.header: aliases for column, aliases in columns})


_contract(
    FileKind.GROUPS, "国家分组结果", "setl_id", SETL, FIXMEDINS, SETL_MONTH,
    _column("group_code", "病组编码", "grp_codg", "drg_codg", "dip_codg", "病种编码", required=False, length=60),
    _column("group_name", "病组名称", "grp_name", "drg_name", "dip_name", "病种名称", required=False, length=200),
    _choice("group_kind", "付费方式", GroupKind.choices, (), "grp_type", "分组类型"),
    _column("weight", "权重或分值", "weight", "drg_wt", "dip_score", "权重", "分值"),
    _choice("case_type", "病例类型", CaseType.choices, (("高倍率", "high"), ("低倍率", "low"), ("正常", "normal")), "case_type"),
    _column("points", "点数", "points", "setl_pt", required=False),
)  # fmt: skip
_contract(
    FileKind.QC, "国家质控结果", "", SETL, FIXMEDINS,
    _column("rule_code", "质控规则编码", "rule_code", "qc_rule_codg", "规则编码", length=40),
    _choice("level", "质控级别", QcLevel.choices, (("1", "error"), ("2", "warning")), "level", "qc_lv", "级别"),
    _column("field", "质控字段", "field", "qc_fld", "字段", required=False, length=60),
    _column("message", "质控说明", "message", "qc_msg", "说明", required=False, length=300),
)  # fmt: skip
_contract(
    FileKind.BOOKINGS, "国家对账记账", "fixmedins_code", FIXMEDINS, SETL_MONTH,
    _column("fund_paid", "统筹基金支出", "hifp_pay", "fund_pay_sumamt"),
    _column("case_count", "结算人次", "setl_cnt", "case_cnt", "病例数"),
    _column("clearing_amount", "清算金额", "clr_amt", "clr_sumamt", required=False),
)  # fmt: skip
NUMBERS = {FileKind.GROUPS: ("weight", "points"), FileKind.QC: (), FileKind.BOOKINGS: ("fund_paid", "case_count", "clearing_amount")}


def header_row(kind: str, headers: Iterable[object]) -> list[str]:
    """The header row with every accepted alias replaced by the contract's Chinese header."""
    sheet, aliases = CONTRACTS[kind]
    canonical = {alias.lower(): header for header, names in aliases.items() for alias in names}
    canonical |= {column.field: column.header for column in sheet.columns}  # our own field names, as our exports write them
    return [canonical.get(str(h or "").strip().lower(), str(h or "").strip()) for h in headers]


@dataclass(frozen=True)
class Known:
    """What the region holds: institution ids by code, our cases' institution code by setl_id, and the
    setl_ids of the national group file in force (QC rows may name those)."""

    institutions: Mapping[str, int]
    cases: Mapping[str, str]
    national_cases: frozenset[str] = frozenset()


def rows_checked(kind: str, table: pd.DataFrame, errors: SheetErrors, *, year: int, month: int, known: Known) -> pd.DataFrame:
    """Numbers parsed (Decimal), the month, institution and setl_id of every row checked; errors name
    the row and the column. Adds ``institution_id``. The checks are column-wise: a national file holds a
    region's month, up to a million rows, and only the bad rows are visited one by one."""
    sheet, _ = CONTRACTS[kind]
    table = table.copy()
    for field in NUMBERS[kind]:
        table[field] = [_number(sheet, row, field, value, errors) for row, value in table[field].items()]
    if "setl_month" in table:
        parts = table["setl_month"].str.extract(f"^{MONTH.pattern}$")
        wrong = parts[0].notna() & ((parts[0].astype(float) != year) | (parts[1].astype(float) != month))
        for row, value in table.loc[wrong, "setl_month"].items():
            errors.cell(sheet, row, sheet.header("setl_month"), MSG_MONTH.format(value=value, year=year, month=month))
    codes = table["fixmedins_code"]
    institution = codes.map(known.institutions)
    for row, code in codes[(codes != "") & institution.isna()].items():
        errors.cell(sheet, row, sheet.header("fixmedins_code"), MSG_UNKNOWN_INSTITUTION.format(value=code))
    table["institution_id"] = institution.astype(object).where(institution.notna(), None)
    if "setl_id" in table:
        _cases_checked(kind, sheet, table, errors, known)
    return table


def _cases_checked(kind: str, sheet: Sheet, table: pd.DataFrame, errors: SheetErrors, known: Known) -> None:
    """A setl_id we hold under another institution is an error in every file; one we do not hold is a
    national-only case in the group file, but an error in the QC file unless the national group file has it."""
    ours = table["setl_id"].map(known.cases)
    other = ours.notna() & (table["fixmedins_code"] != "") & (ours != table["fixmedins_code"])
    for row, setl_id, code in zip(table.index[other], table.loc[other, "setl_id"], ours[other], strict=True):
        errors.cell(sheet, row, sheet.header("setl_id"), MSG_OTHER_INSTITUTION.format(value=setl_id, code=code))
    if kind == FileKind.QC:
        unknown = ours.isna() & ~table["setl_id"].isin(known.national_cases)
        for row, setl_id in table.loc[unknown, "setl_id"].items():
            errors.cell(sheet, row, sheet.header("setl_id"), MSG_UNKNOWN_CASE.format(value=setl_id))


def _number(sheet: Sheet, row: int, field: str, value: str, errors: SheetErrors) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        errors.cell(sheet, row, sheet.header(field), MSG_NUMBER.format(value=value))
        return None
    return number


# --- comparison -------------------------------------------------------------------------------------

DIFF_COLUMNS = ["kind", "setl_id", "institution_id", "case_id", "our_group", "national_group", "national_group_name",
                "our_trace", "divergence", "rule_code", "message"]  # fmt: skip


def divergence(ours: str, national: str, *, kind: str, national_kind: str, catalog_codes: frozenset[str]) -> str:
    """The step of our grouping at which our group leaves the national one (分歧环节).

    A national group our catalog in force does not have is a version difference; an ungroupable case of
    ours diverged before any group. DRG codes read MDC (1st letter, from the main diagnosis), ADRG (the
    first three characters, from the procedure) and severity (the 4th character: MCC/CC); a DIP code's
    first part before the dot is its main-diagnosis category, the rest its procedure.
    """
    if kind != national_kind:
        return Divergence.KIND
    if national and national not in catalog_codes:
        return Divergence.VERSION
    if not ours:
        return Divergence.UNGROUPABLE
    if kind == GroupKind.DRG:
        if ours[:1] != national[:1]:
            return Divergence.MAIN_DIAGNOSIS
        return Divergence.PROCEDURE if ours[:3] != national[:3] else Divergence.SEVERITY
    return Divergence.MAIN_DIAGNOSIS if ours.split(".")[0][:3] != national.split(".")[0][:3] else Divergence.PROCEDURE


def group_differences(ours: pd.DataFrame, national: pd.DataFrame, *, catalog_codes: frozenset[str]) -> pd.DataFrame:
    """Cases whose national group differs from ours, and cases present on one side only."""
    both = ours.merge(national, on="setl_id", how="outer", suffixes=("_ours", "_nat"), indicator="side")
    rows = []
    for r in both.itertuples(index=False):
        if r.side == "left_only":
            rows.append(_diff(DiffKind.OURS_ONLY, r.setl_id, r.institution_id_ours, r.case_id, our_group=r.group_code_ours,
                              our_trace=r.trace))  # fmt: skip
        elif r.side == "right_only":
            rows.append(_diff(DiffKind.NATIONAL_ONLY, r.setl_id, r.institution_id_nat, None, national_group=r.group_code_nat,
                              national_group_name=r.group_name))  # fmt: skip
        elif r.group_code_ours != r.group_code_nat or r.kind != r.group_kind:
            step = divergence(r.group_code_ours, r.group_code_nat, kind=r.kind, national_kind=r.group_kind, catalog_codes=catalog_codes)
            rows.append(_diff(DiffKind.GROUP, r.setl_id, r.institution_id_ours, r.case_id, our_group=r.group_code_ours,
                              national_group=r.group_code_nat, national_group_name=r.group_name, our_trace=r.trace,
                              divergence=step))  # fmt: skip
    return _diff_frame(rows)


def _diff_frame(rows: list[dict]) -> pd.DataFrame:
    """Object columns: a case id stays an int or None (no float NaN on the way to the database)."""
    return pd.DataFrame(rows, columns=DIFF_COLUMNS, dtype=object)


def _diff(kind: str, setl_id: str, institution_id, case_id, **values) -> dict:
    row = dict.fromkeys(DIFF_COLUMNS, "") | {"kind": kind, "setl_id": setl_id, "institution_id": int(institution_id)}
    return row | {"case_id": None if case_id is None or pd.isna(case_id) else int(case_id)} | values


def qc_differences(national: pd.DataFrame, ours: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Cases both sides hold that the national check rejects (level error) and ours accepts, by national
    rule; and cases ours rejects that the national check passes, by our rule."""
    held = set(cases["setl_id"])
    errors = national[(national["level"] == QcLevel.ERROR) & national["setl_id"].isin(held)]
    case_ids = dict(zip(cases["setl_id"], cases["case_id"], strict=True))
    national_only = errors[~errors["setl_id"].isin(set(ours["setl_id"]))].drop_duplicates(["setl_id", "rule_code"])
    ours_only = ours[~ours["setl_id"].isin(set(errors["setl_id"]))]
    rows = [_diff(DiffKind.QC_NATIONAL, r.setl_id, r.institution_id, case_ids.get(r.setl_id), rule_code=r.rule_code, message=r.message)
            for r in national_only.itertuples(index=False)]  # fmt: skip
    rows += [_diff(DiffKind.QC_OURS, r.setl_id, r.institution_id, case_ids.get(r.setl_id), rule_code=r.rule_code, message=r.message)
             for r in ours_only.itertuples(index=False)]  # fmt: skip
    return _diff_frame(rows)


MONEY_COLUMNS = ["institution_id", "cases_ours", "cases_national", "fund_ours", "fund_national", "fund_difference"]


def money_differences(ours: pd.DataFrame, bookings: pd.DataFrame) -> pd.DataFrame:
    """Per institution: the fund our case records paid (统筹基金支出, Σ to the fen) against the national
    booking. ``ours``: ``institution_id``, ``fund`` (Decimal) per case; either side may lack an institution."""
    sums: dict[int, list] = {}
    for institution, fund in ours[["institution_id", "fund"]].itertuples(index=False):
        entry = sums.setdefault(int(institution), [0, ZERO, 0, ZERO])
        entry[0] += 1
        entry[1] += fund
    for institution, fund, count in bookings[["institution_id", "fund_paid", "case_count"]].itertuples(index=False):
        entry = sums.setdefault(int(institution), [0, ZERO, 0, ZERO])
        entry[2] += int(count)
        entry[3] += fund
    rows = [(i, c, n, f, nf, nf - f) for i, (c, f, n, nf) in sorted(sums.items())]
    return pd.DataFrame(rows, columns=MONEY_COLUMNS)


def mismatch_rates(cases: pd.DataFrame, diffs: pd.DataFrame) -> pd.DataFrame:
    """Per institution: cases held, group mismatches and their share (0..1, Decimal to 4 places)."""
    held = cases.groupby("institution_id").size()
    mismatched = diffs[diffs["kind"] == DiffKind.GROUP].groupby("institution_id").size()
    frame = pd.DataFrame({"cases": held, "mismatches": mismatched}).fillna(0).astype(int)
    frame["rate"] = [(Decimal(m) / Decimal(c)).quantize(Decimal("0.0001")) if c else ZERO for m, c in
                     frame[["mismatches", "cases"]].itertuples(index=False)]  # fmt: skip
    return frame.rename_axis("institution_id").reset_index()


# --- as-national recomputation ------------------------------------------------------------------------


def as_national_points(cases: pd.DataFrame, ours: pd.DataFrame, national: pd.DataFrame, groups: pd.DataFrame, *,
                       kind: str, levels: Mapping[int, str], coefficients: Mapping[int, Decimal], base_mean,
                       params) -> pd.DataFrame:  # fmt: skip
    """Each case's points under our groups and under the national groups ("what would we pay if we grouped
    as they do"), both by the settlement engine (``settlement.runs.domain.engine_cases`` +
    ``settlement.engine.points.case_points``), so only the group differs.

    ``cases``: the engine's case frame (``id``, ``institution_id``, ``medfee_fen``, …); ``ours`` and
    ``national``: ``group_code`` and ``typing_coefficient`` aligned with ``cases``. A national group our
    catalog lacks earns no points (it cannot be priced here). Returns ``case_id``, ``institution_id``,
    ``points_ours``, ``points_national`` (Decimal).
    """
    from settlement.engine.fixed import POINTS_PLACES, unit_decimal
    from settlement.engine.points import case_points
    from settlement.runs.domain import engine_cases

    known = set(groups["code"])
    national = national.assign(group_code=[c if c in known else "" for c in national["group_code"]])

    def points(grouped: pd.DataFrame) -> list[Decimal]:
        engine = engine_cases(cases, grouped, groups, kind=kind, levels=levels, coefficients=coefficients, base_mean=base_mean)
        return [unit_decimal(int(p), POINTS_PLACES) for p in case_points(engine, params, base_mean=base_mean)["points_e4"]]

    return pd.DataFrame({"case_id": cases["id"].to_numpy(), "institution_id": cases["institution_id"].to_numpy(),
                         "points_ours": points(ours), "points_national": points(national)})  # fmt: skip


def institution_amounts(points: pd.DataFrame, pv: Decimal | None) -> pd.DataFrame:
    """Per institution: points under both groupings and, with the run's point value, the amounts to the
    fen (``settlement.engine.amounts.settlement_amounts``: points × PV, allocated) and their difference."""
    from settlement.engine.amounts import settlement_amounts

    sums = points.groupby("institution_id")[["points_ours", "points_national"]].agg(lambda s: sum(s, Decimal(0)))
    frame = sums.rename_axis("institution_id").reset_index()
    if pv is None:
        return frame.assign(amount_ours=None, amount_national=None, amount_difference=None)

    def amounts(column: str) -> list[Decimal]:
        totals = pd.DataFrame({"institution": frame["institution_id"], "points": frame[column], "psn_part": ZERO})
        return list(settlement_amounts(totals, pv)["settlement"])

    ours, national = amounts("points_ours"), amounts("points_national")
    return frame.assign(amount_ours=ours, amount_national=national, amount_difference=[n - o for o, n in zip(ours, national, strict=True)])
