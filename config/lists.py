"""Declared list pages (issue 20 item 7): a page names its columns (a django-tables2 ``Table``), its
filters (a django-filter ``FilterSet``) and the rows its user may see (a ``for_user`` queryset, so
tenancy stays in one place); this module gives every such page the same sortable headers, page-size
choice (``per_page``: 25, 50, 100 or 200), Chinese filter errors, and an export of the filtered, sorted
list (``?export=xlsx`` or ``csv``) through the one spreadsheet writer and ``download_response``.

Two kinds of page:

- ``ListPage``: page numbers (``?page=3``) and an exact count, for lists of some thousands of rows;
- ``KeysetListPage``: keyset pages (``?cursor=…``, ``config.keyset``) and a bounded count, for lists
  over the big tables (2 million cases): no ``OFFSET``, no full ``COUNT``. A column is sortable there
  only where an index serves its keyset ordering (the page's ``keyset_ordering`` says which).

A filter value the form refuses (a year of ``abc``) shows the field's Chinese error above an empty
list, never a 500 and never the unfiltered list; an unknown ``sort`` or ``per_page`` is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import islice
from urllib.parse import urlencode

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy, OrderByTuple

from config.keyset import InvalidCursor, KeysetPage, count_bounded, keyset_page
from config.money import to_fen
from config.routers import replica_reads
from config.spreadsheets import download_response
from config.spreadsheets.writer import csv_bytes, rows_workbook

PER_PAGE_CHOICES = (25, 50, 100, 200)
EXPORT_FORMATS = ("xlsx", "csv")
# An export is built in memory a chunk of rows at a time; beyond this many rows the user narrows the
# filters (a month, an institution) or takes the report pack, which streams (reports/).
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2_000
ERR_FILTER = "筛选条件有误，未显示任何记录；请修改下方标出的条件后重新查询。"
ERR_EXPORT_LIMIT = "筛选结果超过 {limit:,} 条，无法导出；请缩小筛选范围（如按月份或机构）后再导出。"


class ListTable(tables.Table):
    """The columns of a list page, styled like every table of the portal. Columns are not sortable
    unless they say so (``orderable=True``); a column's ``verbose_name`` is its header on the page and
    in the export."""

    class Meta:
        attrs = {"class": "table table-sm table-striped"}
        orderable = False
        default = ""
        empty_text = "没有符合条件的记录。"


class MoneyColumn(tables.Column):
    """An amount in yuan: right-aligned, to the fen with thousands separators on the page; the exact
    ``Decimal`` in the export."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return f"{to_fen(Decimal(value)):,.2f}"

    def value(self, value):
        return value


class NumberColumn(tables.Column):
    """A count or a number, right-aligned."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)


class DateTimeColumn(tables.DateTimeColumn):
    """A time to the second in Beijing time, as every page writes it."""

    def __init__(self, verbose_name: str | None = None, **kwargs) -> None:
        kwargs.setdefault("format", "Y-m-d H:i:s")
        super().__init__(verbose_name=verbose_name, **kwargs)


class ListFilters(django_filters.FilterSet):
    """The filters of a list page: small controls, each labelled in Chinese (shown as its placeholder).
    Its field names are the page's query parameters, so bookmarked URLs keep working."""

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters_for(request.user)
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else ("form-control form-control-sm")
            )
            field.widget.attrs.setdefault("aria-label", field.label)
            if not select:
                field.widget.attrs.setdefault("placeholder", field.label)

    def filters_for(self, user) -> None:
        """Drop the filters this user has no use for (a hospital filters no institution)."""


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, a month): ``2024.5`` or ``abc`` is a Chinese form error."""

    field_class = forms.IntegerField


class _InOrder(TableListData):
    """Rows already in the page's order (a keyset page, an export chunk): the table sorts nothing."""

    def order_by(self, aliases) -> None:
        pass


class ListPage(LoginRequiredMixin, View):
    """A list page with page numbers. Declare ``table_class``, ``filterset_class`` (optional),
    ``template_name``, ``export_name`` (the file name, also the sheet title) and ``get_queryset()`` (the
    rows the user may see — a ``for_user`` queryset; refuse a user here with ``PermissionDenied``).
    The template includes ``includes/list_filters.html`` and ``includes/list_table.html``."""

    table_class: type[ListTable]
    filterset_class: type[ListFilters] | None = None
    template_name: str
    export_name: str
    per_page = 50

    def get_queryset(self):
        raise NotImplementedError

    def get_context_data(self, **context) -> dict:
        return context

    def table_kwargs(self) -> dict:
        """Options for every table of this request: ``exclude`` columns a user has no use for,
        ``row_attrs``."""
        return {}

    def table(self, data, sort: OrderByTuple | str | None = None) -> ListTable:
        return self.table_class(data, order_by=sort or None, **self.table_kwargs())

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A list and its export read from the replica when one is configured (config/routers.py); the
        # user and the session were read from the primary before this, by the login check.
        with replica_reads():
            return self.list_response(request)

    def list_response(self, request: HttpRequest) -> HttpResponse:
        queryset = self.get_queryset()
        filters = (
            self.filterset_class(request.GET, queryset=queryset, request=request)
            if (self.filterset_class)
            else None
        )
        rows = self.filtered(queryset, filters)
        sort = self.sort_requested()
        export = request.GET.get("export")
        if export in EXPORT_FORMATS:
            return self.export(rows, sort, export)
        table, page = self.table_page(rows, sort)
        context = {
            "table": table,
            "page": page,
            "keyset": isinstance(page, KeysetPage),
            "filter": filters,
            "filter_error": ERR_FILTER if filters is not None and filters.errors else "",
            "per_page": self.per_page_requested(),
            "per_page_choices": PER_PAGE_CHOICES,
            "export_formats": EXPORT_FORMATS,
        }
        return render(request, self.template_name, self.get_context_data(**context))

    @staticmethod
    def filtered(queryset, filters: ListFilters | None):
        """The filtered rows; none at all when a filter value was refused (its error is shown)."""
        if filters is None:
            return queryset
        return filters.qs if filters.is_valid() else queryset.none()

    def sort_requested(self) -> OrderByTuple:
        """``?sort=name`` or ``-name`` for a sortable column of the table; anything else is ignored."""
        return self.table(_InOrder([]), self.request.GET.get("sort")).order_by

    def per_page_requested(self) -> int:
        asked = self.request.GET.get("per_page", "")
        return int(asked) if asked.isdigit() and int(asked) in PER_PAGE_CHOICES else self.per_page

    def table_page(self, rows, sort: OrderByTuple):
        """The table of this page's records, and the page (its records, its number and count)."""
        paginator = Paginator(self.ordered(rows, sort), self.per_page_requested())
        page = paginator.get_page(self.request.GET.get("page"))
        return self.table(_InOrder(list(page.object_list)), sort), page

    def ordered(self, rows, sort: OrderByTuple):
        """``rows`` in the order the page shows them."""
        return self.table(rows, sort).data.data

    def export(self, rows, sort: OrderByTuple, fmt: str) -> HttpResponse:
        """The filtered list, in the page's order, as .xlsx or CSV: headers are the columns' names."""
        if not count_bounded(rows, cap=EXPORT_LIMIT).exact:
            messages.error(self.request, ERR_EXPORT_LIMIT.format(limit=EXPORT_LIMIT))
            query = {k: v for k, v in self.request.GET.items() if k != "export"}
            return redirect(f"{self.request.path}?{urlencode(query)}")
        header, values = table_values(self.table, self.ordered(rows, sort).iterator(EXPORT_CHUNK))
        if fmt == "csv":
            content = csv_bytes(header, values)
        else:
            content = rows_workbook([(self.export_name[:31], header, values)])
        return download_response(content, f"{self.export_name}.{fmt}")


class KeysetListPage(ListPage):
    """A list page over a big table: keyset pages and a bounded count (``config.keyset``). Declare
    ``keyset_ordering(sort)``: the unique key, served by an index, that the page walks for a sort."""

    def keyset_ordering(self, sort: OrderByTuple) -> Sequence[str]:
        raise NotImplementedError

    def table_page(self, rows, sort: OrderByTuple):
        ordering = self.keyset_ordering(sort)
        size = self.per_page_requested()
        try:
            page = keyset_page(
                rows, ordering=ordering, cursor=self.request.GET.get("cursor"), size=size
            )
        except InvalidCursor as bad:
            messages.error(self.request, str(bad))
            page = keyset_page(rows, ordering=ordering, size=size)
        return self.table(_InOrder(page.rows), sort), page

    def ordered(self, rows, sort: OrderByTuple):
        return rows.order_by(*self.keyset_ordering(sort))


def sort_first(sort: OrderByTuple, default: str) -> tuple[str, bool]:
    """The column the page is sorted by first (``default`` when unsorted) and whether it descends."""
    if not sort:
        return default, False
    first = OrderBy(sort[0])
    return first.bare, first.is_descending


def table_values(table: Callable[..., ListTable], records: Iterable) -> tuple[list, Iterator[list]]:
    """The export header (the columns' names) and the values of every record (``value_*`` / the raw
    value, not the page's HTML), built ``EXPORT_CHUNK`` records at a time so memory stays flat."""
    header = [str(name) for name in next(table(_InOrder([])).as_values())]

    def values() -> Iterator[list]:
        records_left = iter(records)
        while chunk := list(islice(records_left, EXPORT_CHUNK)):
            rows = table(_InOrder(chunk)).as_values()
            next(rows)
            yield from ([_cell(value) for value in row] for row in rows)

    return header, values()


def _cell(value):
    """A value a spreadsheet holds: times in Beijing time without a zone (Excel has none)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value
