"""The COPY text of grouping results: rendered once per distinct combination, byte for byte what
``DataFrame.to_csv`` would write (quoting, NULL marker, blank text)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from settlement.bulkload import NULL
from settlement.grouping import bulk


def test_the_copy_text_is_exactly_the_csv_of_the_rows():
    rng = np.random.default_rng(7)
    n = 5_000
    pick = lambda values: pd.Categorical.from_codes(rng.integers(0, len(values), n), categories=values)  # noqa: E731
    frame = pd.DataFrame({
        "case_id": np.arange(n) * 7, "period_id": rng.integers(1, 13, n), "version_id": 5, "kind": "DIP",
        "group_code": pick(["I21.000+36.0601", "A,1", 'B"2', ""]), "group_type": pick(["core", "comprehensive", ""]),
        "treatment_type": pick(["medical", ""]), "subtype": pick(["", "age=65+"]),
        "typing_coefficient": pd.Series(rng.choice(np.array(["1.2000", None], dtype=object), n), dtype=object),
        "trace": pick(["core", "no_diagnosis"]), "trace_text": pick(["核心病种：组合精确匹配", "不能入组：主要诊断缺失"]),
        "grouped_at": "2026-12-02T06:00:00+00:00",
    })[bulk.COPY_COLUMNS]  # fmt: skip
    expected = io.StringIO()
    frame.to_csv(expected, header=False, index=False, na_rep=NULL, lineterminator="\n")
    written = b"".join(bulk._csv_bytes(chunk) for chunk in bulk._chunks(frame, 1_000))
    assert written.decode() == expected.getvalue()


@pytest.mark.django_db(transaction=False)
def test_dropped_indexes_come_back_and_still_refuse_duplicates():
    if connection.vendor != "postgresql":
        pytest.skip("index rebuilding is PostgreSQL-only")
    frame = pd.DataFrame({
        "case_id": [1, 2], "period_id": 1, "version_id": 9, "kind": "DIP", "group_code": "X", "group_type": "", "treatment_type": "",
        "subtype": "", "typing_coefficient": None, "trace": "core", "trace_text": "核心病种",
    })  # fmt: skip
    names = lambda: {name for (name,) in _index_names()}  # noqa: E731
    before = names()
    with transaction.atomic():
        with bulk.case_group_indexes_rebuilt():
            assert "settlement_casegroup_period" not in names()
            bulk.case_groups_copy(frame, grouped_at=timezone.now())
        assert names() == before
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.case_group_indexes_rebuilt():
        bulk.case_groups_copy(frame.assign(case_id=[1, 1]), grouped_at=timezone.now())


def test_only_large_writes_on_postgresql_rebuild_the_indexes(db):
    assert not bulk.indexes_worth_rebuilding(bulk.REBUILD_MIN_ROWS - 1)
    assert bulk.indexes_worth_rebuilding(bulk.REBUILD_MIN_ROWS) == (connection.vendor == "postgresql")


def _index_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [bulk.TABLE])
        return cursor.fetchall()
