"""Case records (结算清单) in JSON: the national field codes are the field names; money is a string
with two decimals (DRF's DecimalField), never a float."""

from __future__ import annotations

from rest_framework import serializers

from catalogs.choices import Scheme
from settlement.choices import MedType
from settlement.models import CaseRecord, SettlementPeriod


class PeriodSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )

    class Meta:
        model = SettlementPeriod
        fields = ["id", "region", "year", "month", "status", "status_label", "closed_at"]


class PeriodRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementPeriod
        fields = ["year", "month", "status"]


class CaseListSerializer(serializers.ModelSerializer):
    """结算清单（列表）: identifiers, codes and the main amounts."""

    fixmedins_code = serializers.CharField(
        source="institution.code", read_only=True, help_text="定点医药机构编号"
    )
    period = PeriodRefSerializer(read_only=True, help_text="结算期间")

    class Meta:
        model = CaseRecord
        fields = [
            "id",
            "fixmedins_code",
            "period",
            "setl_id",
            "mdtrt_id",
            "insutype",
            "med_type",
            "maindiag_code",
            "main_oprn_oprt_code",
            "act_ipt_days",
            "medfee_sumamt",
            "fund_pay_sumamt",
            "setl_time",
        ]


class CaseDetailSerializer(CaseListSerializer):
    """结算清单（详情）: every column; ICU and ventilator durations in minutes."""

    fixmedins_name = serializers.CharField(
        source="institution.name", read_only=True, help_text="机构名称"
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            "id",
            "fixmedins_code",
            "fixmedins_name",
            "period",
            "setl_id",
            "mdtrt_id",
            "psn_no",
            "insutype",
            "med_type",
            "gend",
            "age",
            "nwb_age",
            "nwb_bir_wt",
            "nwb_adm_wt",
            "adm_time",
            "dscg_time",
            "act_ipt_days",
            "dscg_way",
            "maindiag_code",
            "otherdiag_codes",
            "main_oprn_oprt_code",
            "other_oprn_oprt_codes",
            "opsp_dise_code",
            "scs_cutd_sum_dura",
            "vent_used_dura",
            "days_rinp_flag_31",
            "medfee_sumamt",
            "fund_pay_sumamt",
            "hifp_pay",
            "psn_part_amt",
            "fulamt_ownpay_amt",
            "acct_pay",
            "psn_cash_pay",
            "fee_drug",
            "fee_material",
            "fee_exam",
            "fee_treatment",
            "fee_other",
            "setl_time",
            "version",
            "created_at",
            "updated_at",
        ]


class CaseQuerySerializer(serializers.Serializer):
    """结算清单列表的查询条件. Keys follow the selector's arguments (``source``)."""

    fixmedins_code = serializers.CharField(
        source="institution",
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="定点医药机构编号",
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="结算年度"
    )
    month = serializers.IntegerField(
        required=False, min_value=1, max_value=12, help_text="结算月份"
    )
    insutype = serializers.ChoiceField(
        choices=Scheme.choices, required=False, allow_blank=True, help_text="险种类型"
    )
    med_type = serializers.ChoiceField(
        choices=MedType.choices, required=False, allow_blank=True, help_text="医疗类别"
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="结算ID（精确）或主要诊断编码（前缀）",
    )
