from django.contrib import admin

from audit.admin import ReadOnlyAdmin
from notices.models import Notice, NoticeReceipt


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Notices are drafted, published and read through ``notices.services`` (pages and API) only."""

    list_display = ["title", "region", "kind", "status", "published_at"]
    list_filter = ["kind", "status", "region"]


@admin.register(NoticeReceipt)
class NoticeReceiptAdmin(ReadOnlyAdmin):
    list_display = ["notice", "user", "institution", "read_at"]
    raw_id_fields = ["notice", "user", "institution"]
