"""The columns of settlement's list pages (config.lists)."""

from __future__ import annotations

import django_tables2 as tables
from django_tables2 import A

from config.lists import ListTable, MoneyColumn, NumberColumn


class CaseTable(ListTable):
    """结算清单: sortable by period (the list order) and settlement id, the two orders an index serves."""

    setl_id = tables.Column("结算ID", linkify=("settlement:case_detail", [A("pk")]), orderable=True)
    institution = tables.Column("机构", accessor="institution__name")
    period = tables.Column(
        "期间", orderable=True, order_by=("period_id", "institution_id", "setl_id")
    )
    insutype = tables.Column("险种")
    med_type = tables.Column("医疗类别")
    maindiag_code = tables.Column("主要诊断")
    main_oprn_oprt_code = tables.Column("主要手术")
    act_ipt_days = NumberColumn("住院天数")
    medfee_sumamt = MoneyColumn("医疗费总额")
    fund_pay_sumamt = MoneyColumn("基金支付")

    class Meta(ListTable.Meta):
        attrs = {**ListTable.Meta.attrs, "data-testid": "case-list"}
        empty_text = "没有符合条件的结算清单。"
