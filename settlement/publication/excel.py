"""The answers to a published run as a workbook (结算单确认情况), through config/spreadsheets."""

from __future__ import annotations

from django.utils import timezone

from config.spreadsheets.writer import rows_workbook
from settlement.publication.choices import ResponseState
from settlement.publication.selectors import Overview

HEADER = [
    "机构编码",
    "机构名称",
    "结算金额（元）",
    "本期应拨付（元）",
    "状态",
    "回复人",
    "回复时间",
    "说明",
    "争议编号",
]


def overview_workbook(overview: Overview) -> bytes:
    rows = [
        [
            row.statement.institution.code,
            row.statement.institution.name,
            row.statement.settlement,
            row.statement.payment,
            row.state.label,
            str(row.response.responded_by) if row.response else "",
            timezone.localtime(row.response.responded_at).strftime("%Y-%m-%d %H:%M")
            if row.response
            else "",
            row.response.note if row.response else "",
            row.dispute.number if row.dispute else "",
        ]
        for row in overview.rows
    ]
    counts = [[ResponseState(state).label, n] for state, n in overview.counts.items()]
    return rows_workbook([("确认情况", HEADER, rows), ("汇总", ["状态", "机构数"], counts)])
