"""POST /api/v1/cases/batches/: a hospital system (or the bureau) sends settlement lists as JSON.

The rows go through the same validation as an uploaded file; a batch with any error writes
nothing and answers 400 with every error as ``{row, column, column_name, value, message}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ErrorSerializer
from settlement.intake import selectors, services
from settlement.intake.choices import ImportStatus, IssueSeverity
from settlement.intake.columns import CODES

ERR_NOT_SCALAR = "第{row}行字段“{field}”：应为文本或数字，不能是列表或对象。"
ERR_NUL = "第{row}行字段“{field}”：含有不允许的空字符（\\u0000）。"
ROW_HELP = "一条结算清单：键为国家结算清单字段代码（" + "、".join(CODES) + "），值为文本或数字；金额单位为元。"


class BatchRequestSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=services.API_MAX_ROWS,
                                 help_text=ROW_HELP + f"每批最多 {services.API_MAX_ROWS} 条。行号按提交顺序从1开始。")

    def validate_rows(self, rows: list[dict]) -> list[dict]:
        """Every value a scalar, and no NUL character anywhere (PostgreSQL text cannot hold one): refused
        here, naming row and field, before a batch exists."""
        problems = [problem for number, row in enumerate(rows, start=1) for key, value in row.items()
                    if (problem := _cell_problem(number, key, value))]  # fmt: skip
        if problems:
            raise serializers.ValidationError(problems)
        return rows


def _cell_problem(row: int, key: str, value) -> str | None:
    field = key.replace("\x00", "\\u0000")
    if isinstance(value, (list, dict)):
        return ERR_NOT_SCALAR.format(row=row, field=field)
    if "\x00" in key or (isinstance(value, str) and "\x00" in value):
        return ERR_NUL.format(row=row, field=field)
    return None


class IssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="行号（rows 中的序号，从1开始）")
    column = serializers.CharField(help_text="字段代码")
    column_name = serializers.CharField(source="column_label", help_text="字段中文名称（字段代码）")
    value = serializers.CharField(help_text="提交的值")
    message = serializers.CharField(help_text="问题说明")


class BatchResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(source="pk", help_text="导入批次编号")
    status = serializers.CharField(help_text="批次状态：" + "、".join(f"{value} {label}" for value, label in ImportStatus.choices))
    rows_in = serializers.IntegerField()
    rows_written = serializers.IntegerField(help_text="新增条数")
    rows_replaced = serializers.IntegerField(help_text="更正条数（原记录已存入历史版本）")
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    message = serializers.CharField()


class BatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    batch = BatchResultSerializer()
    errors = IssueSerializer(many=True)


class BatchAcceptedSerializer(BatchResultSerializer):
    warnings = IssueSerializer(many=True)


# A batch refused row by row carries the batch and its issues; a request refused before any row is
# read (no rows, a malformed body, a refused intake) carries the API's usual error shape.
BATCH_REFUSED = PolymorphicProxySerializer(
    component_name="BatchRefused", serializers=[BatchErrorSerializer, ErrorSerializer], resource_type_field_name=None
)


_EXAMPLE_ROW = {
    "setl_id": "S2024030001", "mdtrt_id": "M2024030001", "psn_no": "P0001", "fixmedins_code": "H37080200001",
    "insutype": "310", "med_type": "21", "gend": "1", "age": 60, "adm_time": "2024-03-01 08:30",
    "dscg_time": "2024-03-08 10:00", "act_ipt_days": 7, "dscg_way": "1", "maindiag_code": "I21.000",
    "medfee_sumamt": "30000.00", "fund_pay_sumamt": "21000.00", "hifp_pay": "21000.00", "psn_part_amt": "9000.00",
    "setl_time": "2024-03-08 12:00",
}


class CaseBatchCreateView(APIView):
    @extend_schema(
        summary="提交结算清单批次",
        description="以JSON提交一批结算清单，校验规则与文件导入相同。医疗机构用户只能提交本机构的结算清单；"
        "任何一行有错误则整批不写入，返回400及全部错误（行号、字段代码与中文名、值、原因）。"
        "同一机构同一结算ID再次提交即为更正（所属月份须未关账）。警告不阻止导入。",
        request=BatchRequestSerializer,
        responses={
            201: OpenApiResponse(BatchAcceptedSerializer, description="已导入"),
            400: OpenApiResponse(BATCH_REFUSED, description="校验未通过，未写入任何数据：逐行错误（含批次）或请求错误"),
            413: OpenApiResponse(ErrorSerializer, description="请求体超过上限（API_MAX_BODY_MB，默认 32 MB），未作处理"),
        },
        examples=[OpenApiExample("一条住院结算清单", value={"rows": [_EXAMPLE_ROW]}, request_only=True)],
        tags=["cases"],
    )
    def post(self, request):
        payload = BatchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            batch = services.batch_from_records(actor=request.user, records=payload.validated_data["rows"])
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except services.IntakeRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        result = BatchResultSerializer(batch).data
        if batch.status != ImportStatus.SUCCEEDED:
            errors = IssueSerializer(selectors.issue_list(batch, severity=IssueSeverity.ERROR), many=True).data
            return Response({"detail": batch.message, "batch": result, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        warnings = IssueSerializer(selectors.issue_list(batch, severity=IssueSeverity.WARNING), many=True).data
        return Response({**result, "warnings": warnings}, status=status.HTTP_201_CREATED)
