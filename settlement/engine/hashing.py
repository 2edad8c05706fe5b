"""Content hash of a result frame (结果指纹): equal for equal content whatever the row or column order."""

from __future__ import annotations

import hashlib

from config.lazy import numpy as np
from config.lazy import pandas as pd

HASH_VERSION = b"settlement-engine-result-v1"


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in name order; objects (Decimal, str, None) as their text so 1.50 ≠ 1.5 is kept visible."""
    frame = frame.reindex(columns=sorted(frame.columns, key=str)).reset_index(drop=True)
    return frame.apply(_canonical_column)


def _canonical_column(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(str)
    return column.map(repr) if column.dtype == object else column


def result_hash(frame: pd.DataFrame) -> str:
    """SHA-256 over the column names and dtypes and the sorted per-row hashes (a multiset of rows)."""
    canonical = _canonical(frame)
    rows = np.sort(pd.util.hash_pandas_object(canonical, index=False).to_numpy(dtype=np.uint64))
    digest = hashlib.sha256(HASH_VERSION)
    for name, dtype in canonical.dtypes.items():
        digest.update(f"{name}\x1f{dtype}\x1e".encode())
    digest.update(rows.tobytes())
    return digest.hexdigest()
