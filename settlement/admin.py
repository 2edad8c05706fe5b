from django.contrib import admin

from audit.admin import AuditedAdmin
from settlement.models import CaseRecord, SettlementPeriod


@admin.register(SettlementPeriod)
class SettlementPeriodAdmin(AuditedAdmin):
    list_display = ["region", "year", "month", "status", "closed_at", "closed_by"]
    list_filter = ["region", "year", "status"]


@admin.register(CaseRecord)
class CaseRecordAdmin(AuditedAdmin):
    list_display = ["setl_id", "institution", "period", "insutype", "med_type", "maindiag_code", "main_oprn_oprt_code", "medfee_sumamt"]
    list_filter = ["insutype", "med_type", "period__year"]
    search_fields = ["setl_id", "psn_no", "maindiag_code"]
    raw_id_fields = ["institution", "period"]
    list_select_related = ["institution", "period"]
    show_full_result_count = False
