from django.contrib import admin

from audit.admin import AuditedAdmin, ReadOnlyAdmin
from settlement.aggregates.models import CaseMonthAggregate
from settlement.models import (
    CaseRecord,
    CaseRecordVersion,
    Holiday,
    ImportBatch,
    ImportIssue,
    ParameterSet,
    ProvinceRun,
    ProvinceRunPart,
    RevolvingFund,
    RunCase,
    RunInstitution,
    SettlementPeriod,
    SettlementRun,
    StatementPublication,
    StatementResponse,
)
from settlement.partitions.models import CaseYearArchive


@admin.register(SettlementPeriod)
class SettlementPeriodAdmin(AuditedAdmin):
    list_display = ["region", "year", "month", "status", "closed_at", "closed_by"]
    list_filter = ["region", "year", "status"]


@admin.register(CaseRecord)
class CaseRecordAdmin(AuditedAdmin):
    list_display = [
        "setl_id",
        "institution",
        "period",
        "insutype",
        "med_type",
        "maindiag_code",
        "main_oprn_oprt_code",
        "medfee_sumamt",
    ]
    list_filter = ["insutype", "med_type", "period__year"]
    search_fields = ["setl_id", "psn_no", "maindiag_code"]
    raw_id_fields = ["institution", "period"]
    list_select_related = ["institution", "period"]
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Batches are written by the import job only."""

    list_display = [
        "id",
        "created_at",
        "institution",
        "uploaded_by",
        "source",
        "file_name",
        "status",
        "rows_in",
        "rows_written",
        "rows_replaced",
        "error_count",
        "warning_count",
        "duration",
    ]
    list_filter = ["status", "source"]
    search_fields = ["file_name", "sha256", "institution__code", "institution__name"]
    list_select_related = ["institution", "uploaded_by"]
    date_hierarchy = "created_at"


@admin.register(ImportIssue)
class ImportIssueAdmin(ReadOnlyAdmin):
    list_display = ["batch", "severity", "row", "column", "value", "message"]
    list_filter = ["severity"]
    search_fields = ["column", "message"]
    raw_id_fields = ["batch"]
    show_full_result_count = False


@admin.register(CaseMonthAggregate)
class CaseMonthAggregateAdmin(ReadOnlyAdmin):
    """Derived from the case table (intake keeps it; ``case_aggregates_rebuild`` rewrites it): read only."""

    list_display = ["region", "year", "month", "institution", "insutype", "med_type", "cases"]
    list_filter = ["year", "month", "insutype", "med_type"]
    raw_id_fields = ["region", "institution", "period"]
    show_full_result_count = False


@admin.register(CaseRecordVersion)
class CaseRecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["case", "version", "replaced_by", "created_at"]
    raw_id_fields = ["case", "replaced_by"]
    show_full_result_count = False


@admin.register(ParameterSet)
class ParameterSetAdmin(ReadOnlyAdmin):
    """Parameter sets change only through their workflow (settlement/parameters/services.py)."""

    list_display = [
        "region",
        "year",
        "scheme",
        "category",
        "kind",
        "version",
        "status",
        "effective_from",
        "effective_to",
        "approved_by",
    ]
    list_filter = ["year", "scheme", "category", "status"]


# CaseGroup (grouping results) is not in the admin: its primary key is (case, version), which the admin
# cannot address; the case page and the grouping summary page show the results.


@admin.register(SettlementRun)
class SettlementRunAdmin(ReadOnlyAdmin):
    """Runs are written by settlement.runs.services only (start, execute, supersede)."""

    list_display = [
        "id",
        "region",
        "year",
        "scheme",
        "category",
        "run_type",
        "number",
        "status",
        "case_count",
        "point_value",
        "total",
        "created_at",
        "started_by",
    ]
    list_filter = ["year", "scheme", "category", "run_type", "status"]
    list_select_related = ["region", "started_by"]


@admin.register(RunInstitution)
class RunInstitutionAdmin(ReadOnlyAdmin):
    list_display = [
        "run",
        "institution",
        "cases",
        "points",
        "settlement",
        "fund_due",
        "payment",
        "final",
    ]
    raw_id_fields = ["run", "institution"]
    list_select_related = ["run", "institution"]
    show_full_result_count = False


@admin.register(RunCase)
class RunCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "run",
        "case",
        "group_code",
        "deviation",
        "ratio",
        "points",
        "amount",
        "special",
    ]
    list_filter = ["deviation"]
    raw_id_fields = ["run", "case", "institution", "booked"]
    show_full_result_count = False


@admin.register(RevolvingFund)
class RevolvingFundAdmin(AuditedAdmin):
    """周转金 advanced at the start of a year, entered by the bureau; offset at year-end clearing."""

    list_display = [
        "region",
        "year",
        "scheme",
        "category",
        "institution",
        "amount",
        "granted_at",
        "created_by",
    ]
    list_filter = ["year", "scheme", "category"]
    raw_id_fields = ["institution"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StatementPublication)
class StatementPublicationAdmin(ReadOnlyAdmin):
    """公示 is written by ``settlement.publication.services.run_publish`` only."""

    list_display = ["run", "published_at", "published_by", "window_days", "deadline"]
    raw_id_fields = ["run", "notice"]
    list_select_related = ["run", "published_by"]


@admin.register(StatementResponse)
class StatementResponseAdmin(ReadOnlyAdmin):
    list_display = ["statement", "kind", "responded_by", "responded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["publication", "statement"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["day", "name", "workday"]
    list_filter = ["workday"]


@admin.register(ProvinceRun)
class ProvinceRunAdmin(ReadOnlyAdmin):
    """Province runs are written by their service only (pages, API, ``manage.py province_run``)."""

    list_display = [
        "id",
        "year",
        "run_type",
        "number",
        "scheme",
        "category",
        "started_by",
        "created_at",
    ]
    list_filter = ["year", "run_type"]


@admin.register(ProvinceRunPart)
class ProvinceRunPartAdmin(ReadOnlyAdmin):
    list_display = ["province_run", "region", "scheme", "category", "run", "attempts", "error"]
    list_filter = ["region"]
    raw_id_fields = ["province_run", "run"]


@admin.register(CaseYearArchive)
class CaseYearArchiveAdmin(ReadOnlyAdmin):
    """Archived years are written by `manage.py case_year_archive` and removed by `case_year_restore`."""

    list_display = ("year", "case_rows", "run_case_rows", "location", "archived_at", "archived_by")
    ordering = ("-year",)
