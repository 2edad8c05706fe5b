"""Forms of the supervision pages (监管)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms

from catalogs.choices import Scheme

_TEXT_ATTRS = {"class": "form-control form-control-sm"}
_SELECT_ATTRS = {"class": "form-select form-select-sm"}

_INT_ATTRS = {"class": "form-control form-control-sm"}


class FindingChargeForm(forms.Form):
    """计入险种/细分类别: one of the year's (scheme, category) pairs, cleaned into ``scheme`` and ``category``."""

    charge = forms.ChoiceField(
        label="计入险种/细分类别",
        widget=forms.Select(attrs=_SELECT_ATTRS),
        help_text="扣减金额只在该险种该细分类别的年终清算中扣减",
    )
    charge_required = True

    def __init__(self, *args, charges: Sequence[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charge"].required = self.charge_required
        self.fields["charge"].choices = [
            ("", "（未指定）"),
            *((f"{s}/{c}", f"{Scheme(s).label} {c}") for s, c in charges),
        ]

    def clean(self) -> dict:
        data = super().clean()
        scheme, _, category = data.pop("charge", "").partition("/")
        return {**data, "scheme": scheme, "category": category}


class FindingConfirmForm(FindingChargeForm):
    field_order = ["amount", "charge", "note"]
    charge_required = False  # blank: the finding's default stays

    amount = forms.DecimalField(
        label="扣减金额（元）",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**_INT_ATTRS, "step": "0.01"}),
    )
    note = forms.CharField(
        label="复核意见", required=False, widget=forms.Textarea(attrs={**_TEXT_ATTRS, "rows": 2})
    )


class FindingDismissForm(forms.Form):
    reason = forms.CharField(
        label="排除理由", widget=forms.Textarea(attrs={**_TEXT_ATTRS, "rows": 2})
    )


class SupervisionRunForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_INT_ATTRS)
    )
    month = forms.IntegerField(
        label="月份",
        required=False,
        min_value=1,
        max_value=12,
        widget=forms.NumberInput(attrs=_INT_ATTRS),
    )


#: Chinese labels of ``supervision.anomalies.Thresholds`` on the rule-set form.
THRESHOLD_LABELS = {
    "min_stays": "机构月住院人次下限",
    "min_cases": "最少涉及病例数",
    "high_severity_score": "高严重程度评分线",
    "max_evidence": "每条发现保留的证据病例数",
    "readmission_days": "分解住院：再入院间隔天数",
    "split_rate": "分解住院：占住院人次比例阈值",
    "low_cost_share": "低标准入院：低于病种均值的比例",
    "low_stay_days": "低标准入院：住院天数上限",
    "low_standard_rate": "低标准入院：占住院人次比例阈值",
    "secondary_diagnoses": "高套编码：次要诊断个数",
    "upcoding_p90_factor": "高套编码：全区P90倍数",
    "min_institutions": "计算P90的最少机构数",
    "upcoding_min_z": "高套编码：显著性z值",
    "cmi_jump": "CMI环比上升阈值",
    "cmi_support": "CMI：费用/住院日支撑比例上限",
    "baseline_months": "推诿患者：基线月数",
    "transfer_rise": "推诿患者：转院率上升阈值",
    "high_cost_multiple": "推诿患者：高费用病例倍数",
    "high_cost_drop": "推诿患者：高费用占比下降比例",
    "short_exit_days": "推诿患者：短住院天数",
    "short_exit_rate": "推诿患者：短住院转院/死亡占比",
    "growth_window": "冲点数：滚动窗口月数",
    "growth_excess": "冲点数：超出全区中位增长",
    "growth_min_cases": "冲点数：基线病例数下限",
}


class RuleSetForm(forms.Form):
    """A new draft rule set: one field per threshold (initially the values in force) and the grassroots categories."""

    grassroots_categories = forms.CharField(
        label="基层病种诊断类目",
        required=False,
        help_text="ICD-10 三位类目，以空格、逗号或分号分隔",
        widget=forms.Textarea(attrs={**_TEXT_ATTRS, "rows": 2}),
    )
    reason = forms.CharField(
        label="说明", required=False, widget=forms.TextInput(attrs=_TEXT_ATTRS)
    )

    def __init__(self, *args, thresholds, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in thresholds.to_json().items():
            kind = forms.DecimalField if isinstance(value, str) else forms.IntegerField
            self.fields[f"t_{name}"] = kind(
                label=THRESHOLD_LABELS.get(name, name),
                initial=value,
                min_value=0,
                widget=forms.NumberInput(attrs={**_INT_ATTRS, "step": "any"}),
            )

    def thresholds(self) -> dict:
        return {
            name[2:]: str(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("t_") and value is not None
        }

    def categories(self) -> list[str]:
        return [
            code
            for code in re.split(r"[\s,，;；、]+", self.cleaned_data["grassroots_categories"])
            if code
        ]
