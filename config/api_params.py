"""Query parameters: an endpoint refuses those it does not take. Kept apart from config/api.py because
DRF imports the filter backend while its own generic views load (drf-spectacular imports those)."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

ERR_UNKNOWN_PARAM = "不支持的查询参数“{name}”。"
# Query parameters every endpoint understands besides its own filters: the page number or the keyset
# cursor (config.pagination), DRF's format override, and the ordering parameter clients commonly send.
COMMON_PARAMS = frozenset({"page", "cursor", "format", "ordering"})


def refuse_unknown_params(request: Request, *, known: Iterable[str]) -> None:
    """A query parameter the endpoint does not take is a 400 naming it, never silently ignored
    (``?institution=`` on the case list must not answer every case)."""
    unknown = sorted(set(request.query_params) - COMMON_PARAMS - set(known))
    if unknown:
        raise ValidationError({name: [ERR_UNKNOWN_PARAM.format(name=name)] for name in unknown})


class KnownParamsFilter(filters.BaseFilterBackend):
    """Every list endpoint refuses query parameters it does not declare (``query_serializer_class``)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") == "list":
            query_serializer = getattr(view, "query_serializer_class", None)
            refuse_unknown_params(
                request, known=query_serializer().fields if query_serializer else ()
            )
        return queryset
