"""The Excel column contracts of the catalogs (django-import-export Resources): a version's groups keyed by
group code, and a coefficient table's rows keyed by institution code. Export and import use the same
Resource, so an exported file imports back to the same rows.

Every text cell goes out through ``config.spreadsheets.spreadsheet_safe`` (formula injection; the file itself
is written by ``config.spreadsheets.writer``, which neutralises again) and comes back through
``spreadsheet_unsafe``; choices travel as their Chinese labels, flags as 是/否, numbers as
numbers. Widgets raise ``ValueError`` with a Chinese message, which import-export turns into a row error.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from import_export import fields, resources, widgets

from catalogs.choices import GroupType, TreatmentType
from catalogs.models import CatalogGroup, CatalogVersion
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


class CatalogGroupResource(resources.ModelResource):
    """病种目录: one row per group of a version, keyed by the group code (病种编码) within that version."""

    code = text_field("code", "病种编码")
    name = text_field("name", "病种名称")
    group_type = fields.Field(
        attribute="group_type", column_name="病种类型", widget=LabelWidget(GroupType.choices)
    )
    diag_code = text_field("diag_code", "主要诊断（类目）")
    proc_code = text_field("proc_code", "主要手术操作")
    treatment_type = fields.Field(
        attribute="treatment_type",
        column_name="治疗方式",
        widget=LabelWidget(TreatmentType.choices),
    )
    score = number_field("score", "分值")
    mean_cost = number_field("mean_cost", "加权平均费用（元）")
    cv = number_field("cv", "变异系数")
    grassroots_share = number_field("grassroots_share", "基层机构病例占比")
    is_grassroots = flag_field("is_grassroots", "基层病种")
    is_tcm = flag_field("is_tcm", "中医优势病种")
    is_day_surgery = flag_field("is_day_surgery", "日间手术病种")
    case_counts = fields.Field(
        attribute="case_counts", column_name="各年度病例数", widget=JsonTextWidget()
    )
    level_means = fields.Field(
        attribute="level_means", column_name="各级别机构平均费用（元）", widget=JsonTextWidget()
    )

    KEY = "病种编码"

    def __init__(self, *, version: CatalogVersion) -> None:
        super().__init__()
        self.version = version

    class Meta:
        model = CatalogGroup
        fields = (
            "code",
            "name",
            "group_type",
            "diag_code",
            "proc_code",
            "treatment_type",
            "score",
            "mean_cost",
            "cv",
            "grassroots_share",
            "is_grassroots",
            "is_tcm",
            "is_day_surgery",
            "case_counts",
            "level_means",
        )
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_diff = True

    def get_queryset(self):
        return self.version.groups.order_by("code")

    def init_instance(self, row=None) -> CatalogGroup:
        return CatalogGroup(version=self.version)
