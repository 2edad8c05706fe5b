"""Forms of the revolving-fund page: the list's filters and recording one fund (by institution code)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from catalogs.choices import Scheme
from catalogs.models import Institution, Region
from settlement.runs.forms import YEAR, StyledForm, _blank

ERR_UNKNOWN_INSTITUTION = "机构编码 {code} 不存在。"


class FundFilterForm(StyledForm):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.order_by("code"), required=False, empty_label="全部"
    )
    year = forms.IntegerField(label="年度", required=False, **YEAR)
    scheme = forms.ChoiceField(label="险种", required=False, choices=_blank(Scheme.choices))
    category = forms.CharField(label="细分类别", required=False, max_length=20)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {**self.cleaned_data, "category": self.cleaned_data["category"].strip().upper()}


class FundForm(StyledForm):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.order_by("code"), empty_label=None
    )
    year = forms.IntegerField(label="年度", **YEAR)
    scheme = forms.ChoiceField(label="险种", choices=Scheme.choices)
    category = forms.CharField(label="细分类别", max_length=20, initial="DIP")
    institution = forms.CharField(label="机构编码", max_length=30, help_text="国家定点医疗机构编码")
    amount = forms.DecimalField(
        label="周转金（元）", max_digits=16, decimal_places=2, min_value=Decimal("0")
    )
    granted_at = forms.DateField(label="拨付日期", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_category(self) -> str:
        return self.cleaned_data["category"].strip().upper()

    def clean_institution(self) -> Institution:
        code = self.cleaned_data["institution"].strip()
        institution = Institution.objects.filter(code=code).first()
        if institution is None:
            raise forms.ValidationError(ERR_UNKNOWN_INSTITUTION.format(code=code))
        return institution
