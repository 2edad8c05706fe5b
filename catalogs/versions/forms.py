"""Forms of the catalog version pages: create, build from history, flags, score edit. Field checks only."""

from __future__ import annotations

from django import forms

from catalogs.choices import ApgUnit, CatalogKind, ScoreMethod
from catalogs.forms import DATE_INPUT, NUMBER_INPUT, SELECT_INPUT, TEXT_INPUT, YearsField
from catalogs.models import Region


class VersionCreateForm(forms.Form):
    region = forms.ModelChoiceField(
        label="统筹区", queryset=Region.objects.all(), widget=forms.Select(attrs=SELECT_INPUT)
    )
    kind = forms.ChoiceField(
        label="目录类别", choices=CatalogKind.choices, widget=forms.Select(attrs=SELECT_INPUT)
    )
    year = forms.IntegerField(
        label="适用年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    name = forms.CharField(
        label="版本名称", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
    effective_from = forms.DateField(
        label="生效日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    effective_to = forms.DateField(
        label="失效日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )


def _codes(text: str) -> list[str]:
    return [
        code
        for code in text.replace("，", ",")
        .replace(";", ",")
        .replace("；", ",")
        .replace(" ", ",")
        .split(",")
        if code
    ]


def _scale(initial: int) -> forms.DecimalField:
    return forms.DecimalField(
        label="分值放大系数",
        min_value=1,
        max_digits=10,
        decimal_places=2,
        initial=initial,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )


class WeightBuildForm(forms.Form):
    """DRG 病组目录测算 (catalogs.drg.build.WeightConfig): years and the scale (weights x 100 = base points)."""

    years = YearsField(label="测算年度（逗号分隔）")
    scale = _scale(100)

    def params(self) -> dict:
        return {name: str(value) for name, value in self.cleaned_data.items() if name != "years"}


class ApgBuildForm(WeightBuildForm):
    """APG 病组目录测算: two years weighted 2:8 by default, and the unit of payment."""

    unit = forms.ChoiceField(
        label="计量单位", choices=ApgUnit.choices, widget=forms.Select(attrs=SELECT_INPUT)
    )


class BuildForm(WeightBuildForm):
    """由历史病例测算 (catalogs.dip.catalog.DipConfig): the years and the main parameters; the rest keep their defaults.
    The TCM and day-surgery lists are codes separated by commas."""

    scale = _scale(1000)
    core_threshold = forms.IntegerField(
        label="核心病种年均病例数阈值",
        min_value=1,
        initial=15,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    score_method = forms.ChoiceField(
        label="分值基准", choices=ScoreMethod.choices, widget=forms.Select(attrs=SELECT_INPUT)
    )
    tcm_codes = forms.CharField(
        label="中医优势病种（诊断编码/类目）",
        required=False,
        max_length=4000,
        widget=forms.TextInput(attrs=TEXT_INPUT),
    )
    day_surgery_codes = forms.CharField(
        label="日间手术（手术操作编码）",
        required=False,
        max_length=4000,
        widget=forms.TextInput(attrs=TEXT_INPUT),
    )

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "core_threshold": data["core_threshold"],
            "scale": str(data["scale"]),
            "score_method": data["score_method"],
            "tcm_codes": _codes(data["tcm_codes"]),
            "day_surgery_codes": _codes(data["day_surgery_codes"]),
        }


class FlagsForm(forms.Form):
    """The officer's correction of a group's flags (基层/中医优势/日间手术), with the reason audited."""

    is_grassroots = forms.BooleanField(label="基层病种", required=False)
    is_tcm = forms.BooleanField(label="中医优势病种", required=False)
    is_day_surgery = forms.BooleanField(label="日间手术病种", required=False)
    reason = forms.CharField(
        label="修改原因", max_length=500, widget=forms.TextInput(attrs=TEXT_INPUT)
    )


class ScoreForm(forms.Form):
    score = forms.DecimalField(
        label="新分值",
        min_value=0,
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={**NUMBER_INPUT, "step": "0.0001"}),
    )
    reason = forms.CharField(
        label="调整原因", max_length=500, widget=forms.TextInput(attrs=TEXT_INPUT)
    )
