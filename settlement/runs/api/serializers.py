"""Settlement runs, statements (结算单) and a case's points explanation (病例点数明细) in JSON: money,
points and point values as decimal strings, never floats; labels beside the codes."""

from __future__ import annotations

from rest_framework import serializers

from catalogs.choices import Scheme
from settlement.runs import excel
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.models import RunCase, RunInstitution, SettlementRun

SCHEME_HELP = "险种：" + "；".join(f"{value} {label}" for value, label in Scheme.choices)
RUN_TYPE_HELP = "运行类型：" + "；".join(f"{value} {label}" for value, label in RunType.choices)
STATUS_HELP = "状态：" + "；".join(f"{value} {label}" for value, label in RunStatus.choices)


class RunSerializer(serializers.ModelSerializer):
    """结算运行: the period, the frozen input versions and fingerprints, the totals and the point value."""

    region = serializers.CharField(
        source="region.code", read_only=True, help_text="统筹区行政区划代码"
    )
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP)
    run_type = serializers.CharField(read_only=True, help_text=RUN_TYPE_HELP)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="状态名称"
    )
    period_label = serializers.CharField(read_only=True, help_text="期间，如 2024年3月")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        source="inputs.warnings",
        default=list,
        read_only=True,
        help_text="运行提示",
    )

    class Meta:
        model = SettlementRun
        fields = [
            "id",
            "region",
            "year",
            "scheme",
            "category",
            "kind",
            "run_type",
            "number",
            "period_label",
            "status",
            "status_label",
            "catalog_version",
            "parameter_set",
            "coefficient_table",
            "budget",
            "base_run",
            "supersedes",
            "case_count",
            "case_hash",
            "input_hash",
            "result_hash",
            "pool",
            "total",
            "points_total",
            "point_value",
            "warnings",
            "error",
            "created_at",
            "finished_at",
        ]


class RunDetailSerializer(RunSerializer):
    """结算运行（详情）: with the frozen inputs summary and the result summary (deviations, changes vs the superseded run)."""

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "inputs", "summary"]


class RunQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )
    scheme = serializers.ChoiceField(choices=Scheme.values, required=False, help_text=SCHEME_HELP)
    category = serializers.CharField(required=False, max_length=20, help_text="细分类别，如 DIP")
    run_type = serializers.ChoiceField(
        choices=RunType.values, required=False, help_text=RUN_TYPE_HELP
    )
    status = serializers.ChoiceField(
        choices=RunStatus.values, required=False, help_text=STATUS_HELP
    )


class RunInstitutionFields(serializers.Serializer):
    """The run's period and the institution of a statement row or of a member's share (``run``, ``institution``)."""

    period_label = serializers.CharField(
        source="run.period_label", read_only=True, help_text="期间"
    )
    scheme = serializers.CharField(source="run.scheme", read_only=True, help_text=SCHEME_HELP)
    category = serializers.CharField(source="run.category", read_only=True, help_text="细分类别")
    run_type = serializers.CharField(source="run.run_type", read_only=True, help_text=RUN_TYPE_HELP)
    run_status = serializers.CharField(source="run.status", read_only=True, help_text=STATUS_HELP)
    fixmedins_code = serializers.CharField(
        source="institution.code", read_only=True, help_text="定点医药机构编号"
    )
    fixmedins_name = serializers.CharField(
        source="institution.name", read_only=True, help_text="机构名称"
    )


class StatementSerializer(RunInstitutionFields, serializers.ModelSerializer):
    """结算单: one institution's figures in one run (clearing fields are null outside the year-end clearing)."""

    run = serializers.IntegerField(source="run_id", read_only=True, help_text="结算运行ID")
    point_value = serializers.DecimalField(
        source="run.point_value",
        max_digits=18,
        decimal_places=6,
        read_only=True,
        allow_null=True,
        help_text="点值",
    )
    confirm_deadline = serializers.DateField(
        source="run.publication.deadline",
        read_only=True,
        allow_null=True,
        help_text="公示后确认或提出异议的截止日（含）；未公示为 null",
    )
    answer = serializers.CharField(
        source="response.kind",
        read_only=True,
        allow_null=True,
        help_text="本机构的回复：confirmed 已确认 / objected 已提出异议；未回复为 null",
    )

    class Meta:
        model = RunInstitution
        fields = [
            "id",
            "run",
            "period_label",
            "scheme",
            "category",
            "run_type",
            "run_status",
            "fixmedins_code",
            "fixmedins_name",
            "point_value",
            "cases",
            "points",
            "medfee",
            "fund",
            "psn_part",
            "settlement",
            "fund_due",
            "advance",
            "advances_paid",
            "deposit",
            "payment",
            "actual",
            "ratio",
            "band",
            "payable",
            "compensation",
            "violations",
            "assessment_score",
            "deposit_deduction",
            "revolving_fund",
            "paid_before",
            "final",
            "review",
            "breakdown",
            "members",
            "confirm_deadline",
            "answer",
        ]


class StatementQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )


def _money(source: str, help_text: str, places: int = 2) -> serializers.DecimalField:
    return serializers.DecimalField(
        source=source,
        max_digits=20,
        decimal_places=places,
        read_only=True,
        allow_null=True,
        help_text=help_text,
    )


class MemberShareSerializer(RunInstitutionFields):
    """医共体成员份额: a consortium member's cases and points within its lead's statement; ``amount`` is the
    member's points × point value rounded once to the fen, ``case_amounts`` the sum of its per-case amounts
    (each rounded to the fen) and ``rounding_difference`` their difference."""

    run = serializers.IntegerField(source="run.pk", read_only=True, help_text="结算运行ID")
    cases = serializers.IntegerField(source="share.cases", read_only=True, help_text="本机构病例数")
    points = _money("share.points", "本机构病例点数", places=4)
    point_value = _money("share.point_value", "点值", places=6)
    amount = _money("share.amount", "折算金额：本机构病例点数×点值，四舍五入到分")
    case_amounts = _money(
        "share.case_amounts", "逐例折算金额合计：各病例点数×点值分别四舍五入到分后相加"
    )
    rounding_difference = _money("share.rounding_difference", "逐例舍入差异：逐例合计 − 折算金额")


class MemberShareQuerySerializer(serializers.Serializer):
    run = serializers.IntegerField(
        required=False, min_value=1, help_text="结算运行ID（经办机构用户必填）"
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度"
    )


class CasePointsSerializer(serializers.ModelSerializer):
    """病例点数明细: how one run turned the case into points and money."""

    run = serializers.IntegerField(source="run_id", read_only=True, help_text="结算运行ID")
    period_label = serializers.CharField(
        source="run.period_label", read_only=True, help_text="期间"
    )
    run_type = serializers.CharField(source="run.run_type", read_only=True, help_text=RUN_TYPE_HELP)
    run_status = serializers.CharField(source="run.status", read_only=True, help_text=STATUS_HELP)
    booked = serializers.CharField(
        source="booked.code", read_only=True, help_text="结算机构编号（医共体成员计入牵头机构）"
    )
    trace_text = serializers.SerializerMethodField(help_text="入组路径说明")
    deviation_label = serializers.SerializerMethodField(help_text="偏差类型名称")
    special_label = serializers.SerializerMethodField(help_text="特例单议结果名称")
    point_value = serializers.DecimalField(
        source="run.point_value",
        max_digits=18,
        decimal_places=6,
        read_only=True,
        allow_null=True,
        help_text="点值",
    )

    class Meta:
        model = RunCase
        fields = [
            "run",
            "period_label",
            "run_type",
            "run_status",
            "booked",
            "group_code",
            "trace",
            "trace_text",
            "score",
            "mean",
            "ratio",
            "deviation",
            "deviation_label",
            "factor",
            "aux_coef",
            "inst_coef",
            "points",
            "point_value",
            "amount",
            "special",
            "special_label",
            "needs_review",
        ]

    def get_trace_text(self, obj: RunCase) -> str:
        return excel.trace_text(obj.run.kind, obj.trace)

    def get_deviation_label(self, obj: RunCase) -> str:
        return excel.deviation_label(obj.deviation)

    def get_special_label(self, obj: RunCase) -> str:
        return excel.special_label(obj.special)
