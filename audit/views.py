from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import selectors
from audit.forms import EventFilterForm


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, filterable by user, object, action and date. Bureau admins only."""
    if not request.user.is_bureau_admin:
        raise PermissionDenied("仅经办机构管理员可查看审计日志。")
    form = EventFilterForm(request.GET or None, **selectors.event_filter_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.event_list(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"form": form, "page": page})
