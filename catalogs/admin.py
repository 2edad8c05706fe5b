from django.contrib import admin

from audit.admin import AuditedAdmin
from catalogs.models import Institution, Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["code", "name", "region", "level", "type", "is_grassroots", "consortium_lead", "active_from", "active_to"]
    list_filter = ["region", "level", "type", "is_grassroots"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["consortium_lead"]
