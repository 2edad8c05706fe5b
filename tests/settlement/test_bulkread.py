"""settlement.bulkread.frame_of: the COPY reader gives the frame ``values_list`` gives, value for value
and dtype for dtype (text with odd characters, codes with leading zeros, blank and NULL, integers with
and without NULLs, booleans, columns of other types), on PostgreSQL; the row path elsewhere."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q, TextField, Value
from django.db.models.functions import NullIf

from settlement.bulkread import frame_of
from settlement.grouping.domain import CASE_COLUMNS
from settlement.models import CaseRecord
from tests.conftest import postgres_only
from tests.world import case_create

pytestmark = pytest.mark.django_db

ODD_TEXT = [
    "甲,乙",
    'say "同意"',
    "line one\nline two",
    "\\N",
    " ",
    'a\r\nb,"c"',
]


def odd_cases(world) -> None:
    """Cases whose text columns hold what CSV must quote, leading zeros, blanks, Chinese; some NULL ints."""
    for number, odd in enumerate(ODD_TEXT):
        case_create(
            institution=world.hospital_a if number % 2 else world.hospital_b,
            period=world.period,
            setl_id=f"S{number}{odd}",
            maindiag_code=f"00{number}1",
            otherdiag_codes="" if number % 3 == 0 else f"{odd};0123",
            main_oprn_oprt_code="" if number % 2 else "0099",
            other_oprn_oprt_codes=odd,
            opsp_dise_code="007",
            gend=str(number % 2 + 1),
            age=number * 20,
            nwb_age=None if number % 2 else number,
        )


def row_frame(queryset, names: list[str]) -> pd.DataFrame:
    """What the callers used before: every row as a tuple, then ``from_records``."""
    return pd.DataFrame.from_records(list(queryset.values_list(*names)), columns=names)


def assert_same(queryset, names: list[str], **options) -> pd.DataFrame:
    read = frame_of(queryset, names, **options)
    expected = row_frame(queryset, names)
    by_id = lambda frame: frame.sort_values("id").reset_index(drop=True)  # noqa: E731 (no order asked)
    pd.testing.assert_frame_equal(by_id(read), by_id(expected), check_exact=True)
    return read


@pytest.mark.postgres
def test_it_reads_the_grouping_columns_exactly_as_values_list(world):
    postgres_only(connection)
    odd_cases(world)
    names = ["id", "period_id", *CASE_COLUMNS["DRG"], "setl_id", "opsp_dise_code"]
    read = assert_same(CaseRecord.objects.order_by(), names)
    assert read["maindiag_code"].str.startswith("00").all()  # text, not numbers
    assert set(read["setl_id"].str[2:]) == set(ODD_TEXT)
    assert read["nwb_age"].dtype == "float64" and read["nwb_age"].isna().sum() == 3
    assert read["nwb_bir_wt"].dtype == object and read["nwb_bir_wt"].isna().all()  # NULL throughout


@pytest.mark.postgres
def test_it_tells_null_text_from_blank_text_and_reads_booleans(world):
    postgres_only(connection)
    odd_cases(world)
    cases = CaseRecord.objects.order_by().annotate(
        blank_as_null=NullIf(F("otherdiag_codes"), Value(""), output_field=TextField()),
        nothing=Value(None, output_field=CharField()),
        adult=ExpressionWrapper(Q(age__gte=18), output_field=BooleanField()),
    )
    read = assert_same(cases, ["adult", "id", "blank_as_null", "otherdiag_codes", "nothing"])
    blank = read["otherdiag_codes"] == ""
    assert blank.sum() == 2 and read.loc[blank, "blank_as_null"].isna().all()
    assert read.loc[~blank, "blank_as_null"].notna().all()
    assert read["adult"].dtype == bool and read["adult"].sum() == 5


@pytest.mark.postgres
def test_other_types_come_as_the_row_path_gives_them_unless_named_as_text(world):
    postgres_only(connection)
    odd_cases(world)
    cases = CaseRecord.objects.order_by()
    read = assert_same(cases, ["id", "hifp_pay", "adm_time", "maindiag_code"])
    assert read["hifp_pay"].tolist() == [Decimal("21000.00")] * len(ODD_TEXT)
    as_text = frame_of(cases, ["id", "hifp_pay", "acct_pay"], text=["hifp_pay", "acct_pay"])
    assert as_text["hifp_pay"].tolist() == ["21000.00"] * len(ODD_TEXT)
    assert as_text["acct_pay"].isna().all()


def test_no_rows_give_the_empty_frame_of_the_row_path(world):
    names = ["id", "maindiag_code", "nwb_age"]
    for cases in (CaseRecord.objects.all(), CaseRecord.objects.none()):
        pd.testing.assert_frame_equal(frame_of(cases, names), row_frame(cases, names))
    odd_cases(world)
    in_nothing = CaseRecord.objects.filter(id__in=[])
    pd.testing.assert_frame_equal(frame_of(in_nothing, names), row_frame(in_nothing, names))
