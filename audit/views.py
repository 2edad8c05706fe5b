from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import admin_view
from audit import selectors
from audit.forms import EventFilterForm

ERR_ADMIN_ONLY = "仅经办机构管理员可查看审计日志。"
PAGE_SIZE = 50


@admin_view(ERR_ADMIN_ONLY)
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filterable by user, object, action, request and date. Bureau admins only."""
    form = EventFilterForm(request.GET or None, **selectors.event_filter_choices())
    filters = form.filters()
    # Invalid filters show nothing rather than the unfiltered trail, which would look like an answer.
    events = selectors.event_list(**filters) if filters is not None else []
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"form": form, "page": page})
