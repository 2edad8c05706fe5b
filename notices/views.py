"""Notice pages (通知公告). Hospitals: their notices, unread first marked; opening one records the read
receipt. Bureau: every notice, drafting and publishing, and per notice who read it (已读回执)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import in_user_regions, region_fields_scope
from config.lists import ListPage
from notices import selectors, services
from notices.filtersets import NoticeFilters
from notices.forms import NoticeForm
from notices.tables import FOR_BUREAU, FOR_HOSPITAL, NoticeTable

ADD = "notices.add_notice"
MSG_SAVED = "通知公告“{title}”已保存为草稿。"
MSG_PUBLISHED = "通知公告“{title}”已发布。"


class NoticeListView(ListPage):
    """通知公告: the notices the user may read (a hospital: its region's published notices to all or
    to it), newest first."""

    table_class = NoticeTable
    filterset_class = NoticeFilters
    template_name = "notices/notice_list.html"
    export_name = "通知公告"

    def get_queryset(self):
        return selectors.notice_list_for_user(self.request.user)

    def table_kwargs(self) -> dict:
        return FOR_BUREAU if self.request.user.is_bureau else FOR_HOSPITAL

    def get_context_data(self, **context) -> dict:
        return {**context, "can_add": self.request.user.has_perm(ADD)}


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_for_user(request.user, pk)
    services.notice_mark_read(user=request.user, notice=notice)
    audience = selectors.notice_audience(notice) if request.user.is_bureau else []
    return render(request, "notices/notice_detail.html", {"notice": notice, "audience": audience})


@bureau_view(ADD)
def notice_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(NoticeForm(request.POST or None), request)
    form.fields["institutions"].queryset = in_user_regions(
        form.fields["institutions"].queryset, request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            messages.success(
                request,
                (MSG_PUBLISHED if notice.published_at else MSG_SAVED).format(title=notice.title),
            )
            return redirect("notices:notice_detail", pk=notice.pk)
    return render(request, "notices/notice_form.html", {"form": form})


@require_POST
@bureau_view(ADD)
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_for_user(request.user, pk)
    try:
        services.notice_publish(actor=request.user, notice=notice)
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(request, MSG_PUBLISHED.format(title=notice.title))
    return redirect("notices:notice_detail", pk=notice.pk)
