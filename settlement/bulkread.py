"""Reading many rows fast: a queryset's rows as a DataFrame through PostgreSQL ``COPY … TO STDOUT``
parsed by Arrow's CSV reader (no Python tuple per row); plain ``values_list`` elsewhere.

The frame is the one ``DataFrame.from_records(list(queryset.values_list(*names)))`` gives: text
columns as text (``""`` for blank, NaN for NULL), integers as int64 (float64 with NaN when NULLs are
among them), booleans as bool, a column that is NULL throughout as ``None`` objects, and an empty
result as object columns. Every column's type is taken from the query's own output fields, so a code
such as ``0101`` stays text. A column of any other type (money, dates, JSON …) would not come out as
the Python objects the row path gives, so such a query is read row by row, unless the caller names
it in ``text`` to get the database's text for it (money as ``"1234.50"``: exact, and the caller
converts it).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from config.lazy import pandas as pd
from config.lazy import pyarrow as pa
from config.lazy import pyarrow_csv as pacsv

# Django's internal field types read through COPY, by the Arrow type each is parsed as.
TEXT_TYPES = frozenset(
    {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField"}
)
INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def frame_of(
    queryset: QuerySet, names: Sequence[str], *, text: Sequence[str] = (), using: str = "default"
) -> pd.DataFrame:
    """``queryset.values_list(*names)`` as a DataFrame; ``text`` names columns to read as the
    database's text whatever their type (on PostgreSQL; elsewhere they come as the row path gives them)."""
    rows = queryset.values_list(*names)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return _from_rows(rows, names)
    compiler = rows.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a ``none()`` queryset, or ``__in=[]``: no query to run
        return _from_rows([], names)
    types = _arrow_types(names, [column[0] for column in compiler.select], text)
    if types is None:
        return _from_rows(rows, names)
    data = _copied(connection, sql, params)
    if not data:
        return _from_rows([], names)
    return _frame_parsed(data, types)


def _from_rows(rows, names: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=list(names))


def _arrow_types(names: Sequence[str], expressions: list, text: Sequence[str]) -> dict | None:
    """The Arrow type of each column (Django selects them in the order named); ``None`` if one of them
    is of a type the CSV text cannot give back as the row path gives it."""
    if len(expressions) != len(names):
        return None
    types = {}
    for name, expression in zip(names, expressions, strict=True):
        field = expression.output_field
        if field.is_relation:  # a foreign key's column holds the target's key
            field = field.target_field
        kind = field.get_internal_type()
        if name in text or kind in TEXT_TYPES:
            types[name] = pa.string()
        elif kind in INTEGER_TYPES:
            types[name] = pa.int64()
        elif kind == "BooleanField":
            types[name] = pa.bool_()
        else:
            return None
    return types


def _copied(connection, sql: str, params) -> bytes:
    """The query's rows as CSV bytes, in one piece."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        return b"".join(copy)


def _frame_parsed(data: bytes, types: dict) -> pd.DataFrame:
    """PostgreSQL's CSV parsed column-wise. NULL is an unquoted empty field, an empty string a quoted
    one (``""``): only the former is missing. Values may hold quotes, commas and newlines."""
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=list(types)),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    frame = table.to_pandas()
    for name, column in zip(table.column_names, table.columns, strict=True):
        if column.null_count == len(column):  # as from_records: no value to infer a type from
            frame[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame
