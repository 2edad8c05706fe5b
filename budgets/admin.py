"""Budgets in the Django admin: read-only, because every change must go through the workflow services
(four-eyes approval, immutability of approved versions). ``AuditedAdmin`` still audits anything a
later change lets through."""

from django.contrib import admin

from audit.admin import ReadOnlyAdmin, ReadOnlyInline
from budgets.models import Budget, BudgetLine, BudgetPhasing, YearEndActual


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = [
        "position",
        "kind",
        "code",
        "name",
        "method",
        "amount",
        "base",
        "rate",
        "per_capita",
        "count",
    ]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = [
        "region",
        "year",
        "scheme",
        "version",
        "status",
        "submitted_by",
        "approved_by",
        "approved_at",
    ]
    list_filter = ["year", "scheme", "status", "region"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["budget", "position", "kind", "code", "name", "amount"]
    list_filter = ["kind", "budget__year", "budget__scheme"]
    search_fields = ["code", "name"]


@admin.register(BudgetPhasing)
class BudgetPhasingAdmin(ReadOnlyAdmin):
    list_display = ["line", "month", "amount"]


@admin.register(YearEndActual)
class YearEndActualAdmin(ReadOnlyAdmin):
    list_display = ["line", "amount", "recorded_by", "recorded_at"]
