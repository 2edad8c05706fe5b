from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from reports.models import ReportFile


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    """Report files change only through reports.services (generation); the admin shows them."""

    list_display = [
        "id",
        "region",
        "year",
        "month",
        "kind",
        "institution",
        "size",
        "generated_at",
        "generated_by_name",
    ]
    list_filter = ["kind", "year", "month"]
    search_fields = ["institution__code", "institution__name"]
