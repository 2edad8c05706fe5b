"""Forms of the settlement-run pages: the run list's filters, starting a run, the case filter of a
statement and closing a year. They only parse input; ``services.run_start`` and the closing services
decide what is allowed."""

from __future__ import annotations

from django import forms

from catalogs.choices import Scheme
from catalogs.models import Region
from settlement.runs.choices import RunType
from settlement.runs.domain import DEVIATION_LABELS

YEAR = dict(min_value=2000, max_value=2100)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


class StyledForm(forms.Form):
    """Bootstrap's small controls on every field."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )


class RunStartForm(StyledForm):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.order_by("code"), empty_label=None
    )
    year = forms.IntegerField(label="年度", **YEAR)
    scheme = forms.ChoiceField(label="险种", choices=Scheme.choices)
    category = forms.CharField(
        label="细分类别", max_length=20, initial="DIP", help_text="如 DIP、DRG"
    )
    run_type = forms.ChoiceField(label="运行类型", choices=RunType.choices)
    number = forms.IntegerField(
        label="期号",
        min_value=0,
        max_value=12,
        initial=1,
        required=False,
        help_text="月度运行填月份（1–12），季度运行填季度（1–4）；年度结算与年终清算不填",
    )

    def clean_number(self) -> int:
        return self.cleaned_data.get("number") or 0


class CaseFilterForm(StyledForm):
    deviation = forms.ChoiceField(
        label="偏差类型",
        required=False,
        choices=_blank([(str(k), v) for k, v in DEVIATION_LABELS.items()]),
    )

    def deviation_value(self) -> str:
        return self.cleaned_data["deviation"] if self.is_valid() else ""


class YearCloseForm(StyledForm):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.order_by("code"), empty_label=None
    )
    year = forms.IntegerField(label="年度", **YEAR)
