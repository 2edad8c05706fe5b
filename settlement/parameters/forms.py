"""Forms of the parameter pages; the value fields are generated from ``domain.FIELDS``."""

from __future__ import annotations

from django import forms

from catalogs.choices import Scheme
from catalogs.models import Region
from settlement.engine.params import Kind
from settlement.parameters import domain

_SELECT = {"class": "form-select form-select-sm"}
_INPUT = {"class": "form-control form-control-sm"}
_DATE = {"class": "form-control form-control-sm", "placeholder": "如 2025-01-01 或 2025年1月1日"}


class ParameterSetCreateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=_SELECT)
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_INPUT)
    )
    scheme = forms.ChoiceField(
        label="险种", choices=Scheme.choices, widget=forms.Select(attrs=_SELECT)
    )
    category = forms.CharField(
        label="细分类别编码",
        max_length=20,
        initial="DIP",
        widget=forms.TextInput(attrs=_INPUT),
        help_text="与总额预算的细分类别编码一致，如 DIP、APG",
    )
    kind = forms.ChoiceField(
        label="付费方式",
        choices=[(k.value, k.value) for k in Kind],
        widget=forms.Select(attrs=_SELECT),
    )


class ParameterValuesForm(forms.Form):
    """Every parameter as text (validated by ``domain.validate`` in the service), plus the effective dates."""

    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs=_DATE))
    effective_to = forms.DateField(
        label="失效日期", required=False, widget=forms.DateInput(attrs=_DATE)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in domain.FIELDS:
            if field.kind == domain.CHOICE:
                self.fields[field.key] = forms.ChoiceField(
                    label=field.label,
                    choices=field.choices,
                    help_text=field.help,
                    widget=forms.Select(attrs=_SELECT),
                )
            else:
                self.fields[field.key] = forms.CharField(
                    label=field.label,
                    required=False,
                    help_text=field.help,
                    widget=forms.TextInput(attrs=_INPUT),
                )

    def values(self) -> dict[str, str]:
        return {field.key: self.cleaned_data.get(field.key) or "" for field in domain.FIELDS}

    def value_fields(self) -> list:
        return [self[field.key] for field in domain.FIELDS]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500)
    effective_from = forms.DateField(label="生效日期", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="参数表（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control form-control-sm", "accept": ".xlsx"}
        ),
    )
