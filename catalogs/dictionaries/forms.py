"""Forms of the dictionary pages. Field checks only."""

from __future__ import annotations

from django import forms

from catalogs.choices import DictionaryKind
from catalogs.forms import DATE_INPUT, SELECT_INPUT, TEXT_INPUT


class DictionaryVersionForm(forms.Form):
    """A newer edition of one coding dictionary (编码字典新版本) from .xlsx / .csv."""

    kind = forms.ChoiceField(
        label="字典类别", choices=DictionaryKind.choices, widget=forms.Select(attrs=SELECT_INPUT)
    )
    name = forms.CharField(
        label="版本名称", max_length=100, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs=DATE_INPUT))
    source = forms.CharField(
        label="来源", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
    file = forms.FileField(
        label="文件（.xlsx / .csv / .csv.gz）",
        widget=forms.ClearableFileInput(attrs={**TEXT_INPUT, "accept": ".xlsx,.csv,.gz"}),
    )
