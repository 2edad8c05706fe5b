"""The province-run start form: it only parses input; ``services.province_run_start`` decides."""

from __future__ import annotations

from django import forms

from catalogs.choices import Scheme
from catalogs.models import Region
from settlement.runs.choices import RunType
from settlement.runs.forms import YEAR, StyledForm


class ProvinceRunStartForm(StyledForm):
    regions = forms.ModelMultipleChoiceField(
        label="统筹区",
        queryset=Region.objects.order_by("code"),
        required=False,
        help_text="不选则为您权限范围内的全部统筹区",
    )
    year = forms.IntegerField(label="年度", **YEAR)
    run_type = forms.ChoiceField(label="运行类型", choices=RunType.choices)
    number = forms.IntegerField(
        label="期号",
        min_value=0,
        max_value=12,
        initial=1,
        required=False,
        help_text="月度运行填月份（1–12），季度运行填季度（1–4）；年度结算与年终清算不填",
    )
    scheme = forms.ChoiceField(
        label="险种", required=False, choices=[("", "全部"), *Scheme.choices]
    )
    category = forms.CharField(
        label="细分类别", required=False, max_length=20, help_text="如 DIP；不填为全部类别"
    )

    def clean_number(self) -> int:
        return self.cleaned_data.get("number") or 0
