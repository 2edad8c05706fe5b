"""The Excel column contract of a catalog version's groups (django-import-export), keyed by group code.
Export and import use the same Resource, so an exported file imports back to the same rows."""

from __future__ import annotations

from import_export import fields, resources

from catalogs.choices import GroupType, TreatmentType
from catalogs.resources import JsonTextWidget, LabelWidget, flag_field, number_field, text_field
from catalogs.versions.models import CatalogGroup, CatalogVersion


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
