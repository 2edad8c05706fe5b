"""Keyset pagination for API lists over large tables (config.keyset): DRF's CursorPagination keeps only the
first ordering field in its cursor and counts ties by OFFSET, which at 80,000 cases a month is no better
than page numbers. The answer keeps the page-number shape — ``count``, ``next``, ``previous``, ``results`` —
with ``count_exact`` saying whether ``count`` was counted (up to 10,000) or estimated."""

from __future__ import annotations

from django.utils.encoding import force_str
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config.keyset import COUNT_CAP, PAGE_SIZE, InvalidCursor, keyset_page

ERR_PAGE_NUMBER = "该列表按游标翻页：请沿用 next / previous 链接（cursor 参数），page 仅接受 1。"


class KeysetPagination(BasePagination):
    """The view names its ordering (a unique key, ascending) with ``get_keyset_ordering()``."""

    cursor_query_param = "cursor"
    page_size = PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get("page", "1") != "1":
            raise NotFound(ERR_PAGE_NUMBER)
        try:
            self.page = keyset_page(
                queryset,
                ordering=view.get_keyset_ordering(),
                size=self.page_size,
                cursor=request.query_params.get(self.cursor_query_param),
            )
        except InvalidCursor as bad:
            raise NotFound(str(bad)) from None
        self.base_url = remove_query_param(request.build_absolute_uri(), "page")
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        return (
            replace_query_param(self.base_url, self.cursor_query_param, cursor) if cursor else None
        )

    def get_paginated_response(self, data):
        count = self.page.count
        return Response(
            {
                "count": count.value,
                "count_exact": count.exact,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": f"条数：不超过 {COUNT_CAP:,} 条时为准确值，否则为数据库的估计值（见 count_exact）",
                },
                "count_exact": {"type": "boolean", "description": "count 是否为准确计数"},
                "next": {**link, "description": "下一页链接（带 cursor 参数）；最后一页为 null"},
                "previous": {**link, "description": "上一页链接；第一页为 null"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": force_str("翻页游标：取自上一次响应的 next / previous 链接"),
                "schema": {"type": "string"},
            }
        ]
