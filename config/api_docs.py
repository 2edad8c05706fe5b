"""The API's schema and documentation pages (/api/v1/schema/, /docs/, /redoc/), built on first request.

drf-spectacular's views import its schema generator, which imports DRF's test client and Django's test
framework: a few hundred milliseconds that every process would pay at start-up for three pages few
people open. ``schema_view`` names the view class and builds it when the page is first asked for."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse


def schema_view(class_name: str, **initkwargs) -> Callable[..., HttpResponse]:
    """A view that builds ``drf_spectacular.views.<class_name>.as_view(**initkwargs)`` on first use."""

    @cache
    def built() -> Callable[..., HttpResponse]:
        from drf_spectacular import views

        return getattr(views, class_name).as_view(**initkwargs)

    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return built()(request, *args, **kwargs)

    view.csrf_exempt = True  # as DRF's as_view() marks its views; these pages only read
    view.__name__ = view.__qualname__ = class_name
    return view
