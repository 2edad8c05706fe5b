from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from audit.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "institution", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name", "institution__name"]
    autocomplete_fields = ["institution"]
    fieldsets = DjangoUserAdmin.fieldsets + (("角色与机构", {"fields": ("display_name", "role", "institution")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("角色与机构", {"fields": ("display_name", "role", "institution")}),)
