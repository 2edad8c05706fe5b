"""The Excel column contract of a coefficient table (django-import-export): one row per institution, keyed
by its national code. Export and import use the same Resource, so an exported file imports back."""

from __future__ import annotations

from import_export import fields, resources, widgets

from catalogs.coefficients.models import CoefficientTable, InstitutionCoefficient
from catalogs.models import Institution
from catalogs.resources import number_field, text_field
from config.spreadsheets import spreadsheet_safe, spreadsheet_unsafe

ERR_UNKNOWN_INSTITUTION = "机构编号 {code} 不存在。"


class InstitutionCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Institution, field="code")

    def render(self, value, obj=None, **kwargs) -> str:
        return spreadsheet_safe(value.code if value else "")

    def clean(self, value, row=None, **kwargs) -> Institution:
        code = spreadsheet_unsafe(value)
        institution = Institution.objects.filter(code=code).first()
        if institution is None:
            raise ValueError(ERR_UNKNOWN_INSTITUTION.format(code=code))
        return institution


ERR_NOT_IN_TABLE = "机构 {code} 不在本机构系数表中。"


class InstitutionCoefficientResource(resources.ModelResource):
    """机构系数表: one row per institution, keyed by its national code (机构编号). Name, level, the combined
    coefficient and the suggestion are exported for reading and ignored on import (combined is recomputed)."""

    institution = fields.Field(
        attribute="institution", column_name="机构编号", widget=InstitutionCodeWidget()
    )
    institution_name = text_field("institution__name", "机构名称", readonly=True)
    level = fields.Field(column_name="医院等级", readonly=True)
    level_basic = number_field("level_basic", "基本系数（等级）")
    bonus_grassroots = number_field("bonus_grassroots", "基层加成系数")
    bonus_tcm = number_field("bonus_tcm", "中医加成系数")
    bonus_key_discipline = number_field("bonus_key_discipline", "重点学科加成系数")
    combined = number_field("combined", "机构系数", readonly=True)
    suggestion = number_field("suggestion", "历史数据建议值", readonly=True)
    note = text_field("note", "备注")

    KEY = "机构编号"

    def __init__(self, *, table: CoefficientTable) -> None:
        super().__init__()
        self.table = table

    class Meta:
        model = InstitutionCoefficient
        fields = (
            "institution",
            "institution_name",
            "level",
            "level_basic",
            "bonus_grassroots",
            "bonus_tcm",
            "bonus_key_discipline",
            "combined",
            "suggestion",
            "note",
        )
        import_id_fields = ("institution",)
        clean_model_instances = True
        skip_diff = True

    def get_queryset(self):
        return self.table.rows.select_related("institution").order_by("institution__code")

    def dehydrate_level(self, row: InstitutionCoefficient) -> str:
        return row.institution.get_level_display()

    def init_instance(self, row=None):
        # Rows are created with the table, one per active institution; a file adds none.
        raise ValueError(
            ERR_NOT_IN_TABLE.format(code=spreadsheet_unsafe((row or {}).get(self.KEY)))
        )
