"""Reading many rows fast: a queryset's rows as a DataFrame through PostgreSQL ``COPY … TO STDOUT``
parsed by Arrow's CSV reader (no Python tuple per row); plain ``values_list`` elsewhere.

Text columns stay text ("" for blank, as the model keeps them), integers integers; a nullable integer
column with NULLs comes out as float with NaN, as ``DataFrame.from_records`` gives it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.db import connections
from django.db.models import QuerySet

from config.lazy import pandas as pd
from config.lazy import pyarrow as pa
from config.lazy import pyarrow_csv as pacsv


def frame_of(
    queryset: QuerySet, names: Sequence[str], *, text: Sequence[str] = (), using: str = "default"
) -> pd.DataFrame:
    """``queryset.values_list(*names)`` as a DataFrame; ``text`` names the columns that are text."""
    rows = queryset.values_list(*names)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return pd.DataFrame.from_records(list(rows), columns=list(names))
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=list(names)),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in text},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas()
    for name in text:  # the same string dtype as the values_list path gives (pandas' default str)
        frame[name] = frame[name].astype(str)
    return frame
