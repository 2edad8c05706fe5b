"""POST /api/v1/grouping/preview/: pre-grouping (预分组) of one case or up to 10,000, nothing stored.

The body is the batch endpoint's (``cases/batches/``): flat settlement-list rows (``rows``) or 4101 records
(``records``, or one bare record), never both. A row with an error refuses the preview with 400 and every
error (row, field code and name, value, reason; for a record its setl_id, sub-table and row within it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ERR_INVALID, ErrorSerializer
from config.api_params import refuse_unknown_params
from settlement.api.intake import (
    _EXAMPLE_RECORD,
    _EXAMPLE_ROW,
    RECORD_HELP,
    ROW_HELP,
    BatchRequestSerializer,
    IssueSerializer,
    one_record_wrapped,
)
from settlement.grouping import preview


class PreviewRequestSerializer(BatchRequestSerializer):
    """The batch endpoint's body (``rows`` or ``records``, one of them) with the preview's limit."""

    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        required=False,
        help_text=ROW_HELP
        + f"每次最多 {preview.MAX_CASES} 条；一条病例即为一个元素的列表。行号按提交顺序从1开始。",
    )
    records = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        required=False,
        help_text=RECORD_HELP + f"每次最多 {preview.MAX_CASES} 条记录（也可直接提交单条记录对象）；"
        "记录与列表行均从1开始编号，结果中的行号即记录序号。",
    )

    def validate_rows(self, rows: list[dict]) -> list[dict]:
        _within_limit(rows)
        return super().validate_rows(rows)

    def validate_records(self, records: list[dict]) -> list[dict]:
        _within_limit(records)
        return super().validate_records(records)


def _within_limit(items: list) -> None:
    if len(items) > preview.MAX_CASES:
        raise serializers.ValidationError(
            preview.ERR_TOO_MANY.format(limit=preview.MAX_CASES, count=len(items))
        )


class PreviewPointValueRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="点值所属结算运行编号")
    year = serializers.IntegerField()
    run_type = serializers.CharField(
        help_text="运行类型：monthly 月度预付、quarterly 季度预清算、annual 年度结算"
    )
    run_type_label = serializers.CharField()
    period = serializers.CharField(help_text="点值所属期间，如 2024年3月")
    finished_at = serializers.DateTimeField(allow_null=True)


class PreviewEstimateSerializer(serializers.Serializer):
    estimate = serializers.BooleanField(
        help_text="恒为 true：以下点数与金额均为估算，以正式结算为准"
    )
    label = serializers.CharField(help_text="恒为“估算”")
    scheme = serializers.CharField(help_text="险种类型")
    category = serializers.CharField(help_text="细分类别（结算参数与点值所属类别）")
    points = serializers.CharField(
        allow_null=True, help_text="估算点数（4位小数）；无法估算时为 null，原因见 note"
    )
    ratio = serializers.CharField(allow_null=True, help_text="偏差比（费用÷病组次均费用）")
    deviation = serializers.CharField(
        allow_null=True, help_text="偏差类型：normal、low、high、extreme、ungroupable"
    )
    deviation_label = serializers.CharField(allow_null=True)
    point_value = serializers.CharField(
        allow_null=True, help_text="所用点值（最新已公布）；尚无点值时为 null"
    )
    point_value_run = PreviewPointValueRunSerializer(allow_null=True)
    amount = serializers.CharField(
        allow_null=True, help_text="估算金额（元，点数×点值，保留两位小数）"
    )
    note = serializers.CharField(help_text="估算说明或无法估算的原因")


class PreviewVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()


class PreviewKindSerializer(serializers.Serializer):
    available = serializers.BooleanField(help_text="false：该付费方式无法分组，原因见 reason")
    reason = serializers.CharField(
        required=False, help_text="无法分组的原因（available 为 false 时）"
    )
    version = PreviewVersionSerializer(
        required=False, help_text="所用目录版本（病例所属统筹区、出院年度执行中的版本）"
    )
    group_code = serializers.CharField(required=False, help_text="病组/病种编码；不能入组时为空")
    group_type = serializers.CharField(required=False)
    treatment_type = serializers.CharField(required=False)
    subtype = serializers.CharField(required=False)
    typing_coefficient = serializers.CharField(required=False, allow_null=True)
    trace = serializers.CharField(required=False, help_text="分组路径代码")
    trace_text = serializers.CharField(required=False, help_text="分组路径说明")
    ungroupable = serializers.BooleanField(required=False)
    estimate = PreviewEstimateSerializer(required=False)


class PreviewCaseSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="行号（rows 中的序号；records 时为记录序号，均从1开始）"
    )
    setl_id = serializers.CharField()
    fixmedins_code = serializers.CharField()
    warnings = IssueSerializer(many=True, help_text="导入时会给出的数据质量警告")
    drg = PreviewKindSerializer()
    dip = PreviewKindSerializer()


class PreviewResultSerializer(serializers.Serializer):
    estimate = serializers.BooleanField(help_text="恒为 true：结果为预分组估算，未保存任何数据")
    label = serializers.CharField()
    count = serializers.IntegerField()
    warnings = IssueSerializer(
        many=True, help_text="不属于某一病例的警告，如未识别的字段（已忽略）"
    )
    cases = PreviewCaseSerializer(many=True)


class PreviewErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = IssueSerializer(many=True)


PREVIEW_REFUSED = PolymorphicProxySerializer(
    component_name="PreviewRefused",
    serializers=[PreviewErrorSerializer, ErrorSerializer],
    resource_type_field_name=None,
)

_EXAMPLE_ESTIMATE = {
    "estimate": True,
    "label": "估算",
    "scheme": "310",
    "category": "DIP",
    "points": "1500.0000",
    "ratio": "1.0000",
    "deviation": "normal",
    "deviation_label": "正常病例",
    "point_value": "10.000000",
    "point_value_run": {
        "id": 12,
        "year": 2024,
        "run_type": "monthly",
        "run_type_label": "月度预付",
        "period": "2024年2月",
        "finished_at": "2024-03-05T10:00:00+08:00",
    },
    "amount": "15000.00",
    "note": "估算：按2024年2月月度预付（结算运行#12）的点值10.000000计算，仅供参考，以正式结算为准。",
}
_EXAMPLE_RESULT = {
    "estimate": True,
    "label": "估算",
    "count": 1,
    "warnings": [],
    "cases": [
        {
            "row": 1,
            "setl_id": "S2024030001",
            "fixmedins_code": "H37080200001",
            "warnings": [],
            "drg": {
                "available": False,
                "reason": "测试统筹区2024年没有已发布的DRG病组目录，无法预分组。",
            },
            "dip": {
                "available": True,
                "version": {"id": 3, "name": "2024年DIP目录 第1版", "year": 2024},
                "group_code": "I21.000+36.0601",
                "group_type": "core",
                "treatment_type": "",
                "subtype": "",
                "typing_coefficient": None,
                "trace": "core",
                "trace_text": "核心病种：主要诊断与主要手术操作组合",
                "ungroupable": False,
                "estimate": _EXAMPLE_ESTIMATE,
            },
        }
    ],
}
_EXAMPLE_REFUSED = {
    "detail": "病例校验未通过：1个错误（见 errors，逐条列出行号与字段），未作预分组。",
    "errors": [
        {
            "row": 1,
            "column": "fixmedins_code",
            "column_name": "定点医药机构编号(fixmedins_code)",
            "value": "H37080200002",
            "message": "只能上传本机构的结算清单，此行属于其他机构。",
        }
    ],
}

_EXAMPLE_TOO_MANY = {
    "detail": ERR_INVALID,
    "errors": {
        "rows": [preview.ERR_TOO_MANY.format(limit=preview.MAX_CASES, count=preview.MAX_CASES + 1)]
    },
}


class GroupingPreviewView(APIView):
    @extend_schema(
        summary="预分组（估算病组与金额）",
        description="提交一条或最多10000条出院病例（与批次提交相同：平铺的 rows，或国家医保结算清单（4101）结构的 records，"
        "也可直接提交单条记录对象；4101 记录展开为平铺行后按同一规则校验，错误说明指明结算ID、表、表内行号和字段），返回每条病例在其统筹区、出院年度执行中的"
        "DRG与DIP目录版本下的分组及分组路径、导入时会给出的数据质量警告、估算点数，以及按该险种与细分类别最新已公布点值"
        "计算的估算金额（均标明为估算）。不保存任何数据。医疗机构用户只能预分组本机构的病例；任何一行有错误时返回400及全部错误。",
        request=PreviewRequestSerializer,
        responses={
            200: OpenApiResponse(PreviewResultSerializer, description="预分组结果（估算）"),
            400: OpenApiResponse(
                PREVIEW_REFUSED, description="校验未通过或请求无效，未作预分组：逐行错误或请求错误"
            ),
            403: OpenApiResponse(ErrorSerializer, description="无权预分组（专家等角色）"),
            413: OpenApiResponse(
                ErrorSerializer,
                description="请求体超过上限（API_MAX_BODY_MB，默认 32 MB），未作处理",
            ),
        },
        examples=[
            OpenApiExample(
                "一条住院病例（平铺）", value={"rows": [_EXAMPLE_ROW]}, request_only=True
            ),
            OpenApiExample(
                "一条国家4101结构的结算清单",
                value={"records": [_EXAMPLE_RECORD]},
                request_only=True,
            ),
            OpenApiExample(
                "预分组结果", value=_EXAMPLE_RESULT, response_only=True, status_codes=["200"]
            ),
            OpenApiExample(
                "他院病例被拒绝", value=_EXAMPLE_REFUSED, response_only=True, status_codes=["400"]
            ),
            OpenApiExample(
                f"超过{preview.MAX_CASES}条被拒绝",
                value=_EXAMPLE_TOO_MANY,
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["grouping"],
    )
    def post(self, request):
        refuse_unknown_params(request, known=())
        payload = PreviewRequestSerializer(data=one_record_wrapped(request.data))
        payload.is_valid(raise_exception=True)
        national_shape = "records" in payload.validated_data
        items = payload.validated_data["records" if national_shape else "rows"]
        try:
            result = preview.cases_preview(
                user=request.user, records=items, national_shape=national_shape
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except preview.PreviewRefused as exc:
            body = {"detail": str(exc), "errors": IssueSerializer(exc.errors, many=True).data}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(result)
