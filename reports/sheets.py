"""The sheets of a monthly report pack — pure: plain rows and frames in, ``Sheet`` out. No ORM.

Each builder names its input's columns (the selectors in reports/selectors.py deliver exactly those);
money is ``Decimal`` from end to end, sums are exact, and every label is the one a person reads.

=====================  ================================================================================
builder                input
=====================  ================================================================================
``regional_summary``   one row per current settlement run of the month (``RUN_COLUMNS``)
``statements``         one row per institution of those runs (``STATEMENT_COLUMNS``)
``group_analysis``     the case frame (``CASE_COLUMNS``)
``findings``           supervision findings of the month (``FINDING_COLUMNS``)
``data_quality``       data-quality scores of the month (``QUALITY_COLUMNS``)
``case_detail``        the case frame and the institutions, one row per case
=====================  ================================================================================

Institutions are named through ``institution_names`` (built once from ``INSTITUTION_COLUMNS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from catalogs.choices import CatalogKind, InstitutionLevel, Scheme
from config.lazy import pandas as pd
from config.spreadsheets.streamed import (
    DATE,
    INTEGER,
    MONEY,
    POINT_VALUE,
    POINTS,
    RATE,
    SCORE,
    Column,
    Sheet,
)
from reports.choices import CASE_SHEET
from settlement.choices import MedType
from settlement.engine.fixed import MONEY_PLACES, POINTS_PLACES, div_half_up, unit_decimal
from supervision.choices import FindingStatus, Rule, Severity

E4_UNITS = 10**POINTS_PLACES
UNGROUPED = "不能入组"
NOT_GROUPED = "未分组"
LEVEL_ORDER = {level: rank for rank, level in enumerate(InstitutionLevel.values)}
KIND_ORDER = {kind: rank for rank, kind in enumerate(CatalogKind.values)}

INSTITUTION_COLUMNS = ["institution_id", "code", "name", "level"]
#: money as int64 fen (``*_fen``), points as int64 ten-thousandths (``*_e4``), missing values as NA
CASE_COLUMNS = [
    "institution_id",
    "setl_id",
    "insutype",
    "med_type",
    "maindiag_code",
    "main_oprn_oprt_code",
    "adm_date",
    "dscg_date",
    "act_ipt_days",
    "medfee_fen",
    "fund_fen",
    "psn_part_fen",
    "kind",
    "group_code",
    "group_name",
    "points_e4",
]
ROWS_PER_CHUNK = 5_000
RUN_COLUMNS = [
    "run_id",
    "scheme",
    "category",
    "kind",
    "case_count",
    "pool",
    "points_total",
    "point_value",
    "total",
    "finished_at",
]
STATEMENT_COLUMNS = [
    "run_id",
    "scheme",
    "category",
    "institution_id",
    "cases",
    "points",
    "medfee",
    "fund",
    "settlement",
    "advance",
    "payment",
]
FINDING_COLUMNS = [
    "institution_id",
    "rule",
    "severity",
    "score",
    "evidence_count",
    "status",
    "amount",
    "description",
]
QUALITY_COLUMNS = [
    "institution_id",
    "score",
    "batches",
    "error_free_batches",
    "warning_rate",
    "cases",
    "late_cases",
    "late_share",
    "corrections",
    "correction_rate",
]


@cache
def _labels(choices) -> dict[str, str]:
    return dict(choices.choices)


def _label(choices, value: str) -> str:
    return _labels(choices).get(value, value)


class InstitutionName(NamedTuple):
    code: str
    name: str
    level: str  # 医院等级, as a person reads it
    rank: int  # the level's place in InstitutionLevel (三级甲等 first)


NO_NAME = InstitutionName("", "", "", len(LEVEL_ORDER))


def institution_names(institutions: pd.DataFrame) -> dict[int, InstitutionName]:
    """institution id → its code, name and level (``INSTITUTION_COLUMNS`` in), for every builder below."""
    return {
        int(r.institution_id): InstitutionName(
            r.code,
            r.name,
            _label(InstitutionLevel, r.level),
            LEVEL_ORDER.get(r.level, len(LEVEL_ORDER)),
        )
        for r in institutions.itertuples(index=False)
    }


# --- settlement runs -------------------------------------------------------------------------------

SUMMARY = [
    Column("结算运行批次", width=12),
    Column("险种", width=22),
    Column("细分类别", width=12),
    Column("付费方式", width=10),
    Column("病例数", INTEGER, width=12, total=True),
    Column("可分配基金（元）", MONEY, width=18, total=True),
    Column("有效点数合计", POINTS, width=18, total=True),
    Column("点值（元/点）", POINT_VALUE, width=14),
    Column("结算总额（元）", MONEY, width=18, total=True),
    Column("完成时间", width=20),
]


def regional_summary(runs: Sequence[dict]) -> Sheet:
    """区域汇总: one line per current run of the month, with its pool, points, point value and total."""
    rows = [
        (
            f"#{r['run_id']}",
            _label(Scheme, r["scheme"]),
            r["category"],
            r["kind"],
            r["case_count"],
            r["pool"],
            r["points_total"],
            r["point_value"],
            r["total"],
            f"{r['finished_at']:%Y-%m-%d %H:%M}" if r["finished_at"] else "",
        )
        for r in runs
    ]
    return Sheet("区域汇总", SUMMARY, rows)


STATEMENTS = [
    Column("机构编码", width=16),
    Column("机构名称", width=28),
    Column("医院等级", width=10),
    Column("结算运行批次", width=12),
    Column("险种", width=22),
    Column("细分类别", width=12),
    Column("病例数", INTEGER, width=10, total=True),
    Column("有效点数", POINTS, width=16, total=True),
    Column("医疗总费用（元）", MONEY, width=18, total=True),
    Column("统筹基金记账（元）", MONEY, width=18, total=True),
    Column("结算金额（元）", MONEY, width=18, total=True),
    Column("月度预付额（元）", MONEY, width=18, total=True),
    Column("本期应拨付（元）", MONEY, width=18, total=True),
]


def statements(
    rows: Sequence[dict], names: Mapping[int, InstitutionName], *, title: str = "机构结算单"
) -> Sheet:
    """机构结算单: one line per institution and run, by institution code."""
    ordered = sorted(
        rows, key=lambda r: (names.get(r["institution_id"], NO_NAME).code, r["run_id"])
    )
    out = [
        (
            *names.get(r["institution_id"], NO_NAME)[:3],
            f"#{r['run_id']}",
            _label(Scheme, r["scheme"]),
            r["category"],
            r["cases"],
            r["points"],
            r["medfee"],
            r["fund"],
            r["settlement"],
            r["advance"],
            r["payment"],
        )
        for r in ordered
    ]
    return Sheet(title, STATEMENTS, out)


# --- cases -----------------------------------------------------------------------------------------

GROUPS = [
    Column("付费方式", width=10),
    Column("病种/病组编码", width=18),
    Column("病种/病组名称", width=36),
    Column("医院等级", width=10),
    Column("病例数", INTEGER, width=10, total=True),
    Column("病种分值合计", POINTS, width=16, total=True),
    Column("医疗总费用（元）", MONEY, width=18, total=True),
    Column("次均费用（元）", MONEY, width=14),
    Column("统筹基金支付（元）", MONEY, width=18, total=True),
]


def group_analysis(cases: pd.DataFrame, names: Mapping[int, InstitutionName]) -> Sheet:
    """病种分析: cases, points and cost by group and by the institution's level (医院等级); exact sums in
    integer fen and ten-thousandths of a point."""
    institution = cases["institution_id"]
    frame = pd.DataFrame(
        {
            "kind": cases["kind"].fillna(""),
            "code": cases["group_code"].fillna(""),
            "name": cases["group_name"].fillna(""),
            "level": institution.map({i: n.level for i, n in names.items()}).fillna(""),
            "rank": institution.map({i: n.rank for i, n in names.items()}).fillna(NO_NAME.rank),
            "n": 1,
            "points": cases["points_e4"].fillna(0).astype("int64"),
            "medfee": cases["medfee_fen"].astype("int64"),
            "fund": cases["fund_fen"].astype("int64"),
        }
    )
    sums = (
        frame.groupby(["kind", "code", "name", "rank", "level"], sort=False)[
            ["n", "points", "medfee", "fund"]
        ]
        .sum()
        .reset_index()
    )
    sums = sums.assign(
        kind_rank=sums["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER)), last=sums["code"] == ""
    )
    sums = sums.sort_values(["kind_rank", "last", "code", "rank"], kind="stable")
    rows = [
        (
            kind or NOT_GROUPED,
            code or (UNGROUPED if kind else NOT_GROUPED),
            name,
            level,
            int(n),
            unit_decimal(points, POINTS_PLACES),
            unit_decimal(medfee, MONEY_PLACES),
            unit_decimal(div_half_up(int(medfee), int(n)), MONEY_PLACES),
            unit_decimal(fund, MONEY_PLACES),
        )
        for kind, code, name, level, n, points, medfee, fund in sums[
            ["kind", "code", "name", "level", "n", "points", "medfee", "fund"]
        ].itertuples(index=False, name=None)
    ]
    return Sheet("病种分析", GROUPS, rows)


DETAIL = [
    Column("机构编码", width=16),
    Column("机构名称", width=24),
    Column("结算ID", width=20),
    Column("险种", width=10),
    Column("医疗类别", width=12),
    Column("主要诊断编码", width=14),
    Column("主要手术操作编码", width=16),
    Column("入院日期", DATE, width=12),
    Column("出院日期", DATE, width=12),
    Column("住院天数", INTEGER, width=10, total=True),
    Column("付费方式", width=10),
    Column("病种/病组编码", width=18),
    Column("病种分值", POINTS, width=12, total=True),
    Column("医疗总费用（元）", MONEY, width=16, total=True),
    Column("统筹基金支付（元）", MONEY, width=16, total=True),
    Column("个人负担（元）", MONEY, width=16, total=True),
]
SCHEME_SHORT = {Scheme.EMPLOYEE: "职工", Scheme.RESIDENT: "居民"}


def case_detail(cases: pd.DataFrame, names: Mapping[int, InstitutionName]) -> Sheet:
    """病例明细: one row per case, by institution and settlement id (rows are produced as they are written)."""
    return Sheet(CASE_SHEET, DETAIL, _detail_rows(cases, names))


def _detail_rows(cases: pd.DataFrame, names: Mapping[int, InstitutionName]) -> Iterator[tuple]:
    """Rows in chunks, so only a chunk's Python objects exist at a time; fen and e4 back to exact Decimal."""
    med_types = _labels(MedType)
    for start in range(0, len(cases), ROWS_PER_CHUNK):
        chunk = cases.iloc[start : start + ROWS_PER_CHUNK]
        for (
            institution,
            setl_id,
            insutype,
            med_type,
            diag,
            oprn,
            adm,
            dscg,
            days,
            medfee,
            fund,
            psn_part,
            kind,
            code,
            _,
            points,
        ) in zip(*(_objects(chunk[column]) for column in CASE_COLUMNS), strict=True):
            owner = names.get(institution, NO_NAME)
            yield (
                owner.code,
                owner.name,
                setl_id,
                SCHEME_SHORT.get(insutype, insutype),
                med_types.get(med_type, med_type),
                diag,
                oprn,
                adm,
                dscg,
                days,
                kind,
                code or (UNGROUPED if kind else ""),
                _decimal(points, POINTS_PLACES),
                _decimal(medfee, MONEY_PLACES),
                _decimal(fund, MONEY_PLACES),
                _decimal(psn_part, MONEY_PLACES),
            )


def _objects(values: pd.Series) -> list:
    """A column as Python values (dates as ``date``), missing ones as None."""
    present = values.notna()
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.date
    return values.astype(object).where(present, None).tolist()


def _decimal(units: int | None, places: int) -> Decimal | None:
    return None if units is None else unit_decimal(units, places)


def case_points_e4(score_e4: pd.Series, typing_e4: pd.Series) -> pd.Series:
    """病种分值 of each case in ten-thousandths: the group's score × its typing coefficient (1 when untyped),
    half-up; NA where the case has no group score."""
    typing = typing_e4.fillna(E4_UNITS).astype("int64").to_numpy()
    score = score_e4.fillna(0).astype("int64").to_numpy()
    points = pd.Series(div_half_up(score * typing, E4_UNITS), index=score_e4.index, dtype="Int64")
    return points.where(score_e4.notna(), pd.NA)


# --- supervision -----------------------------------------------------------------------------------

FINDINGS = [
    Column("机构编码", width=16),
    Column("机构名称", width=24),
    Column("监管规则", width=22),
    Column("严重程度", width=10),
    Column("评分", SCORE, width=10),
    Column("涉及病例数", INTEGER, width=12, total=True),
    Column("状态", width=10),
    Column("扣减金额（元）", MONEY, width=16, total=True),
    Column("说明", width=60),
]


def findings(rows: Sequence[dict], names: Mapping[int, InstitutionName]) -> Sheet:
    """监管发现: the month's findings with their review status and deduction."""
    out = [
        (
            *names.get(r["institution_id"], NO_NAME)[:2],
            _label(Rule, r["rule"]),
            _label(Severity, r["severity"]),
            r["score"],
            r["evidence_count"],
            _label(FindingStatus, r["status"]),
            r["amount"],
            r["description"],
        )
        for r in rows
    ]
    return Sheet("监管发现", FINDINGS, out)


QUALITY = [
    Column("机构编码", width=16),
    Column("机构名称", width=24),
    Column("数据质量评分", SCORE, width=14),
    Column("上传批次", INTEGER, width=10, total=True),
    Column("无错误批次", INTEGER, width=12, total=True),
    Column("警告率", RATE, width=10),
    Column("病例数", INTEGER, width=10, total=True),
    Column("逾期上传病例", INTEGER, width=14, total=True),
    Column("逾期占比", RATE, width=10),
    Column("更正次数", INTEGER, width=10, total=True),
    Column("更正率", RATE, width=10),
]


def data_quality(rows: Sequence[dict], names: Mapping[int, InstitutionName]) -> Sheet:
    """数据质量: each institution's score of the month and what it lost points for (supervision/quality.py)."""
    out = [
        (*names.get(r["institution_id"], NO_NAME)[:2], *(r[key] for key in QUALITY_COLUMNS[1:]))
        for r in rows
    ]
    return Sheet("数据质量", QUALITY, out)
