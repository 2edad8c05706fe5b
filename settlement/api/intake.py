"""POST /api/v1/cases/batches/: a hospital system (or the bureau) sends settlement lists as JSON.

The rows go through the same validation as an uploaded file; a batch with any error writes
nothing and answers 400 with every error as ``{row, column, column_name, value, message}``.
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

from config.api import ErrorSerializer
from settlement.intake import selectors, services
from settlement.intake.choices import ImportStatus, IssueSeverity
from settlement.intake.columns import CODES, SETLINFO, SUBTABLES, TABLE_NAMES

ERR_NOT_SCALAR = "{where}字段“{field}”：应为文本或数字，不能是列表或对象。"
ERR_NUL = "{where}字段“{field}”：含有不允许的空字符（\\u0000）。"
ERR_ONE_SHAPE = "请提交 rows（平铺的结算清单行）或 records（国家4101结构的结算清单记录）其中之一。"
ERR_NO_SETLINFO = "第{record}条记录：缺少结算清单对象 setlinfo。"
ERR_NOT_LIST = "第{record}条记录：{table}应为对象列表。"
ERR_UNKNOWN_TABLE = "第{record}条记录：未知的表“{table}”，可用：{tables}。"
ROW_HELP = (
    "一条结算清单：键为国家结算清单字段代码（"
    + "、".join(CODES)
    + "），值为文本或数字；金额单位为元。"
)
RECORD_HELP = (
    "国家医保结算清单（4101）结构的记录：setlinfo 为结算清单对象（4101字段，加上2207结算信息中本系统需要的 psn_no、insutype、"
    "med_type、setl_time 及金额字段）；diseinfo 为诊断列表（diag_type、diag_code、diag_name、maindiag_flag、adm_cond_type，"
    "西医诊断中有且仅有一条 maindiag_flag=1）；oprninfo 为手术操作列表（oprn_oprt_code、main_oprn_flag 至多一条为1、"
    "oprn_oprt_date、anst_way、术者与麻醉医师）；icuinfo 为重症监护列表（scs_cutd_ward_type、进入/退出时间、scs_cutd_sum_dura）。"
    "payinfo、opspdiseinfo、iteminfo 可随附，本系统不读取。字段说明见 docs/intake-contract.md。"
)
# National 4101 lists the portal accepts in a record but does not read.
_UNREAD_LISTS = ("payinfo", "opspdiseinfo", "iteminfo")
_LISTS = (*SUBTABLES, *_UNREAD_LISTS)


class BatchRequestSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=services.API_MAX_ROWS,
        required=False,
        help_text=ROW_HELP + f"每批最多 {services.API_MAX_ROWS} 条。行号按提交顺序从1开始。",
    )
    records = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=services.API_MAX_ROWS,
        required=False,
        help_text=RECORD_HELP
        + f"每批最多 {services.API_MAX_ROWS} 条记录，记录与列表行均从1开始编号。",
    )

    def validate_rows(self, rows: list[dict]) -> list[dict]:
        """Every value a scalar, and no NUL character anywhere (PostgreSQL text cannot hold one): refused
        here, naming row and field, before a batch exists."""
        problems = [
            problem
            for number, row in enumerate(rows, start=1)
            for key, value in row.items()
            if (problem := _cell_problem(f"第{number}行", key, value))
        ]
        if problems:
            raise serializers.ValidationError(problems)
        return rows

    def validate_records(self, records: list[dict]) -> list[dict]:
        """The 4101 shape: a setlinfo object, lists of objects, scalar values — refused here, naming the
        record, the table, the row and the field, before a batch exists."""
        problems = [
            problem
            for number, record in enumerate(records, start=1)
            for problem in _record_problems(number, record)
        ]
        if problems:
            raise serializers.ValidationError(problems)
        return records

    def validate(self, data: dict) -> dict:
        if ("rows" in data) == ("records" in data):
            raise serializers.ValidationError(ERR_ONE_SHAPE)
        return data


def _record_problems(number: int, record: dict) -> list[str]:
    problems = [
        ERR_UNKNOWN_TABLE.format(record=number, table=key, tables="、".join((SETLINFO, *_LISTS)))
        for key in record
        if key not in (SETLINFO, *_LISTS)
    ]
    setlinfo = record.get(SETLINFO)
    if not isinstance(setlinfo, dict):
        return [*problems, ERR_NO_SETLINFO.format(record=number)]
    where = f"第{number}条记录 {TABLE_NAMES[SETLINFO]}({SETLINFO})"
    problems += [
        problem for key, value in setlinfo.items() if (problem := _cell_problem(where, key, value))
    ]
    for table in _LISTS:
        rows = record.get(table)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems.append(ERR_NOT_LIST.format(record=number, table=table))
            continue
        problems += [
            problem
            for position, row in enumerate(rows, start=1)
            for key, value in row.items()
            if (problem := _cell_problem(f"第{number}条记录 {table}第{position}行", key, value))
        ]
    return problems


_SCALARS = frozenset({str, int, float, bool, type(None)})


def one_record_wrapped(data):
    """A body that is one bare 4101 record (a ``setlinfo`` object at the top) as ``{"records": [record]}``."""
    if isinstance(data, dict) and SETLINFO in data and "records" not in data:
        return {"records": [data]}
    return data


def batch_payload(data) -> tuple[str, list[dict]]:
    """The body's shape (``rows`` or ``records``) and its list, checked in one pass over the values.

    ``BatchRequestSerializer`` documents the body, but running it on 10,000 records costs a DRF field call
    per value (some 350,000, about half of a large batch's time). A body of the expected shape — a
    non-empty list of objects whose values are plain scalars without NUL characters — passes here
    untouched; any other body is handed to the serializer, which refuses it with the usual messages
    naming each record, row and field. Both accept the same bodies.
    """
    if isinstance(data, dict) and ("rows" in data) != ("records" in data):
        shape = "rows" if "rows" in data else "records"
        items = data[shape]
        limit = BatchRequestSerializer._declared_fields[shape].max_length
        if isinstance(items, list) and 0 < len(items) <= limit:
            plain = (
                _rows_plain(items)
                if shape == "rows"
                else all(_record_plain(record) for record in items)
            )
            if plain:
                return shape, items
    payload = BatchRequestSerializer(data=data)
    payload.is_valid(raise_exception=True)  # refuses: the shape check found something wrong
    shape = "records" if "records" in payload.validated_data else "rows"
    return shape, payload.validated_data[shape]


def _rows_plain(rows) -> bool:
    """Objects of scalar values, no NUL in a key or a text value."""
    scalars = _SCALARS
    for row in rows:
        if type(row) is not dict:
            return False
        for key, value in row.items():
            kind = type(value)
            if kind not in scalars or (kind is str and "\x00" in value) or "\x00" in key:
                return False
    return True


def _record_plain(record) -> bool:
    if (
        type(record) is not dict
        or type(record.get(SETLINFO)) is not dict
        or not _rows_plain((record[SETLINFO],))
    ):
        return False
    for table, rows in record.items():
        if table == SETLINFO:
            continue
        if table not in _LISTS or type(rows) is not list or not _rows_plain(rows):
            return False
    return True


def _cell_problem(where: str, key: str, value) -> str | None:
    field = key.replace("\x00", "\\u0000")
    if isinstance(value, (list, dict)):
        return ERR_NOT_SCALAR.format(where=where, field=field)
    if "\x00" in key or (isinstance(value, str) and "\x00" in value):
        return ERR_NUL.format(where=where, field=field)
    return None


class IssueSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="行号（rows 中的序号，从1开始）")
    column = serializers.CharField(help_text="字段代码")
    column_name = serializers.CharField(source="column_label", help_text="字段中文名称（字段代码）")
    value = serializers.CharField(help_text="提交的值")
    message = serializers.CharField(help_text="问题说明")


class BatchResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(source="pk", help_text="导入批次编号")
    status = serializers.CharField(
        help_text="批次状态："
        + "、".join(f"{value} {label}" for value, label in ImportStatus.choices)
    )
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
    component_name="BatchRefused",
    serializers=[BatchErrorSerializer, ErrorSerializer],
    resource_type_field_name=None,
)


_EXAMPLE_ROW = {
    "setl_id": "S2024030001",
    "mdtrt_id": "M2024030001",
    "psn_no": "P0001",
    "fixmedins_code": "H37080200001",
    "insutype": "310",
    "med_type": "21",
    "gend": "1",
    "age": 60,
    "adm_time": "2024-03-01 08:30",
    "dscg_time": "2024-03-08 10:00",
    "act_ipt_days": 7,
    "dscg_way": "1",
    "maindiag_code": "I21.000",
    "medfee_sumamt": "30000.00",
    "fund_pay_sumamt": "21000.00",
    "hifp_pay": "21000.00",
    "psn_part_amt": "9000.00",
    "setl_time": "2024-03-08 12:00",
}


_EXAMPLE_RECORD = {
    "setlinfo": {
        **{code: value for code, value in _EXAMPLE_ROW.items() if code != "maindiag_code"},
        "psn_name": "张三",
        "medcasno": "BA2024030001",
        "psn_cashpay": "9000.00",
    },
    "diseinfo": [
        {
            "diag_type": "1",
            "diag_code": "I21.000",
            "diag_name": "急性心肌梗死",
            "maindiag_flag": "1",
            "adm_cond_type": "1",
        },
        {
            "diag_type": "1",
            "diag_code": "I10.x00",
            "diag_name": "高血压",
            "maindiag_flag": "0",
            "adm_cond_type": "1",
        },
        {
            "diag_type": "1",
            "diag_code": "A17.000+G01*",
            "diag_name": "结核性脑膜炎",
            "maindiag_flag": "0",
        },
    ],
    "oprninfo": [
        {
            "oprn_oprt_code": "36.0601",
            "oprn_oprt_name": "冠状动脉药物洗脱支架置入术",
            "main_oprn_flag": "1",
            "oprn_oprt_date": "2024-03-02",
            "anst_way": "01",
            "oper_dr_name": "李医生",
            "oper_dr_code": "D110000000001",
        },
        {
            "oprn_oprt_code": "17.91100",
            "oprn_oprt_name": "中医操作",
            "main_oprn_flag": "0",
            "oprn_oprt_date": "2024-03-03",
        },
    ],
    "icuinfo": [
        {
            "scs_cutd_ward_type": "1",
            "scs_cutd_inpool_time": "2024-03-02 10:00",
            "scs_cutd_exit_time": "2024-03-03 12:30",
            "scs_cutd_sum_dura": "1/2/30",
        },
    ],
}


class CaseBatchCreateView(APIView):
    @extend_schema(
        summary="提交结算清单批次",
        description="以JSON提交一批结算清单，校验规则与文件导入相同。可提交平铺的 rows，或国家医保结算清单（4101）结构的 "
        "records（setlinfo 及 diseinfo、oprninfo、icuinfo 列表；也可直接提交单条记录对象），4101 记录展开为平铺行后按同一规则校验，"
        "错误说明指明结算ID、表、表内行号和字段。医疗机构用户只能提交本机构的结算清单；"
        "任何一行有错误则整批不写入，返回400及全部错误（行号、字段代码与中文名、值、原因）。"
        "同一机构同一结算ID再次提交即为更正（所属月份须未关账）。警告不阻止导入。",
        request=BatchRequestSerializer,
        responses={
            201: OpenApiResponse(BatchAcceptedSerializer, description="已导入"),
            400: OpenApiResponse(
                BATCH_REFUSED,
                description="校验未通过，未写入任何数据：逐行错误（含批次）或请求错误",
            ),
            413: OpenApiResponse(
                ErrorSerializer,
                description="请求体超过上限（API_MAX_BODY_MB，默认 32 MB），未作处理",
            ),
        },
        examples=[
            OpenApiExample(
                "一条住院结算清单（平铺）", value={"rows": [_EXAMPLE_ROW]}, request_only=True
            ),
            OpenApiExample(
                "一条国家4101结构的结算清单",
                value={"records": [_EXAMPLE_RECORD]},
                request_only=True,
            ),
        ],
        tags=["cases"],
    )
    def post(self, request):
        shape, items = batch_payload(one_record_wrapped(request.data))
        submit = (
            services.batch_from_national_records
            if shape == "records"
            else services.batch_from_records
        )
        try:
            batch = submit(actor=request.user, records=items)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except services.IntakeRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        result = BatchResultSerializer(batch).data
        if batch.status != ImportStatus.SUCCEEDED:
            errors = IssueSerializer(
                selectors.issue_list(batch, severity=IssueSeverity.ERROR), many=True
            ).data
            return Response(
                {"detail": batch.message, "batch": result, "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        warnings = IssueSerializer(
            selectors.issue_list(batch, severity=IssueSeverity.WARNING), many=True
        ).data
        return Response({**result, "warnings": warnings}, status=status.HTTP_201_CREATED)
