"""National reconciliation (国家平台对账), pure: the three files' column contracts and row checks, and the
comparison of the national results with ours — frames in, frames out, no ORM.

Frames:

- national groups: ``setl_id``, ``institution_id``, ``group_code``, ``group_name``, ``group_kind``;
- our cases: ``setl_id``, ``case_id``, ``institution_id``, ``fund_fen``, ``group_code`` ("" = ungroupable), ``trace``, ``kind``;
- national QC: ``setl_id``, ``institution_id``, ``rule_code``, ``level``, ``field``, ``message``;
- our QC findings: ``setl_id``, ``institution_id``, ``rule_code``, ``field``, ``message`` (intake's quality
  rules on the stored case, ``our_quality``);
- bookings: ``institution_id``, ``fund_paid`` (Decimal), ``case_count``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from catalogs.workbooks import Column, Sheet, SheetErrors
from config.lazy import numpy as np
from config.lazy import pandas as pd
from reconciliation.choices import CaseType, DiffKind, Divergence, FileKind, GroupKind, QcLevel
from settlement.intake import domain as intake

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


def _choice(
    field: str, header: str, choices, extra: tuple[tuple[str, str], ...], *aliases: str, **options
):
    return _column(
        field, header, *aliases, kind="choice", choices=tuple(choices), aliases=extra, **options
    )


SETL = _column(
    "setl_id", "结算ID", "setl_id", kind="code", pattern=SETL_ID, example="S0001", length=30
)
FIXMEDINS = _column(
    "fixmedins_code",
    "定点医药机构编号",
    "fixmedins_code",
    "机构编码",
    kind="code",
    pattern=INSTITUTION_CODE,
    example="H37080200001",
)
SETL_MONTH = _column(
    "setl_month",
    "结算月份",
    "setl_month",
    "setl_ym",
    kind="code",
    pattern=MONTH,
    example="2024-03",
    length=7,
)

# Each contract: the columns (field, Chinese header) and the further header names accepted for them
# (the national interface's field names first). docs/reconciliation.md shows them as tables.
CONTRACTS: dict[str, tuple[Sheet, dict[str, tuple[str, ...]]]] = {}


def _contract(kind: str, title: str, key: str, *columns) -> None:
    sheet = Sheet(table=kind, title=title, key=key, columns=tuple(column for column, _ in columns))
    CONTRACTS[kind] = (sheet, {column.header: aliases for column, aliases in columns})


_contract(
    FileKind.GROUPS,
    "国家分组结果",
    "setl_id",
    SETL,
    FIXMEDINS,
    SETL_MONTH,
    _column(
        "group_code",
        "病组编码",
        "grp_codg",
        "drg_codg",
        "dip_codg",
        "病种编码",
        required=False,
        length=60,
    ),
    _column(
        "group_name",
        "病组名称",
        "grp_name",
        "drg_name",
        "dip_name",
        "病种名称",
        required=False,
        length=200,
    ),
    _choice("group_kind", "付费方式", GroupKind.choices, (), "grp_type", "分组类型"),
    _column("weight", "权重或分值", "weight", "drg_wt", "dip_score", "权重", "分值"),
    _choice(
        "case_type",
        "病例类型",
        CaseType.choices,
        (("高倍率", "high"), ("低倍率", "low"), ("正常", "normal")),
        "case_type",
    ),
    _column("points", "点数", "points", "setl_pt", required=False),
)
_contract(
    FileKind.QC,
    "国家质控结果",
    "",
    SETL,
    FIXMEDINS,
    _column("rule_code", "质控规则编码", "rule_code", "qc_rule_codg", "规则编码", length=40),
    _choice(
        "level",
        "质控级别",
        QcLevel.choices,
        (("1", "error"), ("2", "warning")),
        "level",
        "qc_lv",
        "级别",
    ),
    _column("field", "质控字段", "field", "qc_fld", "字段", required=False, length=60),
    _column("message", "质控说明", "message", "qc_msg", "说明", required=False, length=300),
)
_contract(
    FileKind.BOOKINGS,
    "国家对账记账",
    "fixmedins_code",
    FIXMEDINS,
    SETL_MONTH,
    _column("fund_paid", "统筹基金支出", "hifp_pay", "fund_pay_sumamt"),
    _column("case_count", "结算人次", "setl_cnt", "case_cnt", "病例数"),
    _column("clearing_amount", "清算金额", "clr_amt", "clr_sumamt", required=False),
)
NUMBERS = {
    FileKind.GROUPS: ("weight", "points"),
    FileKind.QC: (),
    FileKind.BOOKINGS: ("fund_paid", "case_count", "clearing_amount"),
}


def header_row(kind: str, headers: Iterable[object]) -> list[str]:
    """The header row with every accepted alias replaced by the contract's Chinese header."""
    sheet, aliases = CONTRACTS[kind]
    canonical = {alias.lower(): header for header, names in aliases.items() for alias in names}
    canonical |= {
        column.field: column.header for column in sheet.columns
    }  # our own field names, as our exports write them
    return [canonical.get(str(h or "").strip().lower(), str(h or "").strip()) for h in headers]


@dataclass(frozen=True)
class Known:
    """What the region holds: institution ids by code, our cases' institution code by setl_id, and the
    setl_ids of the national group file in force (QC rows may name those)."""

    institutions: Mapping[str, int]
    cases: Mapping[str, str]
    national_cases: frozenset[str] = frozenset()


def rows_checked(
    kind: str, table: pd.DataFrame, errors: SheetErrors, *, year: int, month: int, known: Known
) -> pd.DataFrame:
    """Numbers, the month, institution and setl_id of every row checked; errors name the row and the
    column. Adds ``institution_id``. The checks are column-wise: a national file holds a region's month,
    up to a million rows, and only the bad rows are visited one by one. Numbers: thousands separators
    dropped; the group file keeps them as the text PostgreSQL reads (a million Decimals cost a second),
    the booking file's money becomes ``Decimal``."""
    sheet, _ = CONTRACTS[kind]
    table = table.copy()
    for field in NUMBERS[kind]:
        table[field] = _numbers(sheet, table[field], field, errors, decimal=kind != FileKind.GROUPS)
    if (
        "setl_month" in table
    ):  # a month's file names one month or a few: checked once per distinct value
        codes, distinct = pd.factorize(table["setl_month"])
        parts = pd.Series(distinct, dtype=object).str.extract(f"^{MONTH.pattern}$")
        off = (
            parts[0].notna()
            & ((parts[0].astype(float) != year) | (parts[1].astype(float) != month))
        ).to_numpy()
        wrong = pd.Series(
            off[codes] & (codes >= 0) if len(codes) else [], index=table.index, dtype=bool
        )
        for row, value in table.loc[wrong, "setl_month"].items():
            errors.cell(
                sheet,
                row,
                sheet.header("setl_month"),
                MSG_MONTH.format(value=value, year=year, month=month),
            )
    codes = table["fixmedins_code"]
    institution = codes.map(known.institutions)
    for row, code in codes[(codes != "") & institution.isna()].items():
        errors.cell(
            sheet, row, sheet.header("fixmedins_code"), MSG_UNKNOWN_INSTITUTION.format(value=code)
        )
    table["institution_id"] = institution.astype(object).where(institution.notna(), None)
    if "setl_id" in table:
        _cases_checked(kind, sheet, table, errors, known)
    return table


def _cases_checked(
    kind: str, sheet: Sheet, table: pd.DataFrame, errors: SheetErrors, known: Known
) -> None:
    """A setl_id we hold under another institution is an error in every file; one we do not hold is a
    national-only case in the group file, but an error in the QC file unless the national group file has it."""
    ours = table["setl_id"].map(known.cases)
    other = ours.notna() & (table["fixmedins_code"] != "") & (ours != table["fixmedins_code"])
    for row, setl_id, code in zip(
        table.index[other], table.loc[other, "setl_id"], ours[other], strict=True
    ):
        errors.cell(
            sheet,
            row,
            sheet.header("setl_id"),
            MSG_OTHER_INSTITUTION.format(value=setl_id, code=code),
        )
    if kind == FileKind.QC:
        unknown = ours.isna() & ~among(
            table["setl_id"], pd.Series(list(known.national_cases), dtype=object)
        )
        for row, setl_id in table.loc[unknown, "setl_id"].items():
            errors.cell(sheet, row, sheet.header("setl_id"), MSG_UNKNOWN_CASE.format(value=setl_id))


def among(values: pd.Series, pool: pd.Series) -> pd.Series:
    """``values.isin(pool)`` by one hash table of object keys: Arrow-backed text's ``isin`` walks the pool in
    Python (a month's million setl_ids took seconds per call)."""
    found = (
        pd.Index(pool.to_numpy(dtype=object)).unique().get_indexer(values.to_numpy(dtype=object))
        >= 0
    )
    return pd.Series(found, index=values.index, dtype=bool)


def _numbers(
    sheet: Sheet, text: pd.Series, field: str, errors: SheetErrors, *, decimal: bool
) -> pd.Series:
    """A number column: empty → None, else the number without thousands separators (text, or ``Decimal``);
    a cell that is no finite number is an error."""
    plain = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(plain.where(text != "", None), errors="coerce")
    bad = (text != "") & ~np.isfinite(numbers.to_numpy(dtype="float64", na_value=np.nan))
    for row, value in text[bad].items():
        errors.cell(sheet, row, sheet.header(field), MSG_NUMBER.format(value=value))
    values = plain.astype(object).where((text != "") & ~bad, None)
    return (
        values.map(Decimal, na_action="ignore").astype(object).where(values.notna(), None)
        if decimal
        else values
    )


# --- comparison -------------------------------------------------------------------------------------

DIFF_COLUMNS = [
    "kind",
    "setl_id",
    "institution_id",
    "case_id",
    "our_group",
    "national_group",
    "national_group_name",
    "our_trace",
    "divergence",
    "rule_code",
    "our_rule_code",
    "message",
]


def divergence(
    ours: str, national: str, *, kind: str, national_kind: str, catalog_codes: frozenset[str]
) -> str:
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
    return (
        Divergence.MAIN_DIAGNOSIS
        if ours.split(".")[0][:3] != national.split(".")[0][:3]
        else Divergence.PROCEDURE
    )


def group_differences(
    ours: pd.DataFrame, national: pd.DataFrame, *, catalog_codes: frozenset[str]
) -> pd.DataFrame:
    """Cases whose national group differs from ours, and cases present on one side only. Set-based: one
    outer merge of a month's million cases; only the differing rows are looked at one by one."""
    both = ours.merge(
        national, on="setl_id", how="outer", suffixes=("_ours", "_nat"), indicator="side"
    )
    side = both["side"].astype(str)
    left, right, matched = (
        both[side == "left_only"],
        both[side == "right_only"],
        both[side == "both"],
    )
    differ = matched[
        (matched["group_code_ours"] != matched["group_code_nat"])
        | (matched["kind"] != matched["group_kind"])
    ]
    steps = [
        divergence(o, n, kind=k, national_kind=nk, catalog_codes=catalog_codes)
        for o, n, k, nk in differ[
            ["group_code_ours", "group_code_nat", "kind", "group_kind"]
        ].itertuples(index=False)
    ]
    parts = [
        _diffs(
            DiffKind.OURS_ONLY,
            left,
            left["institution_id_ours"],
            left["case_id"],
            our_group=left["group_code_ours"],
            our_trace=left["trace"],
        ),
        _diffs(
            DiffKind.NATIONAL_ONLY,
            right,
            right["institution_id_nat"],
            None,
            national_group=right["group_code_nat"],
            national_group_name=right["group_name"],
        ),
        _diffs(
            DiffKind.GROUP,
            differ,
            differ["institution_id_ours"],
            differ["case_id"],
            our_group=differ["group_code_ours"],
            national_group=differ["group_code_nat"],
            national_group_name=differ["group_name"],
            our_trace=differ["trace"],
            divergence=steps,
        ),
    ]
    return _diff_frame(parts)


def _diffs(
    kind: str, rows: pd.DataFrame, institution: pd.Series, case_id: pd.Series | None, **values
) -> pd.DataFrame:
    """Difference rows of ``kind``, one per row of ``rows``; the other columns empty."""
    frame = pd.DataFrame(dict.fromkeys(DIFF_COLUMNS, ""), index=range(len(rows)), dtype=object)
    frame["kind"], frame["setl_id"] = kind, rows["setl_id"].to_numpy(dtype=object)
    frame["institution_id"] = [int(i) for i in institution]
    frame["case_id"] = (
        [None] * len(rows) if case_id is None else [None if pd.isna(c) else int(c) for c in case_id]
    )
    for name, column in values.items():
        frame[name] = [
            ("" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
            for v in (column.tolist() if hasattr(column, "tolist") else column)
        ]
    return frame


def _diff_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Object columns: a case id stays an int or None (no float NaN on the way to the database)."""
    parts = [part for part in parts if len(part)]
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=DIFF_COLUMNS, dtype=object)
    )


def qc_differences(national: pd.DataFrame, ours: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Quality-control differences on the cases both sides hold, by rule, both ways (国家质控 vs our checks).

    ``national``: the national findings (``setl_id``, ``institution_id``, ``rule_code``, ``level``, ``field``,
    ``message``); ``ours``: our findings (``setl_id``, ``institution_id``, ``rule_code``, ``field``,
    ``message``: intake's quality rules on the stored case, ``our_quality``). The two sides name their rules
    differently; they meet on the settlement-list field a rule checks (docs/reconciliation.md, QC mapping).

    - ``qc_national``: a national error on a case our checks accept (no finding of ours) — one row per
      national rule, ``rule_code`` the national rule;
    - ``qc_ours``: a finding of ours on a case the national check accepts (no national error) and has no
      finding on that field — one row per our rule, ``our_rule_code`` ours; ``rule_code`` shows the national
      warnings on the case, if any.
    """
    case_ids = pd.Series(cases["case_id"].to_numpy(), index=cases["setl_id"].to_numpy(dtype=object))
    case_ids = case_ids[~case_ids.index.duplicated()]
    national = national[among(national["setl_id"], cases["setl_id"])]
    errors = national[national["level"] == QcLevel.ERROR]
    national_codes = national.groupby("setl_id")["rule_code"].agg(
        lambda codes: ";".join(sorted(set(codes)))
    )
    our_codes = ours.groupby("setl_id")["rule_code"].agg(lambda codes: ";".join(sorted(set(codes))))
    theirs = errors[~among(errors["setl_id"], ours["setl_id"])].drop_duplicates(
        ["setl_id", "rule_code"]
    )
    seen = (
        national["setl_id"].astype(str) + "\x1f" + national["field"].astype(str)
    )  # (case, field) the national QC looked at
    mine = ours[
        among(ours["setl_id"], cases["setl_id"]) & ~among(ours["setl_id"], errors["setl_id"])
    ]
    mine = mine[~among(mine["setl_id"].astype(str) + "\x1f" + mine["field"].astype(str), seen)]
    mine = mine.drop_duplicates(["setl_id", "rule_code"])
    return _diff_frame(
        [
            _diffs(
                DiffKind.QC_NATIONAL,
                theirs,
                theirs["institution_id"],
                theirs["setl_id"].map(case_ids),
                rule_code=theirs["rule_code"],
                our_rule_code=theirs["setl_id"].map(our_codes),
                message=theirs["message"],
            ),
            _diffs(
                DiffKind.QC_OURS,
                mine,
                mine["institution_id"],
                mine["setl_id"].map(case_ids),
                rule_code=mine["setl_id"].map(national_codes),
                our_rule_code=mine["rule_code"],
                message=mine["message"],
            ),
        ]
    )


# Our quality rules: intake's quality warnings (``settlement.intake.domain.quality_warnings``), each given a
# rule code; docs/reconciliation.md maps them to the national QC fields.
OUR_RULES = {
    intake.WARN_FEMALE_DIAGNOSIS: "IQ-SEX-F",
    intake.WARN_MALE_DIAGNOSIS: "IQ-SEX-M",
    intake.WARN_NEWBORN_ON_ADULT: "IQ-NB-ADULT",
    intake.WARN_NEWBORN_WEIGHT_MISSING: "IQ-NB-WEIGHT",
    intake.WARN_NEWBORN_FIELDS_OVER_ONE: "IQ-NB-OVER1",
    intake.WARN_LIVE_BORN_LATE: "IQ-NB-Z38",
    intake.WARN_LOS_OUTLIER.format(days=intake.LOS_OUTLIER_DAYS): "IQ-LOS",
    intake.WARN_FEE_BREAKDOWN_MISSING: "IQ-FEE",
}
OTHER_RULE = "IQ-OTHER"
QUALITY_FINDING_COLUMNS = ["setl_id", "institution_id", "rule_code", "field", "message"]


def our_quality(cases: pd.DataFrame) -> pd.DataFrame:
    """Our quality-control result per case: the warnings intake's rules give the stored case (one row per
    finding), with our rule code (``OUR_RULES``) and the field it is about. ``cases``: ``setl_id``,
    ``institution_id`` and the fields the rules read, typed (``selectors.our_case_frame``)."""
    if cases.empty:
        return pd.DataFrame(columns=QUALITY_FINDING_COLUMNS)
    cases = cases.reset_index(drop=True)
    issues = intake.quality_warnings(cases, pd.Series(np.arange(len(cases)), index=cases.index))
    at = issues["row"].to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "setl_id": cases["setl_id"].to_numpy(dtype=object)[at],
            "institution_id": cases["institution_id"].to_numpy()[at],
            "rule_code": issues["message"].map(OUR_RULES).fillna(OTHER_RULE).to_numpy(dtype=object),
            "field": issues["column"].to_numpy(dtype=object),
            "message": issues["message"].to_numpy(dtype=object),
        }
    )


MONEY_COLUMNS = [
    "institution_id",
    "cases_ours",
    "cases_national",
    "fund_ours",
    "fund_national",
    "fund_difference",
]


def money_differences(ours: pd.DataFrame, bookings: pd.DataFrame) -> pd.DataFrame:
    """Per institution: the fund our case records paid (统筹基金支出, Σ to the fen) against the national
    booking. ``ours``: ``institution_id``, ``fund_fen`` (int64 fen) per case; ``bookings``: ``fund_paid``
    (Decimal), ``case_count``; either side may lack an institution."""
    mine = ours.groupby("institution_id")["fund_fen"].agg(["size", "sum"])
    theirs = {
        int(i): (int(c), f)
        for i, f, c in bookings[["institution_id", "fund_paid", "case_count"]].itertuples(
            index=False
        )
    }
    rows = []
    for institution in sorted({int(i) for i in mine.index} | set(theirs)):
        count, fen = (
            (int(v) for v in mine.loc[institution]) if institution in mine.index else (0, 0)
        )
        fund = (Decimal(fen) / 100).quantize(ZERO)
        booked_count, booked = theirs.get(institution, (0, ZERO))
        rows.append((institution, count, booked_count, fund, booked, booked - fund))
    return pd.DataFrame(rows, columns=MONEY_COLUMNS)


def mismatch_rates(cases: pd.DataFrame, diffs: pd.DataFrame) -> pd.DataFrame:
    """Per institution: cases held, group mismatches and their share (0..1, Decimal to 4 places)."""
    held = cases.groupby("institution_id").size()
    mismatched = diffs[diffs["kind"] == DiffKind.GROUP].groupby("institution_id").size()
    frame = pd.DataFrame({"cases": held, "mismatches": mismatched}).fillna(0).astype(int)
    frame["rate"] = [
        (Decimal(m) / Decimal(c)).quantize(Decimal("0.0001")) if c else ZERO
        for m, c in frame[["mismatches", "cases"]].itertuples(index=False)
    ]
    return frame.rename_axis("institution_id").reset_index()


# --- as-national recomputation ------------------------------------------------------------------------


def as_national_points(
    cases: pd.DataFrame,
    ours: pd.DataFrame,
    national: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    kind: str,
    levels: Mapping[int, str],
    coefficients: Mapping[int, Decimal],
    base_mean,
    params,
) -> pd.DataFrame:
    """Each case's points under our groups and under the national groups ("what would we pay if we grouped
    as they do"), both by the settlement engine (``settlement.runs.domain.engine_cases`` +
    ``settlement.engine.points.case_points``), so only the group differs.

    ``cases``: the engine's case frame (``id``, ``institution_id``, ``medfee_fen``, …); ``ours`` and
    ``national``: ``group_code`` and ``typing_coefficient`` aligned with ``cases``. A national group our
    catalog lacks earns no points (it cannot be priced here). Returns ``case_id``, ``institution_id``,
    ``points_ours``, ``points_national`` (int64 counts of 0.0001 point, the engine's ``points_e4``; a
    month's million cases create no ``Decimal``).
    """
    from settlement.engine.points import case_points
    from settlement.runs.domain import engine_cases

    known = set(groups["code"])
    national = national.assign(group_code=[c if c in known else "" for c in national["group_code"]])

    def points(grouped: pd.DataFrame) -> np.ndarray:
        engine = engine_cases(
            cases,
            grouped,
            groups,
            kind=kind,
            levels=levels,
            coefficients=coefficients,
            base_mean=base_mean,
        )
        return case_points(engine, params, base_mean=base_mean)["points_e4"].to_numpy(dtype="int64")

    return pd.DataFrame(
        {
            "case_id": cases["id"].to_numpy(),
            "institution_id": cases["institution_id"].to_numpy(),
            "points_ours": points(ours),
            "points_national": points(national),
        }
    )


def institution_amounts(points: pd.DataFrame, pv: Decimal | None) -> pd.DataFrame:
    """Per institution: points under both groupings (``points``: per case, int64 counts of 0.0001 point, as
    ``as_national_points`` gives them; summed exactly, then ``Decimal``) and, with the run's point value, the
    amounts to the fen (``settlement.engine.amounts.settlement_amounts``: points × PV, allocated) and their
    difference."""
    from settlement.engine.amounts import settlement_amounts
    from settlement.engine.fixed import POINTS_PLACES, from_units

    sums = points.groupby("institution_id")[["points_ours", "points_national"]].sum()
    frame = sums.rename_axis("institution_id").reset_index()
    for column in ("points_ours", "points_national"):
        frame[column] = from_units(frame[column].to_numpy(dtype="int64"), POINTS_PLACES)
    if pv is None:
        return frame.assign(amount_ours=None, amount_national=None, amount_difference=None)

    def amounts(column: str) -> list[Decimal]:
        totals = pd.DataFrame(
            {"institution": frame["institution_id"], "points": frame[column], "psn_part": ZERO}
        )
        return list(settlement_amounts(totals, pv)["settlement"])

    ours, national = amounts("points_ours"), amounts("points_national")
    return frame.assign(
        amount_ours=ours,
        amount_national=national,
        amount_difference=[n - o for o, n in zip(ours, national, strict=True)],
    )
