from django.contrib import admin

from notices.models import Notice, NoticeReceipt


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "kind", "status", "published_at"]
    list_filter = ["kind", "status", "region"]


@admin.register(NoticeReceipt)
class NoticeReceiptAdmin(admin.ModelAdmin):
    list_display = ["notice", "user", "institution", "read_at"]
