"""The hospital-accounts workbook (医疗机构账号批量导入): its template and its checking.

Columns (Chinese or English headers): 机构编码 institution_code, 姓名 name, 手机 phone, 邮箱 email,
用户名 username (optional: the institution code, then code-2, code-3 … when taken). The whole file is
checked first; any error names its row and field and nothing is created.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import User
from catalogs.models import Institution
from config.spreadsheets.reader import sheet_records
from config.spreadsheets.writer import workbook_bytes, workbook_new
from portal.users.services import AccountRow

COLUMNS = {  # field: (Chinese header, English header, required)
    "institution_code": ("机构编码", "institution_code", True),
    "display_name": ("姓名", "name", True),
    "phone": ("手机", "phone", False),
    "email": ("邮箱", "email", False),
    "username": ("用户名", "username", False),
}
MAX_ROWS = 5000
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
ERR_ROW = "第{row}行 {field}：{message}"
ERR_REQUIRED = "必填。"
ERR_INSTITUTION = "机构编码 {code} 不存在。"
ERR_PHONE = "手机号码格式不正确（11位手机号或区号-座机号）。"
ERR_EMAIL = "邮箱格式不正确。"
ERR_USERNAME = "用户名只能包含字母、数字和 @ . + - _。"
ERR_USERNAME_TAKEN = "用户名 {username} 已存在。"
ERR_USERNAME_TWICE = "用户名 {username} 在表中重复（另见第{other}行）。"
ERR_TOO_LONG = "不能超过{max}个字符。"


def template_workbook() -> bytes:
    book = workbook_new()
    sheet = book.active
    sheet.title = "医疗机构账号"
    sheet.append([header for header, _english, _required in COLUMNS.values()])
    sheet.append(["H37080200001", "张三", "13800000000", "zhangsan@example.cn", ""])
    notes = book.create_sheet("填写说明")
    for header, english, required in COLUMNS.values():
        notes.append([header, english, "必填" if required else "选填"])
    notes.append(["用户名留空时取机构编码；已被占用时依次取 机构编码-2、机构编码-3 ……"])
    return workbook_bytes(book)


def accounts_read(content: bytes) -> list[AccountRow]:
    """The checked rows of an uploaded workbook, or a ``ValidationError`` naming every bad row and field."""
    records = sheet_records(content, COLUMNS, max_rows=MAX_ROWS)
    institutions = {
        i.code: i
        for i in Institution.objects.filter(code__in=[r["institution_code"] for _n, r in records])
    }
    errors, checked = [], []
    for number, record in records:
        problems = list(_row_problems(record, institutions))
        errors += [
            ERR_ROW.format(row=number, field=COLUMNS[field][0], message=message)
            for field, message in problems
        ]
        if not problems:
            checked.append((number, record))
    rows_out = _usernames(checked, institutions, errors)
    if errors:
        raise ValidationError(errors)
    return rows_out


def _row_problems(record: dict, institutions: dict) -> Iterable[tuple[str, str]]:
    for field, (_c, _e, required) in COLUMNS.items():
        if required and not record.get(field):
            yield field, ERR_REQUIRED
    code = record.get("institution_code", "")
    if code and code not in institutions:
        yield "institution_code", ERR_INSTITUTION.format(code=code)
    if len(record.get("display_name", "")) > 50:
        yield "display_name", ERR_TOO_LONG.format(max=50)
    if record.get("phone") and not PHONE.match(record["phone"]):
        yield "phone", ERR_PHONE
    if record.get("email"):
        try:
            validate_email(record["email"])
        except ValidationError:
            yield "email", ERR_EMAIL
    if record.get("username") and not USERNAME.match(record["username"]):
        yield "username", ERR_USERNAME


def _usernames(
    checked: list[tuple[int, dict]], institutions: dict, errors: list[str]
) -> list[AccountRow]:
    """Each row's username: the given one (must be free), else the institution code, then code-2 …"""
    taken = set(User.objects.values_list("username", flat=True))
    given: dict[str, int] = {}
    out = []
    for number, record in checked:
        username = record.get("username", "")
        if username:
            if username in taken:
                errors.append(
                    ERR_ROW.format(
                        row=number,
                        field="用户名",
                        message=ERR_USERNAME_TAKEN.format(username=username),
                    )
                )
                continue
            if username in given:
                errors.append(
                    ERR_ROW.format(
                        row=number,
                        field="用户名",
                        message=ERR_USERNAME_TWICE.format(username=username, other=given[username]),
                    )
                )
                continue
            given[username] = number
        else:
            code = record["institution_code"]
            username = next(
                name
                for n in range(1, MAX_ROWS + 2)
                if (name := code if n == 1 else f"{code}-{n}") not in taken | set(given)
            )
            given[username] = number
        out.append(
            AccountRow(
                username=username,
                display_name=record["display_name"],
                institution=institutions[record["institution_code"]],
                phone=record.get("phone", ""),
                email=record.get("email", ""),
            )
        )
    return out
