"""Regions and institutions, the coding dictionaries, and the catalogs in the Django admin.

Institution states (the register's history), catalog versions, their groups, DRG rule sets and the coefficient tables are read-only here: every change goes through the workflow
services (drafts only, four-eyes publishing, golden cases). ``AuditedAdmin`` audits what is editable.
"""

from django.contrib import admin

from audit.admin import AuditedAdmin, ReadOnlyAdmin
from catalogs.coefficients.models import CoefficientTable, InstitutionCoefficient
from catalogs.dictionaries.models import Diagnosis, DictionaryCode, DictionaryVersion, Procedure
from catalogs.drg.models import (
    DrgAdrg,
    DrgCc,
    DrgExclusion,
    DrgGoldenCase,
    DrgMdc,
    DrgOrProcedure,
    DrgRuleSet,
    DrgTraumaRegion,
)
from catalogs.models import Institution, InstitutionState, Region
from catalogs.versions.models import CatalogGroup, CatalogVersion, GoldenCase, GroupSubtype


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "region",
        "level",
        "type",
        "is_grassroots",
        "consortium_lead",
        "active_from",
        "active_to",
    ]
    list_filter = ["region", "level", "type", "is_grassroots"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["consortium_lead"]
    # The dated fields change only with an effective date (机构信息变更 page, register import): editing them
    # here would rewrite the past.
    STATE_FIELDS = ("level", "type", "is_grassroots", "consortium_lead", "active_from", "active_to")

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            *(self.STATE_FIELDS if obj is not None else ()),
        ]


@admin.register(InstitutionState)
class InstitutionStateAdmin(ReadOnlyAdmin):
    """机构状态: written only by the register's services (a change with its effective date, the import)."""

    list_display = [
        "institution",
        "valid_from",
        "valid_to",
        "level",
        "type",
        "is_grassroots",
        "consortium_lead",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["level", "type", "institution__region"]
    search_fields = ["institution__code", "institution__name"]


@admin.register(Diagnosis)
class DiagnosisAdmin(AuditedAdmin):
    list_display = ["code", "name", "category", "subcategory"]
    search_fields = ["code", "name"]
    list_filter = ["category"]


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin):
    list_display = ["code", "name", "category", "subcategory", "operating_room", "treatment_type"]
    search_fields = ["code", "name"]
    list_filter = ["treatment_type", "operating_room"]


@admin.register(DictionaryVersion)
class DictionaryVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "name",
        "status",
        "effective_from",
        "effective_to",
        "code_count",
        "published_by",
        "published_at",
    ]
    list_filter = ["kind", "status"]


@admin.register(DictionaryCode)
class DictionaryCodeAdmin(ReadOnlyAdmin):
    list_display = [
        "version",
        "code",
        "name",
        "category",
        "subcategory",
        "operating_room",
        "treatment_type",
    ]
    list_filter = ["version", "operating_room", "treatment_type"]
    search_fields = ["code", "name"]
    list_select_related = ["version"]


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "region",
        "kind",
        "year",
        "version",
        "status",
        "effective_from",
        "submitted_by",
        "approved_by",
        "approved_at",
    ]
    list_filter = ["kind", "year", "status", "region"]


@admin.register(CatalogGroup)
class CatalogGroupAdmin(ReadOnlyAdmin):
    list_display = [
        "version",
        "code",
        "name",
        "group_type",
        "treatment_type",
        "score",
        "mean_cost",
        "cv",
        "is_grassroots",
    ]
    list_filter = [
        "group_type",
        "treatment_type",
        "is_grassroots",
        "version__kind",
        "version__year",
    ]
    search_fields = ["code", "name"]


@admin.register(GroupSubtype)
class GroupSubtypeAdmin(ReadOnlyAdmin):
    list_display = ["group", "dimension", "key", "cases", "mean_cost", "coefficient"]
    list_filter = ["dimension"]


@admin.register(GoldenCase)
class GoldenCaseAdmin(ReadOnlyAdmin):
    list_display = ["version", "label", "expected_code", "expected_score"]


@admin.register(CoefficientTable)
class CoefficientTableAdmin(ReadOnlyAdmin):
    list_display = [
        "region",
        "year",
        "version",
        "status",
        "combination",
        "effective_from",
        "submitted_by",
        "approved_by",
        "approved_at",
    ]
    list_filter = ["year", "status", "region"]


@admin.register(InstitutionCoefficient)
class InstitutionCoefficientAdmin(ReadOnlyAdmin):
    list_display = [
        "table",
        "institution",
        "level_basic",
        "bonus_grassroots",
        "bonus_tcm",
        "bonus_key_discipline",
        "combined",
        "suggestion",
    ]
    list_filter = ["table__year", "table__status"]
    search_fields = ["institution__code", "institution__name"]


@admin.register(DrgRuleSet)
class DrgRuleSetAdmin(ReadOnlyAdmin):
    list_display = [
        "region",
        "year",
        "version",
        "name",
        "status",
        "source",
        "submitted_by",
        "approved_by",
        "approved_at",
    ]
    list_filter = ["year", "status", "region"]


@admin.register(DrgGoldenCase)
class DrgGoldenCaseAdmin(ReadOnlyAdmin):
    list_display = ["rule_set", "case_id", "kind", "expected_drg", "source"]
    list_filter = ["rule_set"]


@admin.register(DrgMdc, DrgAdrg, DrgCc, DrgExclusion, DrgOrProcedure, DrgTraumaRegion)
class DrgRuleRowAdmin(ReadOnlyAdmin):
    list_filter = ["rule_set"]
