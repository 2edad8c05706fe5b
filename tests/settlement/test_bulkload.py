"""settlement.bulkload.cases_copy: a round trip through the database (COPY on PostgreSQL, INSERT on SQLite)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest

from settlement.bulkload import (
    ANALYZE_MIN_ROWS,
    CASE_COPY_COLUMNS,
    case_indexes_deferred,
    case_statistics_refresh,
    cases_copy,
    fen_to_text,
)
from settlement.models import CaseRecord
from tests.conftest import postgres_only
from tests.world import TZ

pytestmark = pytest.mark.django_db


def case_frame(world) -> pd.DataFrame:
    """Three rows covering the convention: exact fen, NULL money/ints/times, blank text, odd characters."""
    at = lambda *args: pd.Timestamp(datetime(*args, tzinfo=TZ))  # noqa: E731
    return pd.DataFrame(
        {
            "institution_id": [world.hospital_a.pk, world.hospital_a.pk, world.hospital_b.pk],
            "period_id": [world.period.pk] * 3,
            "setl_id": ["S1", "S2", "S3"],
            "mdtrt_id": ["M1", "M2", "M3"],
            "psn_no": ["P1", "P1", 'P"3,x'],
            "insutype": ["310", "390", "390"],
            "med_type": ["21", "14", "28"],
            "gend": ["1", "2", "9"],
            "age": [60, 45, 0],
            "nwb_age": pd.array([None, None, 12], dtype="Int64"),
            "nwb_bir_wt": pd.array([None, None, 2480], dtype="Int64"),
            "nwb_adm_wt": pd.array([None, None, 2510], dtype="Int64"),
            "adm_time": [at(2024, 3, 1, 8, 30), pd.NaT, at(2024, 3, 31, 23, 59)],
            "dscg_time": [at(2024, 3, 8, 10, 0), pd.NaT, at(2024, 4, 1, 0, 30)],
            "act_ipt_days": pd.array([7, None, 1], dtype="Int64"),
            "dscg_way": ["1", "", "5"],
            "maindiag_code": ["I21.000", "E11.900", "P07.300"],
            "otherdiag_codes": ["I10.x00;E11.900", "", ""],
            "main_oprn_oprt_code": ["36.0601", "", "96.7101"],
            "other_oprn_oprt_codes": ["88.5501", "", ""],
            "opsp_dise_code": ["", "M01600", ""],
            "scs_cutd_sum_dura": pd.array([None, None, 4320], dtype="Int64"),
            "vent_used_dura": pd.array([None, None, 1000], dtype="Int64"),
            "days_rinp_flag_31": ["1", "", "2"],
            "medfee_sumamt": [3_000_000, 54_634, 99_999_999_999_999],
            "fund_pay_sumamt": [2_100_001, 30_537, 0],
            "hifp_pay": [2_100_001, 30_537, 0],
            "psn_part_amt": [899_999, 24_097, 99_999_999_999_999],
            "fulamt_ownpay_amt": pd.array([1, None, 0], dtype="Int64"),
            "acct_pay": pd.array([0, None, 5], dtype="Int64"),
            "psn_cash_pay": pd.array([899_999, None, 99_999_999_999_994], dtype="Int64"),
            "fee_drug": pd.array([1_000_000, None, 10], dtype="Int64"),
            "fee_material": pd.array([1_000_000, None, 10], dtype="Int64"),
            "fee_exam": pd.array([500_000, None, 10], dtype="Int64"),
            "fee_treatment": pd.array([400_000, None, 10], dtype="Int64"),
            "fee_other": pd.array([100_000, None, 99_999_999_999_959], dtype="Int64"),
            "setl_time": [at(2024, 3, 8, 12, 0), at(2024, 3, 15, 9, 5, 7), at(2024, 4, 1, 1, 0)],
        }
    )


def test_it_writes_every_row_and_reads_back_exactly(world):
    frame = case_frame(world)
    assert cases_copy(frame) == 3
    rows = {case.setl_id: case for case in CaseRecord.objects.all()}
    first, outpatient, newborn = rows["S1"], rows["S2"], rows["S3"]
    assert first.medfee_sumamt == Decimal("30000.00") and first.fund_pay_sumamt == Decimal(
        "21000.01"
    )
    assert first.psn_part_amt == Decimal("8999.99") and first.fulamt_ownpay_amt == Decimal("0.01")
    assert newborn.medfee_sumamt == Decimal("999999999999.99") and newborn.psn_cash_pay == Decimal(
        "999999999999.94"
    )
    assert (
        outpatient.acct_pay is None and outpatient.fee_drug is None and outpatient.nwb_age is None
    )
    assert (
        outpatient.adm_time is None
        and outpatient.dscg_time is None
        and outpatient.act_ipt_days is None
    )
    assert (
        outpatient.dscg_way == ""
        and outpatient.otherdiag_codes == ""
        and outpatient.opsp_dise_code == "M01600"
    )
    assert first.adm_time == datetime(2024, 3, 1, 8, 30, tzinfo=TZ)
    assert outpatient.setl_time == datetime(2024, 3, 15, 9, 5, 7, tzinfo=TZ)
    assert newborn.dscg_time == datetime(2024, 4, 1, 0, 30, tzinfo=TZ)
    assert (
        newborn.nwb_age == 12
        and newborn.scs_cutd_sum_dura == 4320
        and first.scs_cutd_sum_dura is None
    )
    assert (newborn.nwb_bir_wt, newborn.nwb_adm_wt, first.nwb_bir_wt) == (2480, 2510, None)
    assert newborn.psn_no == 'P"3,x' and first.otherdiag_codes == "I10.x00;E11.900"
    assert {case.version for case in rows.values()} == {1}
    assert all(
        case.created_at is not None and case.updated_at is not None for case in rows.values()
    )


def test_it_finds_rows_by_time_in_the_database(world):
    """Stored times compare correctly in SQL (SQLite keeps Django's text format, PostgreSQL timestamptz)."""
    cases_copy(case_frame(world))
    since = datetime(2024, 3, 15, 9, 0, tzinfo=TZ)
    assert set(
        CaseRecord.objects.filter(setl_time__gte=since).values_list("setl_id", flat=True)
    ) == {"S2", "S3"}
    assert CaseRecord.objects.filter(adm_time__date="2024-03-31").get().setl_id == "S3"
    assert (
        CaseRecord.objects.get(setl_time=datetime(2024, 3, 15, 9, 5, 7, tzinfo=TZ)).setl_id == "S2"
    )
    assert CaseRecord.objects.get(adm_time=datetime(2024, 3, 1, 8, 30, tzinfo=TZ)).setl_id == "S1"


def test_it_streams_a_frame_larger_than_one_chunk(world, monkeypatch):
    monkeypatch.setattr("settlement.bulkload.CHUNK_ROWS", 2)
    monkeypatch.setattr("settlement.bulkload.SQLITE_CHUNK_ROWS", 2)
    frame = pd.concat([case_frame(world)] * 3, ignore_index=True)
    frame["setl_id"] = [f"S{i}" for i in range(len(frame))]
    assert cases_copy(frame) == 9
    assert CaseRecord.objects.count() == 9


def test_it_refuses_a_frame_without_required_columns(world):
    with pytest.raises(ValueError, match="maindiag_code"):
        cases_copy(case_frame(world).drop(columns=["maindiag_code"]))
    assert not CaseRecord.objects.exists()


def test_copy_columns_are_the_model_columns_without_the_key():
    assert CASE_COPY_COLUMNS[:3] == ["institution_id", "period_id", "setl_id"]
    assert "id" not in CASE_COPY_COLUMNS and {"version", "created_at", "updated_at"} <= set(
        CASE_COPY_COLUMNS
    )


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (123456, "1234.56"),
        (-5, "-0.05"),
        (99_999_999_999_999, "999999999999.99"),
    ],
)
def test_fen_become_exact_two_decimal_text(fen, text):
    assert list(fen_to_text(pd.Series([fen], dtype="Int64"))) == [text]


def table_schema(connection) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'settlement_caserecord'"
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'settlement_caserecord'::regclass"
        )
        return indexes | set(cursor.fetchall())


@pytest.mark.postgres
def test_deferred_indexes_come_back_exactly_as_they_were(world):
    from django.db import connection

    postgres_only(connection)
    before = table_schema(connection)
    with case_indexes_deferred():
        assert len(table_schema(connection)) < len(before) - 5
        cases_copy(case_frame(world))
    assert table_schema(connection) == before
    assert CaseRecord.objects.count() == 3


@pytest.mark.postgres
def test_deferred_unique_key_still_refuses_a_duplicate_case(world):
    from django.db import IntegrityError, connection, transaction

    postgres_only(connection)
    frame = case_frame(world)
    with pytest.raises(IntegrityError), transaction.atomic(), case_indexes_deferred():
        cases_copy(pd.concat([frame, frame.iloc[:1]], ignore_index=True))
    assert not CaseRecord.objects.exists()


@pytest.mark.postgres
def test_a_failed_load_gives_the_indexes_back(world):
    from django.db import connection

    postgres_only(connection)
    before = table_schema(connection)
    with pytest.raises(ValueError), case_indexes_deferred():
        cases_copy(case_frame(world).drop(columns=["setl_id"]))
    assert table_schema(connection) == before


def test_a_large_load_refreshes_the_planners_statistics_within_its_transaction(world):
    from django.db import connection

    cases_copy(case_frame(world))
    assert not case_statistics_refresh(ANALYZE_MIN_ROWS - 1)
    refreshed = case_statistics_refresh(ANALYZE_MIN_ROWS)
    assert refreshed == (connection.vendor == "postgresql")
    if refreshed:  # ANALYZE counted the three rows this (uncommitted) transaction wrote
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = 'settlement_caserecord'::regclass"
            )
            assert cursor.fetchone()[0] == 3
