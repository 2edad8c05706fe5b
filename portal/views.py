"""The portal shell: the home dashboard every role lands on after logging in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home dashboard: the region at a glance for the bureau, the own institution for a hospital."""
    context = selectors.dashboard_for_user(request.user)
    return render(request, "portal/home.html", context)
