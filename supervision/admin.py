"""Admin pages of supervision: read-only, every change goes through a service."""

from __future__ import annotations

from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyInline
from supervision.models import (
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    AssessmentScore,
    DataQualityScore,
    Finding,
    IndicatorValue,
    RuleSet,
)


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["region", "version", "status", "created_by", "approved_by", "approved_at"]
    list_filter = ["region", "status"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = [
        "year",
        "month",
        "rule",
        "institution",
        "severity",
        "score",
        "status",
        "amount",
        "reviewed_by",
    ]
    list_filter = ["rule", "status", "severity", "year"]
    search_fields = ["institution__code", "institution__name", "description"]
    list_select_related = ["institution", "reviewed_by"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = [
        "year",
        "month",
        "institution",
        "indicator",
        "value",
        "region_median",
        "region_p90",
    ]
    list_filter = ["indicator", "year", "month"]
    search_fields = ["institution__code", "institution__name"]
    list_select_related = ["institution"]


@admin.register(DataQualityScore)
class DataQualityScoreAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "institution", "score", "computed_at"]
    list_filter = ["year", "month"]
    search_fields = ["institution__code", "institution__name"]
    list_select_related = ["institution"]


class AssessmentItemInline(ReadOnlyInline):
    model = AssessmentItem


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ReadOnlyAdmin):
    list_display = ["region", "name", "created_by", "updated_at"]
    inlines = [AssessmentItemInline]


@admin.register(AssessmentItem)
class AssessmentItemAdmin(ReadOnlyAdmin):
    list_display = [
        "scheme",
        "position",
        "code",
        "name",
        "kind",
        "weight",
        "indicator",
        "per_finding",
        "rule",
    ]
    list_filter = ["scheme", "kind"]
    list_select_related = ["scheme"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = [
        "region",
        "year",
        "version",
        "status",
        "scheme",
        "submitted_by",
        "approved_by",
        "approved_at",
    ]
    list_filter = ["region", "year", "status"]


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "institution", "item_code", "points", "basis", "entered_by"]
    list_filter = ["assessment", "item_code"]
    search_fields = ["institution__code", "institution__name"]
    list_select_related = ["assessment", "institution", "entered_by"]
