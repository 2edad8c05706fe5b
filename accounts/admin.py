from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from knox.models import AuthToken

from accounts.models import PasswordHistory, User
from audit.admin import AuditedAdmin, ReadOnlyAdmin
from audit.services import audit_record

# Users manage their own API tokens on their tokens page (audited); no one mints or edits them here.
admin.site.unregister(AuthToken)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "institution", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "display_name", "institution__name"]
    autocomplete_fields = ["institution"]
    # Groups, staff status and permissions follow from the role (``receivers.on_user_role_saved``): the
    # form does not offer them, so a save here cannot take them apart from the role.
    fieldsets = tuple(
        (
            name,
            {
                **options,
                "fields": tuple(
                    f
                    for f in options["fields"]
                    if f not in {"groups", "user_permissions", "is_staff"}
                ),
            },
        )
        for name, options in DjangoUserAdmin.fieldsets
    ) + (
        (
            "角色与机构",
            {"fields": ("display_name", "role", "institution", "phone", "must_change_password")},
        ),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("角色与机构", {"fields": ("display_name", "role", "institution")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """The password form saves outside ``save_model``; audit it here (the hash itself is never recorded)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if (
                request.method == "POST" and response.status_code == 302
            ):  # the form was valid and saved
                audit_record(
                    actor=request.user,
                    action="admin_password_change",
                    instance=self.get_object(request, unquote(id)),
                    message="通过后台管理设置密码",
                )
        return response


@admin.register(PasswordHistory)
class PasswordHistoryAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at"]
    exclude = ["password"]
