"""Forms of the coefficient pages. Field checks only; the workflow rules are the services'."""

from __future__ import annotations

from django import forms

from catalogs.choices import Combination
from catalogs.forms import DATE_INPUT, NUMBER_INPUT, SELECT_INPUT, TEXT_INPUT, YearsField
from catalogs.models import Region


def _coefficient(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=8,
        decimal_places=4,
        widget=forms.NumberInput(attrs={**NUMBER_INPUT, "step": "0.0001"}),
    )


class CoefficientTableCreateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=SELECT_INPUT)
    )
    year = forms.IntegerField(
        label="适用年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    combination = forms.ChoiceField(
        label="组合方式", choices=Combination.choices, widget=forms.Select(attrs=SELECT_INPUT)
    )
    history_years = YearsField(label="建议值测算年度（留空取前三年）", required=False)
    effective_from = forms.DateField(
        label="生效日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    effective_to = forms.DateField(
        label="失效日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )


class CoefficientRowForm(forms.Form):
    level_basic = _coefficient("基本系数（等级）")
    bonus_grassroots = _coefficient("基层加成系数")
    bonus_tcm = _coefficient("中医加成系数")
    bonus_key_discipline = _coefficient("重点学科加成系数")
    note = forms.CharField(
        label="备注", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
    reason = forms.CharField(
        label="修改原因", max_length=500, widget=forms.TextInput(attrs=TEXT_INPUT)
    )


class ReviseForm(forms.Form):
    reason = forms.CharField(
        label="调整原因", max_length=500, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
    effective_from = forms.DateField(
        label="调整后生效日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
