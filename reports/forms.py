"""The download centre's form; it only parses input — the rules are in the services."""

from __future__ import annotations

from django import forms

from catalogs.models import Region

SMALL = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}


class PackGenerateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区",
        queryset=Region.objects.order_by("code"),
        empty_label=None,
        widget=forms.Select(attrs=SMALL),
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )
    month = forms.IntegerField(
        label="月份", min_value=1, max_value=12, widget=forms.NumberInput(attrs=TEXT)
    )
