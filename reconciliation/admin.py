from django.contrib import admin

from reconciliation.models import (
    NationalBooking,
    NationalGroup,
    NationalQc,
    NationalUpload,
    ReconCase,
    Reconciliation,
    ReconInstitution,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Uploads and reconciliations change only through reconciliation.services; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for model, columns in [
    (
        NationalUpload,
        [
            "id",
            "region",
            "year",
            "month",
            "kind",
            "file_name",
            "rows",
            "superseded_by",
            "created_at",
        ],
    ),
    (
        NationalGroup,
        ["id", "upload", "setl_id", "institution", "group_code", "group_kind", "case_type"],
    ),
    (NationalQc, ["id", "upload", "setl_id", "institution", "rule_code", "level"]),
    (NationalBooking, ["id", "upload", "institution", "fund_paid", "case_count"]),
    (Reconciliation, ["id", "region", "year", "month", "scheme", "status", "published_at"]),
    (
        ReconCase,
        [
            "id",
            "reconciliation",
            "setl_id",
            "institution",
            "kind",
            "our_group",
            "national_group",
            "divergence",
        ],
    ),
    (
        ReconInstitution,
        ["id", "reconciliation", "institution", "fund_difference", "amount_difference"],
    ),
]:
    admin.site.register(
        model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": columns})
    )
