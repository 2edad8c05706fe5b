"""The widgets and fields the catalogs' Excel column contracts share (django-import-export): the Resources
are a version's groups (catalogs/versions/resources.py) and a coefficient table's rows
(catalogs/coefficients/resources.py). Export and import use the same
Resource, so an exported file imports back to the same rows.

Every text cell goes out through ``config.spreadsheets.spreadsheet_safe`` (formula injection; the file itself
is written by ``config.spreadsheets.writer``, which neutralises again) and comes back through
``spreadsheet_unsafe``; choices travel as their Chinese labels, flags as 是/否, numbers as
numbers. Widgets raise ``ValueError`` with a Chinese message, which import-export turns into a row error.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from import_export import fields, widgets

from config.spreadsheets import spreadsheet_safe, spreadsheet_unsafe

ERR_CHOICE = "“{value}”无效，应为：{allowed}。"
ERR_YES_NO = "“{value}”无效，应为 是 或 否。"
ERR_NUMBER = "“{value}”不是有效数字。"
ERR_JSON = "不是有效的JSON：{value}"
YES, NO = "是", "否"


class SafeTextWidget(widgets.CharWidget):
    """Text, quoted on export when a spreadsheet would read it as a formula, unquoted on import."""

    def render(self, value, obj=None, **kwargs) -> str:
        return spreadsheet_safe("" if value is None else str(value))

    def clean(self, value, row=None, **kwargs) -> str:
        return spreadsheet_unsafe(value)


class LabelWidget(widgets.Widget):
    """A choice by its Chinese label; the code itself is accepted too."""

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.labels = dict(choices)
        self.values = {label: value for value, label in choices}

    def render(self, value, obj=None, **kwargs) -> str:
        return str(self.labels.get(value, value))

    def clean(self, value, row=None, **kwargs) -> str:
        text = spreadsheet_unsafe(value)
        if text in self.labels:
            return text
        if text in self.values:
            return self.values[text]
        raise ValueError(ERR_CHOICE.format(value=text, allowed="、".join(self.labels.values())))


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs) -> str:
        return YES if value else NO

    def clean(self, value, row=None, **kwargs) -> bool:
        text = spreadsheet_unsafe(value)
        if text in {YES, "1", "True", "TRUE"}:
            return True
        if text in {NO, "", "0", "False", "FALSE"}:
            return False
        raise ValueError(ERR_YES_NO.format(value=text))


class NumberWidget(widgets.Widget):
    """A Decimal as a numeric cell; blank reads as ``None`` (the model field decides whether that is allowed)."""

    def render(self, value, obj=None, **kwargs):
        return value

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        text = spreadsheet_unsafe(value).replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(ERR_NUMBER.format(value=text)) from None
        if not number.is_finite():
            raise ValueError(ERR_NUMBER.format(value=text))
        return number


class JsonTextWidget(widgets.Widget):
    """A small mapping (cases per year, mean per level) as JSON text."""

    def render(self, value, obj=None, **kwargs) -> str:
        return spreadsheet_safe(json.dumps(value or {}, ensure_ascii=False, sort_keys=True))

    def clean(self, value, row=None, **kwargs) -> dict:
        text = spreadsheet_unsafe(value)
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError:
            raise ValueError(ERR_JSON.format(value=text[:50])) from None
        if not isinstance(data, dict):
            raise ValueError(ERR_JSON.format(value=text[:50]))
        return data


def text_field(attribute: str, column: str, **kwargs) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=SafeTextWidget(), **kwargs)


def number_field(attribute: str, column: str, **kwargs) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=NumberWidget(), **kwargs)


def flag_field(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=YesNoWidget())
