"""The sheet builders (pure), on hand-made rows: labels, order, exact sums, per-level group analysis,
and the statement / regional-summary sheets of settlement runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pandas as pd
import pytest

from reports import sheets

INSTITUTIONS = sheets.institution_names(
    pd.DataFrame(
        [(1, "H001", "甲医院", "3A"), (2, "H002", "乙医院", "2")],
        columns=sheets.INSTITUTION_COLUMNS,
    )
)


def case(
    institution: int,
    setl_id: str,
    kind: str | None,
    code: str | None,
    points_e4: int | None,
    medfee_fen: int,
    fund_fen: int,
) -> dict:
    return {
        "institution_id": institution,
        "setl_id": setl_id,
        "insutype": "310",
        "med_type": "21",
        "maindiag_code": "I21.000",
        "main_oprn_oprt_code": None,
        "adm_date": pd.Timestamp("2024-03-01"),
        "dscg_date": pd.Timestamp("2024-03-08"),
        "act_ipt_days": 7,
        "medfee_fen": medfee_fen,
        "fund_fen": fund_fen,
        "psn_part_fen": medfee_fen - fund_fen,
        "kind": kind,
        "group_code": code,
        "group_name": f"名称{code}" if code else None,
        "points_e4": points_e4,
    }


# Typed as the selector delivers them: fen and e4 as nullable int64, text as Arrow strings.
CASES = pd.DataFrame(
    [
        case(1, "A1", "DIP", "I21", 15000, 3000010, 2100000),
        case(1, "A2", "DIP", "I21", 18000, 1000005, 700000),
        case(2, "B1", "DIP", "I21", 15000, 2000000, 1400000),
        case(2, "B2", "DIP", "", None, 500000, 350000),
        case(1, "A3", None, None, None, 10000, 7000),
    ]
).astype(
    {
        "points_e4": "Int64",
        "act_ipt_days": "Int64",
        "kind": "string[pyarrow]",
        "group_code": "string[pyarrow]",
        "group_name": "string[pyarrow]",
        "main_oprn_oprt_code": "string[pyarrow]",
    }
)


def rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.rows]


def test_group_analysis_totals_cases_points_and_cost_by_group_and_level():
    sheet = sheets.group_analysis(CASES, INSTITUTIONS)
    assert [c.header for c in sheet.columns][:5] == [
        "付费方式",
        "病种/病组编码",
        "病种/病组名称",
        "医院等级",
        "病例数",
    ]
    assert rows(sheet) == [
        (
            "DIP",
            "I21",
            "名称I21",
            "三级甲等",
            2,
            D("3.3000"),
            D("40000.15"),
            D("20000.08"),
            D("28000.00"),
        ),
        (
            "DIP",
            "I21",
            "名称I21",
            "二级",
            1,
            D("1.5000"),
            D("20000.00"),
            D("20000.00"),
            D("14000.00"),
        ),
        ("DIP", "不能入组", "", "二级", 1, D("0.0000"), D("5000.00"), D("5000.00"), D("3500.00")),
        ("未分组", "未分组", "", "三级甲等", 1, D("0.0000"), D("100.00"), D("100.00"), D("70.00")),
    ]


def test_case_detail_has_one_labelled_row_per_case_in_order():
    detail = rows(sheets.case_detail(CASES, INSTITUTIONS))
    assert [r[:5] for r in detail[:2]] == [
        ("H001", "甲医院", "A1", "职工", "普通住院"),
        ("H001", "甲医院", "A2", "职工", "普通住院"),
    ]
    assert detail[0][7:10] == (date(2024, 3, 1), date(2024, 3, 8), 7) and detail[0][6] is None
    assert detail[0][12:16] == (D("1.5000"), D("30000.10"), D("21000.00"), D("9000.10"))
    assert detail[3][10:13] == ("DIP", "不能入组", None) and detail[4][10:13] == (None, "", None)
    assert sum(r[13] for r in detail) == D("65100.15")


@pytest.mark.parametrize(
    ("score", "typing", "expected"),
    [
        (15_000_000, None, 15_000_000),
        (12345, 12000, 14814),
        (12345, 12001, 14815),
        (1, 5000, 1),
        (None, None, None),
    ],
)
def test_case_points_are_score_times_typing_half_up(score, typing, expected):
    points = sheets.case_points_e4(
        pd.Series([score, score], dtype="Int64"), pd.Series([typing, typing], dtype="Int64")
    )
    assert points.tolist() == ([expected] * 2 if expected is not None else [pd.NA] * 2)


def test_findings_and_quality_are_labelled_in_chinese():
    finding = {
        "institution_id": 1,
        "rule": "split_admission",
        "severity": "high",
        "score": D("1.50"),
        "evidence_count": 3,
        "status": "confirmed",
        "amount": D("1234.56"),
        "description": "分解住院",
    }
    (row,) = rows(sheets.findings([finding], INSTITUTIONS))
    assert row[:4] == ("H001", "甲医院", "分解住院", "高") and row[6:8] == ("已确认", D("1234.56"))
    score = {
        "institution_id": 2,
        "score": D("80.00"),
        "batches": 2,
        "error_free_batches": 1,
        "warning_rate": D("0.0125"),
        "cases": 4,
        "late_cases": 1,
        "late_share": D("0.2500"),
        "corrections": 0,
        "correction_rate": D("0"),
    }
    assert rows(sheets.data_quality([score], INSTITUTIONS)) == [
        ("H002", "乙医院", D("80.00"), 2, 1, D("0.0125"), 4, 1, D("0.2500"), 0, D("0"))
    ]


RUNS = [
    {
        "run_id": 7,
        "scheme": "310",
        "category": "DIP",
        "kind": "DIP",
        "case_count": 3,
        "pool": D("100000.00"),
        "points_total": D("4.8000"),
        "point_value": D("20833.333333"),
        "total": D("100000.00"),
        "finished_at": datetime(2024, 4, 1, 1, 0),
    }
]
STATEMENTS = [
    {
        "run_id": 7,
        "scheme": "310",
        "category": "DIP",
        "institution_id": 2,
        "cases": 1,
        "points": D("1.5000"),
        "medfee": D("20000.00"),
        "fund": D("14000.00"),
        "settlement": D("31250.00"),
        "advance": D("28125.00"),
        "payment": D("28125.00"),
    },
    {
        "run_id": 7,
        "scheme": "310",
        "category": "DIP",
        "institution_id": 1,
        "cases": 2,
        "points": D("3.3000"),
        "medfee": D("40000.15"),
        "fund": D("28000.00"),
        "settlement": D("68750.00"),
        "advance": D("61875.00"),
        "payment": D("61875.00"),
    },
]


def test_regional_summary_shows_each_current_run_with_its_point_value():
    (row,) = rows(sheets.regional_summary(RUNS))
    assert row == (
        "#7",
        "职工基本医疗保险",
        "DIP",
        "DIP",
        3,
        D("100000.00"),
        D("4.8000"),
        D("20833.333333"),
        D("100000.00"),
        "2024-04-01 01:00",
    )


def test_statements_are_by_institution_code_and_carry_the_runs_amounts():
    out = rows(sheets.statements(STATEMENTS, INSTITUTIONS))
    assert [r[:3] for r in out] == [("H001", "甲医院", "三级甲等"), ("H002", "乙医院", "二级")]
    assert [r[10] for r in out] == [D("68750.00"), D("31250.00")] and sum(
        r[10] for r in out
    ) == RUNS[0]["total"]
