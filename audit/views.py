from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import selectors
from audit.forms import EventFilterForm

ERR_ADMIN_ONLY = "仅经办机构管理员可查看审计日志。"
PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filterable by user, object, action, request and date. Bureau admins only."""
    if not request.user.is_bureau_admin:
        raise PermissionDenied(ERR_ADMIN_ONLY)
    form = EventFilterForm(request.GET or None, **selectors.event_filter_choices())
    filters = form.filters()
    # Invalid filters show nothing rather than the unfiltered trail, which would look like an answer.
    events = selectors.event_list(**filters) if filters is not None else []
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"form": form, "page": page})
