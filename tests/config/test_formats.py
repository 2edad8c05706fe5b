from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import formats, translation

from accounts.templatetags.portal import duration_zh, money, thousands


@pytest.fixture(autouse=True)
def zh_hans():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    "raw", ["2024年3月1日", "2024年03月01日", "2024-03-01", "2024/3/1", "20240301"]
)
def test_date_field_reads_chinese_and_numeric_dates(raw):
    assert forms.DateField().clean(raw) == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    "raw", ["2024年3月1日 08:30", "2024-03-01 08:30", "2024/3/1 08:30", "2024年3月1日8时30分"]
)
def test_datetime_field_reads_chinese_and_numeric_times(raw):
    value = forms.DateTimeField().clean(raw)
    assert (value.year, value.month, value.day, value.hour, value.minute) == (2024, 3, 1, 8, 30)


def test_date_field_rejects_an_impossible_date():
    with pytest.raises(forms.ValidationError):
        forms.DateField().clean("2024年2月30日")


def test_dates_display_the_chinese_way():
    assert formats.date_format(datetime.date(2024, 3, 1)) == "2024年3月1日"
    assert formats.date_format(datetime.date(2024, 3, 1), "SHORT_DATE_FORMAT") == "2024-03-01"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.5"), "1,234,567.50"),
        (None, ""),
        ("", ""),
        (Decimal("0"), "0.00"),
        (Decimal("-1234.5"), "-1,234.50"),
        (Decimal("0.005"), "0.01"),
        (Decimal("2.675"), "2.68"),
        (Decimal("2.665"), "2.67"),
        (1234, "1,234.00"),
        ("98765.4321", "98,765.43"),
    ],
)
def test_money_shows_fen_with_thousands_separators_rounding_half_up(value, shown):
    assert money(value) == shown


def test_money_never_goes_through_float():
    # As floats, 2.675 is 2.67499999… (would round to 2.67) and 17 significant digits lose the fen.
    assert money(Decimal("2.675")) == "2.68"
    assert money(Decimal("12345678901234567.89")) == "12,345,678,901,234,567.89"


def test_thousands_groups_counts():
    assert thousands(1234567) == "1,234,567" and thousands(None) == ""


def test_templates_group_money_and_counts_but_never_years_or_ids():
    from django.template import Context, Template

    template = Template(
        "{% load portal %}{{ year }}年 #{{ pk }} {{ amount|money }} {{ n|thousands }}"
    )
    shown = template.render(
        Context({"year": 2024, "pk": 12345, "amount": Decimal("1234567.5"), "n": 1234567})
    )
    assert shown == "2024年 #12345 1,234,567.50 1,234,567"
    assert formats.number_format(Decimal("1234567.5"), 2, force_grouping=True) == "1,234,567.50"


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (datetime.timedelta(minutes=15), "15 分钟"),
        (datetime.timedelta(hours=1), "1 小时"),
        (datetime.timedelta(minutes=90), "1 小时 30 分钟"),
        (datetime.timedelta(seconds=5), "1 分钟"),
        (None, ""),
    ],
)
def test_duration_zh_reads_as_chinese(delta, shown):
    assert duration_zh(delta) == shown
