"""Forms of the DRG rule set pages. Field checks only."""

from __future__ import annotations

from django import forms

from catalogs.forms import NUMBER_INPUT, SELECT_INPUT, TEXT_INPUT
from catalogs.models import Region


class DrgRuleSetCreateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=SELECT_INPUT)
    )
    year = forms.IntegerField(
        label="适用年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    name = forms.CharField(
        label="名称", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
