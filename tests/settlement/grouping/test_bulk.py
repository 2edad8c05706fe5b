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
from settlement.grouping.models import CaseGroup
from tests.conftest import postgres_only


def test_the_copy_text_is_exactly_the_csv_of_the_rows():
    rng = np.random.default_rng(7)
    n = 5_000

    def pick(values):
        return pd.Categorical.from_codes(rng.integers(0, len(values), n), categories=values)

    frame = pd.DataFrame(
        {
            "case_id": np.arange(n) * 7,
            "period_id": rng.integers(1, 13, n),
            "version_id": 5,
            "kind": "DIP",
            "group_code": pick(["I21.000+36.0601", "A,1", 'B"2', ""]),
            "group_type": pick(["core", "comprehensive", ""]),
            "treatment_type": pick(["medical", ""]),
            "subtype": pick(["", "age=65+"]),
            "typing_coefficient": pd.Series(
                rng.choice(np.array(["1.2000", None], dtype=object), n), dtype=object
            ),
            "trace": pick(["core", "no_diagnosis"]),
            "trace_text": pick(["核心病种：组合精确匹配", "不能入组：主要诊断缺失"]),
            "grouped_at": "2026-12-02T06:00:00+00:00",
        }
    )[bulk.COPY_COLUMNS]
    expected = io.StringIO()
    frame.to_csv(expected, header=False, index=False, na_rep=NULL, lineterminator="\n")
    written = b"".join(bulk._csv_bytes(chunk) for chunk in bulk._chunks(frame, 1_000))
    assert written.decode() == expected.getvalue()


def _rows(case_ids, *, group_code="X") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": case_ids,
            "period_id": 1,
            "kind": "DIP",
            "group_code": group_code,
            "group_type": "",
            "treatment_type": "",
            "subtype": "",
            "typing_coefficient": None,
            "trace": "core",
        }
    )


def _write(version_id: int, rows: pd.DataFrame, *, whole: bool) -> int:
    old = (
        CaseGroup.objects.filter(version_id=version_id)
        if whole
        else CaseGroup.objects.filter(version_id=version_id, case_id__in=rows["case_id"].tolist())
    )
    with (
        transaction.atomic(),
        bulk.version_results_replaced(version_id=version_id, old=old, whole=whole) as target,
    ):
        bulk.case_groups_copy(
            rows.assign(version_id=version_id), grouped_at=timezone.now(), table=target.table
        )
    return target.replaced


def _partition_facts(version_id: int) -> tuple[str, list[tuple[str, str]]]:
    """The partition's bound, and each of its indexes with the parent's index it is attached to."""
    partition = bulk.partition_name(version_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s AND relispartition",
            [partition],
        )
        bound = cursor.fetchone()[0]
        cursor.execute(
            "SELECT i.relname, parent.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_inherits h ON h.inhrelid = x.indexrelid JOIN pg_class parent ON parent.oid = h.inhparent "
            "WHERE x.indrelid = %s::regclass ORDER BY 1",
            [partition],
        )
        return bound, cursor.fetchall()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=False)
def test_a_whole_version_is_swapped_in_as_its_partition_and_keeps_its_keys():
    postgres_only(connection)
    assert _write(9, _rows([1, 2, 3]), whole=True) == 0
    assert _write(8, _rows([1, 2]), whole=True) == 0  # another version: its own partition
    facts = _partition_facts(9)
    assert facts == (
        "FOR VALUES IN ('9')",
        [  # every key of the parent, built before the swap and attached to it
            ("settlement_casegroup_v9_i0", "settlement_casegroup_period"),
            ("settlement_casegroup_v9_k0", "settlement_casegroup_pkey"),
        ],
    )
    assert (
        _write(9, _rows([2, 4], group_code="Y"), whole=True) == 3
    )  # the old partition goes, with its three rows
    assert _partition_facts(9) == facts  # the same names: a third swap would not collide
    assert dict(
        CaseGroup.objects.filter(version_id=9).order_by().values_list("case_id", "group_code")
    ) == {2: "Y", 4: "Y"}
    assert CaseGroup.objects.filter(version_id=8).count() == 2
    with pytest.raises(
        IntegrityError
    ):  # the primary key (case, version) came back with the partition
        _write(9, _rows([6, 6]), whole=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=False)
def test_a_partial_write_creates_the_partition_and_replaces_only_its_own_rows():
    postgres_only(connection)
    assert _write(7, _rows([1, 2]), whole=False) == 0  # no partition yet: created on the way
    assert _partition_facts(7)[0] == "FOR VALUES IN ('7')"
    assert _write(7, _rows([2, 3], group_code="Y"), whole=False) == 1
    assert dict(
        CaseGroup.objects.filter(version_id=7).order_by().values_list("case_id", "group_code")
    ) == {1: "X", 2: "Y", 3: "Y"}


@pytest.mark.django_db(transaction=False)
def test_the_primary_key_refuses_a_second_result_of_a_case_under_one_version():
    _write(6, _rows([1]), whole=True)
    with pytest.raises(IntegrityError):
        _write(6, _rows([2, 2]), whole=False)
    assert list(CaseGroup.objects.order_by().values_list("case_id", flat=True)) == [1]
