"""The region form (统筹区): a new region and the years whose monthly periods it opens."""

from __future__ import annotations

import re

from django import forms

from settlement.services import ERR_YEARS

_INPUT = {"class": "form-control form-control-sm"}


class RegionCreateForm(forms.Form):
    code = forms.CharField(
        label="行政区划代码",
        max_length=6,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如 370900"}),
    )
    name = forms.CharField(label="统筹区名称", max_length=100, widget=forms.TextInput(attrs=_INPUT))
    years = forms.CharField(
        label="开设年度",
        max_length=60,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如 2024 2025"}),
        help_text="每个年度开设 1—12 月的结算期间；多个年度以空格或逗号分隔",
    )

    def clean_years(self) -> list[int]:
        parts = [part for part in re.split(r"[\s,，、]+", self.cleaned_data["years"]) if part]
        if not parts or not all(part.isdigit() for part in parts):
            raise forms.ValidationError(ERR_YEARS)
        return [int(part) for part in parts]
