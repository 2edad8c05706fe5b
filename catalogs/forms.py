"""What the catalog forms share: widget styles, the years field, the reason and import forms. Each
sub-package has its own forms.py; field checks only, the workflow rules are the services'."""

from __future__ import annotations

from django import forms

ERR_YEARS = "请填写测算年度，如 2022,2023,2024。"

TEXT_INPUT = {"class": "form-control form-control-sm"}
NUMBER_INPUT = {"class": "form-control form-control-sm text-end"}
SELECT_INPUT = {"class": "form-select form-select-sm"}
DATE_INPUT = {"class": "form-control form-control-sm", "type": "date"}


def _years(text: str) -> list[int]:
    parts = [part for part in text.replace("，", ",").replace(" ", ",").split(",") if part]
    if not parts or not all(part.isdigit() and 2000 <= int(part) <= 2100 for part in parts):
        raise forms.ValidationError(ERR_YEARS)
    return sorted({int(part) for part in parts})


class YearsField(forms.CharField):
    """Settlement years as ``2022,2023,2024`` → a sorted list of ints."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            max_length=60,
            widget=forms.TextInput(attrs={**TEXT_INPUT, "placeholder": "2022,2023,2024"}),
            **kwargs,
        )

    def clean(self, value) -> list[int]:
        text = super().clean(value)
        return _years(text) if text else []


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.TextInput(attrs=TEXT_INPUT))


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={**TEXT_INPUT, "accept": ".xlsx"}),
    )
