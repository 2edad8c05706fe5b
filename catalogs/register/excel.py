"""The institution register workbook (定点医疗机构名录): export as of a day and import, one column contract.

Columns (Chinese or English headers): 定点医药机构编码 code, 机构名称 name, 统筹区编码 region, 医院等级 level,
机构类别 type, 基层医疗机构 is_grassroots, 医共体牵头机构编码 consortium_lead, 协议期起 agreement_from,
协议期止 agreement_to, 生效日期 effective_from. Each row is an institution's state from its effective
date; the export writes each institution's state in force on the day with the date it took effect, so
importing an export changes nothing. The whole file is checked first; every bad row and field is named.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError

from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.models import Institution, InstitutionState, Region
from catalogs.register import selectors
from catalogs.register.domain import State
from catalogs.register.services import RegisterRow
from config.spreadsheets.reader import sheet_records
from config.spreadsheets.writer import rows_workbook

COLUMNS = {  # field: (Chinese header, English header, required)
    "code": ("定点医药机构编码", "code", True),
    "name": ("机构名称", "name", False),
    "region": ("统筹区编码", "region", False),
    "level": ("医院等级", "level", True),
    "type": ("机构类别", "type", True),
    "is_grassroots": ("基层医疗机构", "is_grassroots", False),
    "consortium_lead": ("医共体牵头机构编码", "consortium_lead", False),
    "agreement_from": ("协议期起", "agreement_from", False),
    "agreement_to": ("协议期止", "agreement_to", False),
    "effective_from": ("生效日期", "effective_from", True),
}
MAX_ROWS = 5000
CODE = re.compile(r"^[A-Z]\d{11}$")
DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")
YES, NO = ("是", "true", "1", "yes", "y"), ("否", "false", "0", "no", "n", "")
ERR_ROW = "第{row}行 {field}：{message}"
ERR_REQUIRED = "必填。"
ERR_CODE = "“{value}”不是定点医药机构编码（1位大写字母加11位数字，如 H37080200001）。"
ERR_LEVEL = "“{value}”不是医院等级，应为：{choices}。"
ERR_TYPE = "“{value}”不是机构类别，应为：{choices}。"
ERR_FLAG = "“{value}”应为“是”或“否”。"
ERR_DATE = "“{value}”不是日期（如 2024-07-01）。"
ERR_REGION = "统筹区编码 {value} 不存在。"
ERR_REGION_NEW = "新机构必须填写统筹区编码和机构名称。"
ERR_REGION_MOVE = "机构 {code} 属于统筹区 {region}，不能在名录导入中改变统筹区。"
ERR_LEAD = "医共体牵头机构 {value} 既不在名录中也不在本表中。"
ERR_AGREEMENT = "协议期止不能早于协议期起。"
ERR_SAME_DAY = "{code} 的生效日期 {day} 与第{other}行重叠（同一机构同一生效日期只能有一行）。"


def _label(value: str, choices) -> str:
    return dict(choices).get(value, value)


def _flag(value: bool) -> str:
    return "是" if value else "否"


def register_rows(*, region: Region, day: datetime.date) -> Iterator[list]:
    """The region's institutions with their state in force on ``day`` and the date it took effect."""
    institutions = list(Institution.objects.filter(region=region).order_by("code"))
    codes = {i.pk: i.code for i in institutions}
    starts = dict(
        InstitutionState.objects.filter(institution__region=region, valid_from__lte=day)
        .order_by("valid_from")
        .values_list("institution_id", "valid_from")
    )
    for institution in institutions:
        state = selectors.institution_state_as_of(institution, day)
        since = starts.get(institution.pk) or selectors.history_of(institution)[0].valid_from
        yield [
            institution.code,
            institution.name,
            region.code,
            _label(state.level, InstitutionLevel.choices),
            _label(state.type, InstitutionType.choices),
            _flag(state.is_grassroots),
            codes.get(state.consortium_lead_id, ""),
            state.agreement_from,
            state.agreement_to,
            since,
        ]


def register_workbook(*, region: Region, day: datetime.date) -> bytes:
    header = [chinese for chinese, _english, _required in COLUMNS.values()]
    return rows_workbook([("定点医疗机构名录", header, register_rows(region=region, day=day))])


def _choice(value: str, choices) -> str | None:
    """A level or type by its code or its Chinese label."""
    for code, label in choices:
        if value in (code, label):
            return code
    return None


def _date(value: str) -> datetime.date | None:
    match = DATE.match(value)
    if not match:
        raise ValueError(value)
    return datetime.date(*(int(part) for part in match.groups()))


class _Row:
    """One record being checked: its problems (field, message) and the values parsed so far."""

    def __init__(self, number: int, record: dict[str, str]) -> None:
        self.number, self.record, self.problems, self.values = number, record, [], {}

    def fail(self, field: str, message: str) -> None:
        self.problems.append((field, message))

    def date(self, field: str) -> datetime.date | None:
        text = self.record.get(field, "")
        try:
            return _date(text) if text else None
        except ValueError:
            self.fail(field, ERR_DATE.format(value=text))
            return None


def _check_row(row: _Row, existing: dict[str, Institution], regions: dict[str, Region]) -> None:
    record = row.record
    for field, (_chinese, _english, required) in COLUMNS.items():
        if required and not record.get(field):
            row.fail(field, ERR_REQUIRED)
    code = record.get("code", "")
    if code and not CODE.match(code):
        row.fail("code", ERR_CODE.format(value=code))
    for field, choices in (("level", InstitutionLevel.choices), ("type", InstitutionType.choices)):
        value = record.get(field, "")
        row.values[field] = _choice(value, choices)
        if value and row.values[field] is None:
            row.fail(
                field,
                (ERR_LEVEL if field == "level" else ERR_TYPE).format(
                    value=value, choices="、".join(label for _c, label in choices)
                ),
            )
    flag = record.get("is_grassroots", "").lower()
    if flag not in YES + NO:
        row.fail("is_grassroots", ERR_FLAG.format(value=record["is_grassroots"]))
    row.values["is_grassroots"] = flag in YES
    for field in ("agreement_from", "agreement_to", "effective_from"):
        row.values[field] = row.date(field)
    if (
        row.values["agreement_from"]
        and row.values["agreement_to"]
        and row.values["agreement_to"] < row.values["agreement_from"]
    ):
        row.fail("agreement_to", ERR_AGREEMENT)
    _check_region(row, existing, regions)


def _check_region(row: _Row, existing: dict[str, Institution], regions: dict[str, Region]) -> None:
    code, region_code = row.record.get("code", ""), row.record.get("region", "")
    region = regions.get(region_code)
    if region_code and region is None:
        row.fail("region", ERR_REGION.format(value=region_code))
    institution = existing.get(code)
    if institution is None and (not region_code or not row.record.get("name")):
        row.fail("region", ERR_REGION_NEW)
    if institution is not None and region is not None and institution.region_id != region.pk:
        row.fail("region", ERR_REGION_MOVE.format(code=code, region=institution.region.code))
    row.values["region"] = region or (institution.region if institution else None)


def register_read(content: bytes) -> list[RegisterRow]:
    """The checked rows of an uploaded register file, or a ``ValidationError`` naming every bad row and field."""
    records = sheet_records(content, COLUMNS, max_rows=MAX_ROWS)
    codes = {r.get("code", "") for _n, r in records} | {
        r.get("consortium_lead", "") for _n, r in records
    }
    existing = Institution.objects.select_related("region").in_bulk(
        [c for c in codes if c], field_name="code"
    )
    regions = Region.objects.in_bulk(
        [r.get("region", "") for _n, r in records if r.get("region")], field_name="code"
    )
    in_file = {r.get("code", "") for _n, r in records}
    rows, errors, seen = [], [], {}
    for number, record in records:
        row = _Row(number, record)
        _check_row(row, existing, regions)
        lead = record.get("consortium_lead", "")
        if lead and lead not in existing and lead not in in_file:
            row.fail("consortium_lead", ERR_LEAD.format(value=lead))
        key = (record.get("code", ""), row.values["effective_from"])
        if key[1] and key in seen:
            row.fail(
                "effective_from", ERR_SAME_DAY.format(code=key[0], day=key[1], other=seen[key])
            )
        seen.setdefault(key, number)
        errors += [
            ERR_ROW.format(row=number, field=COLUMNS[field][0], message=message)
            for field, message in row.problems
        ]
        if not row.problems:
            rows.append(_register_row(row))
    if errors:
        raise ValidationError(errors)
    return rows


def _register_row(row: _Row) -> RegisterRow:
    values = row.values
    state = State(
        level=values["level"],
        type=values["type"],
        is_grassroots=values["is_grassroots"],
        agreement_from=values["agreement_from"],
        agreement_to=values["agreement_to"],
    )
    return RegisterRow(
        row=row.number,
        code=row.record["code"],
        name=row.record.get("name", ""),
        region=values["region"],
        effective_from=values["effective_from"],
        state=state,
        lead_code=row.record.get("consortium_lead", ""),
    )
