"""The bulk writer of a run's case rows (``RunCase``): an Arrow table written as CSV by Arrow's C++ writer
and streamed into PostgreSQL ``COPY``; ``executemany`` on SQLite. The caller owns the transaction.

Exact decimals without ``Decimal`` objects: the integer columns of ``domain.run_case_rows`` (``*_e4``,
``*_fen``) become Arrow ``decimal128`` columns whose unscaled values are those integers, so the CSV holds
``12.3400`` exactly as the integer says. Text columns are always quoted, so "" stays an empty string.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connections

from config.lazy import numpy as np
from config.lazy import pandas as pd
from config.lazy import pyarrow as pa
from config.lazy import pyarrow_csv as pacsv
from settlement.runs.models import RunCase, SettlementRun

TABLE = RunCase._meta.db_table
# column → (source column of ``domain.run_case_rows``, decimal places; None = integer, "text", "bool")
COLUMNS: dict[str, tuple[str, object]] = {
    "run_id": ("run_id", None),
    "year": ("year", None),
    "case_id": ("case_id", None),
    "institution_id": ("institution_id", None),
    "booked_id": ("booked_id", None),
    "group_code": ("group_code", "text"),
    "trace": ("trace", "text"),
    "score": ("score_e4", 4),
    "mean": ("mean_fen", 2),
    "ratio": ("ratio_e4", 4),
    "deviation": ("deviation", "text"),
    "factor": ("factor_e4", 4),
    "aux_coef": ("aux_coef_e4", 4),
    "inst_coef": ("inst_coef_e4", 4),
    "points": ("points_e4", 4),
    "special": ("special", "text"),
    "needs_review": ("needs_review", "bool"),
    "amount": ("amount_fen", 2),
}
CHUNK_ROWS = 200_000
PRECISION = 18  # ≥ the model's max_digits (16); the unscaled int64 values always fit


def run_cases_copy(rows: pd.DataFrame, *, run_id: int, using: str = "default") -> int:
    """Insert the run's case rows (with the run's year, their partition key); returns the number written."""
    connection = connections[using]
    year = SettlementRun.objects.using(using).filter(pk=run_id).values_list("year", flat=True).get()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK_ROWS):
            table = arrow_table(rows.iloc[start : start + CHUNK_ROWS], run_id, year)
            if connection.vendor == "postgresql":
                sql = f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
                with cursor.cursor.copy(sql) as copy:
                    copy.write(_csv_bytes(table))
            else:
                placeholders = ", ".join(["%s"] * len(COLUMNS))
                values = [
                    [str(v) if isinstance(v, Decimal) else v for v in column.to_pylist()]
                    for column in table.columns
                ]
                cursor.executemany(
                    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                    list(zip(*values)),
                )
    return len(rows)


def arrow_table(chunk: pd.DataFrame, run_id: int, year: int) -> pa.Table:
    arrays = {}
    for name, (source, kind) in COLUMNS.items():
        if source in ("run_id", "year"):
            value = run_id if source == "run_id" else year
            arrays[name] = pa.array(np.full(len(chunk), value, dtype=np.int64))
        elif kind is None:
            arrays[name] = pa.array(chunk[source].to_numpy(dtype=np.int64))
        elif kind == "text":
            arrays[name] = pa.array(
                chunk[source].astype(str).to_numpy(dtype=object), type=pa.string()
            )
        elif kind == "bool":
            arrays[name] = pa.array(chunk[source].to_numpy(dtype=bool))
        else:
            arrays[name] = decimal_array(chunk[source].to_numpy(dtype=np.int64), int(kind))
    return pa.table(arrays)


def decimal_array(units: np.ndarray, scale: int) -> pa.Array:
    """int64 counts of ``10**-scale`` as an Arrow decimal128 array with those unscaled values (exact)."""
    data = np.empty(
        (len(units), 2), dtype=np.int64
    )  # little-endian 128-bit: low word, then the sign
    data[:, 0] = units
    data[:, 1] = units >> 63
    return pa.Array.from_buffers(
        pa.decimal128(PRECISION, scale), len(units), [None, pa.py_buffer(data)]
    )


def _csv_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue().to_pybytes()
