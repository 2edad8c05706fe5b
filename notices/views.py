"""Notice pages (通知公告). Hospitals: their notices, unread first marked; opening one records the read
receipt. Bureau: every notice, drafting and publishing, and per notice who read it (已读回执)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import in_user_regions, region_fields_scope
from notices import selectors, services
from notices.forms import NoticeForm

ADD = "notices.add_notice"
PAGE_SIZE = 50
MSG_SAVED = "通知公告“{title}”已保存为草稿。"
MSG_PUBLISHED = "通知公告“{title}”已发布。"


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = selectors.notice_list_for_user(request.user)
    context = {
        "page": Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "notices/notice_list.html", context)


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
