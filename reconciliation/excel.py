"""The reconciliation's tables as one workbook (机构差异, 病例差异), written by config.spreadsheets."""

from __future__ import annotations

from collections.abc import Iterable

from config.spreadsheets.writer import rows_workbook
from reconciliation.models import ReconCase, ReconInstitution

INSTITUTION_HEADER = ["机构编号", "机构名称", "本地病例数", "国家记账人次", "分组不一致数", "本地统筹基金支出", "国家统筹基金支出", "基金支出差额",
                      "本地点数", "按国家分组点数", "本地折算金额", "按国家分组折算金额", "折算金额差额"]  # fmt: skip
CASE_HEADER = ["结算ID", "机构编号", "差异类型", "本地分组", "国家分组", "国家分组名称", "本地入组路径", "分歧环节", "国家质控规则", "本地质控规则", "说明",
               "本地点数", "按国家分组点数"]  # fmt: skip


def reconciliation_workbook(institutions: Iterable[ReconInstitution], cases: Iterable[ReconCase]) -> bytes:
    institution_rows = ([r.institution.code, r.institution.name, r.cases_ours, r.cases_national, r.mismatches, r.fund_ours, r.fund_national,
                         r.fund_difference, r.points_ours, r.points_national, r.amount_ours, r.amount_national, r.amount_difference]
                        for r in institutions)  # fmt: skip
    case_rows = ([r.setl_id, r.institution.code, r.get_kind_display(), r.our_group, r.national_group, r.national_group_name, r.our_trace,
                  r.get_divergence_display(), r.rule_code, r.our_rule_code, r.message, r.our_points, r.national_points] for r in cases)  # fmt: skip
    return rows_workbook([("机构差异", INSTITUTION_HEADER, institution_rows), ("病例差异", CASE_HEADER, case_rows)])
